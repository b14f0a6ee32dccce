/* store_batch.c - writing a batch of results: rows of /runs, appended trajectories,
 * paths and final parameters, and the batch's instance groups (see gdsweep/store.h,
 * layout in docs/FORMAT.md).
 *
 * One commit per batch: the instance groups, the appended arrays and the rows (already
 * marked written = 1) are written, then one flush makes them durable all at once. The
 * flush is atomic (the rollback journal, journal_vfd.c: a kill in its middle is rolled
 * back to the previous commit), so no row can claim data the file lacks, and a separate
 * pass marking the rows written (which rewrote every touched /runs chunk a second time)
 * is not needed. One write per dataset: the rows of a contiguous id range are one
 * hyperslab, other batches one point selection. */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reserve_rows(gd_store *st, size_t n, gd_error *err)
{
    if (n <= st->rows_cap)
        return 0;
    size_t cap = st->rows_cap ? st->rows_cap : 256;
    while (cap < n)
        cap *= 2;
    unsigned char *rows = realloc(st->rows, cap * st->cols.row_size);
    if (rows)
        st->rows = rows;
    hsize_t *coords = realloc(st->coords, cap * sizeof *coords);
    if (coords)
        st->coords = coords;
    if (!rows || !coords)
        return gd_fail_runtime(err, "%s: out of memory for a batch of %zu rows", st->path, n);
    st->rows_cap = cap;
    return 0;
}

static int check_ids(const gd_store *st, const gd_batch *b, gd_error *err)
{
    for (size_t i = 0; i < b->count; i++)
        if (b->desc[i].id >= st->sweep->n_runs)
            return gd_fail_runtime(err, "%s: run id %llu is beyond the %llu rows of the table",
                                   st->path, (unsigned long long)b->desc[i].id,
                                   (unsigned long long)st->sweep->n_runs);
    return 0;
}

/* Rows in batch order, offsets from the datasets' lengths before this batch (records
 * counted by traj/loss, which every format stores), each marked written: it is committed
 * by the same flush as its data. */
static void fill_rows(gd_store *st, const gd_batch *b)
{
    for (size_t i = 0; i < b->count; i++) {
        gd_row_storage where = {
            .traj_offset = st->series[GD_SERIES_loss].len + b->traj_start[i],
            .traj_count = b->traj_count[i],
            .path_offset = st->series[GD_SERIES_path].len + b->path_start[i],
            .path_count = b->path_count[i],
            .path_dim = b->traj_count[i] ? b->path_count[i] / b->traj_count[i] : 0,
            .final_offset = st->series[GD_SERIES_final].len + b->final_start[i],
            .final_count = b->final_count[i],
        };
        unsigned char *row = st->rows + i * st->cols.row_size;
        gd_columns_fill_row(&st->cols, st->sweep, &b->desc[i], &b->result[i], &where, row);
        gd_columns_mark_written(&st->cols, row);
    }
}

static int contiguous(const gd_batch *b)
{
    for (size_t i = 1; i < b->count; i++)
        if (b->desc[i].id != b->desc[0].id + i)
            return 0;
    return 1;
}

/* The file space of /runs with the batch's rows selected, in batch order. */
static hid_t select_rows(gd_store *st, const gd_batch *b)
{
    hid_t space = H5Dget_space(st->runs);
    hsize_t start = b->desc[0].id, count = b->count;
    herr_t rc;
    if (space < 0)
        return space;
    if (contiguous(b)) {
        rc = H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, NULL, &count, NULL);
    } else {
        for (size_t i = 0; i < b->count; i++)
            st->coords[i] = b->desc[i].id;
        rc = H5Sselect_elements(space, H5S_SELECT_SET, b->count, st->coords);
    }
    if (rc < 0)
        gd_h5_close(&space);
    return space;
}

/* One write per stored series (gdsweep/series.h), in the table's order. */
static int append_arrays(gd_store *st, const gd_batch *b)
{
    for (int i = 0; i < GD_SERIES_COUNT; i++) {
        const gd_series *s = &gd_series_table[i];
        if (gd_store_series_stored(st, i) &&
            gd_h5_series_append(&st->series[i], gd_h5_series_memory_type(s),
                                gd_series_batch_values(s, b),
                                gd_series_batch_len(s, b)) < 0)
            return -1;
    }
    return 0;
}

/* Rows of a batch as one write: a contiguous id range is one hyperslab, other batches
 * one point selection, rows taken in batch order from `rows`. */
