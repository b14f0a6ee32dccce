/* run.c - the iteration loop of one run: evaluate, record, test, step (see gdsweep/run.h).
 *
 * Element-wise work over large vectors (the optimizer step, the NAG look-ahead, the
 * gradient norm: norm.c) is split into fixed GD_BLOCK-sized blocks for OpenMP; the norm sums
 * per-block partials in block order, so the result does not depend on the thread count.
 * Blocks are disjoint, so the parallel loops have no race. */
#include "gdsweep/run.h"

#include "gdsweep/interrupt.h"
#include "gdsweep/minibatch.h"
#include "gdsweep/norm.h"
#include "gdsweep/small_copy.h"
#include "gdsweep/step_call.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include <omp.h>

const char *gd_status_name(int status)
{
    switch (status) {
    case GD_STATUS_CONVERGED: return "converged";
    case GD_STATUS_DIVERGED: return "diverged";
    case GD_STATUS_ABANDONED: return "abandoned";
    case GD_STATUS_PRUNED: return "pruned";
    default: return "max_iter";
    }
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Applies the step s to x[0, n), in fixed blocks over threads when n is large. */
static void blocked_step(const gd_step_call *s, size_t n, double *x, const double *g)
{
    if (n < GD_PARALLEL_MIN) {
        gd_step_apply(s, x, g, 0, n);
        return;
    }
    size_t nb = gd_block_count(n);
#pragma omp parallel for schedule(static)
    for (size_t b = 0; b < nb; b++)
        gd_step_apply(s, x, g, b * GD_BLOCK, gd_block_len(n, b));
}

static void blocked_lookahead(const gd_optimizer_type *o, const double *hp, size_t n,
                              size_t stride, const double *x, const double *state, double *xe)
{
    if (n < GD_PARALLEL_MIN) {
        o->lookahead(hp, n, stride, x, state, xe);
        return;
    }
    size_t nb = gd_block_count(n);
#pragma omp parallel for schedule(static)
    for (size_t b = 0; b < nb; b++) {
        size_t off = b * GD_BLOCK;
        o->lookahead(hp, gd_block_len(n, b), stride, x + off, state + off, xe + off);
    }
}

/* What one run needs at hand inside the loop. */
typedef struct loop_ctx {
    const gd_problem *p;
    const gd_run_desc *d;
    const gd_optimizer_type *opt;
    gd_workspace *ws;
    gd_run_result *r;
    long record_every;
    double t0;                     /* the run's start, now_seconds() */
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

/* Evaluation counters: the optimizer's own, or the monitoring ones. */
typedef struct counters {
    long *loss, *grad;
} counters;

static counters own_cost(const loop_ctx *c)
{
    return (counters){&c->r->loss_evals, &c->r->grad_evals};
}

static counters monitoring(const loop_ctx *c)
{
    return (counters){&c->r->monitor_loss_evals, &c->r->monitor_grad_evals};
}

/* Gradient at `at` into g, counted in n; returns the loss at `at`. */
static double loss_and_gradient(loop_ctx *c, const double *at, double *g, counters n)
{
    const gd_run_control *k = &c->d->control;
    (*n.grad)++;
    if (k->numeric_gradient) {
        *n.loss += 2 * (long)c->p->n + 1;
        return gd_numeric_loss_grad(c->p, at, k->epsilon, g, c->ws->work);
    }
    (*n.loss)++;
    return c->p->type->loss_grad(c->p, at, g);
}

/* Whether iteration t needs the gradient norm at x_t: a record or a grad_tol test. */
static int needs_grad_norm(const loop_ctx *c, long t)
{
    return c->d->control.grad_tol > 0 || t % c->record_every == 0;
}

/* Loss and gradient norm at x_t as a monitoring evaluation, for an optimizer whose own
 * gradient is taken elsewhere: its gradient goes to ws->x_eval, which the look-ahead no
 * longer needs once its gradient is in ws->g. */
static void monitor_at_x(loop_ctx *c, point *at)
{
    gd_workspace *ws = c->ws;
    at->f = loss_and_gradient(c, ws->x, ws->x_eval, monitoring(c));
    at->gn = gd_blocked_norm(ws->x_eval, c->p->n, ws->partial);
    at->gn_known = 1;
}

/* x_t's loss (and gradient norm where iteration t needs it) into *at, and the gradient
 * the optimizer asks for (at its look-ahead point if any) in ws->g. The point is written
 * in place, not returned: a returned struct went through memory and its reload stalled
 * (a tiny run's iteration paid that every step). */
static void evaluate(loop_ctx *c, long t, point *at)
{
    gd_workspace *ws = c->ws;
    size_t n = c->p->n;
    at->gn_known = 1;
    if (!c->opt->lookahead) {
        at->f = loss_and_gradient(c, ws->x, ws->g, own_cost(c));
        at->gn = gd_blocked_norm(ws->g, n, ws->partial);
        return;
    }
    blocked_lookahead(c->opt, c->d->optimizer_params, n, ws->n_cap, ws->x, ws->state,
                      ws->x_eval);
    loss_and_gradient(c, ws->x_eval, ws->g, own_cost(c));
    if (needs_grad_norm(c, t)) {
        monitor_at_x(c, at);
    } else {
        at->f = c->p->type->loss(c->p, ws->x);
        at->gn = NAN;
        c->r->monitor_loss_evals++;
        at->gn_known = 0;
    }
}

/* Whether a box [lower, upper] bounds the coordinates. */
static int has_box(const loop_ctx *c)
{
    return c->d->control.lower > -INFINITY || c->d->control.upper < INFINITY;
}

/* Projects x on the box (nothing without one). */
static void project(const loop_ctx *c, double *x)
{
    if (!c->box)
        return;
    double lo = c->d->control.lower, hi = c->d->control.upper;
    for (size_t i = 0; i < c->p->n; i++)
        x[i] = fmin(fmax(x[i], lo), hi);
}

/* Whether the problem steps and evaluates in one pass (its step_loss_grad): not for a
 * look-ahead optimizer (its gradient is taken elsewhere than x), numeric gradients nor a
 * box (the projection comes between the step and the evaluation). */
static int fused(const loop_ctx *c)
{
    return c->p->type->step_loss_grad && !c->opt->lookahead &&
           !c->d->control.numeric_gradient && !has_box(c);
}

/* The fused pass: the step (none when NULL, at the start point), then loss and gradient at
 * the new x. */
static void fused_evaluate(loop_ctx *c, const gd_step_call *step, point *at)
{
    double sq;
    c->r->grad_evals++;
    c->r->loss_evals++;
    at->f = c->p->type->step_loss_grad(c->p, step, c->ws->x, c->ws->g, &sq);
    at->gn = sqrt(sq);
    at->gn_known = 1;
}

/* Loss and gradient at the start point. */
static void first_evaluate(loop_ctx *c, point *at)
{
    if (c->fused)
        fused_evaluate(c, NULL, at);
    else
        evaluate(c, 0, at);
}

/* The optimizer's step from x_t with rate lr (its constants prepared into c->consts). */
static gd_step_call prepare_step(loop_ctx *c, double lr, long t)
{
    const double *hp = c->d->optimizer_params;
    gd_optimizer_prepare(c->opt, hp, t + 1, &c->consts);
    return (gd_step_call){c->opt, hp, lr, t + 1, c->ws->n_cap, c->ws->state, &c->consts};
}

/* Steps x_t to x_{t+1} with the gradient in ws->g, projected on the box. */
static void step_projected(loop_ctx *c, const gd_step_call *call)
{
    blocked_step(call, c->p->n, c->ws->x, c->ws->g);
    project(c, c->ws->x);
}

/* Steps from x_t to x_{t+1} with rate lr and evaluates there. */
static void step_and_evaluate(loop_ctx *c, double lr, long t, point *at)
{
    gd_step_call call = prepare_step(c, lr, t);
    if (c->fused) {
        fused_evaluate(c, &call, at);
        return;
    }
    step_projected(c, &call);
    evaluate(c, t + 1, at);
}

/* Adds the gradient noise of iteration t to ws->g (after its norm was taken: records
 * and stop tests see the noise-free objective). */
static void add_noise(const loop_ctx *c, long t)
{
    if (c->noise)
        gd_grad_noise_add(c->d->key, (uint64_t)t, c->d->control.grad_noise, c->ws->g, c->p->n);
}

static void record(gd_history *h, const double *x, size_t n, long t, const point *at,
                   double lr, double batch_loss)
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
static int stop_reason(const loop_ctx *c, long t, const point *at)
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

/* The gap levels of the targets, from the gap at the start point; none when the optimum
 * is unknown (every target stays unreached, -1). */
static void targets_start(loop_ctx *c, double f0)
{
    gd_run_result *r = c->r;
    double gap0 = f0 - c->p->f_opt;
    for (size_t k = 0; k < GD_TARGETS; k++) {
        r->steps_to[k] = r->grad_evals_to[k] = -1;
        r->seconds_to[k] = NAN;
        c->target_gap[k] = gd_target_fraction(k) * (gap0 > 0 ? gap0 : 0);
    }
    c->next_target = c->p->has_optimum && !isnan(gap0) ? 0 : GD_TARGETS;
}

/* Marks the targets x_t reaches (gap_t at or below their level) as reached at t. */
static void targets_check(loop_ctx *c, long t, double f)
{
    gd_run_result *r = c->r;
    double gap = f - c->p->f_opt, now = NAN;
    for (size_t k = c->next_target; k < GD_TARGETS && gap <= c->target_gap[k]; k++) {
        if (isnan(now) && !c->shared_clock)
            now = now_seconds() - c->t0;
        r->steps_to[k] = t;
        r->grad_evals_to[k] = r->grad_evals;
        r->seconds_to[k] = now;
        c->next_target = k + 1;
    }
}

/* The run's start point, loss f0: the initial and best loss, the divergence level and
 * the targets. */
static void begin_at(loop_ctx *c, double f0)
{
    c->r->loss_initial = c->r->loss_best = f0;
    c->diverged_above = f0 + c->d->control.divergence * (fabs(f0) + 1.0);
    targets_start(c, f0);
}

static void start(loop_ctx *c, gd_history *h)
{
    size_t n = c->p->n;
    memcpy(c->ws->x, c->p->x0, n * sizeof *c->ws->x);
    project(c, c->ws->x);
    size_t vectors = c->opt->state_vectors;
    for (size_t k = 0; k < vectors; k++)
        memset(c->ws->state + k * c->ws->n_cap, 0, n * sizeof *c->ws->state);
    memset(c->r, 0, sizeof *c->r);
    h->count = 0;
    h->path_dim = n <= GD_PATH_MAX_DIM ? n : 0;
}

/* samples_seen and epochs: a full batch reads every sample per gradient evaluation. */
static void count_samples(loop_ctx *c)
{
    gd_run_result *r = c->r;
    size_t samples = c->p->type->samples ? c->p->type->samples(c->p) : 0;
    if (!c->sampler)
        r->samples_seen = r->grad_evals * (long)samples;
    r->epochs = samples ? (double)r->samples_seen / (double)samples : NAN;
}

static void finish(loop_ctx *c, long t, int status, const point *at)
{
    gd_run_result *r = c->r;
    count_samples(c);
    r->status = status;
    r->iterations = t;
    r->loss_final = at->f;
    r->grad_norm_final = at->gn;
    r->gap = c->p->has_optimum ? at->f - c->p->f_opt : NAN;
    r->metric = c->p->type->metric ? c->p->type->metric(c->p, c->ws->x) : NAN;
    r->threads = omp_get_max_threads();
}

double gd_target_fraction(size_t k)
{
    static const double fraction[GD_TARGETS] = {1e-1, 1e-2, 1e-3, 1e-4,
                                                1e-5, 1e-6, 1e-7, 1e-8};
    return fraction[k];
}

/* The full-batch loop: the optimizer's gradient is the objective's, every iteration
 * evaluated and tested. */
static void run_full_batch(loop_ctx *c, gd_history *h)
{
    const gd_run_desc *d = c->d;
    gd_run_result *r = c->r;
    double lr0 = d->optimizer_params[0];
    long T = d->control.iterations;
    point at;
    first_evaluate(c, &at);
    add_noise(c, 0);
    begin_at(c, at.f);
    for (long t = 0;; t++) {
        if (at.f < r->loss_best)
            r->loss_best = at.f;
        targets_check(c, t, at.f);
        int status = stop_reason(c, t, &at);
        if (status != 2) {
            if (!at.gn_known) { /* the loss stays the one the stop test judged */
                double f = at.f;
                monitor_at_x(c, &at);
                at.f = f;
            }
            record(h, c->ws->x, c->p->n, t, &at, NAN, NAN);
            finish(c, t, status, &at);
            break;
        }
        double lr = d->schedule->rate(d->schedule_params, lr0, t, T);
        if (t % c->record_every == 0)
            record(h, c->ws->x, c->p->n, t, &at, lr, NAN);
        step_and_evaluate(c, lr, t, &at);
        add_noise(c, t + 1);
    }
}

/* ---- stochastic runs: minibatches or an online loss ------------------------------------ */

/* The gradient the step from x_t uses, into ws->g: over minibatch B_t (or of the online
 * loss f_{t+1}) at x_t or the optimizer's look-ahead point, counted as the optimizer's
 * own evaluation, noise added; returns that loss. */
static double stochastic_gradient(loop_ctx *c, long t)
{
    gd_workspace *ws = c->ws;
    const gd_problem *p = c->p;
    const double *at = ws->x;
    if (c->opt->lookahead) {
        blocked_lookahead(c->opt, c->d->optimizer_params, p->n, ws->n_cap, ws->x, ws->state,
                          ws->x_eval);
        at = ws->x_eval;
    }
    c->r->loss_evals++;
    c->r->grad_evals++;
    double f;
    if (c->sampler) {
        size_t m = gd_sampler_rows(c->sampler, (uint64_t)t);
        c->r->samples_seen += (long)m;
        f = p->type->batch_loss_grad(p, at, c->sampler->rows, m, ws->g);
    } else {
        f = p->type->online_loss_grad(p, at, (uint64_t)t + 1, ws->g);
    }
    add_noise(c, t);
    return f;
}

/* The stop test of iteration t: at a record point (and at the budget's end) on the full
 * objective, evaluated there as monitoring; elsewhere only an interrupt stops. */
static int stochastic_stop(loop_ctx *c, long t, point *at)
{
    if (t % c->record_every != 0 && t < c->d->control.iterations)
        return gd_interrupt_abandon() ? GD_STATUS_ABANDONED : 2;
    if (t > 0)
        monitor_at_x(c, at);
    if (at->f < c->r->loss_best)
        c->r->loss_best = at->f;
    targets_check(c, t, at->f);
    return stop_reason(c, t, at);
}

/* The stochastic loop: the optimizer's gradient is a minibatch's or an online loss's;
 * the full objective, its gradient norm, the targets and the stop tests are looked at
 * record points only (docs/GRID.md, "Stochastic runs"). The record at t keeps the mean of
 * the minibatch losses of the iterations since the previous record, t included: every
 * iteration's loss counts at no cost. */
static void run_stochastic(loop_ctx *c, gd_history *h)
{
    const gd_run_desc *d = c->d;
    double lr0 = d->optimizer_params[0];
    long T = d->control.iterations;
    point at = {NAN, NAN, 1};
    double window = 0; /* sum of the minibatch losses since the last record */
    long in_window = 0;
    monitor_at_x(c, &at);
    begin_at(c, at.f);
    for (long t = 0;; t++) {
        int status = stochastic_stop(c, t, &at);
        if (status != 2) {
            record(h, c->ws->x, c->p->n, t, &at, NAN, NAN);
            finish(c, t, status, &at);
            break;
        }
        double lr = d->schedule->rate(d->schedule_params, lr0, t, T);
        window += stochastic_gradient(c, t);
        in_window++;
        if (t % c->record_every == 0) {
            record(h, c->ws->x, c->p->n, t, &at, lr, window / (double)in_window);
            window = 0;
            in_window = 0;
        }
        gd_step_call call = prepare_step(c, lr, t);
        step_projected(c, &call);
    }
}

void gd_run_execute(const gd_problem *p, const gd_optimizer_type *opt, const gd_run_desc *d,
                    long record_every, gd_workspace *ws, gd_history *h, gd_run_result *r)
{
    loop_ctx c = {.p = p, .d = d, .opt = opt, .ws = ws, .r = r, .record_every = record_every,
                  .t0 = now_seconds()};
    gd_sampler sampler;
    size_t m = gd_run_batch_size(p, &d->control);
    if (m) {
        gd_sampler_init(&sampler, d->key, p->type->samples(p), m, d->control.sampling,
                        ws->rows);
        c.sampler = &sampler;
    }
    c.box = has_box(&c);
    c.fused = fused(&c);
    c.noise = d->control.grad_noise != 0;
    start(&c, h);
    if (c.sampler || p->type->online_loss_grad)
        run_stochastic(&c, h);
    else
        run_full_batch(&c, h);
    r->wall_seconds = now_seconds() - c.t0;
}

/* ---- many runs in lockstep (run.h) ------------------------------------------------------ */

int gd_run_lanes_fit(const gd_problem *p, const gd_optimizer_type *opt,
                     const gd_run_control *k)
{
    return p->type->loss_points && p->type->loss_grad_points && p->n <= GD_LANES_MAX_DIM &&
           !opt->lookahead && !p->type->online_loss_grad && gd_run_batch_size(p, k) == 0 &&
           k->lower == -INFINITY && k->upper == INFINITY && k->grad_noise == 0 &&
           (!p->type->step_loss_grad || k->numeric_gradient); /* alone: the fused pass */
}

/* A block of runs in lockstep: each run's loop context, its view of the block's vectors
 * (x and g at j n) and its point, and which still go. */
typedef struct lanes_block {
    const gd_problem *p;
    gd_lane *lanes;
    size_t m;
    gd_workspace *ws;                /* the block's vectors, m n values each */
    loop_ctx c[GD_LANES_MAX];
    gd_workspace view[GD_LANES_MAX];
    point at[GD_LANES_MAX];
    unsigned char going[GD_LANES_MAX];
    size_t left;
    gd_step_consts consts; /* the optimizer's constants, kept from step to step (zeroed) */
} lanes_block;

/* The loss and central differences at every run's x into f and the block's g: the
 * operations of gd_numeric_loss_grad, point by point the same bits. */
static void numeric_points(const lanes_block *k, double eps, double *f)
{
    const gd_problem *p = k->p;
    size_t n = p->n, m = k->m;
    const double *x = k->ws->x;
    double *work = k->ws->work, *g = k->ws->g;
    double fp[GD_LANES_MAX], fm[GD_LANES_MAX];
    memcpy(work, x, m * n * sizeof *work);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < m; j++)
            work[j * n + i] = x[j * n + i] + eps;
        p->type->loss_points(p, m, work, fp);
        for (size_t j = 0; j < m; j++)
            work[j * n + i] = x[j * n + i] - eps;
        p->type->loss_points(p, m, work, fm);
        for (size_t j = 0; j < m; j++) {
            work[j * n + i] = x[j * n + i];
            g[j * n + i] = (fp[j] - fm[j]) / (2 * eps);
        }
    }
    p->type->loss_points(p, m, x, f);
}

