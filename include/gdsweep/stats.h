/* stats.h - statistics over repeats: median, seeded bootstrap interval, Wilcoxon signed-rank, Holm.
 *
 * Pure functions on arrays the caller owns; none allocates except gd_stats_bootstrap_median
 * (its own work arrays, freed before it returns) and gd_stats_wilcoxon (ranks). The
 * definitions are in docs/STATISTICS.md; analysis/stats.py computes the same numbers
 * bit for bit (the same Philox draws, the same order of operations).
 *
 * Values may be +inf or -inf (a failed run counts as the worst value); never NaN. */
#ifndef GDSWEEP_STATS_H
#define GDSWEEP_STATS_H

#include <stddef.h>

#include "gdsweep/rng.h"

/* Resamples of the bootstrap and the level of its interval. */
#define GD_STATS_RESAMPLES 2000
#define GD_STATS_LEVEL 0.95
/* The seed of the resampling keys: "gdstats" (gd_stats_key). */
#define GD_STATS_SEED 0x67647374617473ull
/* The largest number of differences for the exact Wilcoxon distribution. */
#define GD_STATS_EXACT_MAX 50

/* Median of v[0..n-1] (n >= 1), sorting v in place: the middle value, or the mean of the
 * two middle values ((a + b) / 2) when n is even. */
double gd_stats_median(double *v, size_t n);

/* The q-quantile of sorted s[0..n-1] (n >= 1) by linear interpolation between order
 * statistics at h = (n - 1) q (numpy's default): s[i] + (h - i) (s[i+1] - s[i]), i = floor h;
 * s[i] itself when h is whole or s[i] == s[i+1]. */
double gd_stats_quantile_sorted(const double *s, size_t n, double q);

/* The resampling key of the setting whose first run id is `first_run`:
 * gd_rng_key_make(GD_STATS_SEED, "bootstrap", NULL, 0, first_run). */
gd_rng_key gd_stats_key(unsigned long long first_run);

/* Percentile bootstrap interval of the median of v[0..n-1] (n >= 1): `resamples` resamples,
 * resample b taking v[floor(u n)] for u = gd_rng_uniform(key, 0, b n + j), j = 0..n-1; the
 * interval is the (1 - level)/2 and (1 + level)/2 quantiles (gd_stats_quantile_sorted) of
 * the resamples' medians. Returns 0, or -1 when out of memory. */
int gd_stats_bootstrap_median(const double *v, size_t n, size_t resamples, double level,
                              gd_rng_key key, double *lo, double *hi);

/* A two-sided Wilcoxon signed-rank test of paired differences d[0..n-1]. */
typedef struct gd_wilcoxon {
    size_t n;          /* differences */
    size_t zeros;      /* of which zero */
    int exact;         /* 1: the exact null distribution, 0: the normal approximation */
    double r_plus, r_minus; /* rank sums of the positive and negative differences */
    double statistic;  /* min(r_plus, r_minus) */
    double z;          /* the normal approximation's z (NaN when exact) */
    double pvalue;
} gd_wilcoxon;

/* The test (docs/STATISTICS.md): |d| ranked with average ranks for ties, zeros ranked
 * with the rest and their ranks dropped (Pratt). Exact when n <= GD_STATS_EXACT_MAX with
 * no zero and no tie: p = min(1, 2 min(P(R+ <= r+), P(R+ >= r+))), 1 at the centre (as
 * scipy.stats.wilcoxon(d, method="exact")). Otherwise the normal approximation with
 * Pratt's zeros (Cureton's correction of mean and variance), the tie correction and no
 * continuity correction (as scipy.stats.wilcoxon(d, zero_method="pratt",
 * correction=False, method="approx")). Every difference zero, or n = 0: p = 1.
 * Returns 0, or -1 when out of memory. */
int gd_stats_wilcoxon(const double *d, size_t n, gd_wilcoxon *w);

/* Holm's step-down adjustment of p[0..m-1] into adjusted[0..m-1] (may be p): in order of
 * p (ties by index), adjusted_(i) = max over j <= i of min(1, (m - j) p_(j)), j from 0.
 * Returns 0, or -1 when out of memory. */
int gd_stats_holm(const double *p, size_t m, double *adjusted);

#endif
