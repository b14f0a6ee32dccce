/* store_batch.c - writing a batch of results: rows of /runs, appended trajectories,
 * paths and final parameters, and the batch's instance groups (see gdsweep/store.h,
 * layout in docs/FORMAT.md).
 *
 * One commit per batch: the instance groups, the appended arrays and the rows (already
 * marked written = 1) are written, then one flush makes them durable all at once. The
 * flush is atomic (the rollback journal, journal_vfd.c: a kill in its middle is rolled
 * back to the previous commit), so no row can claim data the file lacks, and a separate
 * pass marking the rows written (which rewrote every touched /runs chunk a second time)
 * is not needed. One write per series; the rows as store_rows.c says. */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_ids(const gd_store *st, const gd_batch *b, gd_error *err)
{
    for (size_t i = 0; i < b->count; i++)
        if (b->desc[i].id >= st->sweep->n_runs)
            return gd_fail_runtime(err, "%s: run id %llu is beyond the %llu rows of the table",
                                   st->path, (unsigned long long)b->desc[i].id,
                                   (unsigned long long)st->sweep->n_runs);
    return 0;
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
    rc = gd_store_write_rows(st, b->count);
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
            "instances %.3f s, series %.3f s, rows %.3f s (%llu chunks raw), flush %.3f s\n",
            (unsigned long long)p->batches, (unsigned long long)p->flushes, p->reserve,
            p->instances, p->series, p->rows, (unsigned long long)p->raw_chunks, p->flush);
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
        gd_store_reserve_rows(st, b->count, err) < 0)
        return -1;
    gd_store_fill_rows(st, b);
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
