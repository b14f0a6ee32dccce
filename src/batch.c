/* batch.c - results of many runs packed in flat arrays (see gdsweep/batch.h).
 *
 * The batch owns every array. Arrays that share a length (the per-run arrays, the four
 * trajectory arrays) grow together, geometrically, so n adds cost O(n) copies. When a
 * grow fails the batch is left as it was (any array already moved is merely larger). */
#include "gdsweep/batch.h"

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
        void *p = realloc(*arrays[i], cap2 * sizes[i]);
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

static int reserve_traj(gd_batch *b, size_t need, gd_error *err)
{
    void **arrays[] = {(void **)&b->iteration, (void **)&b->loss, (void **)&b->grad_norm,
                       (void **)&b->lr};
    const size_t sizes[] = {sizeof *b->iteration, sizeof *b->loss, sizeof *b->grad_norm,
                            sizeof *b->lr};
    return reserve(arrays, sizes, 4, &b->traj_cap, need, 1024, err);
}

static int reserve_doubles(double **a, size_t *cap, size_t need, gd_error *err)
{
    void **arrays[] = {(void **)a};
    const size_t sizes[] = {sizeof **a};
    return reserve(arrays, sizes, 1, cap, need, 1024, err);
}

int gd_batch_add(gd_batch *b, const gd_run_desc *d, const gd_run_result *r,
                 const gd_history *h, const double *x_final, size_t n_final, gd_error *err)
{
    size_t records = h ? h->count : 0;
    size_t path = h && h->path && h->path_dim ? records * h->path_dim : 0;
    if (reserve_runs(b, b->count + 1, err) < 0 ||
        reserve_traj(b, b->traj_len + records, err) < 0 ||
        reserve_doubles(&b->path, &b->path_cap, b->path_len + path, err) < 0 ||
        reserve_doubles(&b->final, &b->final_cap, b->final_len + n_final, err) < 0)
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
        memcpy(b->iteration + b->traj_len, h->iteration, records * sizeof *b->iteration);
        memcpy(b->loss + b->traj_len, h->loss, records * sizeof *b->loss);
        memcpy(b->grad_norm + b->traj_len, h->grad_norm, records * sizeof *b->grad_norm);
        memcpy(b->lr + b->traj_len, h->lr, records * sizeof *b->lr);
        b->traj_len += records;
    }
    if (path) {
        memcpy(b->path + b->path_len, h->path, path * sizeof *b->path);
        b->path_len += path;
    }
    if (n_final) {
        memcpy(b->final + b->final_len, x_final, n_final * sizeof *b->final);
        b->final_len += n_final;
    }
    return 0;
}

size_t gd_batch_bytes(const gd_batch *b)
{
    size_t per_run = sizeof *b->desc + sizeof *b->result + 6 * sizeof(size_t);
    size_t per_record = sizeof *b->iteration + 3 * sizeof(double);
    return b->count * per_run + b->traj_len * per_record +
           (b->path_len + b->final_len) * sizeof(double);
}

void gd_batch_clear(gd_batch *b)
{
    b->count = 0;
    b->traj_len = 0;
    b->path_len = 0;
    b->final_len = 0;
}

void gd_batch_free(gd_batch *b)
{
    free(b->desc);
    free(b->result);
    free(b->traj_start);
    free(b->traj_count);
    free(b->path_start);
    free(b->path_count);
    free(b->final_start);
    free(b->final_count);
    free(b->iteration);
    free(b->loss);
    free(b->grad_norm);
    free(b->lr);
    free(b->path);
    free(b->final);
    memset(b, 0, sizeof *b);
}