static int write_selected(gd_store *st, const gd_batch *b, const unsigned char *rows)
{
    hsize_t count = b->count;
    hid_t fspace = select_rows(st, b);
    hid_t mspace = H5Screate_simple(1, &count, NULL);
    int rc = fspace >= 0 && mspace >= 0 &&
                     H5Dwrite(st->runs, st->row_type, mspace, fspace, H5P_DEFAULT, rows) >= 0
                 ? 0
                 : -1;
    gd_h5_close(&mspace);
    gd_h5_close(&fspace);
    return rc;
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

/* Rows [first, first + n) of a contiguous batch, from its row k0 on (n may be 0). */
static int write_span(gd_store *st, const gd_batch *b, size_t k0, size_t n)
{
    if (n == 0)
        return 0;
    gd_batch span = *b; /* only desc and count are read */
    span.desc = b->desc + k0;
    span.count = n;
    return write_selected(st, &span, st->rows + k0 * st->cols.row_size);
}

/* The chunks of /runs a contiguous batch fills whole go to the file with
 * H5Dwrite_chunk: through H5Dwrite each would first be copied into a chunk buffer that
 * HDF5 zeroes (a 1 MiB memset, and page faults, per chunk: about a tenth of the tiny
 * grid's CPU). The partly filled chunks at its ends go through H5Dwrite (their other
 * rows keep the fill or what earlier batches wrote). */
static int write_contiguous(gd_store *st, const gd_batch *b)
{
    uint64_t rows = gd_store_runs_chunk_rows(st), first = b->desc[0].id;
    uint64_t end = first + b->count;
    uint64_t lo = (first + rows - 1) / rows * rows, hi = end / rows * rows;
    if (lo >= hi || !runs_raw(st))
        return write_selected(st, b, st->rows);
    size_t chunk_bytes = (size_t)rows * st->cols.row_size;
    for (uint64_t at = lo; at < hi; at += rows) {
        hsize_t offset = at;
        if (H5Dwrite_chunk(st->runs, H5P_DEFAULT, 0, &offset, chunk_bytes,
                           st->rows + (at - first) * st->cols.row_size) < 0)
            return -1;
    }
    return write_span(st, b, 0, lo - first) != 0 ? -1
                                                 : write_span(st, b, hi - first, end - hi);
}

static int write_rows(gd_store *st, const gd_batch *b)
{
    return contiguous(b) ? write_contiguous(st, b) : write_selected(st, b, st->rows);
}

/* Seconds since *t0 added to *step; *t0 moves on (the steps of one commit, timed). */
static void lap(double *t0, double *step)
{
    double now = gd_store_clock();
    *step += now - *t0;
    *t0 = now;
}

static int flush(gd_store *st, double *t0, gd_error *err)
{
    int rc = H5Fflush(st->file, H5F_SCOPE_LOCAL) < 0 ? gd_h5_fail(st, err, "flushing a batch")
                                                    : 0;
    st->profile.flushes++;
    lap(t0, &st->profile.flush);
    return rc;
}

static int commit(gd_store *st, const gd_batch *b, double *t0, gd_error *err)
{
    int rc = append_arrays(st, b);
    lap(t0, &st->profile.series);
    if (rc < 0)
        return gd_h5_fail(st, err, "appending trajectories");
    rc = write_rows(st, b);
    lap(t0, &st->profile.rows);
    if (rc < 0)
        return gd_h5_fail(st, err, "writing rows of the runs table");
    return flush(st, t0, err);
}

/* Room on the disk first; any failure past that point abandons the store. */
static int write_batch(gd_store *st, const gd_batch *b, gd_error *err)
{
    double t0 = gd_store_clock();
    int rc = gd_store_reserve(st, gd_store_batch_room(st, b), "the next batch", err);
    lap(&t0, &st->profile.reserve);
    if (rc == 0)
        rc = gd_store_write_instances(st, b, err);
    lap(&t0, &st->profile.instances);
    if (rc == 0)
        rc = b->count ? commit(st, b, &t0, err) : flush(st, &t0, err);
    st->profile.batches++;
    if (rc != 0)
        gd_store_give_up_writing(st);
    return rc;
}

int gd_store_syncing(const gd_store *st)
{
    return st && !st->abandoned && st->file >= 0 && gd_h5_journal_syncing(st->file);
}

void gd_store_settle_syncs(gd_store *st)
{
    if (st && !st->abandoned && st->file >= 0)
        (void)gd_h5_settle_journal(st->file);
}

gd_commit_profile gd_store_commit_profile(const gd_store *st)
{
    gd_commit_profile none = {0};
    return st ? st->profile : none;
}

void gd_store_print_commit_profile(const gd_commit_profile *p)
{
    fprintf(stderr, "gdsweep: profile commit: %llu batches, %llu flushes; reserve %.3f s, "
            "instances %.3f s, series %.3f s, rows %.3f s, flush %.3f s\n",
            (unsigned long long)p->batches, (unsigned long long)p->flushes, p->reserve,
            p->instances, p->series, p->rows, p->flush);
}

int gd_store_write_batch(gd_store *st, const gd_batch *b, gd_error *err)
{
    /* HDF5's error printing is per thread: the writer thread (batch_writer.c) reports
     * through err too, never on stderr */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (b->count == 0 && b->n_instances == 0)
        return 0;
    if (st->abandoned)
        return gd_fail_runtime(err, "%s: not written after an earlier write failed", st->path);
    if (check_ids(st, b, err) < 0 || gd_store_check_instances(st, b, err) < 0 ||
        reserve_rows(st, b->count, err) < 0)
        return -1;
    fill_rows(st, b);
    double t0 = gd_store_clock();
    int rc = write_batch(st, b, err);
    st->io_seconds += gd_store_clock() - t0;
    if (rc == 0) {
        uint64_t before = st->committed;
        st->runs_written += b->count;
        for (size_t i = 0; i < b->count; i++)
            gd_store_mark_committed(st, b->desc[i].id);
        st->unsynced = st->committed - before;
    }
    return rc;
}
