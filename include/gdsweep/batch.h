/* batch.h - results of many runs packed in flat arrays, the unit the store writes.
 *
 * A batch holds, per run, its description and result, and, concatenated over runs, the
 * recorded trajectories, parameter paths and final parameters. It is plain memory (no
 * HDF5, no MPI) so it can be written by the store or shipped between ranks as is.
 * gd_batch_add copies; the batch owns its arrays and grows them (outside the iteration
 * loop). gd_batch_clear keeps the capacity for reuse. */
#ifndef GDSWEEP_BATCH_H
#define GDSWEEP_BATCH_H

#include <stddef.h>

#include "gdsweep/grid.h"
#include "gdsweep/run.h"

typedef struct gd_batch {
    size_t count, capacity;         /* runs */
    gd_run_desc *desc;
    gd_run_result *result;
    size_t *traj_start, *traj_count;   /* per run, into the trajectory arrays */
    size_t *path_start, *path_count;   /* per run, values in path[] */
    size_t *final_start, *final_count; /* per run, values in final[] */

    size_t traj_len, traj_cap;
    long *iteration;
    double *loss, *grad_norm, *lr;
    size_t path_len, path_cap;
    double *path;
    size_t final_len, final_cap;
    double *final;
} gd_batch;

/* Appends one run; x_final (n_final values) is copied unless n_final is 0. */
int gd_batch_add(gd_batch *b, const gd_run_desc *d, const gd_run_result *r,
                 const gd_history *h, const double *x_final, size_t n_final, gd_error *err);

/* Bytes of payload held, to decide when to flush. */
size_t gd_batch_bytes(const gd_batch *b);

void gd_batch_clear(gd_batch *b);
void gd_batch_free(gd_batch *b);

#endif
