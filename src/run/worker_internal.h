/* worker_internal.h - the worker's steps that its lockstep ranges (worker_lanes.c) share with worker.c. */
#ifndef GDSWEEP_WORKER_INTERNAL_H
#define GDSWEEP_WORKER_INTERNAL_H

#include "gdsweep/worker.h"

/* Run id decoded into d, its data key taken from w's instance when the run is of it. */
void gd_worker_decode(gd_worker *w, uint64_t id, gd_run_desc *d);

/* Makes w->instance the instance of run d, building it (and adding its inputs to b) when
 * it differs from the last; 0 or -1 (a run-time failure, with the run named). */
int gd_worker_use_instance(gd_worker *w, const gd_run_desc *d, gd_batch *b, gd_error *err);

/* Executes run d alone (gd_run_execute, watched when a plugin) and appends it to b;
 * returns as gd_worker_run. */
int gd_worker_run_alone(gd_worker *w, const gd_run_desc *d, gd_batch *b, gd_error *err);

/* Appends run d's result r (records in h, final point x of n values, stored when d saves
 * it) to b: 0, 1 when an interrupt abandoned it (nothing appended), -1. */
int gd_worker_append(gd_worker *w, const gd_run_desc *d, gd_run_result *r,
                     const gd_history *h, const double *x, size_t n, gd_batch *b,
                     gd_error *err);

#endif
