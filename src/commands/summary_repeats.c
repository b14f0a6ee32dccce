/* summary_repeats.c - the repeats section of `gdsweep summary` (summary.h, docs/STATISTICS.md).
 *
 * For a sweep with repeats > 1, problem setting by problem setting: each optimizer's best
 * setting (lowest median rank class, median rank value, median steps, then first run id,
 * as analysis/best.py), the median of its ranking measure over repeats with a seeded
 * bootstrap interval, and paired Wilcoxon signed-rank tests between the optimizers' best
 * settings on the same instances, Holm-adjusted within the problem setting. A problem
 * setting's rows are consecutive (grid.h): setting k of repeat r is row first + r K + k,
 * K the runs of one instance, so one setting's rows are read at a time and memory is
 * bounded by GD_STATS_ROWS_MAX rows. Owns what it allocates, freed on every path. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gdsweep/stats.h"
#include "gdsweep/summary.h"

/* Rows of one problem setting held at once, at most; larger settings are skipped (said). */
#define GD_STATS_ROWS_MAX (1u << 20)

enum { R_WRITTEN, R_STATUS, R_STEPS, R_LOSS, R_GAP, R_RANKED, R_COLUMNS };
static const char *const read_columns[R_RANKED] = {"written", "status_code", "steps",
                                                   "loss_final", "gap"};

/* A run as the statistics see it. */
typedef struct run_value {
    int present;               /* committed */
    double measure;            /* the ranking measure; a failed run: the worst infinity */
    double cls, rank, steps;   /* rank class, rank value, steps (best.py's setting score) */
} run_value;

/* One problem setting's rows and what is found in them. */
typedef struct setting_rows {
    gd_reader *r;
    const gd_sweep *s;
    const gd_tally *t;
    size_t p;                  /* problem section */
    const gd_ranking *rule;
    uint64_t first, per_instance, repeats;
    run_value *v;              /* [repeat * per_instance + k] */
    size_t *best;              /* [optimizer section] best setting k, or SIZE_MAX */
    double *a, *b;             /* repeats values each */
} setting_rows;

/* One optimizer's best setting over repeats. */
typedef struct best_stats {
    size_t n;
    double median, lo, hi;
} best_stats;

/* ---- the measure of one run ------------------------------------------------------------ */

static double ranked_value(const setting_rows *sr, const double *row)
{
    if (!sr->rule->column[0]) {
        double gap = row[R_GAP], loss = row[R_LOSS];
        if (isnan(gap))
            return loss;
        double f_opt = loss - gap;
        double floor = 0x1p-52 * fmax(1.0, isfinite(f_opt) ? fabs(f_opt) : 0.0);
        return gap > floor ? gap : floor;
    }
    double v = row[R_RANKED];
    return strstr(sr->rule->column, "_to_1e-") && v < 0 ? NAN : v;
}

static run_value value_of(const setting_rows *sr, const double *row)
{
    run_value rv = {.present = row[R_WRITTEN] == 1, .steps = row[R_STEPS]};
    int maximize = sr->rule->column[0] && sr->rule->maximize;
    double v = ranked_value(sr, row);
    int failed = row[R_STATUS] == GD_STATUS_DIVERGED || !isfinite(v);
    int converged = row[R_STATUS] == GD_STATUS_CONVERGED && !sr->rule->column[0];
    rv.measure = failed ? (maximize ? -INFINITY : INFINITY) : v;
    rv.cls = failed ? 2 : converged ? 0 : 1;
    rv.rank = failed ? INFINITY : converged ? rv.steps : maximize ? -v : v;
    return rv;
}

