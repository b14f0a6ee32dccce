/* worker.h - executes runs by id on one process, reusing one problem instance at a time.
 *
 * A worker owns the instance it last set up (runs that share an instance are consecutive
 * in the grid order, so most runs reuse it), the workspace and the history buffers. It
 * knows nothing of HDF5 or MPI: results go into a gd_batch, and a new instance is
 * announced through a callback so the caller can store its inputs. */
#ifndef GDSWEEP_WORKER_H
#define GDSWEEP_WORKER_H

#include <stdint.h>

#include "gdsweep/batch.h"
#include "gdsweep/grid.h"
#include "gdsweep/run.h"

typedef int (*gd_instance_hook)(void *ctx, const gd_run_desc *d, const gd_problem *p,
                                gd_error *err);

typedef struct gd_worker {
    const gd_sweep *sweep;
    int rank;
    gd_problem instance;
    uint64_t instance_id;
    int has_instance;
    gd_workspace ws;
    gd_history history;
    gd_instance_hook on_instance; /* may be NULL */
    void *hook_ctx;
} gd_worker;

void gd_worker_init(gd_worker *w, const gd_sweep *s, int rank, gd_instance_hook hook,
                    void *hook_ctx);

/* Executes run `id` and appends its result to b. Fails only on resource errors
 * (memory, instance setup, the hook); numerical failure is a result. */
int gd_worker_run(gd_worker *w, uint64_t id, gd_batch *b, gd_error *err);

void gd_worker_free(gd_worker *w);

#endif
