/* run_loop.h - what the one-run loop (run.c) and the lockstep block (run_lanes.c) share:
 * a run's loop context and the per-iteration bookkeeping (inline: both loops call it
 * every iteration), so that a run in a block computes the bits it computes alone. */
#ifndef GDSWEEP_RUN_LOOP_H
#define GDSWEEP_RUN_LOOP_H

#include "gdsweep/interrupt.h"
#include "gdsweep/minibatch.h"
#include "gdsweep/run.h"
#include "gdsweep/small_copy.h"
#include "gdsweep/step_call.h"

#include <math.h>
#include <time.h>

/* What one run needs at hand inside the loop. */
typedef struct loop_ctx {
    const gd_problem *p;
    const gd_run_desc *d;
    const gd_optimizer_type *opt;
    gd_workspace *ws;
    gd_run_result *r;
    long record_every;
    double t0;                     /* the run's start, gd_loop_now_seconds() */
    size_t next_target;            /* first target not reached yet */
    double target_gap[GD_TARGETS]; /* gap levels of the targets */
    gd_step_consts consts;         /* the optimizer's constants of the last step */
    gd_sampler *sampler;           /* the minibatches, NULL: full batch */
    /* Fixed for the run, decided once at its start (what each iteration used to ask): */
    int box;                       /* has_box() */
    int fused;                     /* fused() */
    int noise;                     /* gradient noise on (grad_noise > 0) */
    double diverged_above;         /* a loss above this diverges (set at the start point) */
    int shared_clock;              /* in a lockstep block: seconds shared out at its end */
} loop_ctx;

/* The loss at x_t and, when known, the gradient norm there. */
typedef struct point {
    double f, gn;
    int gn_known;
} point;

/* Seconds on the monotonic clock. */
static inline double gd_loop_now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Appends the record of x_t (loss, gradient norm, rate, minibatch loss, path) to h. */
static inline void record(gd_history *h, const double *x, size_t n, long t,
                          const point *at, double lr, double batch_loss)
{
    size_t i = h->count++;
    h->iteration[i] = t;
    h->loss[i] = at->f;
    h->grad_norm[i] = at->gn;
    h->lr[i] = lr;
    h->batch_loss[i] = batch_loss;
    if (h->path_dim)
        gd_copy_values(h->path + i * h->path_dim, x, n);
}

/* The stop test: a gd_status when the run ends at x_t, or 2 to go on. The gradient norm
 * is known whenever grad_tol is on. */
static inline int stop_reason(const loop_ctx *c, long t, const point *at)
{
    const gd_run_control *k = &c->d->control;
    double f = at->f;
    if (!isfinite(f) || (at->gn_known && !isfinite(at->gn)) || f > c->diverged_above)
        return GD_STATUS_DIVERGED;
    double progress = c->p->has_optimum ? f - c->p->f_opt : f;
    if ((k->grad_tol > 0 && at->gn <= k->grad_tol) || progress <= k->loss_tol)
        return GD_STATUS_CONVERGED;
    if (t >= k->iterations)
        return GD_STATUS_MAX_ITER;
    if (gd_interrupt_abandon())
        return GD_STATUS_ABANDONED;
    return 2;
}

/* Marks the targets x_t reaches (gap_t at or below their level) as reached at t. */
static inline void targets_check(loop_ctx *c, long t, double f)
{
    gd_run_result *r = c->r;
    double gap = f - c->p->f_opt, now = NAN;
    for (size_t k = c->next_target; k < GD_TARGETS && gap <= c->target_gap[k]; k++) {
        if (isnan(now) && !c->shared_clock)
            now = gd_loop_now_seconds() - c->t0;
        r->steps_to[k] = t;
        r->grad_evals_to[k] = r->grad_evals;
        r->seconds_to[k] = now;
        c->next_target = k + 1;
    }
}

/* The run's start point, loss f0: the initial and best loss, the divergence level and
 * the targets. */
void gd_loop_begin_at(loop_ctx *c, double f0);

/* The run ends at x_t (t iterations) with status: its result's final fields. */
void gd_loop_finish(loop_ctx *c, long t, int status, const point *at);

#endif
