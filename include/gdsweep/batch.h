/* batch.h - results of many runs packed in flat arrays, the unit the store writes.
 *
 * A batch holds, per run, its description and result, and, concatenated over runs, the
 * recorded trajectories, parameter paths and final parameters. It also carries the
 * inputs of the problem instances its runs set up (only for types with stores_inputs),
 * so that whoever writes the batch, on this process or another, can store them. It is
 * plain memory (no HDF5, no MPI) so it can be written by the store or packed for another
 * rank (gdsweep/wire.h). gd_batch_add copies; gd_batch_add_instance holds a reference to
 * the instance's block (gdsweep/problem.h) and reads its inputs there until the batch is
 * cleared, copying them only when the instance has no block. The batch owns its arrays
 * and grows them (outside the iteration loop). gd_batch_clear keeps the capacity for
 * reuse. */
#ifndef GDSWEEP_BATCH_H
#define GDSWEEP_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "gdsweep/grid.h"
#include "gdsweep/run.h"

/* Longest input name kept (with its NUL); longer names are refused. */
#define GD_INPUT_NAME_MAX 32

/* One input array of an instance; its values are values[start .. start + count), or,
 * when the instance is held, the block's values at offset start (gd_batch_input_values). */
typedef struct gd_batch_input {
    char name[GD_INPUT_NAME_MAX];
    int rank;                 /* 1 or 2 */
    size_t dims[2];           /* dims[1] unused when rank is 1 */
    size_t start, count;      /* count = dims[0] (* dims[1]) */
} gd_batch_input;

/* A problem instance's identity and inputs. Plain data (no pointers). The problem
 * section, its parameter values and the repeat come from decoding run_id. */
typedef struct gd_batch_instance {
    uint64_t run_id;          /* the run that set it up */
    uint64_t instance;        /* global instance index */
    size_t n;                 /* dimension of x */
    int has_optimum;
    double f_opt;
    size_t n_inputs;
    gd_batch_input inputs[GD_MAX_INPUTS];
} gd_batch_instance;

typedef struct gd_batch {
    size_t count, capacity;         /* runs */
    gd_run_desc *desc;
    gd_run_result *result;
    size_t *traj_start, *traj_count;   /* per run, into the trajectory arrays */
    size_t *path_start, *path_count;   /* per run, values in path[] */
    size_t *final_start, *final_count; /* per run, values in final[] */

    size_t traj_len, traj_cap;
    GD_RECORD_SERIES(GD_SERIES_MEMBER)   /* the per-record series (gdsweep/series.h) */
    size_t path_len, path_cap;
    double *path;
    size_t final_len, final_cap;
    double *final;

    size_t n_instances, instance_cap;
    gd_batch_instance *instances;
    gd_problem_block **held;           /* per instance: its block, NULL: values copied */
    size_t held_values;                /* values of the held instances' inputs */
    size_t values_len, values_cap;
    double *values;                    /* copied instance inputs, concatenated */
} gd_batch;

/* Room to reserve beyond a batch's current lengths. */
typedef struct gd_batch_sizes {
    size_t runs, records, path, final, instances, values;
} gd_batch_sizes;

/* Grows the arrays so that `more` entries of each kind fit after the current ones. On
 * failure the batch's contents are unchanged. */
int gd_batch_reserve(gd_batch *b, const gd_batch_sizes *more, gd_error *err);

/* Points h's arrays at room reserved after b's records: `records` records, and as many
 * path points of up to GD_PATH_MAX_DIM values. A run executed into h (gd_run_execute)
 * then records straight into the batch, and gd_batch_add of that run copies none of its
 * records (a tiny run's records were most of the bytes it copied). h owns nothing: never
 * gd_history_free it; it stays valid until the batch's records grow (the next add or a
 * reserve of records; gd_batch_final_slot reserves final values only and leaves it).
 * Fails on memory, the batch unchanged. */
int gd_batch_history_in_place(gd_batch *b, gd_history *h, size_t records, gd_error *err);

/* The same for the count runs of a lockstep block (gd_run_execute_lanes): h[k]'s room,
 * records[k] records, follows h[k-1]'s. gd_batch_add the runs in that order: each run's
 * records move down to where the previous run's ended (none move when every run filled
 * its room). */
int gd_batch_histories_in_place(gd_batch *b, gd_history h[], const size_t records[],
                                size_t count, gd_error *err);

/* Appends one run; x_final (n_final values) is copied unless n_final is 0 or x_final is
 * the batch's final slot (gd_batch_final_slot), where the values already are. */
int gd_batch_add(gd_batch *b, const gd_run_desc *d, const gd_run_result *r,
                 const gd_history *h, const double *x_final, size_t n_final, gd_error *err);

/* Room for the final point of the next run (n values), where a run can iterate so that
 * its final point is never copied: the next gd_batch_add with x_final = this slot keeps
 * it. NULL with err when memory runs out. */
double *gd_batch_final_slot(gd_batch *b, size_t n, gd_error *err);

/* Appends instance p (set up for run d): its dimension, optimum and inputs, the inputs
 * by reference to p's block (which the batch then holds until cleared; p may be destroyed
 * before), or copied when p has no block, an input lies outside it or the inputs are less
 * than a quarter of it. Does nothing when p's type has stores_inputs 0. Fails on memory or an
 * input name of GD_INPUT_NAME_MAX bytes or more. */
int gd_batch_add_instance(gd_batch *b, const gd_run_desc *d, const gd_problem *p,
                          gd_error *err);

/* Appends instance i of batch `from` (of this process): held again when `from` holds it,
 * else its inputs copied. Fails only on memory (into unchanged). */
int gd_batch_add_instance_of(gd_batch *into, const gd_batch *from, size_t i, gd_error *err);

/* Appends every run and instance of `from` (a batch of this process, of sweep s) to into,
 * as gd_batch_pack then gd_batch_unpack would (descriptions decoded from the ids) but
 * without the wire's copies: held instances are held again. Fails only on memory, into
 * then unchanged. */
int gd_batch_merge(gd_batch *into, const gd_batch *from, const gd_sweep *s, gd_error *err);

/* The values of input k of instance i. */
const double *gd_batch_input_values(const gd_batch *b, size_t i, size_t k);

/* The values of every instance's inputs, held or copied. */
size_t gd_batch_instance_values(const gd_batch *b);

/* Bytes of payload held, to decide when to flush. */
size_t gd_batch_bytes(const gd_batch *b);

/* Empties the batch (dropping the blocks it holds), keeping its capacity. */
void gd_batch_clear(gd_batch *b);
void gd_batch_free(gd_batch *b);

#endif
