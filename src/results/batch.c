/* batch.c - results of many runs packed in flat arrays (see gdsweep/batch.h).
 *
 * The batch owns every array; the instances' inputs are batch_instances.c's. Arrays that
 * share a length (the per-run arrays, the per-record series of gdsweep/series.h, an
 * instance and its held block) grow together, geometrically, so n adds cost O(n) copies.
 * When a grow fails the batch is left as it was (any array already moved is merely
 * larger). */
#include "gdsweep/batch.h"

#include "batch_internal.h"
#include "gdsweep/huge_pages.h"

#include <stdlib.h>
#include <string.h>

/* Grows each of the n arrays to hold at least `need` elements of sizes[i] bytes. */
static int reserve(void **arrays[], const size_t sizes[], size_t n, size_t *cap,
                   size_t need, size_t min_cap, gd_error *err)
{
    if (need <= *cap)
        return 0;
    size_t cap2 = *cap ? *cap : min_cap;
    while (cap2 < need)
        cap2 *= 2;
    for (size_t i = 0; i < n; i++) {
        void *p = gd_huge_realloc(*arrays[i], *cap * sizes[i], cap2 * sizes[i]);
        if (!p)
            return gd_fail_runtime(err, "out of memory growing a result batch to %zu entries",
                                   cap2);
        *arrays[i] = p;
    }
    *cap = cap2;
    return 0;
}

static int reserve_runs(gd_batch *b, size_t need, gd_error *err)
{
    void **arrays[] = {(void **)&b->desc, (void **)&b->result, (void **)&b->traj_start,
                       (void **)&b->traj_count, (void **)&b->path_start,
                       (void **)&b->path_count, (void **)&b->final_start,
                       (void **)&b->final_count};
    const size_t sizes[] = {sizeof *b->desc, sizeof *b->result, sizeof(size_t),
                            sizeof(size_t), sizeof(size_t), sizeof(size_t),
                            sizeof(size_t), sizeof(size_t)};
    return reserve(arrays, sizes, sizeof sizes / sizeof sizes[0], &b->capacity, need, 64, err);
}

/* The arrays of the per-record series (gdsweep/series.h) grow together. */
static int reserve_traj(gd_batch *b, size_t need, gd_error *err)
{
    void **arrays[GD_RECORD_SERIES_COUNT];
    size_t sizes[GD_RECORD_SERIES_COUNT];
    for (int i = 0; i < GD_RECORD_SERIES_COUNT; i++) {
        arrays[i] = gd_series_batch_array(&gd_series_table[i], b);
        sizes[i] = gd_series_table[i].elem_size;
    }
    return reserve(arrays, sizes, GD_RECORD_SERIES_COUNT, &b->traj_cap, need, 1024, err);
}

/* One array of elements of `size` bytes. */
static int reserve_one(void **a, size_t size, size_t *cap, size_t need, size_t min_cap,
                       gd_error *err)
{
    void **arrays[] = {a};
    const size_t sizes[] = {size};
    return reserve(arrays, sizes, 1, cap, need, min_cap, err);
}

/* The instances and their held blocks grow together. */
static int reserve_instances(gd_batch *b, size_t need, gd_error *err)
{
    void **arrays[] = {(void **)&b->instances, (void **)&b->held};
    const size_t sizes[] = {sizeof *b->instances, sizeof *b->held};
    return reserve(arrays, sizes, 2, &b->instance_cap, need, 16, err);
}

int gd_batch_reserve(gd_batch *b, const gd_batch_sizes *more, gd_error *err)
{
    if (reserve_runs(b, b->count + more->runs, err) < 0 ||
        reserve_traj(b, b->traj_len + more->records, err) < 0 ||
        reserve_one((void **)&b->path, sizeof *b->path, &b->path_cap, b->path_len + more->path,
                    1024, err) < 0 ||
        reserve_one((void **)&b->final, sizeof *b->final, &b->final_cap,
                    b->final_len + more->final, 1024, err) < 0 ||
        reserve_instances(b, b->n_instances + more->instances, err) < 0 ||
        reserve_one((void **)&b->values, sizeof *b->values, &b->values_cap,
                    b->values_len + more->values, 1024, err) < 0)
        return -1;
    return 0;
}

/* The records of history h appended to each per-record series (room reserved); nothing
 * to copy for a series the run recorded in place (gd_batch_history_in_place). */
