/* tally.c - per (problem, optimizer) counts and best run (see gdsweep/tally.h).
 *
 * The tally owns its cells, a column list and a row buffer (for tally_print.c); all are
 * allocated by gd_tally_init and freed by gd_tally_free. Adding runs never allocates. */
#include "gdsweep/tally.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int gd_tally_init(gd_tally *t, const gd_sweep *s, gd_error *err)
{
    memset(t, 0, sizeof *t);
    t->sweep = s;
    t->cells = calloc(s->n_problems * s->n_optimizers + 1, sizeof *t->cells);
    if (!t->cells)
        return gd_fail_runtime(err, "out of memory for the result tally");
    if (gd_columns_build(&t->cols, err) < 0) {
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

gd_tally_cell *gd_tally_at(const gd_tally *t, size_t p, size_t o)
{
    return &t->cells[p * t->sweep->n_optimizers + o];
}

/* Order of candidates for best: a known gap, else a final loss, else nothing. */
static int rank_class(double gap, double loss)
{
    return !isnan(gap) ? 0 : !isnan(loss) ? 1 : 2;
}

/* What the best run minimises: the gap, floored at rounding (DBL_EPSILON x max(1,
 * |f_opt|), f_opt = loss - gap) so that gaps at rounding level tie and the fewest steps
 * decide, as analysis/measure.py does; else the final loss. */
static double rank_value(double gap, double loss)
{
    if (isnan(gap))
        return isnan(loss) ? 0.0 : loss;
    double f_opt = loss - gap;
    double floor = DBL_EPSILON * fmax(1.0, isfinite(f_opt) ? fabs(f_opt) : 0.0);
    return gap > floor ? gap : floor;
}

static int better(const gd_tally_cell *c, uint64_t id, const gd_run_result *r)
{
    if (!c->has_best)
        return 1;
    int mine = rank_class(r->gap, r->loss_final);
    int theirs = rank_class(c->best_gap, c->best_loss);
    if (mine != theirs)
        return mine < theirs;
    double v = rank_value(r->gap, r->loss_final), w = rank_value(c->best_gap, c->best_loss);
    if (v != w)
        return v < w;
    if (r->iterations != c->best_steps)
        return r->iterations < c->best_steps;
    return id < c->best_id;
}

/* Counts the status; 0 when it is none of the three recorded ones. */
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

void gd_tally_add(gd_tally *t, const gd_run_desc *d, const gd_run_result *r,
                  const double *x_final, size_t n_final)
{
    gd_tally_cell *c = gd_tally_at(t, d->problem, d->optimizer);
    if (!count_status(c, r->status) || r->status == GD_STATUS_DIVERGED ||
        !better(c, d->id, r))
        return;
    c->has_best = 1;
    c->best_id = d->id;
    c->best_steps = r->iterations;
    c->best_loss = r->loss_final;
    c->best_gap = r->gap;
    c->best_metric = r->metric;
    c->best_dim = x_final && n_final <= GD_PATH_MAX_DIM ? n_final : 0;
    if (c->best_dim)
        memcpy(c->best_x, x_final, c->best_dim * sizeof *c->best_x);
}

void gd_tally_add_batch(gd_tally *t, const gd_batch *b)
{
    for (size_t i = 0; i < b->count; i++)
        gd_tally_add(t, &b->desc[i], &b->result[i],
                     b->final_count[i] ? b->final + b->final_start[i] : NULL,
                     b->final_count[i]);
}

void gd_tally_status_totals(const gd_tally *t, uint64_t totals[3])
{
    totals[0] = totals[1] = totals[2] = 0;
    for (size_t i = 0; i < t->sweep->n_problems * t->sweep->n_optimizers; i++) {
        totals[0] += t->cells[i].diverged;
        totals[1] += t->cells[i].max_iter;
        totals[2] += t->cells[i].converged;
    }
}

void gd_tally_free(gd_tally *t)
{
    free(t->cells);
    free(t->row);
    gd_columns_free(&t->cols);
    t->cells = NULL;
    t->row = NULL;
}
