/* run.h - the loop: one (problem instance, optimizer, schedule, stop test) to the end.
 *
 * gd_run_execute does no I/O and allocates nothing: the driver owns the workspace and
 * the history arrays, sized beforehand with gd_workspace_reserve / gd_history_reserve.
 * Iteration t = 0..T-1 evaluates loss and gradient at x_t, records every record_every-th
 * point, tests the stop conditions, then steps to x_{t+1}; x_T is evaluated and
 * recorded at the end. A run that blows up ends with status diverged, never a crash.
 *
 * What is recorded and tested is always about x_t: the loss, the gradient norm and the
 * stop tests. An optimizer that takes its gradient elsewhere (NAG's look-ahead) gets that
 * gradient as its own cost (loss_evals, grad_evals); the loss at x_t, and the gradient at
 * x_t where a record or a grad_tol test needs it, are monitoring evaluations, counted
 * apart (monitor_loss_evals, monitor_grad_evals) so that costs compare fairly. */
#ifndef GDSWEEP_RUN_H
#define GDSWEEP_RUN_H

#include <stddef.h>

#include "gdsweep/grid.h"
#include "gdsweep/optimizer.h"
#include "gdsweep/problem.h"
#include "gdsweep/series.h"

typedef enum {
    GD_STATUS_ABANDONED = -2, /* cut short by an interrupt: never recorded */
    GD_STATUS_DIVERGED = -1,
    GD_STATUS_MAX_ITER = 0,
    GD_STATUS_CONVERGED = 1,
    GD_STATUS_PRUNED = 2      /* stopped at a rung by successive halving (halving.h) */
} gd_status;

const char *gd_status_name(int status);

/* Parameter paths are recorded for problems of at most this dimension. */
#define GD_PATH_MAX_DIM 4

/* Time to target: the relative targets 1e-1 .. 1e-GD_TARGETS of the initial gap. */
#define GD_TARGETS 8

/* Target k's fraction of the initial gap, 10^-(k+1) (k < GD_TARGETS). */
double gd_target_fraction(size_t k);

typedef struct gd_run_result {
    int status;              /* gd_status */
    long iterations;         /* steps taken */
    double loss_initial, loss_final, loss_best;
    double grad_norm_final;
    double gap;              /* loss_final - f_opt, NaN when the optimum is unknown */
    double metric;           /* problem metric (PSNR) of the final x, NaN when none */
    long loss_evals, grad_evals;   /* the optimizer's own evaluations */
    long monitor_loss_evals, monitor_grad_evals; /* made only to record or test x_t */
    double wall_seconds;
    /* Samples the optimizer's gradients read (a full batch: N per evaluation; 0 on a
     * problem that is no sum over data points) and samples_seen / N (NaN there). */
    long samples_seen;
    double epochs;
    /* The first iteration t at which gap_t <= gd_target_fraction(k) * max(gap_0, 0), with
     * the optimizer's gradient evaluations up to that point (the one at x_t included) and
     * the wall seconds since the run started; -1 (NaN) when never reached or when the
     * optimum is unknown. Exact: tested at every iteration, not only at records. */
    long steps_to[GD_TARGETS], grad_evals_to[GD_TARGETS];
    double seconds_to[GD_TARGETS];
    int rank, threads;       /* where it ran: recorded, not results */
} gd_run_result;

/* Recorded trajectory of one run, in arrays the driver preallocated. */
typedef struct gd_history {
    size_t capacity, count;
    GD_RECORD_SERIES(GD_SERIES_MEMBER)   /* one array per per-record series */
    size_t path_dim;         /* 0: no path recorded */
    double *path;            /* count * path_dim values */
} gd_history;

/* Scratch vectors for one run, grown by the driver to the largest dimension. */
typedef struct gd_workspace {
    size_t n_cap, state_cap, partial_cap;
    double *x, *g, *x_eval, *work;
    double *state;           /* state_vectors vectors, n_cap apart */
    double *partial;         /* one slot per block of a blocked reduction */
    size_t *rows;            /* a minibatch sampler's scratch (minibatch.h) */
    size_t rows_cap;
} gd_workspace;

/* Coordinates per block when the driver splits element-wise work over OpenMP threads,
 * and the dimension below which it stays on one thread. */
#define GD_BLOCK 8192
#define GD_PARALLEL_MIN 32768

