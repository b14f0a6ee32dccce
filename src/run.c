/* run.c - the iteration loop of one run: evaluate, record, test, step (see gdsweep/run.h).
 *
 * Element-wise work over large vectors (the optimizer step, the NAG look-ahead, the
 * gradient norm) is split into fixed GD_BLOCK-sized blocks for OpenMP; the norm sums
 * per-block partials in block order, so the result does not depend on the thread count.
 * Blocks are disjoint, so the parallel loops have no race. */
#include "gdsweep/run.h"

#include "gdsweep/interrupt.h"
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
    default: return "max_iter";
    }
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static size_t block_count(size_t n) { return (n + GD_BLOCK - 1) / GD_BLOCK; }

static size_t block_len(size_t n, size_t b)
{
    size_t off = b * GD_BLOCK;
    return n - off < GD_BLOCK ? n - off : GD_BLOCK;
}

/* Four interleaved partial sums (lane i % 4), added in a fixed order: the result
 * depends on n and v only, and the four add chains run in parallel. */
static double sum_squares(const double *v, size_t n)
{
    double s[4] = {0.0, 0.0, 0.0, 0.0};
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (size_t k = 0; k < 4; k++)
            s[k] += v[i + k] * v[i + k];
    for (size_t k = 0; i < n; i++, k++)
        s[k] += v[i] * v[i];
    return (s[0] + s[1]) + (s[2] + s[3]);
}

/* Euclidean norm summed in fixed blocks: identical for any thread count. */
static double blocked_norm(const double *g, size_t n, double *partial)
{
    if (n < GD_PARALLEL_MIN)
        return sqrt(sum_squares(g, n));
    size_t nb = block_count(n);
#pragma omp parallel for schedule(static)
    for (size_t b = 0; b < nb; b++)
        partial[b] = sum_squares(g + b * GD_BLOCK, block_len(n, b));
    double s = 0.0;
    for (size_t b = 0; b < nb; b++)
        s += partial[b];
    return sqrt(s);
}

static void blocked_step(const gd_optimizer_type *o, const double *hp, double lr, long t,
                         size_t n, size_t stride, double *x, const double *g, double *state)
{
    if (n < GD_PARALLEL_MIN) {
        o->step(hp, lr, t, n, stride, x, g, state);
        return;
    }
    size_t nb = block_count(n);
#pragma omp parallel for schedule(static)
    for (size_t b = 0; b < nb; b++) {
        size_t off = b * GD_BLOCK;
        o->step(hp, lr, t, block_len(n, b), stride, x + off, g + off, state + off);
    }
}

static void blocked_lookahead(const gd_optimizer_type *o, const double *hp, size_t n,
                              size_t stride, const double *x, const double *state, double *xe)
{
    if (n < GD_PARALLEL_MIN) {
        o->lookahead(hp, n, stride, x, state, xe);
        return;
    }
    size_t nb = block_count(n);
#pragma omp parallel for schedule(static)
    for (size_t b = 0; b < nb; b++) {
        size_t off = b * GD_BLOCK;
        o->lookahead(hp, block_len(n, b), stride, x + off, state + off, xe + off);
    }
}

/* What one run needs at hand inside the loop. */
typedef struct loop_ctx {
    const gd_problem *p;
    const gd_run_desc *d;
    const gd_optimizer_type *opt;
    gd_workspace *ws;
    gd_run_result *r;
} loop_ctx;

/* Gradient at `at` into ws->g; returns the loss at `at`. */
static double loss_and_gradient(loop_ctx *c, const double *at)
{
    const gd_run_control *k = &c->d->control;
    c->r->grad_evals++;
    if (k->numeric_gradient) {
        c->r->loss_evals += 2 * (long)c->p->n + 1;
        return gd_numeric_loss_grad(c->p, at, k->epsilon, c->ws->g, c->ws->work);
    }
    c->r->loss_evals++;
    return c->p->type->loss_grad(c->p, at, c->ws->g);
}

/* Loss at x and the gradient the optimizer asks for (at its look-ahead point if any). */
static double evaluate(loop_ctx *c, double *grad_norm)
{
    gd_workspace *ws = c->ws;
    size_t n = c->p->n;
    double f;
    if (c->opt->lookahead) {
        blocked_lookahead(c->opt, c->d->optimizer_params, n, ws->n_cap, ws->x, ws->state,
                          ws->x_eval);
        loss_and_gradient(c, ws->x_eval);
        f = c->p->type->loss(c->p, ws->x);
        c->r->loss_evals++;
    } else {
        f = loss_and_gradient(c, ws->x);
    }
    *grad_norm = blocked_norm(ws->g, n, ws->partial);
    return f;
}

/* Whether the problem steps and evaluates in one pass (its step_loss_grad): not for a
 * look-ahead optimizer (its gradient is taken elsewhere than x) nor numeric gradients. */
