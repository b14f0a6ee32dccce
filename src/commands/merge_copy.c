/* merge_copy.c - writing the merged file: every held run, in id order, through the store.
 *
 * Each stretch of ids held by one file is read as one block of columns; a run's
 * description comes from decoding its id (as in the job that ran it), its result from
 * the columns, its records from the datasets (gd_merge_fetch, a slice of runs at a
 * time so memory stays bounded), or rebuilt from its row where the file does not store
 * a series (format 3, traj_implicit.h). Runs go into the pending batch of a gd_committer,
 * the sweep's own commit policy (committer.h); so the file is the store's own,
 * resumable like any other. The inputs of each problem instance that stores them are
 * regenerated from the grid the first time one of its runs is met (instances are a
 * pure function of the grid and the run), never copied. */
#include "merge_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gdsweep/batch.h"
#include "gdsweep/committer.h"
#include "gdsweep/store.h"

/* Values (records of every per-record series, path and final values) read for one slice
 * of runs. */
#define SLICE_VALUES (1u << 21)

typedef struct copier {
    gd_committer commit;           /* the store and the pending batch */
    double *cells;                 /* a block of rows, m->n_columns cells each */
    gd_merge_fetch traj, path, final;
    void *ints[GD_RECORD_SERIES_COUNT]; /* one run's integer series, as the history wants */
    double *rebuilt[GD_RECORD_SERIES_COUNT]; /* one run's series its file does not store */
    size_t ints_cap;
    unsigned implicit;             /* the series the file being copied does not store */
    gd_problem instance;           /* the last instance regenerated */
    uint64_t instance_id;
    int has_instance;
} copier;

/* ---- one run ------------------------------------------------------------------------- */

static void result_of(const gd_merge *m, const gd_run_desc *d, const double *row,
                      gd_run_result *r)
{
    size_t metric = m->metric_of[d->problem];
    r->status = (int)row[GD_MC_STATUS];
    r->iterations = (long)row[GD_MC_STEPS];
    r->loss_initial = row[GD_MC_LOSS_INITIAL];
    r->loss_final = row[GD_MC_LOSS_FINAL];
    r->loss_best = row[GD_MC_LOSS_BEST];
    r->grad_norm_final = row[GD_MC_GRAD_NORM];
    r->gap = row[GD_MC_GAP];
    r->metric = metric == SIZE_MAX ? NAN : row[metric];
    r->loss_evals = (long)row[GD_MC_LOSS_EVALS];
    r->grad_evals = (long)row[GD_MC_GRAD_EVALS];
    r->monitor_loss_evals = (long)row[GD_MC_MONITOR_LOSS_EVALS];
    r->monitor_grad_evals = (long)row[GD_MC_MONITOR_GRAD_EVALS];
    const double *to = row + GD_MC_TARGETS;
    for (size_t k = 0; k < GD_TARGETS; k++) {
        r->steps_to[k] = (long)to[GD_TARGET_STEPS * GD_TARGETS + k];
        r->grad_evals_to[k] = (long)to[GD_TARGET_GRAD_EVALS * GD_TARGETS + k];
        r->seconds_to[k] = to[GD_TARGET_SECONDS * GD_TARGETS + k];
    }
    r->wall_seconds = row[GD_MC_WALL];
    r->rank = (int)row[GD_MC_RANK];
    r->threads = (int)row[GD_MC_THREADS];
    r->samples_seen = (long)row[GD_MC_SAMPLES_SEEN];
    r->epochs = row[GD_MC_EPOCHS];
}

/* Room for n values in each integer series' buffer and each rebuilt series' buffer. */
static int reserve_run_buffers(copier *c, size_t n, gd_error *err)
{
    if (n <= c->ints_cap)
        return 0;
    for (int k = 0; k < GD_RECORD_SERIES_COUNT; k++) {
        const gd_series *s = &gd_series_table[k];
        double *r = realloc(c->rebuilt[k], n * sizeof *r);
        if (r)
            c->rebuilt[k] = r;
        void *q = s->elem == GD_SERIES_INT64 ? realloc(c->ints[k], n * s->elem_size) : NULL;
        if (q)
            c->ints[k] = q;
        if (!r || (s->elem == GD_SERIES_INT64 && !q))
            return gd_fail_runtime(err, "out of memory for a trajectory of %zu records", n);
    }
    c->ints_cap = n;
    return 0;
}

/* Record series k of a run, n values read as doubles at v, into the history h: a view of
 * the fetch buffer, or its values converted to long in c->ints[k]. */
