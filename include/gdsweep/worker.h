/* worker.h - executes runs by id on one process, reusing one problem instance at a time.
 *
 * A worker owns the instance it last set up (runs that share an instance are consecutive
 * in the grid order, so most runs reuse it; its files are the sweep's, read once by
 * gd_sweep_read_files) and the workspace (and, for a lockstep block, an instance of the
 * block's objective while the block runs); each run records into the batch it is added
 * to (gd_batch_history_in_place). It knows nothing of HDF5
 * or MPI: results go into a gd_batch, and so do the inputs of each
 * instance it sets up (gd_batch_add_instance), ahead of the instance's first run. */
#ifndef GDSWEEP_WORKER_H
#define GDSWEEP_WORKER_H

#include <stdint.h>

#include "gdsweep/batch.h"
#include "gdsweep/grid.h"
#include "gdsweep/run.h"

typedef struct gd_worker {
    const gd_sweep *sweep;
    int rank;
    gd_problem instance;
    uint64_t instance_id;
    gd_rng_key instance_key; /* gd_sweep_instance_key of the instance */
    int has_instance;
    gd_workspace ws;           /* a run's records go straight into the batch */
    /* Runs in lockstep (gd_worker_run_range): the runs of a range waiting for their
     * block, the block's vectors, and where each run of a block ended. */
    struct gd_pending_run *pending;
    size_t pending_cap;
    gd_workspace lanes_ws;
    double lanes_final[GD_LANES_MAX * GD_LANES_MAX_DIM];
} gd_worker;

void gd_worker_init(gd_worker *w, const gd_sweep *s, int rank);

/* Executes run `id` and appends its result to b. Returns 0, or 1 when an interrupt
 * abandoned the run (nothing appended), or -1 on resource errors (memory, instance
 * setup); numerical failure is a result. */
int gd_worker_run(gd_worker *w, uint64_t id, gd_batch *b, gd_error *err);

/* Executes the runs first, first + 1, ... (at most count, no more than b takes before it
 * is full, and about a quarter of the commit period's work: the caller's coordinator
 * commits between ranges) and appends them to b; *ran: how many ids it took (at least 1
 * unless it returns 1 at once). Runs that differ only in their start point go through the loop in
 * lockstep blocks (gd_run_execute_lanes), the others one by one; the results are the
 * same bits either way, appended in block order. Blocks form only among the runs of one
 * range: runs whose ids lie far apart (many other combinations between start points)
 * go alone. count >= 1. Returns 0, 1 when a stop request or an abandoned run ended the
 * range early (the runs that finished are appended; other ids counted in *ran may not
 * be: a later sweep runs them), or -1 on resource errors. */
int gd_worker_run_range(gd_worker *w, uint64_t first, uint64_t count, gd_batch *b,
                        uint64_t *ran, gd_error *err);

void gd_worker_free(gd_worker *w);

#endif
