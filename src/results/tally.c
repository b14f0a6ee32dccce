/* tally.c - per (problem setting, optimizer) counts, best run and rank (see gdsweep/tally.h).
 *
 * The tally owns its cells, its group index, a column list and a row buffer (for
 * tally_print.c); all are allocated by gd_tally_init and freed by gd_tally_free. Adding
 * runs never allocates. */
#include "gdsweep/tally.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- the ranking ------------------------------------------------------------------------ */

void gd_ranking_default(gd_ranking *r)
{
    memset(r, 0, sizeof *r);
    r->target = GD_TALLY_TARGET;
}

void gd_ranking_describe(const gd_ranking *r, char *buf, size_t size)
{
    if (r->column[0])
        snprintf(buf, size, "%s (%s)", r->column, r->maximize ? "max" : "min");
    else
        snprintf(buf, size, "converged first (fewest steps), then gap to the optimum (min), "
                 "else final loss (min)");
}

/* Order of candidates under the default rule: converged, a known gap, a final loss, none. */
static int default_class(const gd_ranked_run *a)
{
    if (a->status == GD_STATUS_CONVERGED)
        return 0;
    return !isnan(a->gap) ? 1 : !isnan(a->loss) ? 2 : 3;
}

/* What the default rule minimises within a class: steps (converged), the gap floored at
 * rounding (DBL_EPSILON x max(1, |f_opt|), f_opt = loss - gap, so that gaps at rounding
 * level tie and the fewest steps decide, as analysis/measure.py does), else the loss. */
static double default_value(const gd_ranked_run *a, int cls)
{
    if (cls == 0)
        return (double)a->steps;
    if (cls == 1) {
        double f_opt = a->loss - a->gap;
        double floor = DBL_EPSILON * fmax(1.0, isfinite(f_opt) ? fabs(f_opt) : 0.0);
        return a->gap > floor ? a->gap : floor;
    }
    return cls == 2 ? a->loss : 0.0;
}

/* Class and value of a under r: lower ranks first. */
static void rank_key(const gd_ranking *r, const gd_ranked_run *a, int *cls, double *v)
{
    if (!r->column[0]) {
        *cls = default_class(a);
        *v = default_value(a, *cls);
        return;
    }
    *cls = isnan(a->value) || (r->negative_missing && a->value < 0);
    *v = *cls ? 0.0 : r->maximize ? -a->value : a->value;
}