static int read_rows(setting_rows *sr, gd_error *err)
{
    const char *names[R_COLUMNS];
    size_t n_cols = sr->rule->column[0] ? R_COLUMNS : R_RANKED;
    uint64_t rows = sr->repeats * sr->per_instance;
    double *buf = malloc((size_t)GD_READER_BLOCK * R_COLUMNS * sizeof *buf);
    if (!buf)
        return gd_fail_runtime(err, "out of memory for the repeats section");
    memcpy(names, read_columns, sizeof read_columns);
    names[R_RANKED] = sr->rule->column;
    int rc = 0;
    for (uint64_t at = 0; rc == 0 && at < rows; at += GD_READER_BLOCK) {
        size_t n = rows - at < GD_READER_BLOCK ? (size_t)(rows - at) : GD_READER_BLOCK;
        rc = gd_reader_columns_f64(sr->r, names, n_cols, sr->first + at, n, buf, err);
        for (size_t i = 0; rc == 0 && i < n; i++)
            sr->v[at + i] = value_of(sr, buf + i * n_cols);
    }
    free(buf);
    return rc;
}

/* ---- the best setting per optimizer ----------------------------------------------------- */

/* The fields of a run_value that values_of gathers. */
enum { F_MEASURE, F_CLASS, F_RANK, F_STEPS };

/* The present repeats' values of one field of setting k into out; returns their count. */
static size_t values_of(const setting_rows *sr, size_t k, int field, double *out)
{
    size_t n = 0;
    for (uint64_t r = 0; r < sr->repeats; r++) {
        const run_value *rv = &sr->v[r * sr->per_instance + k];
        if (rv->present)
            out[n++] = field == F_MEASURE ? rv->measure : field == F_CLASS ? rv->cls
                     : field == F_RANK ? rv->rank : rv->steps;
    }
    return n;
}

/* The lowest committed run id of setting k. */
static uint64_t first_run(const setting_rows *sr, size_t k)
{
    for (uint64_t r = 0; r < sr->repeats; r++)
        if (sr->v[r * sr->per_instance + k].present)
            return sr->first + r * sr->per_instance + k;
    return UINT64_MAX;
}

/* best.py's setting score: median class, median rank value, median steps. */
static void score_of(const setting_rows *sr, size_t k, double score[3])
{
    for (int f = 0; f < 3; f++) {
        size_t n = values_of(sr, k, F_CLASS + f, sr->a);
        score[f] = n ? gd_stats_median(sr->a, n) : INFINITY;
    }
}

static int score_before(const double x[3], const double y[3])
{
    for (int f = 0; f < 3; f++)
        if (x[f] != y[f])
            return x[f] < y[f];
    return 0;
}

static void choose_best(setting_rows *sr, double (*score)[3])
{
    for (size_t o = 0; o < sr->s->n_optimizers; o++)
        sr->best[o] = SIZE_MAX;
    for (size_t k = 0; k < sr->per_instance; k++) {
        if (first_run(sr, k) == UINT64_MAX)
            continue;
        gd_run_desc d;
        gd_sweep_decode(sr->s, sr->first + k, &d);
        score_of(sr, k, score[k]);
        size_t *b = &sr->best[d.optimizer];
        if (*b == SIZE_MAX || score_before(score[k], score[*b]))
            *b = k;
    }
}

/* ---- printing ---------------------------------------------------------------------------- */

/* Run id's swept values without its repeat (the setting, not one run of it). */
static void setting_text(const setting_rows *sr, uint64_t id, int problem, char *buf,
                         size_t size)
{
    gd_tally_swept(sr->t, id, problem, 6, buf, size);
    char *at = strstr(buf, "repeat=");
    while (at && at > buf && at[-1] != ' ')
        at = strstr(at + 1, "repeat=");
    if (!at)
        return;
    char *end = strchr(at, ' ');
    if (end)
        memmove(at, end + 1, strlen(end + 1) + 1);
    else
        *(at > buf ? at - 1 : at) = '\0';
}

static int print_best(setting_rows *sr, size_t o, best_stats *bs, FILE *out)
{
    size_t k = sr->best[o];
    char problem[256], params[512];
    bs->n = values_of(sr, k, F_MEASURE, sr->a);
    memcpy(sr->b, sr->a, bs->n * sizeof *sr->b);
    bs->median = gd_stats_median(sr->b, bs->n);
    if (gd_stats_bootstrap_median(sr->a, bs->n, GD_STATS_RESAMPLES, GD_STATS_LEVEL,
                                  gd_stats_key(first_run(sr, k)), &bs->lo, &bs->hi) < 0)
        return -1;
    setting_text(sr, sr->first, 1, problem, sizeof problem);
    setting_text(sr, first_run(sr, k), 0, params, sizeof params);
    fprintf(out, "  best %s [%s] %s: n=%zu median=%.6g ci=[%.6g, %.6g] first_run=%llu [%s]\n",
            sr->s->problems[sr->p].label, problem, sr->s->optimizers[o].label, bs->n,
            bs->median, bs->lo, bs->hi, (unsigned long long)first_run(sr, k), params);
    return 0;
}

