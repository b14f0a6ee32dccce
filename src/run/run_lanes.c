/* run_lanes.c - runs in lockstep blocks: runs that differ only in their start point
 * advance together, the block's loss and gradient in one call and the optimizer's step
 * once over the block, each run's bookkeeping its own (see gdsweep/run.h). */
#include "run_loop.h"

#include "gdsweep/norm.h"

#include <string.h>

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
    gd_loop_finish(c, t, status, at);
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
    double t0 = gd_loop_now_seconds();
    lanes_start(&k, opt, record_every, t0);
    evaluate_points(&k);
    for (size_t j = 0; j < m; j++)
        gd_loop_begin_at(&k.c[j], k.at[j].f);
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
    share_seconds(lanes, m, gd_loop_now_seconds() - t0);
}
