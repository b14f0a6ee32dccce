/* store.h - the one HDF5 file of a sweep (the only module that includes <hdf5.h>).
 *
 * Layout in docs/FORMAT.md. The store writes the grid text, hash and provenance as
 * attributes, a `runs` table with one row per run (row = run id) and one named column
 * per hyperparameter and result, trajectories, paths and final parameters as
 * concatenated 1-D datasets addressed by offset/count columns, and each problem
 * instance's inputs under /instances. Writes happen in batches and the file is flushed
 * after each. Errors are runtime errors with the file path in the message. */
#ifndef GDSWEEP_STORE_H
#define GDSWEEP_STORE_H

#include "gdsweep/batch.h"
#include "gdsweep/grid.h"
#include "gdsweep/problem.h"

#define GD_FORMAT_VERSION 1

typedef struct gd_store gd_store;

/* Fails (usage error, nothing touched) when the directory is missing or not writable,
 * or when path exists and overwrite is 0. */
int gd_store_check_target(const char *path, int overwrite, gd_error *err);

/* Creates (truncates) the file and writes the sweep's metadata. */
int gd_store_create(gd_store **out, const char *path, const gd_sweep *s,
                    const char *command_line, gd_error *err);

/* Writes the groups of the batch's instances that are not in the file yet (copies from
 * several batches or ranks are skipped), then appends the batch's runs (rows at their
 * run ids) and flushes the file. */
int gd_store_write_batch(gd_store *st, const gd_batch *b, gd_error *err);

/* Records completion (runs written, wall time) and closes. Frees st in all cases. */
int gd_store_close(gd_store *st, double wall_seconds, gd_error *err);

/* Seconds spent inside HDF5 calls so far (for the benchmarks). */
double gd_store_io_seconds(const gd_store *st);

#endif
