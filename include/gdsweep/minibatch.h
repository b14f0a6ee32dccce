/* minibatch.h - which samples iteration t sees, and the noise on its gradient.
 *
 * Both are pure functions of the instance's data key (gd_sweep_instance_key: seed, problem
 * label, data parameters, repeat) and the iteration, never of the optimizer, its
 * hyperparameters, the rank, the thread or the order of execution: every optimizer and
 * learning rate of an instance meets the same batch sequence and the same noise (paired
 * comparisons), and a resumed run redraws them identically. The streams below are apart
 * from the ones problems draw their data from (0..7).
 *
 * N samples, batches of m (1 <= m < N), iteration t = 0, 1, ...:
 * - shuffle: epoch e = t / B with B = ceil(N / m) batches per epoch; batch k = t mod B holds
 *   positions [k m, min((k + 1) m, N)) of the epoch's permutation (the last batch of an
 *   epoch is smaller when m does not divide N), so every sample is seen once per epoch.
 *   The permutation of epoch e: Fisher-Yates from the identity, j = N-1 down to 1 swapping
 *   j with a uniform index in [0, j] (stream GD_STREAM_SHUFFLE, counter e N + j); computed
 *   once per epoch and kept in the sampler (O(N) per epoch, O(m) per iteration).
 * - replacement: m indices uniform in [0, N), index q of iteration t from counter t m + q
 *   (stream GD_STREAM_REPLACEMENT).
 * A uniform index in [0, n) is floor(u n) with u the 53-bit uniform of rng.h (clamped to
 * n - 1 against rounding): its bias is below n 2^-53.
 * Gradient noise: component i of iteration t gets sigma times the standard normal of
 * counter t n + i (stream GD_STREAM_GRAD_NOISE, n the dimension).
 *
 * The sampler's arrays are the driver's (gd_workspace.rows); nothing here allocates. */
#ifndef GDSWEEP_MINIBATCH_H
#define GDSWEEP_MINIBATCH_H

#include <stddef.h>
#include <stdint.h>

#include "gdsweep/rng.h"

#define GD_STREAM_SHUFFLE 0x53474401u
#define GD_STREAM_REPLACEMENT 0x53474402u
#define GD_STREAM_GRAD_NOISE 0x53474403u

typedef struct gd_sampler {
    gd_rng_key key;
    size_t samples, size;  /* N, m */
    int sampling;          /* GD_SAMPLING_* (grid.h) */
    size_t *perm;          /* N values (shuffle): the permutation of epoch `epoch` */
    uint64_t epoch;        /* UINT64_MAX: perm not computed yet */
    size_t *rows;          /* m values: the current batch */
} gd_sampler;

/* Values of scratch a sampler of N samples and batches of m needs (gd_sampler_init). */
size_t gd_sampler_scratch(size_t samples, size_t size, int sampling);

/* A sampler over scratch (gd_sampler_scratch values). */
void gd_sampler_init(gd_sampler *s, gd_rng_key key, size_t samples, size_t size, int sampling,
                     size_t *scratch);

/* Batches per epoch, ceil(N / m). */
uint64_t gd_sampler_per_epoch(const gd_sampler *s);

/* The rows of iteration t into s->rows; returns how many (m, or less for the last batch of
 * a shuffled epoch). */
size_t gd_sampler_rows(gd_sampler *s, uint64_t t);

/* The permutation of epoch `epoch` of n samples under key (Fisher-Yates, above). */
void gd_shuffle_permutation(gd_rng_key key, uint64_t epoch, size_t n, size_t *perm);

/* A uniform index in [0, n) from element i of stream `stream`. */
size_t gd_rng_below(gd_rng_key key, uint32_t stream, uint64_t i, size_t n);

/* Adds sigma N(0, 1) noise of iteration t to g[0, n) (nothing when sigma is 0). */
void gd_grad_noise_add(gd_rng_key key, uint64_t t, double sigma, double *g, size_t n);

#endif