/* ---- paired tests ----------------------------------------------------------------------- */

/* The differences a - b of the best settings of optimizers oa and ob, repeat by repeat
 * where both ran, into sr->a; two failures (the same infinity) differ by 0. */
static size_t differences(const setting_rows *sr, size_t oa, size_t ob)
{
    size_t n = 0;
    for (uint64_t r = 0; r < sr->repeats; r++) {
        const run_value *x = &sr->v[r * sr->per_instance + sr->best[oa]];
        const run_value *y = &sr->v[r * sr->per_instance + sr->best[ob]];
        if (x->present && y->present)
            sr->a[n++] = x->measure == y->measure ? 0.0 : x->measure - y->measure;
    }
    return n;
}

/* One pair's test and its median difference. */
typedef struct pair_test {
    size_t oa, ob;
    gd_wilcoxon w;
    double median;
} pair_test;

static int test_pair(setting_rows *sr, pair_test *pt)
{
    size_t n = differences(sr, pt->oa, pt->ob);
    if (gd_stats_wilcoxon(sr->a, n, &pt->w) < 0)
        return -1;
    pt->median = n ? gd_stats_median(sr->a, n) : NAN;
    return 0;
}

/* "gd better than adam at 5%" or "no evidence": the sign of the rank sums, oriented so
 * that lower is better unless the ranked column is maximized. */
static void verdict(const setting_rows *sr, const pair_test *pt, double holm, char *buf,
                    size_t size)
{
    int maximize = sr->rule->column[0] && sr->rule->maximize;
    double toward_a = maximize ? pt->w.r_plus - pt->w.r_minus : pt->w.r_minus - pt->w.r_plus;
    const char *a = sr->s->optimizers[pt->oa].label, *b = sr->s->optimizers[pt->ob].label;
    if (holm < 0.05 && toward_a != 0)
        snprintf(buf, size, "%s better than %s at 5%%", toward_a > 0 ? a : b,
                 toward_a > 0 ? b : a);
    else
        snprintf(buf, size, "no evidence");
}

static void print_pair(const setting_rows *sr, const pair_test *pt, double holm, FILE *out)
{
    char problem[256], says[2 * GD_LABEL_MAX + 32];
    setting_text(sr, sr->first, 1, problem, sizeof problem);
    verdict(sr, pt, holm, says, sizeof says);
    fprintf(out, "  pair %s [%s] %s vs %s: n=%zu median_diff=%.6g p=%.6g p_holm=%.6g %s: %s\n",
            sr->s->problems[sr->p].label, problem, sr->s->optimizers[pt->oa].label,
            sr->s->optimizers[pt->ob].label, pt->w.n, pt->median, pt->w.pvalue, holm,
            pt->w.exact ? "exact" : "approx", says);
}

/* Every pair of optimizers with a best setting, tested and Holm-adjusted together. */
static int print_pairs(setting_rows *sr, FILE *out)
{
    size_t n_opt = sr->s->n_optimizers, m = 0;
    pair_test *pt = malloc((n_opt * n_opt / 2 + 1) * sizeof *pt);
    double *p = malloc((n_opt * n_opt / 2 + 1) * 2 * sizeof *p);
    int rc = pt && p ? 0 : -1;
    for (size_t oa = 0; rc == 0 && oa < n_opt; oa++)
        for (size_t ob = oa + 1; rc == 0 && ob < n_opt; ob++)
            if (sr->best[oa] != SIZE_MAX && sr->best[ob] != SIZE_MAX) {
                pt[m] = (pair_test){.oa = oa, .ob = ob};
                rc = test_pair(sr, &pt[m]);
                p[m] = pt[m].w.pvalue;
                m++;
            }
    if (rc == 0)
        rc = gd_stats_holm(p, m, p + m);
    for (size_t i = 0; rc == 0 && i < m; i++)
        print_pair(sr, &pt[i], p[m + i], out);
    free(pt);
    free(p);
    return rc;
}

