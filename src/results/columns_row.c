/* columns_row.c - filling a runs-table row from a run's result, and reading its cells back.
 *
 * A row is the packed record laid out by columns.c: filling copies the blank row, then
 * writes the cells the run has (the run and result cells listed once by
 * gd_columns_plan_cells, the parameters through the type maps). Called once per run:
 * nothing here allocates or does I/O. */
#include "gdsweep/columns.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "columns_internal.h"

static void put_number(unsigned char *cell, gd_col_type type, double v)
{
    switch (type) {
    case GD_COL_U8: { uint8_t x = (uint8_t)v; memcpy(cell, &x, 1); break; }
    case GD_COL_I8: { int8_t x = (int8_t)v; memcpy(cell, &x, 1); break; }
    case GD_COL_I32: { int32_t x = (int32_t)v; memcpy(cell, &x, 4); break; }
    case GD_COL_I64: { int64_t x = (int64_t)v; memcpy(cell, &x, 8); break; }
    case GD_COL_U64: { uint64_t x = (uint64_t)v; memcpy(cell, &x, 8); break; }
    case GD_COL_F64: memcpy(cell, &v, 8); break;
    case GD_COL_STR: break;
    }
}

static void put_u64(unsigned char *cell, uint64_t v)
{
    memcpy(cell, &v, sizeof v);
}

static void put_i64(unsigned char *cell, int64_t v)
{
    memcpy(cell, &v, sizeof v);
}

static void put_text(unsigned char *cell, size_t size, const char *s)
{
    size_t n = s ? strnlen(s, size) : 0;
    if (n)
        memcpy(cell, s, n);
    memset(cell + n, 0, size - n);
}

const char *gd_columns_choice_name(const gd_param_spec *spec, double v)
{
    size_t n = 0;
    while (spec->choices && spec->choices[n])
        n++;
    return v >= 0 && v < (double)n ? spec->choices[(size_t)v] : "";
}

/* A parameter value into its column: a choice as its name, else as a number. */
static void put_param(const gd_column *col, unsigned char *row, const gd_param_spec *spec,
                      double v)
{
    unsigned char *cell = row + col->offset;
    if (col->type != GD_COL_STR) {
        put_number(cell, col->type, v);
        return;
    }
    put_text(cell, col->size, gd_columns_choice_name(spec, v));
}

static void put_params(const gd_columns *c, unsigned char *row, const size_t *map,
                       const gd_param_spec *specs, const double *values)
{
    for (size_t k = 0; k < GD_MAX_PARAMS && map[k] != SIZE_MAX; k++)
        put_param(&c->col[map[k]], row, &specs[k], values[k]);
}

static size_t type_index(const void *const *reg, const void *type)
{
    for (size_t i = 0; reg[i]; i++)
        if (reg[i] == type)
            return i;
    return SIZE_MAX;
}

static double control_value(const gd_run_control *ctl, size_t k)
{
    switch (k) {
    case GD_CONTROL_ITERATIONS: return (double)ctl->iterations;
    case GD_CONTROL_GRADIENT: return ctl->numeric_gradient;
    case GD_CONTROL_EPSILON: return ctl->epsilon;
    case GD_CONTROL_GRAD_TOL: return ctl->grad_tol;
    case GD_CONTROL_LOSS_TOL: return ctl->loss_tol;
    case GD_CONTROL_DIVERGENCE: return ctl->divergence;
    case GD_CONTROL_BATCH_SIZE: return (double)ctl->batch_size;
    case GD_CONTROL_SAMPLING: return ctl->sampling;
    case GD_CONTROL_GRAD_NOISE: return ctl->grad_noise;
    case GD_CONTROL_LOWER: return ctl->lower;
    case GD_CONTROL_UPPER: return ctl->upper;
    default: return ctl->save_final;
    }
}

static void put_control(const gd_columns *c, unsigned char *row, const gd_run_control *ctl)
{
    for (size_t k = 0; k < GD_MAX_PARAMS && c->control_col[k] != SIZE_MAX; k++)
        put_param(&c->col[c->control_col[k]], row, &c->reg.control[k],
                  control_value(ctl, k));
}