/* Blocks of n coordinates, and the length of block b (the last may be short). */
static inline size_t gd_block_count(size_t n) { return (n + GD_BLOCK - 1) / GD_BLOCK; }

static inline size_t gd_block_len(size_t n, size_t b)
{
    size_t off = b * GD_BLOCK;
    return n - off < GD_BLOCK ? n - off : GD_BLOCK;
}

/* Records kept for a budget: every record_every-th iteration plus the last. */
size_t gd_history_records(long iterations, long record_every);

int gd_history_reserve(gd_history *h, size_t records, size_t path_dim, gd_error *err);

/* The error of a history that cannot hold `records` records (how many GB, and the fix:
 * raise record_every); returns -1. */
int gd_history_out_of_memory(size_t records, gd_error *err);
void gd_history_free(gd_history *h);

int gd_workspace_reserve(gd_workspace *ws, size_t n, size_t state_vectors, gd_error *err);
void gd_workspace_free(gd_workspace *ws);

/* Room for the sampler of run control k on instance p (gd_sampler_scratch values; none
 * for a full-batch run). */
int gd_workspace_reserve_rows(gd_workspace *ws, const gd_problem *p, const gd_run_control *k,
                              gd_error *err);

/* The minibatch size of control k on p: batch_size when p is a sum over data points
 * (batch_loss_grad) with more samples than that, else 0 (a full-batch run). */
size_t gd_run_batch_size(const gd_problem *p, const gd_run_control *k);

/* Runs d on instance p with optimizer opt (the type of d's optimizer section). The
 * workspace must hold p->n values and opt->state_vectors state vectors, the history
 * gd_history_records(iterations, record_every) records. Final parameters are left in
 * ws->x (p->n values). */
void gd_run_execute(const gd_problem *p, const gd_optimizer_type *opt, const gd_run_desc *d,
                    long record_every, gd_workspace *ws, gd_history *h, gd_run_result *r);

/* ---- many runs in lockstep ---------------------------------------------------------------
 * Runs that differ only in their start point (the problem type's start_params) meet the
 * same objective and, with the same optimizer settings, schedule and control, take the
 * same steps: a block of them advances together, their x side by side in one vector (run
 * j's coordinates at j n), the loss and gradient of the block in one call of the type's
 * loss_points / loss_grad_points (or its central differences), and the optimizer's own
 * step applied once to the whole block (every step is element-wise). Each run keeps its
 * records, targets and stop tests, and computes exactly what gd_run_execute computes (the
 * same bits); a run that stops early leaves the block's steps (its x and result are
 * kept). The clock alone is shared: the block's wall seconds go to its runs in proportion
 * to their gradient evaluations, and so do the seconds to each target. A tiny run's loop
 * was 25-54 ns per iteration alone, 4.5-6.8 in a model of this block (docs/BENCHMARKS.md,
 * 4b). */
#define GD_LANES_MAX 64       /* runs a block: their records stay in cache */
#define GD_LANES_MAX_DIM 16   /* the largest n that goes in blocks */

/* One run of a block: its decoded run, start point (n values), records and result, and
 * room for x where it ended (n values). */
typedef struct gd_lane {
    const gd_run_desc *d;
    const double *x0;
    gd_history *h;
    gd_run_result *r;
    double *x_final;
} gd_lane;

/* Whether run control k of optimizer opt on p can go in a block: p's type evaluates many
 * points (loss_points), a full batch (no minibatch, no online loss), no box, no gradient
 * noise, no look-ahead, n <= GD_LANES_MAX_DIM, and not the fused pass (step_loss_grad with
 * an analytic gradient, which alone computes the norm its own way). */
int gd_run_lanes_fit(const gd_problem *p, const gd_optimizer_type *opt,
                     const gd_run_control *k);

/* Executes the m (<= GD_LANES_MAX) runs of lanes in lockstep on p, an instance of any of
 * them (they differ only in start keys and share one optimizer section's settings, its
 * type opt, schedule and control, all gd_run_lanes_fit). ws holds m p->n values and opt's
 * state vectors (gd_workspace_reserve(ws, m * n, ...)); each history the records of its
 * run's budget. */
void gd_run_execute_lanes(const gd_problem *p, const gd_optimizer_type *opt, long record_every,
                          gd_lane lanes[], size_t m, gd_workspace *ws);

#endif