/* ---- one problem setting, then all ---------------------------------------------------- */

/* The best settings and the pairs of one setting's rows; 1 when out of memory. */
static int print_setting(setting_rows *sr, double (*score)[3], FILE *out)
{
    best_stats bs;
    choose_best(sr, score);
    for (size_t o = 0; o < sr->s->n_optimizers; o++)
        if (sr->best[o] != SIZE_MAX && print_best(sr, o, &bs, out) < 0)
            return 1;
    return print_pairs(sr, out) < 0;
}

static int setting_stats(setting_rows *sr, FILE *out, gd_error *err)
{
    size_t n_opt = sr->s->n_optimizers, rows = (size_t)(sr->repeats * sr->per_instance);
    double(*score)[3] = malloc((sr->per_instance + 1) * sizeof *score);
    sr->v = malloc(rows * sizeof *sr->v);
    sr->best = malloc(n_opt * sizeof *sr->best);
    sr->a = malloc((size_t)sr->repeats * sizeof *sr->a);
    sr->b = malloc((size_t)sr->repeats * sizeof *sr->b);
    int rc = score && sr->v && sr->best && sr->a && sr->b ? read_rows(sr, err)
                 : gd_fail_runtime(err, "out of memory for the repeats section");
    if (rc == 0)
        rc = print_setting(sr, score, out);
    if (rc > 0)
        rc = gd_fail_runtime(err, "out of memory for the repeats section");
    free(score);
    free(sr->v);
    free(sr->best);
    free(sr->a);
    free(sr->b);
    return rc;
}

static void print_intro(const gd_sweep *s, FILE *out)
{
    fprintf(out, "\nover %llu repeats (the same instances for every optimizer): per problem "
            "setting and optimizer its best setting (lowest median rank, then median steps), "
            "the median of its ranking measure (gap, else final loss, or the ranked column; "
            "a diverged run counts as the worst) with a %.0f%% percentile-bootstrap interval "
            "(%d resamples, seeded by the setting's first run); then two-sided Wilcoxon "
            "signed-rank tests of the best settings, repeat by repeat, Holm-adjusted within "
            "the problem setting (docs/STATISTICS.md)\n", (unsigned long long)s->repeats,
            100 * GD_STATS_LEVEL, GD_STATS_RESAMPLES);
}

int gd_summary_repeats(gd_reader *r, const gd_sweep *s, const gd_tally *t, FILE *out,
                       gd_error *err)
{
    size_t shown = 0;
    if (s->repeats < 2)
        return 0;
    print_intro(s, out);
    for (size_t p = 0; p < s->n_problems; p++) {
        uint64_t settings = gd_space_groups(s, p, GD_SPACE_SETTING);
        for (uint64_t g = 0; g < settings; g++) {
            setting_rows sr = {.r = r, .s = s, .t = t, .p = p,
                               .rule = gd_tally_ranking_of(t, p), .repeats = s->repeats};
            sr.first = gd_space_group_first(s, p, GD_SPACE_SETTING, g);
            uint64_t rows = gd_space_group_first(s, p, GD_SPACE_SETTING, g + 1) - sr.first;
            sr.per_instance = rows / s->repeats;
            if (shown++ == GD_TALLY_LINES_MAX / 4) {
                fprintf(out, "  (more problem settings not shown)\n");
                return 0;
            }
            if (rows > GD_STATS_ROWS_MAX) {
                fprintf(out, "  (%s: a problem setting with over %u runs: skipped)\n",
                        s->problems[p].label, GD_STATS_ROWS_MAX);
                continue;
            }
            if (setting_stats(&sr, out, err) < 0)
                return -1;
        }
    }
    return 0;
}