static int fused(const loop_ctx *c)
{
    return c->p->type->step_loss_grad && !c->opt->lookahead &&
           !c->d->control.numeric_gradient;
}

/* The fused pass: the step (none when NULL, at the start point), then loss and gradient at
 * the new x. */
static double fused_evaluate(loop_ctx *c, const gd_step_call *step, double *grad_norm)
{
    double sq;
    c->r->grad_evals++;
    c->r->loss_evals++;
    double f = c->p->type->step_loss_grad(c->p, step, c->ws->x, c->ws->g, &sq);
    *grad_norm = sqrt(sq);
    return f;
}

/* Loss and gradient at the start point. */
static double first_evaluate(loop_ctx *c, double *grad_norm)
{
    return fused(c) ? fused_evaluate(c, NULL, grad_norm) : evaluate(c, grad_norm);
}

/* Steps to x_{t+1} with rate lr and evaluates there. */
static double step_and_evaluate(loop_ctx *c, double lr, long t, double *grad_norm)
{
    gd_workspace *ws = c->ws;
    if (fused(c)) {
        gd_step_call call = {c->opt, c->d->optimizer_params, lr, t + 1, ws->n_cap, ws->state};
        return fused_evaluate(c, &call, grad_norm);
    }
    blocked_step(c->opt, c->d->optimizer_params, lr, t + 1, c->p->n, ws->n_cap, ws->x, ws->g,
                 ws->state);
    return evaluate(c, grad_norm);
}

static void record(gd_history *h, const double *x, size_t n, long t, double f, double gn,
                   double lr)
{
    size_t i = h->count++;
    h->iteration[i] = t;
    h->loss[i] = f;
    h->grad_norm[i] = gn;
    h->lr[i] = lr;
    if (h->path_dim)
        memcpy(h->path + i * h->path_dim, x, n * sizeof *x);
}

/* The stop test: a gd_status when the run ends at this point, or 2 to go on. */
static int stop_reason(const loop_ctx *c, long t, double f, double gn)
{
    const gd_run_control *k = &c->d->control;
    double f0 = c->r->loss_initial;
    if (!isfinite(f) || !isfinite(gn) || f > f0 + k->divergence * (fabs(f0) + 1.0))
        return GD_STATUS_DIVERGED;
    double progress = c->p->has_optimum ? f - c->p->f_opt : f;
    if ((k->grad_tol > 0 && gn <= k->grad_tol) || progress <= k->loss_tol)
        return GD_STATUS_CONVERGED;
    if (t >= k->iterations)
        return GD_STATUS_MAX_ITER;
    if (gd_interrupt_abandon())
        return GD_STATUS_ABANDONED;
    return 2;
}

static void start(loop_ctx *c, gd_history *h)
{
    size_t n = c->p->n;
    memcpy(c->ws->x, c->p->x0, n * sizeof *c->ws->x);
    size_t vectors = c->opt->state_vectors;
    for (size_t k = 0; k < vectors; k++)
        memset(c->ws->state + k * c->ws->n_cap, 0, n * sizeof *c->ws->state);
    memset(c->r, 0, sizeof *c->r);
    h->count = 0;
    h->path_dim = n <= GD_PATH_MAX_DIM ? n : 0;
}

static void finish(loop_ctx *c, long t, int status, double f, double gn)
{
    gd_run_result *r = c->r;
    r->status = status;
    r->iterations = t;
    r->loss_final = f;
    r->grad_norm_final = gn;
    r->gap = c->p->has_optimum ? f - c->p->f_opt : NAN;
    r->metric = c->p->type->metric ? c->p->type->metric(c->p, c->ws->x) : NAN;
    r->threads = omp_get_max_threads();
}

void gd_run_execute(const gd_problem *p, const gd_optimizer_type *opt, const gd_run_desc *d,
                    long record_every, gd_workspace *ws, gd_history *h, gd_run_result *r)
{
    loop_ctx c = {p, d, opt, ws, r};
    double t0 = now_seconds(), lr0 = d->optimizer_params[0];
    long T = d->control.iterations;
    start(&c, h);
    double gn, f = first_evaluate(&c, &gn);
    r->loss_initial = r->loss_best = f;
    for (long t = 0;; t++) {
        if (f < r->loss_best)
            r->loss_best = f;
        int status = stop_reason(&c, t, f, gn);
        if (status != 2) {
            record(h, ws->x, p->n, t, f, gn, NAN);
            finish(&c, t, status, f, gn);
            break;
        }
        double lr = d->schedule->rate(d->schedule_params, lr0, t, T);
        if (t % record_every == 0)
            record(h, ws->x, p->n, t, f, gn, lr);
        f = step_and_evaluate(&c, lr, t, &gn);
    }
    r->wall_seconds = now_seconds() - t0;
}
