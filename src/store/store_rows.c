/* store_rows.c - a batch's rows into /runs: in run-id order, the chunks it fills whole
 * written raw, the rest with one selection.
 *
 * Through H5Dwrite every chunk of rows is first copied into a chunk buffer that HDF5
 * zeroes (a 1 MiB memset and its page faults per chunk: about a tenth of the tiny grid's
 * CPU), so a chunk the batch fills whole goes to the file with H5Dwrite_chunk instead,
 * straight from the row buffer. That needs the rows in id order: under MPI results arrive
 * out of order (each worker's runs come in id order, interleaved), so the rows are laid
 * out sorted, which also gives HDF5 its point selection sorted. Raw writes need the
 * file's row type to be this gdsweep's (an older file's layout is written through HDF5's
 * conversion, resume_layout.c) and no filter. */
#include "store_internal.h"

#include "gdsweep/huge_pages.h"

#include <stdlib.h>
#include <string.h>

/* A row's place: its run id and its index in the batch. */
struct gd_row_slot {
    uint64_t id;
    size_t at;
};

int gd_store_reserve_rows(gd_store *st, size_t n, gd_error *err)
{
    if (n <= st->rows_cap)
        return 0;
    size_t cap = st->rows_cap ? st->rows_cap : 256;
    while (cap < n)
        cap *= 2;
    unsigned char *rows = gd_huge_realloc(st->rows, 0, cap * st->cols.row_size); /* refilled */
    if (rows)
        st->rows = rows;
    hsize_t *coords = realloc(st->coords, cap * sizeof *coords);
    if (coords)
        st->coords = coords;
    struct gd_row_slot *slots = realloc(st->slots, cap * sizeof *slots);
    if (slots)
        st->slots = slots;
    if (!rows || !coords || !slots)
        return gd_fail_runtime(err, "%s: out of memory for a batch of %zu rows", st->path, n);
    st->rows_cap = cap;
    return 0;
}

static int by_id(const void *a, const void *b)
{
    uint64_t x = ((const struct gd_row_slot *)a)->id, y = ((const struct gd_row_slot *)b)->id;
    return (x > y) - (x < y);
}

/* st->slots: the batch's rows in id order (a range of the serial driver comes in
 * lockstep blocks, other ranks' results interleave). */
static void sort_rows(gd_store *st, const gd_batch *b)
{
    int sorted = 1;
    for (size_t i = 0; i < b->count; i++) {
        st->slots[i] = (struct gd_row_slot){b->desc[i].id, i};
        sorted &= i == 0 || b->desc[i].id > b->desc[i - 1].id;
    }
    if (!sorted)
        qsort(st->slots, b->count, sizeof *st->slots, by_id);
}

/* Row k of the buffer, and st->coords[k], for the k-th run in id order: its offsets from
 * the datasets' lengths before this batch (records counted by traj/loss, which every
 * format stores), marked written (committed by the same flush as its data). */
void gd_store_fill_rows(gd_store *st, const gd_batch *b)
{
    sort_rows(st, b);
    for (size_t k = 0; k < b->count; k++) {
        size_t i = st->slots[k].at;
        gd_row_storage where = {
            .traj_offset = st->series[GD_SERIES_loss].len + b->traj_start[i],
            .traj_count = b->traj_count[i],
            .path_offset = st->series[GD_SERIES_path].len + b->path_start[i],
            .path_count = b->path_count[i],
            .path_dim = b->traj_count[i] ? b->path_count[i] / b->traj_count[i] : 0,
            .final_offset = st->series[GD_SERIES_final].len + b->final_start[i],
            .final_count = b->final_count[i],
        };
        unsigned char *row = st->rows + k * st->cols.row_size;
        gd_columns_fill_row(&st->cols, st->sweep, &b->desc[i], &b->result[i], &where, row);
        gd_columns_mark_written(&st->cols, row);
        st->coords[k] = b->desc[i].id;
    }
}

/* Whether whole chunks of rows can go to the file as they are: /runs holds this
 * gdsweep's row type (not an older layout that HDF5 converts into) and no filter. */
static int runs_raw(gd_store *st)
{
    if (st->runs_raw == 0) {
        hid_t type = H5Dget_type(st->runs), dcpl = H5Dget_create_plist(st->runs);
        st->runs_raw = type >= 0 && dcpl >= 0 && H5Tequal(type, st->row_type) > 0 &&
                               H5Pget_nfilters(dcpl) == 0
                           ? 1
                           : -1;
        gd_h5_close(&type);
        gd_h5_close(&dcpl);
    }
    return st->runs_raw > 0;
}

/* Rows [k, k + n) of the buffer moved to row `to` (to <= k), their ids with them. */
static void keep_rows(gd_store *st, size_t to, size_t k, size_t n)
{
    size_t size = st->cols.row_size;
    memmove(st->rows + to * size, st->rows + k * size, n * size);
    memmove(st->coords + to, st->coords + k, n * sizeof *st->coords);
}

/* The rows [k, j) of consecutive ids: the chunks they fill whole written raw, the others
 * kept at the front of the buffer from row *kept on. 0 or -1. */
static int write_stretch(gd_store *st, size_t k, size_t j, int raw, size_t *kept)
{
    uint64_t rows = gd_store_runs_chunk_rows(st), first = st->coords[k], end = first + (j - k);
    uint64_t lo = (first + rows - 1) / rows * rows, hi = end / rows * rows;
    if (!raw || lo >= hi)
        lo = hi = end;
    for (uint64_t at = lo; at < hi; at += rows) {
        hsize_t offset = at;
        if (H5Dwrite_chunk(st->runs, H5P_DEFAULT, 0, &offset,
                           (size_t)rows * st->cols.row_size,
                           st->rows + (k + (at - first)) * st->cols.row_size) < 0)
            return -1;
        st->profile.raw_chunks++;
    }
    keep_rows(st, *kept, k, lo - first);
    *kept += lo - first;
    keep_rows(st, *kept, k + (hi - first), end - hi);
    *kept += end - hi;
    return 0;
}

/* The file space of /runs with rows coords[0, n) selected: one hyperslab when their ids
 * are consecutive, else the points. */
static hid_t select_kept(gd_store *st, size_t n)
{
    hid_t space = H5Dget_space(st->runs);
    hsize_t start = st->coords[0], count = n;
    if (space < 0)
        return space;
    herr_t rc = st->coords[n - 1] - st->coords[0] == n - 1
                    ? H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, NULL, &count, NULL)
                    : H5Sselect_elements(space, H5S_SELECT_SET, n, st->coords);
    if (rc < 0)
        gd_h5_close(&space);
    return space;
}

static int write_kept(gd_store *st, size_t n)
{
    if (n == 0)
        return 0;
    hsize_t count = n;
    hid_t fspace = select_kept(st, n);
    hid_t mspace = H5Screate_simple(1, &count, NULL);
    int rc = fspace >= 0 && mspace >= 0 &&
                     H5Dwrite(st->runs, st->row_type, mspace, fspace, H5P_DEFAULT, st->rows) >= 0
                 ? 0
                 : -1;
    gd_h5_close(&mspace);
    gd_h5_close(&fspace);
    return rc;
}

int gd_store_write_rows(gd_store *st, size_t n)
{
    int raw = runs_raw(st);
    size_t kept = 0;
    for (size_t k = 0, j; k < n; k = j) {
        for (j = k + 1; j < n && st->coords[j] == st->coords[j - 1] + 1; j++)
            ;
        if (write_stretch(st, k, j, raw, &kept) != 0)
            return -1;
    }
    return write_kept(st, kept);
}