int gd_ranking_compare(const gd_ranking *r, const gd_ranked_run *a, const gd_ranked_run *b)
{
    int ca, cb;
    double va, vb;
    rank_key(r, a, &ca, &va);
    rank_key(r, b, &cb, &vb);
    if (ca != cb)
        return ca < cb ? -1 : 1;
    if (va != vb)
        return va < vb ? -1 : 1;
    if (a->steps != b->steps)
        return a->steps < b->steps ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

/* ---- groups ---------------------------------------------------------------------------- */

size_t gd_tally_section_groups(const gd_tally *t, size_t p)
{
    uint64_t combos = gd_space_groups(t->sweep, p, GD_SPACE_SETTING);
    return combos <= GD_TALLY_GROUPS_MAX ? (size_t)combos : 1;
}

size_t gd_tally_group_of(const gd_tally *t, const gd_run_desc *d)
{
    if (gd_tally_section_groups(t, d->problem) == 1)
        return t->first_group[d->problem];
    uint64_t setting = gd_space_instance_setting(t->sweep, d->problem, d->instance);
    return t->first_group[d->problem] + (size_t)setting;
}

static int index_groups(gd_tally *t, gd_error *err)
{
    const gd_sweep *s = t->sweep;
    t->first_group = malloc((s->n_problems + 1) * sizeof *t->first_group);
    if (!t->first_group)
        return gd_fail_runtime(err, "out of memory for the result tally");
    for (size_t p = 0; p < s->n_problems; p++) {
        t->first_group[p] = t->n_groups;
        t->n_groups += gd_tally_section_groups(t, p);
    }
    t->cells = calloc(t->n_groups * s->n_optimizers + 1, sizeof *t->cells);
    if (!t->cells)
        return gd_fail_runtime(err, "out of memory for the result tally (%zu problem settings "
                               "x %zu optimizers)", t->n_groups, s->n_optimizers);
    for (size_t i = 0; i < t->n_groups * s->n_optimizers; i++)
        t->cells[i].fewest_to = -1;
    return 0;
}

/* Which sections the ranked column applies to: all, unless it is a metric column, which
 * applies to the sections whose problem type has that metric. */
static int mark_ranked_sections(gd_tally *t, gd_error *err)
{
    const gd_sweep *s = t->sweep;
    int at = t->ranking.column[0] ? gd_columns_find(&t->cols, t->ranking.column) : -1;
    int metric = at >= 0 && strcmp(t->cols.col[at].category, "metric") == 0;
    t->by_column = calloc(s->n_problems + 1, 1);
    if (!t->by_column)
        return gd_fail_runtime(err, "out of memory for the result tally");
    for (size_t p = 0; p < s->n_problems; p++) {
        const char *own = s->problems[p].type->metric_name;
        t->by_column[p] = t->ranking.column[0] &&
                          (!metric || (own && strcmp(own, t->ranking.column) == 0));
    }
    return 0;
}

const gd_ranking *gd_tally_ranking_of(const gd_tally *t, size_t p)
{
    return t->by_column[p] ? &t->ranking : &t->fallback;
}

int gd_tally_init(gd_tally *t, const gd_sweep *s, const gd_ranking *ranking, gd_error *err)
{
    memset(t, 0, sizeof *t);
    t->sweep = s;
    gd_ranking_default(&t->ranking);
    if (ranking)
        t->ranking = *ranking;
    gd_ranking_default(&t->fallback);
    t->fallback.target = t->ranking.target;
    if (index_groups(t, err) < 0 || gd_columns_build_sweep(&t->cols, s, err) < 0 ||
        mark_ranked_sections(t, err) < 0) {
        gd_tally_free(t);
        return -1;
    }
    t->row = malloc(t->cols.row_size ? t->cols.row_size : 1);
    if (!t->row) {
        gd_tally_free(t);
        return gd_fail_runtime(err, "out of memory for the result tally");
    }
    return 0;
}

gd_tally_cell *gd_tally_at(const gd_tally *t, size_t g, size_t o)
{
    return &t->cells[g * t->sweep->n_optimizers + o];
}

/* The problem section of group g. */
static size_t section_of_group(const gd_tally *t, size_t g)
{
    size_t p = 0;
    while (p + 1 < t->sweep->n_problems && t->first_group[p + 1] <= g)
        p++;
    return p;
}

size_t gd_tally_rank(const gd_tally *t, size_t g, size_t o)
{
    const gd_tally_cell *c = gd_tally_at(t, g, o);
    const gd_ranking *rule = gd_tally_ranking_of(t, section_of_group(t, g));
    size_t rank = 1;
    if (!c->has_best)
        return 0;
    for (size_t k = 0; k < t->sweep->n_optimizers; k++) {
        const gd_tally_cell *other = gd_tally_at(t, g, k);
        rank += k != o && other->has_best && gd_ranking_compare(rule, &other->best, &c->best) < 0;
    }
    return rank;
}

/* ---- adding runs ----------------------------------------------------------------------- */

/* Counts the status; 0 when it is none of the three recorded ones (a run pruned by
 * successive halving is left out: the table compares the runs of the last rung). */
static int count_status(gd_tally_cell *c, int status)
{
    switch (status) {
    case GD_STATUS_CONVERGED: c->converged++; break;
    case GD_STATUS_MAX_ITER: c->max_iter++; break;
    case GD_STATUS_DIVERGED: c->diverged++; break;
    default: return 0;
    }
    c->runs++;
    return 1;
}

/* The fewest steps to the target, ties to the lower id. */
static void count_target(gd_tally_cell *c, uint64_t id, long steps)
{
    if (steps < 0)
        return;
    if (c->fewest_to < 0 || steps < c->fewest_to || (steps == c->fewest_to && id < c->fewest_to_id)) {
        c->fewest_to = steps;
        c->fewest_to_id = id;
    }
}

void gd_tally_add(gd_tally *t, const gd_run_desc *d, const gd_run_result *r, double value,
                  const double *x_final, size_t n_final)
{
    gd_tally_cell *c = gd_tally_at(t, gd_tally_group_of(t, d), d->optimizer);
    if (!count_status(c, r->status))
        return;
    count_target(c, d->id, r->steps_to[t->ranking.target]);
    gd_ranked_run run = {d->id, r->status, r->iterations, r->gap, r->loss_final, value};
    const gd_ranking *rule = gd_tally_ranking_of(t, d->problem);
    if (r->status == GD_STATUS_DIVERGED ||
        (c->has_best && gd_ranking_compare(rule, &run, &c->best) > 0))
        return;
    c->has_best = 1;
    c->best = run;
    c->best_metric = r->metric;
    c->best_dim = x_final && n_final <= GD_PATH_MAX_DIM ? n_final : 0;
    if (c->best_dim)
        memcpy(c->best_x, x_final, c->best_dim * sizeof *c->best_x);
}

void gd_tally_add_batch(gd_tally *t, const gd_batch *b)
{
    for (size_t i = 0; i < b->count; i++)
        gd_tally_add(t, &b->desc[i], &b->result[i], NAN,
                     b->final_count[i] ? b->final + b->final_start[i] : NULL,
                     b->final_count[i]);
}

void gd_tally_status_totals(const gd_tally *t, uint64_t totals[3])
{
    totals[0] = totals[1] = totals[2] = 0;
    for (size_t i = 0; i < t->n_groups * t->sweep->n_optimizers; i++) {
        totals[0] += t->cells[i].diverged;
        totals[1] += t->cells[i].max_iter;
        totals[2] += t->cells[i].converged;
    }
}

void gd_tally_free(gd_tally *t)
{
    free(t->cells);
    free(t->first_group);
    free(t->by_column);
    free(t->row);
    gd_columns_free(&t->cols);
    t->cells = NULL;
    t->first_group = NULL;
    t->by_column = NULL;
    t->row = NULL;
}
