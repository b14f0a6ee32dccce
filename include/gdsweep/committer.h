/* committer.h - the one commit policy: when result batches are written to the store.
 *
 * Results are appended to `pending` (gd_batch_add, gd_batch_unpack or a worker writing
 * into it); gd_committer_tick writes them when they are due: at the end (force), when the
 * batch is full (gd_batch_is_full: bounded memory), or `every` seconds after the last
 * commit (a sweep: gd_commit_seconds(), so that a kill loses at most that much work and
 * expensive runs arriving one at a time do not cost a file flush each; merge: never,
 * its output is redone whole if it fails). A commit due by the clock waits while the
 * last one is still being synced in the background (gd_store_syncing): on a slow disk
 * the batch grows rather than the sweep waiting for the disk.
 *
 * A threaded committer (gd_committer_init_threaded: the sweeps) hands each batch to a
 * writer thread (gdsweep/batch_writer.h) and collects more results in a second batch
 * meanwhile, so the HDF5 writing overlaps the computing; it waits for the writer only
 * when the new batch is full or forced, or to hand over the next one. A batch counts as
 * committed (committed, the tally) once its writer is done. The coordinator (serial and MPI sweeps) and
 * merge use it. The committer owns `pending`; the store and the tally stay the caller's. */
#ifndef GDSWEEP_COMMITTER_H
#define GDSWEEP_COMMITTER_H

#include <stdint.h>

#include "gdsweep/batch_writer.h"

#include "gdsweep/batch.h"
#include "gdsweep/store.h"
#include "gdsweep/tally.h"

#define GD_BATCH_RUNS 4096
#define GD_BATCH_BYTES (64u << 20)
/* 1 when the batch should be written (or sent) now: GD_BATCH_RUNS runs or GD_BATCH_BYTES
 * bytes, so memory stays bounded whatever the grid size. */
int gd_batch_is_full(const gd_batch *b);

/* Runs b takes before it is full by its count (at least 1): a worker's range of runs
 * (gd_worker_run_range) stops there, so that batches keep GD_BATCH_RUNS runs, whole
 * chunks of the runs table (batches of 4,100 runs left partial chunks: the writer took
 * 2.8x as long). */
uint64_t gd_batch_runs_left(const gd_batch *b);

/* A sweep's results are committed to the file at least this often (seconds) while they
 * arrive; the environment variable GD_COMMIT_SECONDS overrides it (the kill tests commit
 * often). */
#define GD_COMMIT_SECONDS 1.0
double gd_commit_seconds(void);

typedef struct gd_committer {
    gd_store *st;
    gd_tally *tally;          /* fed with every committed batch, or NULL */
    gd_batch pending;         /* results not yet committed */
    double last_commit, every;
    uint64_t committed;       /* runs committed through this committer */
    int threaded;             /* batches are written by `writer` */
    gd_batch writing;         /* the batch the writer commits */
    gd_batch_writer writer;
    double waited;            /* seconds the caller waited for the writer */
} gd_committer;

/* Starts the clock of the cadence (every <= 0: commit only when full or forced); tally
 * may be NULL. */
void gd_committer_init(gd_committer *c, gd_store *st, gd_tally *tally, double every);

/* The same, with the batches written by a writer thread while results keep coming. */
void gd_committer_init_threaded(gd_committer *c, gd_store *st, gd_tally *tally,
                                double every);

/* Commits the pending results when due (or when force and any are pending). Returns 0, or
 * -1 with the store's error in err (the pending results are kept; the caller ends). */
int gd_committer_tick(gd_committer *c, int force, gd_error *err);

/* Waits for a batch in flight and counts it in `committed` if its writing succeeded (a
 * failure is not reported: for a sweep that failed already, before the stats are read
 * and before the job ends). */
void gd_committer_settle(gd_committer *c);

/* Waits for a batch in flight (its result ignored), then frees the batches (uncommitted
 * results are dropped). */
void gd_committer_free(gd_committer *c);

#endif
