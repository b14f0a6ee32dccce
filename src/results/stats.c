/* stats.c - median, seeded bootstrap interval, Wilcoxon signed-rank test and Holm (stats.h).
 *
 * Every function works on the caller's arrays; the few that need room allocate it and
 * free it before returning (one cleanup path each). The arithmetic is written so that
 * analysis/stats.py can repeat it operation for operation: same draws, same sums in the
 * same order, so the report prints the summary's numbers. */
#include "gdsweep/stats.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- order statistics ------------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double gd_stats_median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double gd_stats_quantile_sorted(const double *s, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t i = (size_t)floor(h);
    if (i + 1 >= n)
        return s[n - 1];
    if (h == (double)i || s[i] == s[i + 1])
        return s[i];
    return s[i] + (h - (double)i) * (s[i + 1] - s[i]);
}

/* ---- bootstrap ------------------------------------------------------------------------- */

gd_rng_key gd_stats_key(unsigned long long first_run)
{
    return gd_rng_key_make(GD_STATS_SEED, "bootstrap", NULL, 0, first_run);
}

/* Resample b of v into out: v[floor(u n)], u the Philox draws b n .. b n + n - 1. */
static void resample(const double *v, size_t n, gd_rng_key key, size_t b, double *out)
{
    for (size_t j = 0; j < n; j++) {
        double u = gd_rng_uniform(key, 0, (uint64_t)b * n + j);
        size_t k = (size_t)floor(u * (double)n);
        out[j] = v[k < n ? k : n - 1];
    }
}

int gd_stats_bootstrap_median(const double *v, size_t n, size_t resamples, double level,
                              gd_rng_key key, double *lo, double *hi)
{
    double *medians = malloc(resamples * sizeof *medians);
    double *draw = malloc(n * sizeof *draw);
    int rc = medians && draw ? 0 : -1;
    for (size_t b = 0; rc == 0 && b < resamples; b++) {
        resample(v, n, key, b, draw);
        medians[b] = gd_stats_median(draw, n);
    }
    if (rc == 0) {
        qsort(medians, resamples, sizeof *medians, cmp_double);
        *lo = gd_stats_quantile_sorted(medians, resamples, (1 - level) / 2);
        *hi = gd_stats_quantile_sorted(medians, resamples, (1 + level) / 2);
    }
    free(medians);
    free(draw);
    return rc;
}

/* ---- Wilcoxon signed-rank ------------------------------------------------------------ */

/* Index sort by |d|, for average ranks. */
typedef struct by_size {
    double size;
    size_t at;
} by_size;

static int cmp_size(const void *a, const void *b)
{
    const by_size *x = a, *y = b;
    if (x->size != y->size)
        return x->size < y->size ? -1 : 1;
    return (x->at > y->at) - (x->at < y->at);
}

/* Average ranks (1-based) of |d| into rank; sets *ties to the tie term sum(t^3 - t) over
 * the groups of equal nonzero |d|, and *any_tie to 1 when a group of any |d| has t > 1. */
static void average_ranks(const double *d, size_t n, by_size *order, double *rank,
                          double *ties, int *any_tie)
{
    for (size_t i = 0; i < n; i++)
        order[i] = (by_size){fabs(d[i]), i};
    qsort(order, n, sizeof *order, cmp_size);
    *ties = 0;
    *any_tie = 0;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && order[j].size == order[i].size; j++)
            ;
        double t = (double)(j - i), r = (double)(i + 1 + j) / 2;
        for (size_t k = i; k < j; k++)
            rank[order[k].at] = r;
        *any_tie |= j - i > 1;
        if (order[i].size != 0)
            *ties += t * t * t - t;
    }
}

/* P(R+ <= r) and P(R+ >= r) (as counts over 2^n) of the signed-rank sum of n untied ranks,
 * by the counting recursion over ranks 1..n. Counts stay below 2^53 for n <= 50. */
static int exact_tails(size_t n, size_t r, double *below, double *above)
{
    size_t top = n * (n + 1) / 2;
    double *c = calloc(top + 1, sizeof *c);
    if (!c)
        return -1;
    c[0] = 1;
    for (size_t k = 1; k <= n; k++)
        for (size_t s = k * (k + 1) / 2; s >= k; s--)
            c[s] += c[s - k];
    *below = *above = 0;
    for (size_t s = 0; s <= top; s++) {
        *below += s <= r ? c[s] : 0;
        *above += s >= r ? c[s] : 0;
    }
    free(c);
    return 0;
}

static int exact_pvalue(gd_wilcoxon *w)
{
    size_t r = (size_t)w->r_plus, top = w->n * (w->n + 1) / 2;
    double below, above;
    if (r == top / 2) {
        w->pvalue = 1;
        return 0;
    }
    if (exact_tails(w->n, r, &below, &above) < 0)
        return -1;
    w->pvalue = fmin(1.0, 2 * fmin(below, above) / ldexp(1.0, (int)w->n));
    return 0;
}

/* The normal approximation with Pratt's zeros and the tie term. */
static void approx_pvalue(gd_wilcoxon *w, double ties)
{
    double n = (double)w->n, z0 = (double)w->zeros;
    double mean = n * (n + 1) * 0.25 - z0 * (z0 + 1) * 0.25;
    double var = n * (n + 1) * (2 * n + 1) - z0 * (z0 + 1) * (2 * z0 + 1) - 0.5 * ties;
    double se = sqrt(var / 24);
    w->z = (w->statistic - mean) / se;
    w->pvalue = erfc(fabs(w->z) / sqrt(2.0));
}

int gd_stats_wilcoxon(const double *d, size_t n, gd_wilcoxon *w)
{
    memset(w, 0, sizeof *w);
    w->n = n;
    w->z = NAN;
    w->pvalue = 1;
    by_size *order = malloc((n + 1) * sizeof *order);
    double *rank = malloc((n + 1) * sizeof *rank);
    double ties = 0;
    int any_tie = 0, rc = order && rank ? 0 : -1;
    if (rc == 0 && n > 0)
        average_ranks(d, n, order, rank, &ties, &any_tie);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        w->zeros += d[i] == 0;
        w->r_plus += d[i] > 0 ? rank[i] : 0;
        w->r_minus += d[i] < 0 ? rank[i] : 0;
    }
    w->statistic = fmin(w->r_plus, w->r_minus);
    w->exact = n <= GD_STATS_EXACT_MAX && w->zeros == 0 && !any_tie;
    if (rc == 0 && n > 0 && w->zeros < n) {
        if (w->exact)
            rc = exact_pvalue(w);
        else
            approx_pvalue(w, ties);
    }
    free(order);
    free(rank);
    return rc;
}

/* ---- Holm ---------------------------------------------------------------------------- */

int gd_stats_holm(const double *p, size_t m, double *adjusted)
{
    by_size *order = malloc((m + 1) * sizeof *order);
    if (!order)
        return -1;
    for (size_t i = 0; i < m; i++)
        order[i] = (by_size){p[i], i};
    qsort(order, m, sizeof *order, cmp_size);
    double running = 0;
    for (size_t j = 0; j < m; j++) {
        double a = fmin(1.0, (double)(m - j) * order[j].size);
        running = fmax(running, a);
        adjusted[order[j].at] = running;
    }
    free(order);
    return 0;
}