static void series_view(copier *c, int k, const double *v, size_t n, gd_history *h)
{
    const gd_series *s = &gd_series_table[k];
    void **to = gd_series_history_array(s, h);
    if (s->elem == GD_SERIES_FLOAT64) {
        *to = (void *)v;
        return;
    }
    long *ints = c->ints[k];
    for (size_t i = 0; i < n; i++)
        ints[i] = (long)v[i];
    *to = ints;
}

/* Series s of run d, n records, as its file does not store it: rebuilt from its row. */
static const double *rebuild(const gd_merge *m, copier *c, int s, const gd_run_desc *d,
                             const double *row, size_t n)
{
    gd_traj_rebuild(s, n, m->sweep.record_every, (long)row[GD_MC_STEPS],
                    d->optimizer_params[0], c->rebuilt[s]);
    return c->rebuilt[s];
}

/* Run k of the slice (run d): its records in the fetch buffers, or rebuilt, as a history
 * view. */
static int history_of(const gd_merge *m, copier *c, const gd_run_desc *d, const double *row,
                      size_t k, gd_history *h, gd_error *err)
{
    size_t n = (size_t)row[GD_MC_TRAJ_COUNT], at = c->traj.pos[k];
    if (reserve_run_buffers(c, n, err) < 0)
        return -1;
    *h = (gd_history){.capacity = n, .count = n, .path_dim = (size_t)row[GD_MC_PATH_DIM]};
    if (n == 0)
        return 0;
    for (int s = 0; s < GD_RECORD_SERIES_COUNT; s++)
        series_view(c, s,
                    c->implicit & GD_TRAJ_BIT(s) ? rebuild(m, c, s, d, row, n)
                                                 : c->traj.buf[s] + at,
                    n, h);
    if (row[GD_MC_PATH_COUNT] > 0)
        h->path = c->path.buf[0] + c->path.pos[k];
    return 0;
}

/* Regenerates the instance of run d into the batch when its type stores inputs and it
 * is not the last one met. */
static int regenerate_instance(const gd_merge *m, copier *c, const gd_run_desc *d,
                               gd_error *err)
{
    const gd_problem_section *sec = &m->sweep.problems[d->problem];
    if (!sec->type->stores_inputs || (c->has_instance && c->instance_id == d->instance))
        return 0;
    gd_problem_destroy(&c->instance);
    c->has_instance = 0;
    if (gd_sweep_setup_instance(&m->sweep, d, &c->instance, err) != 0 ||
        gd_batch_add_instance(&c->commit.pending, d, &c->instance, err) != 0) {
        gd_error_prefix(err, "regenerating instance %llu (problem %s) of run %llu",
                        (unsigned long long)d->instance, sec->label, (unsigned long long)d->id);
        err->exit_code = GD_EXIT_RUNTIME; /* the files passed their checks */
        return -1;
    }
    c->instance_id = d->instance;
    c->has_instance = 1;
    return 0;
}

static int add_run(gd_merge *m, copier *c, uint64_t id, const double *row, size_t k,
                   gd_error *err)
{
    gd_run_desc d;
    gd_run_result r;
    gd_history h;
    gd_sweep_decode(&m->sweep, id, &d);
    result_of(m, &d, row, &r);
    if (history_of(m, c, &d, row, k, &h, err) < 0 || regenerate_instance(m, c, &d, err) < 0)
        return -1;
    size_t n_final = (size_t)row[GD_MC_FINAL_COUNT];
    const double *x = n_final ? c->final.buf[0] + c->final.pos[k] : NULL;
    if (gd_batch_add(&c->commit.pending, &d, &r, &h, x, n_final, err) < 0)
        return -1;
    m->copied++;
    if (r.status >= -1 && r.status <= 1)
        m->by_status[r.status + 1]++;
    return gd_committer_tick(&c->commit, 0, err);
}

/* ---- a stretch of runs held by one file ------------------------------------------------ */

static double values_of(const double *row)
{
    return GD_RECORD_SERIES_COUNT * row[GD_MC_TRAJ_COUNT] + row[GD_MC_PATH_COUNT] +
           row[GD_MC_FINAL_COUNT];
}

/* End of the slice that starts at row i: at least one run, else SLICE_VALUES values. */
static uint64_t slice_end(const gd_merge *m, const double *cells, uint64_t i, uint64_t count)
{
    double total = values_of(cells + i * m->n_columns);
    uint64_t j = i + 1;
    while (j < count && total + values_of(cells + j * m->n_columns) <= SLICE_VALUES)
        total += values_of(cells + j++ * m->n_columns);
    return j;
}

