/* run.c - the iteration loop of one run: evaluate, record, test, step (see gdsweep/run.h).
 *
 * Element-wise work over large vectors (the optimizer step, the NAG look-ahead, the
 * gradient norm: norm.c) is split into fixed GD_BLOCK-sized blocks for OpenMP; the norm sums
 * per-block partials in block order, so the result does not depend on the thread count.
 * Blocks are disjoint, so the parallel loops have no race. */
#include "run_loop.h"

#include "gdsweep/norm.h"

#include <math.h>
#include <string.h>

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

/* The run's start point, loss f0: the initial and best loss, the divergence level and
 * the targets. */
void gd_loop_begin_at(loop_ctx *c, double f0)
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

void gd_loop_finish(loop_ctx *c, long t, int status, const point *at)
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
    gd_loop_begin_at(c, at.f);
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
            gd_loop_finish(c, t, status, &at);
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
    gd_loop_begin_at(c, at.f);
    for (long t = 0;; t++) {
        int status = stochastic_stop(c, t, &at);
        if (status != 2) {
            record(h, c->ws->x, c->p->n, t, &at, NAN, NAN);
            gd_loop_finish(c, t, status, &at);
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
                  .t0 = gd_loop_now_seconds()};
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
    r->wall_seconds = gd_loop_now_seconds() - c.t0;
}