/* Loss and gradient at every run's x (evaluate's, one call for the block), counted for
 * the runs that go, into their points. */
static void evaluate_points(lanes_block *k)
{
    const gd_run_control *ctl = &k->lanes[0].d->control;
    size_t n = k->p->n;
    double f[GD_LANES_MAX];
    long loss_evals = 1;
    if (ctl->numeric_gradient) {
        numeric_points(k, ctl->epsilon, f);
        loss_evals = 2 * (long)n + 1;
    } else {
        k->p->type->loss_grad_points(k->p, k->m, k->ws->x, k->ws->g, f);
    }
    for (size_t j = 0; j < k->m; j++) {
        if (!k->going[j])
            continue;
        k->c[j].r->grad_evals++;
        k->c[j].r->loss_evals += loss_evals;
        k->at[j] = (point){f[j], gd_blocked_norm(k->ws->g + j * n, n, k->ws->partial), 1};
    }
}

/* Each run's start (start's, for its slice of the block), the state of all zeroed. */
static void lanes_start(lanes_block *k, const gd_optimizer_type *opt, long record_every,
                        double t0)
{
    size_t n = k->p->n;
    gd_workspace *ws = k->ws;
    for (size_t v = 0; v < opt->state_vectors; v++)
        memset(ws->state + v * ws->n_cap, 0, k->m * n * sizeof *ws->state);
    for (size_t j = 0; j < k->m; j++) {
        gd_lane *l = &k->lanes[j];
        k->view[j] = (gd_workspace){.n_cap = n, .x = ws->x + j * n, .g = ws->g + j * n,
                                    .partial = ws->partial};
        k->c[j] = (loop_ctx){.p = k->p, .d = l->d, .opt = opt, .ws = &k->view[j], .r = l->r,
                             .record_every = record_every, .t0 = t0, .shared_clock = 1};
        memcpy(k->view[j].x, l->x0, n * sizeof *l->x0);
        memset(l->r, 0, sizeof *l->r);
        l->h->count = 0;
        l->h->path_dim = n <= GD_PATH_MAX_DIM ? n : 0;
        k->going[j] = 1;
    }
    k->left = k->m;
}

