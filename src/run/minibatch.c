/* minibatch.c - the batch sequence and the gradient noise of stochastic runs
 * (see gdsweep/minibatch.h). */
#include "gdsweep/minibatch.h"

#include "gdsweep/grid.h"
#include "gdsweep/run.h"

/* floor(u n) for u in (0, 1), at most n - 1 (u n may round up to n). */
static size_t index_below(double u, size_t n)
{
    size_t r = (size_t)(u * (double)n);
    return r < n ? r : n - 1;
}

size_t gd_rng_below(gd_rng_key key, uint32_t stream, uint64_t i, size_t n)
{
    return index_below(gd_rng_uniform(key, stream, i), n);
}

/* Uniforms drawn per chunk of the shuffle: gd_rng_uniform_fill's blocks overlap. */
#define SHUFFLE_CHUNK 256

void gd_shuffle_permutation(gd_rng_key key, uint64_t epoch, size_t n, size_t *perm)
{
    for (size_t j = 0; j < n; j++)
        perm[j] = j;
    uint64_t base = epoch * (uint64_t)n;
    double u[SHUFFLE_CHUNK];
    /* j from n - 1 down to 1 swaps perm[j] with perm[below(element base + j, j + 1)];
     * the chunk [lo, hi) draws its elements first. */
    for (size_t hi = n; hi > 1;) {
        size_t lo = hi - 1 > SHUFFLE_CHUNK ? hi - SHUFFLE_CHUNK : 1;
        gd_rng_uniform_fill(key, GD_STREAM_SHUFFLE, base + lo, hi - lo, u);
        for (size_t j = hi; j-- > lo;) {
            size_t r = index_below(u[j - lo], j + 1), v = perm[j];
            perm[j] = perm[r];
            perm[r] = v;
        }
        hi = lo;
    }
}

size_t gd_sampler_scratch(size_t samples, size_t size, int sampling)
{
    return size + (sampling == GD_SAMPLING_SHUFFLE ? samples : 0);
}

void gd_sampler_init(gd_sampler *s, gd_rng_key key, size_t samples, size_t size, int sampling,
                     size_t *scratch)
{
    s->key = key;
    s->samples = samples;
    s->size = size;
    s->sampling = sampling;
    s->rows = scratch;
    s->perm = sampling == GD_SAMPLING_SHUFFLE ? scratch + size : NULL;
    s->epoch = UINT64_MAX;
}

uint64_t gd_sampler_per_epoch(const gd_sampler *s)
{
    return (s->samples + s->size - 1) / s->size;
}

size_t gd_sampler_rows(gd_sampler *s, uint64_t t)
{
    if (s->sampling == GD_SAMPLING_REPLACEMENT) {
        for (size_t q = 0; q < s->size; q++)
            s->rows[q] = gd_rng_below(s->key, GD_STREAM_REPLACEMENT, t * s->size + q,
                                      s->samples);
        return s->size;
    }
    uint64_t per = gd_sampler_per_epoch(s), epoch = t / per;
    if (epoch != s->epoch) {
        gd_shuffle_permutation(s->key, epoch, s->samples, s->perm);
        s->epoch = epoch;
    }
    size_t lo = (size_t)(t % per) * s->size;
    size_t m = lo + s->size < s->samples ? s->size : s->samples - lo;
    for (size_t q = 0; q < m; q++)
        s->rows[q] = s->perm[lo + q];
    return m;
}

void gd_grad_noise_add(gd_rng_key key, uint64_t t, double sigma, double *g, size_t n)
{
    if (sigma == 0)
        return;
    uint64_t base = t * (uint64_t)n;
    /* Each component is its own draw: any thread may add it, with the same bits. */
#pragma omp parallel for schedule(static) if (n >= GD_PARALLEL_MIN)
    for (size_t i = 0; i < n; i++)
        g[i] += sigma * gd_rng_normal(key, GD_STREAM_GRAD_NOISE, base + i);
}

size_t gd_run_batch_size(const gd_problem *p, const gd_run_control *k)
{
    if (!p->type->batch_loss_grad || k->batch_size <= 0)
        return 0;
    size_t m = (size_t)k->batch_size;
    return m < p->type->samples(p) ? m : 0;
}
