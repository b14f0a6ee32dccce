/* run_memory.c - the buffers one run needs (workspace, history), owned by the driver.
 *
 * Reserve functions only grow: a driver reserves for the largest run it meets and
 * reuses the memory for every later run, so nothing is allocated per iteration. A grow
 * keeps no contents (every run fills its buffers anew), so none are copied. On failure
 * the old buffers stay valid and a runtime error is returned. */
#include <stdlib.h>
#include <string.h>

#include "gdsweep/run.h"

#include "gdsweep/huge_pages.h"

#include "gdsweep/minibatch.h"

size_t gd_history_records(long iterations, long record_every)
{
    size_t every = (size_t)(record_every > 0 ? record_every : 1);
    size_t t = (size_t)(iterations > 0 ? iterations : 0);
    return t / every + 1 + (t % every != 0);
}

static int grow(double **p, size_t count, gd_error *err)
{
    double *q = gd_huge_realloc(*p, 0, (count ? count : 1) * sizeof **p);
    if (!q)
        return gd_fail_runtime(err, "out of memory allocating %zu values", count);
    *p = q;
    return 0;
}

int gd_history_out_of_memory(size_t records, gd_error *err)
{
    return gd_fail_runtime(err, "out of memory for %zu history records (%.3g GB); "
                           "record fewer: raise record_every (a record every "
                           "record_every iterations)", records,
                           (double)records *
                               (double)(gd_series_record_bytes() +
                                        GD_PATH_MAX_DIM * sizeof(double)) / 1e9);
}

/* Grows every per-record series of h to `records` values (gdsweep/series.h). */
static int grow_records(gd_history *h, size_t records, gd_error *err)
{
    for (int i = 0; i < GD_RECORD_SERIES_COUNT; i++) {
        const gd_series *s = &gd_series_table[i];
        void **a = gd_series_history_array(s, h);
        void *q = gd_huge_realloc(*a, 0, records * s->elem_size);
        if (!q)
            return gd_history_out_of_memory(records, err);
        *a = q;
    }
    return 0;
}

int gd_history_reserve(gd_history *h, size_t records, size_t path_dim, gd_error *err)
{
    h->path_dim = path_dim;
    if (records <= h->capacity && h->path)
        return 0; /* called before every run: nothing to do once grown */
    if (records > h->capacity) {
        if (grow_records(h, records, err) < 0)
            return -1;
        h->capacity = records;
        free(h->path);
        h->path = NULL;
    }
    return grow(&h->path, h->capacity * GD_PATH_MAX_DIM, err);
}

void gd_history_free(gd_history *h)
{
    for (int i = 0; i < GD_SERIES_COUNT; i++) {
        void **a = gd_series_history_array(&gd_series_table[i], h);
        if (a)
            free(*a);
    }
    memset(h, 0, sizeof *h);
}

int gd_workspace_reserve(gd_workspace *ws, size_t n, size_t state_vectors, gd_error *err)
{
    size_t blocks = n / GD_BLOCK + 1;
    if (n > ws->n_cap) {
        if (grow(&ws->x, n, err) || grow(&ws->g, n, err) || grow(&ws->x_eval, n, err) ||
            grow(&ws->work, n, err))
            return -1;
        ws->n_cap = n;
        ws->state_cap = 0; /* vectors are n_cap apart: regrow */
    }
    size_t state = state_vectors * ws->n_cap;
    if (state > ws->state_cap) {
        if (grow(&ws->state, state, err))
            return -1;
        ws->state_cap = state;
    }
    if (blocks > ws->partial_cap) {
        if (grow(&ws->partial, blocks, err))
            return -1;
        ws->partial_cap = blocks;
    }
    return 0;
}

int gd_workspace_reserve_rows(gd_workspace *ws, const gd_problem *p, const gd_run_control *k,
                              gd_error *err)
{
    size_t m = gd_run_batch_size(p, k);
    size_t need = m ? gd_sampler_scratch(p->type->samples(p), m, k->sampling) : 0;
    if (need <= ws->rows_cap)
        return 0;
    size_t *rows = realloc(ws->rows, need * sizeof *rows);
    if (!rows)
        return gd_fail_runtime(err, "out of memory for a minibatch sampler of %zu rows", need);
    ws->rows = rows;
    ws->rows_cap = need;
    return 0;
}

void gd_workspace_free(gd_workspace *ws)
{
    free(ws->rows);
    free(ws->x);
    free(ws->g);
    free(ws->x_eval);
    free(ws->work);
    free(ws->state);
    free(ws->partial);
    memset(ws, 0, sizeof *ws);
}