/* Iteration t of run j up to its step (run_full_batch's): best loss, targets, stop tests,
 * the record; a run that ends at x_t is finished, its x kept, and leaves the block. */
static void lane_iteration(lanes_block *k, size_t j, long t, double lr)
{
    loop_ctx *c = &k->c[j];
    gd_lane *l = &k->lanes[j];
    point *at = &k->at[j];
    if (at->f < c->r->loss_best)
        c->r->loss_best = at->f;
    targets_check(c, t, at->f);
    int status = stop_reason(c, t, at);
    if (status == 2) {
        if (t % c->record_every == 0)
            record(l->h, c->ws->x, c->p->n, t, at, lr, NAN);
        return;
    }
    record(l->h, c->ws->x, c->p->n, t, at, NAN, NAN);
    finish(c, t, status, at);
    memcpy(l->x_final, c->ws->x, c->p->n * sizeof *l->x_final);
    k->going[j] = 0;
    k->left--;
}

/* The optimizer's step from every run's x_t with rate lr (prepare_step's, once for the
 * block: the runs share their settings). */
static void step_block(lanes_block *k, const gd_optimizer_type *opt, double lr, long t)
{
    const double *hp = k->lanes[0].d->optimizer_params;
    gd_optimizer_prepare(opt, hp, t + 1, &k->consts);
    gd_step_call call = {opt, hp, lr, t + 1, k->ws->n_cap, k->ws->state, &k->consts};
    gd_step_apply(&call, k->ws->x, k->ws->g, 0, k->m * k->p->n);
}