static void copy_records(gd_batch *b, const gd_history *h, size_t records)
{
    for (int i = 0; i < GD_RECORD_SERIES_COUNT; i++) {
        const gd_series *s = &gd_series_table[i];
        unsigned char *to = (unsigned char *)gd_series_batch_values(s, b) +
                            b->traj_len * s->elem_size;
        const void *from = gd_series_history_values(s, h);
        if (from != to) /* a later run of a block: its room may overlap */
            memmove(to, from, records * s->elem_size);
    }
}

int gd_batch_histories_in_place(gd_batch *b, gd_history h[], const size_t records[],
                                size_t count, gd_error *err)
{
    size_t total = 0;
    for (size_t k = 0; k < count; k++)
        total += records[k];
    gd_batch_sizes more = {.records = total, .path = total * GD_PATH_MAX_DIM};
    if (gd_batch_reserve(b, &more, err) < 0)
        return gd_history_out_of_memory(total, err); /* what the runs asked too much of */
    size_t at = b->traj_len;
    for (size_t k = 0; k < count; k++) {
        for (int i = 0; i < GD_RECORD_SERIES_COUNT; i++) {
            const gd_series *s = &gd_series_table[i];
            unsigned char *room = gd_series_batch_values(s, b);
            *gd_series_history_array(s, &h[k]) = room + at * s->elem_size;
        }
        h[k].path = b->path + b->path_len + (at - b->traj_len) * GD_PATH_MAX_DIM;
        h[k].capacity = records[k];
        h[k].count = 0;
        h[k].path_dim = 0;
        at += records[k];
    }
    return 0;
}

int gd_batch_history_in_place(gd_batch *b, gd_history *h, size_t records, gd_error *err)
{
    return gd_batch_histories_in_place(b, h, &records, 1, err);
}

int gd_batch_add(gd_batch *b, const gd_run_desc *d, const gd_run_result *r,
                 const gd_history *h, const double *x_final, size_t n_final, gd_error *err)
{
    size_t records = h ? h->count : 0;
    size_t path = h && h->path && h->path_dim ? records * h->path_dim : 0;
    gd_batch_sizes more = {.runs = 1, .records = records, .path = path, .final = n_final};
    if (gd_batch_reserve(b, &more, err) < 0)
        return -1;
    size_t i = b->count++;
    b->desc[i] = *d;
    b->result[i] = *r;
    b->traj_start[i] = b->traj_len;
    b->traj_count[i] = records;
    b->path_start[i] = b->path_len;
    b->path_count[i] = path;
    b->final_start[i] = b->final_len;
    b->final_count[i] = n_final;
    if (records) {
        copy_records(b, h, records);
        b->traj_len += records;
    }
    if (path) {
        if (h->path != b->path + b->path_len) /* else recorded in place */
            memmove(b->path + b->path_len, h->path, path * sizeof *b->path);
        b->path_len += path;
    }
    if (n_final) {
        if (x_final != b->final + b->final_len) /* else iterated in its slot: no copy */
            memcpy(b->final + b->final_len, x_final, n_final * sizeof *b->final);
        b->final_len += n_final;
    }
    return 0;
}

double *gd_batch_final_slot(gd_batch *b, size_t n, gd_error *err)
{
    gd_batch_sizes more = {.final = n};
    if (gd_batch_reserve(b, &more, err) < 0)
        return NULL;
    return b->final + b->final_len;
}

size_t gd_batch_bytes(const gd_batch *b)
{
    size_t per_run = sizeof *b->desc + sizeof *b->result + 6 * sizeof(size_t);
    size_t per_record = gd_series_record_bytes();
    return b->count * per_run + b->traj_len * per_record +
           (b->path_len + b->final_len + gd_batch_instance_values(b)) * sizeof(double) +
           b->n_instances * sizeof *b->instances;
}

void gd_batch_clear(gd_batch *b)
{
    gd_batch_drop_held(b);
    b->count = 0;
    b->traj_len = 0;
    b->path_len = 0;
    b->final_len = 0;
    b->n_instances = 0;
    b->values_len = 0;
}

void gd_batch_free(gd_batch *b)
{
    gd_batch_drop_held(b);
    free(b->desc);
    free(b->result);
    free(b->traj_start);
    free(b->traj_count);
    free(b->path_start);
    free(b->path_count);
    free(b->final_start);
    free(b->final_count);
    for (int i = 0; i < GD_SERIES_COUNT; i++)
        free(*gd_series_batch_array(&gd_series_table[i], b));
    free(b->instances);
    free(b->held);
    free(b->values);
    memset(b, 0, sizeof *b);
}