/* Cells that depend on the problem and the schedule types. */
static void put_typed(const gd_columns *c, const gd_sweep *s, const gd_run_desc *d,
                      const gd_run_result *r, unsigned char *row)
{
    const gd_problem_type *pt = s->problems[d->problem].type;
    const gd_optimizer_type *ot = s->optimizers[d->optimizer].type;
    size_t t = type_index((const void *const *)c->reg.problems, pt);
    if (t != SIZE_MAX) {
        put_params(c, row, &c->problem_col[t * GD_MAX_PARAMS], pt->params, d->problem_params);
        if (c->metric_col[t] != SIZE_MAX)
            put_number(row + c->col[c->metric_col[t]].offset, GD_COL_F64, r->metric);
    }
    t = type_index((const void *const *)c->reg.optimizers, ot);
    if (t != SIZE_MAX)
        put_params(c, row, &c->optimizer_col[t * GD_MAX_PARAMS], ot->params,
                   d->optimizer_params);
    t = d->schedule ? type_index((const void *const *)c->reg.schedules, d->schedule)
                    : SIZE_MAX;
    if (t != SIZE_MAX)
        put_params(c, row, &c->schedule_col[t * GD_MAX_PARAMS], d->schedule->params,
                   d->schedule_params);
}

static uint64_t storage_value(const gd_row_storage *st, int role)
{
    switch (role) {
    case R_TRAJ_OFFSET: return st->traj_offset;
    case R_TRAJ_COUNT: return st->traj_count;
    case R_PATH_OFFSET: return st->path_offset;
    case R_PATH_COUNT: return st->path_count;
    case R_PATH_DIM: return st->path_dim;
    case R_FINAL_OFFSET: return st->final_offset;
    default: return st->final_count;
    }
}

static double result_value(const gd_run_result *r, int role)
{
    switch (role) {
    case R_LOSS_INITIAL: return r->loss_initial;
    case R_LOSS_FINAL: return r->loss_final;
    case R_LOSS_BEST: return r->loss_best;
    case R_GRAD_NORM_FINAL: return r->grad_norm_final;
    case R_GAP: return r->gap;
    case R_EPOCHS: return r->epochs;
    default: return r->wall_seconds;
    }
}

/* Time-to-target cell `which` = kind * GD_TARGETS + target. */
static void put_target(unsigned char *cell, const gd_run_result *r, int which)
{
    size_t k = (size_t)which % GD_TARGETS;
    switch (which / GD_TARGETS) {
    case GD_TARGET_STEPS: put_i64(cell, r->steps_to[k]); break;
    case GD_TARGET_GRAD_EVALS: put_i64(cell, r->grad_evals_to[k]); break;
    default: put_number(cell, GD_COL_F64, r->seconds_to[k]); break;
    }
}

/* One run or result cell. */
static void put_fixed(const struct gd_col_cell *col, const gd_sweep *s, const gd_run_desc *d,
                      const gd_run_result *r, const gd_row_storage *st, unsigned char *row)
{
    unsigned char *cell = row + col->offset;
    switch (col->role) {
    case R_RUN_ID: put_u64(cell, d->id); break;
    case R_PROBLEM: put_text(cell, col->size, s->problems[d->problem].label); break;
    case R_PROBLEM_TYPE: put_text(cell, col->size, s->problems[d->problem].type->name); break;
    case R_OPTIMIZER: put_text(cell, col->size, s->optimizers[d->optimizer].label); break;
    case R_OPTIMIZER_TYPE:
        put_text(cell, col->size, s->optimizers[d->optimizer].type->name);
        break;
    case R_INSTANCE: put_u64(cell, d->instance); break;
    case R_REPEAT: put_u64(cell, d->repeat); break;
    case R_SCHEDULE: put_text(cell, col->size, d->schedule ? d->schedule->name : NULL); break;
    case R_STATUS: put_text(cell, col->size, gd_status_name(r->status)); break;
    case R_STATUS_CODE: put_number(cell, GD_COL_I8, r->status); break;
    case R_STEPS: put_i64(cell, r->iterations); break;
    case R_LOSS_EVALS: put_i64(cell, r->loss_evals); break;
    case R_GRAD_EVALS: put_i64(cell, r->grad_evals); break;
    case R_MONITOR_LOSS_EVALS: put_i64(cell, r->monitor_loss_evals); break;
    case R_MONITOR_GRAD_EVALS: put_i64(cell, r->monitor_grad_evals); break;
    case R_SAMPLES_SEEN: put_i64(cell, r->samples_seen); break;
    case R_RANK: put_number(cell, GD_COL_I32, r->rank); break;
    case R_THREADS: put_number(cell, GD_COL_I32, r->threads); break;
    case R_LOSS_INITIAL: case R_LOSS_FINAL: case R_LOSS_BEST: case R_GRAD_NORM_FINAL:
    case R_GAP: case R_WALL: case R_EPOCHS:
        put_number(cell, GD_COL_F64, result_value(r, col->role));
        break;
    case R_TRAJ_OFFSET: case R_TRAJ_COUNT: case R_PATH_OFFSET: case R_PATH_COUNT:
    case R_PATH_DIM: case R_FINAL_OFFSET: case R_FINAL_COUNT:
        put_u64(cell, storage_value(st, col->role));
        break;
    default:
        if (col->role >= R_TARGET_FIRST)
            put_target(cell, r, col->role - R_TARGET_FIRST);
        break;
    }
}

