/* rng.c - Philox4x32-10 counter-based random numbers and instance keys.
 *
 * Philox4x32-10 follows its published definition (Salmon, Moraes, Dror, Shaw, "Parallel
 * random numbers: as easy as 1, 2, 3", SC 2011): ten rounds of two 32x32->64-bit
 * multiplications (0xD2511F53, 0xCD9E8D57) with the key bumped by the Weyl constants
 * (0x9E3779B9, 0xBB67AE85) between rounds. Element i of stream s is the block for counter
 * (lo32(i), hi32(i), s, 0), so every value is a pure function of (key, s, i): no state,
 * no globals, any thread may generate any element. */
#include "gdsweep/rng.h"

#include <math.h>
#include <string.h>

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u
#define PHILOX_ROUNDS 10

static void mulhilo(uint32_t a, uint32_t b, uint32_t *hi, uint32_t *lo)
{
    uint64_t p = (uint64_t)a * (uint64_t)b;
    *hi = (uint32_t)(p >> 32);
    *lo = (uint32_t)p;
}

static void philox_round(uint32_t c[4], const uint32_t k[2])
{
    uint32_t hi0, lo0, hi1, lo1;
    mulhilo(PHILOX_M0, c[0], &hi0, &lo0);
    mulhilo(PHILOX_M1, c[2], &hi1, &lo1);
    uint32_t r0 = hi1 ^ c[1] ^ k[0];
    uint32_t r2 = hi0 ^ c[3] ^ k[1];
    c[0] = r0;
    c[1] = lo1;
    c[2] = r2;
    c[3] = lo0;
}

void gd_philox4x32(const uint32_t ctr[4], gd_rng_key key, uint32_t out[4])
{
    uint32_t c[4] = {ctr[0], ctr[1], ctr[2], ctr[3]};
    uint32_t k[2] = {key.k[0], key.k[1]};
    for (int r = 0; r < PHILOX_ROUNDS; r++) {
        if (r > 0) {
            k[0] += PHILOX_W0;
            k[1] += PHILOX_W1;
        }
        philox_round(c, k);
    }
    memcpy(out, c, sizeof c);
}

/* splitmix64's finalizer: a bijective 64-bit mix with full avalanche. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Absorbs one word: the golden-ratio increment keeps zero words from being fixed points. */
static uint64_t absorb(uint64_t h, uint64_t w)
{
    return mix64(h ^ mix64(w + 0x9E3779B97F4A7C15ull));
}

static uint64_t absorb_string(uint64_t h, const char *s)
{
    size_t len = s ? strlen(s) : 0;
    h = absorb(h, (uint64_t)len);
    for (size_t i = 0; i < len; i += 8) {
        uint64_t w = 0;
        for (size_t b = 0; b < 8 && i + b < len; b++)
            w |= (uint64_t)(unsigned char)s[i + b] << (8 * b);
        h = absorb(h, w);
    }
    return h;
}

gd_rng_key gd_rng_key_make(uint64_t seed, const char *label, const double *params,
                           size_t n_params, uint64_t repeat)
{
    uint64_t h = absorb(0x6764737765657021ull, seed); /* "gdsweep!" */
    h = absorb_string(h, label);
    h = absorb(h, (uint64_t)n_params);
    for (size_t i = 0; i < n_params; i++) {
        uint64_t bits;
        memcpy(&bits, &params[i], sizeof bits);
        h = absorb(h, bits);
    }
    h = absorb(h, repeat);
    gd_rng_key key = {{(uint32_t)h, (uint32_t)(h >> 32)}};
    return key;
}

static void block(gd_rng_key key, uint32_t stream, uint64_t i, uint32_t out[4])
{
    const uint32_t ctr[4] = {(uint32_t)i, (uint32_t)(i >> 32), stream, 0};
    gd_philox4x32(ctr, key, out);
}

/* 53 bits from (hi, lo) as k / 2^53, every value exact; k = 0 maps to 2^-54 so the result
 * is strictly inside (0, 1) (log() in Box-Muller stays finite). (k + 0.5) / 2^53 would
 * not do: above 1/2 it needs 54 significant bits and its top value rounds to 1.0. */
static double open_unit(uint32_t hi, uint32_t lo)
{
    uint64_t k = ((uint64_t)hi << 21) | (lo >> 11);
    return k ? (double)k * 0x1p-53 : 0x1p-54;
}

double gd_rng_uniform(gd_rng_key key, uint32_t stream, uint64_t i)
{
    uint32_t w[4];
    block(key, stream, i, w);
    return open_unit(w[0], w[1]);
}

void gd_rng_uniform_fill(gd_rng_key key, uint32_t stream, uint64_t first, size_t count,
                         double *out)
{
    for (size_t q = 0; q < count; q++) {
        uint32_t w[4];
        block(key, stream, first + q, w);
        out[q] = open_unit(w[0], w[1]);
    }
}

double gd_rng_normal(gd_rng_key key, uint32_t stream, uint64_t i)
{
    uint32_t w[4];
    block(key, stream, i, w);
    double u1 = open_unit(w[0], w[1]);
    double u2 = open_unit(w[2], w[3]);
    const double two_pi = 6.283185307179586476925286766559;
    return sqrt(-2.0 * log(u1)) * cos(two_pi * u2);
}