static int copy_slice(gd_merge *m, copier *c, gd_reader *r, uint64_t first, uint64_t i,
                      uint64_t j, gd_error *err)
{
    const double *rows = c->cells + i * m->n_columns;
    size_t n = (size_t)(j - i), w = m->n_columns;
    if (gd_merge_fetch_runs(&c->traj, r, rows, w, n, GD_MC_TRAJ_OFFSET, GD_MC_TRAJ_COUNT,
                            err) < 0 ||
        gd_merge_fetch_runs(&c->path, r, rows, w, n, GD_MC_PATH_OFFSET, GD_MC_PATH_COUNT,
                            err) < 0 ||
        gd_merge_fetch_runs(&c->final, r, rows, w, n, GD_MC_FINAL_OFFSET, GD_MC_FINAL_COUNT,
                            err) < 0)
        return -1;
    for (size_t k = 0; k < n; k++)
        if (add_run(m, c, first + i + k, rows + k * w, k, err) < 0)
            return -1;
    return 0;
}

static int copy_segment(gd_merge *m, void *ctx, long owner, uint64_t first, uint64_t count,
                        gd_error *err)
{
    copier *c = ctx;
    if (owner < 0)
        return 0;
    gd_reader *r = m->in[owner].reader;
    c->implicit = m->in[owner].implicit;
    for (int k = 0; k < GD_RECORD_SERIES_COUNT; k++)
        c->traj.names[k] = c->implicit & GD_TRAJ_BIT(k) ? NULL : gd_series_table[k].name;
    if (gd_reader_columns_f64(r, m->columns, m->n_columns, first, count, c->cells, err) < 0)
        return -1;
    for (uint64_t i = 0, j; i < count; i = j) {
        j = slice_end(m, c->cells, i, count);
        if (copy_slice(m, c, r, first, i, j, err) < 0)
            return -1;
    }
    return 0;
}

/* ---- the file -------------------------------------------------------------------------- */

static void copier_init(copier *c)
{
    memset(c, 0, sizeof *c);
    c->traj.n_series = GD_RECORD_SERIES_COUNT;
    for (int k = 0; k < GD_RECORD_SERIES_COUNT; k++)
        c->traj.names[k] = gd_series_table[k].name;
    c->path.n_series = c->final.n_series = 1;
    c->path.names[0] = gd_series_table[GD_SERIES_path].name;
    c->final.names[0] = gd_series_table[GD_SERIES_final].name;
}

static void copier_free(copier *c)
{
    gd_committer_free(&c->commit);
    gd_merge_fetch_free(&c->traj);
    gd_merge_fetch_free(&c->path);
    gd_merge_fetch_free(&c->final);
    gd_problem_destroy(&c->instance);
    for (int k = 0; k < GD_RECORD_SERIES_COUNT; k++) {
        free(c->ints[k]);
        free(c->rebuilt[k]);
    }
    free(c->cells);
}

/* Copies every held run into a new store at path. */
static int copy_into(gd_merge *m, copier *c, const char *path, const char *command_line,
                     gd_error *err)
{
    gd_store *st = NULL;
    int rc = gd_store_create(&st, path, &m->sweep, command_line, err);
    gd_committer_init(&c->commit, st, NULL, 0); /* only when full: OUT.merging is redone whole */
    if (rc == 0)
        rc = gd_merge_segments(m, copy_segment, c, err);
    if (rc == 0)
        rc = gd_committer_tick(&c->commit, 1, err);
    if (st && gd_store_close(st, m->wall_seconds, rc == 0 && m->missing == 0,
                             rc == 0 ? err : NULL) < 0)
        rc = -1;
    return rc;
}

/* The merged file is written as OUT.merging and renamed to OUT once closed, so OUT never
 * exists half-written (a full disk, a kill): a failed merge removes OUT.merging and
 * leaves any old OUT as it was; the inputs are untouched, so merging again redoes it. */
int gd_merge_write(gd_merge *m, const char *out, const char *command_line, gd_error *err)
{
    copier c;
    char tmp[GD_PATH_MAX + 16];
    copier_init(&c);
    m->copied = 0;
    memset(m->by_status, 0, sizeof m->by_status);
    snprintf(tmp, sizeof tmp, "%s.merging", out);
    c.cells = malloc((size_t)GD_READER_BLOCK * m->n_columns * sizeof *c.cells);
    int rc = c.cells ? copy_into(m, &c, tmp, command_line, err)
                     : gd_fail_runtime(err, "out of memory for a block of rows");
    if (rc == 0 && gd_store_move_into_place(tmp, out) != 0)
        rc = gd_fail_runtime(err, "%s: cannot move %s into place: %s", out, tmp,
                             strerror(errno));
    if (rc != 0 && gd_store_remove_unfinished(tmp) == 0)
        gd_error_append(err, "%s was not written (its partial copy %s was removed); merge "
                        "again once that is fixed (a full disk: free space)", out, tmp);
    copier_free(&c);
    return rc;
}