/* Whether the row fill's walk over the cells fills column col (parameters and metrics are
 * filled through the type maps, `written` elsewhere). */
static int is_cell(const gd_column *col)
{
    return col->role >= R_RUN_ID && col->role != R_WRITTEN;
}

int gd_columns_plan_cells(gd_columns *c, gd_error *err)
{
    c->n_cells = 0;
    c->cells = malloc((c->count ? c->count : 1) * sizeof *c->cells);
    if (!c->cells)
        return gd_fail_runtime(err, "out of memory building the runs table columns");
    for (size_t i = 0; i < c->count; i++)
        if (is_cell(&c->col[i]))
            c->cells[c->n_cells++] = (struct gd_col_cell){
                (uint32_t)c->col[i].offset, (uint32_t)c->col[i].size, c->col[i].role};
    return 0;
}

void gd_columns_fill_row(const gd_columns *c, const gd_sweep *s, const gd_run_desc *d,
                         const gd_run_result *r, const gd_row_storage *st, void *row)
{
    unsigned char *out = row;
    memcpy(out, c->blank, c->row_size);
    for (size_t i = 0; i < c->n_cells; i++)
        put_fixed(&c->cells[i], s, d, r, st, out);
    put_control(c, out, &d->control);
    put_typed(c, s, d, r, out);
}

void gd_columns_mark_written(const gd_columns *c, void *row)
{
    ((unsigned char *)row)[c->col[c->written_col].offset] = 1;
}

/* ---- reading a row --------------------------------------------------------------- */

double gd_columns_number(const gd_columns *c, size_t i, const void *row)
{
    const unsigned char *cell = (const unsigned char *)row + c->col[i].offset;
    switch (c->col[i].type) {
    case GD_COL_U8: { uint8_t x; memcpy(&x, cell, 1); return x; }
    case GD_COL_I8: { int8_t x; memcpy(&x, cell, 1); return x; }
    case GD_COL_I32: { int32_t x; memcpy(&x, cell, 4); return x; }
    case GD_COL_I64: { int64_t x; memcpy(&x, cell, 8); return (double)x; }
    case GD_COL_U64: { uint64_t x; memcpy(&x, cell, 8); return (double)x; }
    case GD_COL_F64: { double x; memcpy(&x, cell, 8); return x; }
    default: return NAN;
    }
}

void gd_columns_text(const gd_columns *c, size_t i, const void *row, char *buf, size_t size)
{
    const gd_column *col = &c->col[i];
    const unsigned char *cell = (const unsigned char *)row + col->offset;
    if (size == 0)
        return;
    if (col->type == GD_COL_STR) {
        size_t n = strnlen((const char *)cell, col->size);
        n = n < size - 1 ? n : size - 1;
        memcpy(buf, cell, n);
        buf[n] = '\0';
    } else if (col->type == GD_COL_U64) {
        uint64_t x;
        memcpy(&x, cell, sizeof x);
        snprintf(buf, size, "%llu", (unsigned long long)x);
    } else if (col->type == GD_COL_I64) {
        int64_t x;
        memcpy(&x, cell, sizeof x);
        snprintf(buf, size, "%lld", (long long)x);
    } else {
        snprintf(buf, size, "%.17g", gd_columns_number(c, i, row));
    }
}
