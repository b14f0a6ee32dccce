/* driver.h - executes every run of a sweep into the store, batch by batch (one process).
 *
 * The serial sweep is the coordinator (coordinator.h) on an in-process transport: the
 * driver owns the worker; the coordinator's committer (committer.h: the one commit policy)
 * owns the batch. Results also feed the tally for the end-of-sweep table. */
#ifndef GDSWEEP_DRIVER_H
#define GDSWEEP_DRIVER_H

#include <stdint.h>

#include "gdsweep/grid.h"
#include "gdsweep/selection.h"
#include "gdsweep/store.h"
#include "gdsweep/tally.h"

typedef struct gd_drive_stats {
    uint64_t runs_done;
    double wall_seconds;
    double io_seconds;
    gd_commit_profile commits; /* the store's commits, step by step */
    double commit_wait;        /* seconds the coordinator waited for its writer thread */
    int abandoned_ranks;     /* ranks still computing when an interrupt's grace ended */
} gd_drive_stats;

/* What the drivers return besides 0 (every selected run done) and -1 (failure). */
#define GD_SWEEP_INTERRUPTED 1

/* Runs the selected runs in id order on this process; progress on stderr unless quiet.
 * Returns 0, GD_SWEEP_INTERRUPTED (a signal stopped it; what ran is committed) or -1. */
int gd_drive_serial(const gd_selection *sel, gd_store *st, gd_tally *tally, int quiet,
                    gd_drive_stats *stats, gd_error *err);

#endif