/* The block's wall seconds shared among its runs by their gradient evaluations (the runs
 * pay the same per evaluation), and each target's seconds by the evaluations up to it. */
static void share_seconds(gd_lane lanes[], size_t m, double seconds)
{
    double evals = 0;
    for (size_t j = 0; j < m; j++)
        evals += (double)lanes[j].r->grad_evals;
    double per_eval = evals > 0 ? seconds / evals : 0;
    for (size_t j = 0; j < m; j++) {
        gd_run_result *r = lanes[j].r;
        r->wall_seconds = per_eval * (double)r->grad_evals;
        for (size_t k = 0; k < GD_TARGETS; k++)
            if (r->grad_evals_to[k] >= 0)
                r->seconds_to[k] = per_eval * (double)r->grad_evals_to[k];
    }
}

void gd_run_execute_lanes(const gd_problem *p, const gd_optimizer_type *opt, long record_every,
                          gd_lane lanes[], size_t m, gd_workspace *ws)
{
    lanes_block k = {.p = p, .lanes = lanes, .m = m, .ws = ws};
    const gd_run_desc *d = lanes[0].d;
    double t0 = now_seconds();
    lanes_start(&k, opt, record_every, t0);
    evaluate_points(&k);
    for (size_t j = 0; j < m; j++)
        begin_at(&k.c[j], k.at[j].f);
    for (long t = 0; k.left > 0; t++) {
        long T = d->control.iterations; /* a run still going at t has t < T */
        double lr = t < T ? d->schedule->rate(d->schedule_params, d->optimizer_params[0], t, T)
                          : NAN;
        for (size_t j = 0; j < m; j++)
            if (k.going[j])
                lane_iteration(&k, j, t, lr);
        if (k.left > 0) {
            step_block(&k, opt, lr, t);
            evaluate_points(&k);
        }
    }
    share_seconds(lanes, m, now_seconds() - t0);
}
