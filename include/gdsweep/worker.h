/* worker.h - executes runs by id on one process, reusing one problem instance at a time.
 *
 * A worker owns the instance it last set up (runs that share an instance are consecutive
 * in the grid order, so most runs reuse it; its files are the sweep's, read once by
 * gd_sweep_read_files) and the workspace; each run records into the batch it is added
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
} gd_worker;

void gd_worker_init(gd_worker *w, const gd_sweep *s, int rank);

/* Executes run `id` and appends its result to b. Returns 0, or 1 when an interrupt
 * abandoned the run (nothing appended), or -1 on resource errors (memory, instance
 * setup); numerical failure is a result. */
int gd_worker_run(gd_worker *w, uint64_t id, gd_batch *b, gd_error *err);

void gd_worker_free(gd_worker *w);

#endif
