/* design_halton.c - Halton points: the radical inverse of k in the j-th prime, from k alone.
 *
 * Coordinate j of point k writes k in base b (the j-th prime) with L digits d_0 (lowest)
 * .. d_(L-1), where L is the most with b^L <= 2^53, and mirrors them:
 *   R = sum_l ((d_l + shift_l) mod b) b^(L-1-l),   u = R / b^L,
 * both integers exact in a double, so u is correctly rounded (Python's R / b**L gives the
 * same double). Unscrambled (shift NULL), u is the radical inverse of k for k < b^L
 * (at least 2^46 for the first GD_DESIGN_DIMS_MAX primes): scipy.stats.qmc.Halton's
 * point k. Cost O(L) = O(53 / log2 b). */
#include "design.h"

static const unsigned short primes[GD_DESIGN_DIMS_MAX] = {
    2,  3,  5,  7,  11, 13, 17, 19, 23, 29, 31, 37, 41, 43,  47,  53,
    59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131};

unsigned gd_halton_base(size_t j)
{
    return primes[j];
}

unsigned gd_halton_digits(unsigned base)
{
    unsigned digits = 0;
    for (uint64_t p = base; p <= (1ULL << 53); p *= base)
        digits++;
    return digits;
}

double gd_halton_point(unsigned base, unsigned digits, const unsigned char *shift, uint64_t k)
{
    uint64_t r = 0, scale = 1;
    for (unsigned l = 0; l < digits; l++) {
        unsigned d = (unsigned)(k % base);
        k /= base;
        if (shift)
            d = (d + shift[l]) % base;
        r = r * base + d;
        scale *= base;
    }
    return (double)r / (double)scale;
}
