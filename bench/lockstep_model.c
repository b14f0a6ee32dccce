/* lockstep_model.c - what a loop advancing many quadratic runs in lockstep would cost: a model, checked bit for bit.
 *
 * Usage: lockstep_model GRID [LANES=64]. GRID: quadratic runs with numeric gradient, the
 * constant schedule and full batch (bench/tiny_runs.ini with `gradient = numeric`). Runs
 * that differ only in their start point (x0) share the objective and the optimizer's
 * settings, so a block of LANES of them can advance together: their x side by side in
 * one vector, the loss and the central-difference gradient evaluated for the whole block
 * in one pass, and the optimizer's own step function (the registry's, unchanged: every
 * step is element-wise) applied once to the block with n = LANES. Each run keeps its own
 * bookkeeping: records, best loss, targets and the stop tests, tested for all lanes in one
 * pass, the rare lane that meets a target or a test handled apart. Prints the thread's
 * CPU ns per run-iteration of that loop per optimizer, next to gd_run_execute's over the
 * same runs, and checks that both give the same bits (every recorded loss, gradient norm
 * and x, the best loss and the steps to each target of every run). Not gdsweep's loop:
 * the measured basis of the lockstep design in docs/BENCHMARKS.md (4b, stop 30). A lane
 * that stops early is left to gd_run_execute (counted as differing: the tiny grid's runs
 * all reach their budget), and only the constant schedule is modelled; runs beyond 64
 * buckets are left out. Blocks of 16-64 lanes keep each lane's records in cache (4,096
 * lanes spread them over 3 MB a series and ran at 30 ns per run-iteration). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gdsweep/grid.h"
#include "gdsweep/run.h"
#include "gdsweep/step_call.h"

#define MAX_BUCKETS 64
#define MAX_STATE_VECTORS 4 /* the most any optimizer keeps (AMSGrad: 3) */

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* A block of runs of one optimizer section and learning rate, and their records. */
typedef struct block {
    size_t lanes;
    long iterations;
    double a, b, c, eps;        /* the objective a x^2 + b x + c, the difference step */
    double f_opt, divergence, loss_tol, grad_tol;
    double *x, *g, *state, *fp, *fm, *f, *best;
    double *diverged_above, *next_gap; /* per lane: its divergence level, next target's */
    double *gap0;                      /* per lane: the gap at the start point */
    int *next_target;
    long *steps_to;                    /* lanes x GD_TARGETS, -1: not reached */
    double *loss, *grad_norm, *path; /* lanes x (iterations + 1) records */
} block;

/* The quadratic's loss at every lane's x + shift, as quadratic.c evaluates one. */
static void loss_points(const block *k, double shift, double *f)
{
    for (size_t i = 0; i < k->lanes; i++) {
        double x = k->x[i] + shift;
        f[i] = k->a * x * x + k->b * x + k->c;
    }
}

/* Lane i reached its next targets at t (gd_run_execute's targets_check), or a stop test
 * (counted: the model's runs all reach their budget, gd_run_execute's say otherwise). */
static void lane_event(block *k, size_t i, long t)
{
    double gap = k->f[i] - k->f_opt;
    int j = k->next_target[i];
    for (; j < GD_TARGETS && gap <= gd_target_fraction((size_t)j) * k->gap0[i]; j++)
        k->steps_to[i * GD_TARGETS + (size_t)j] = t;
    k->next_target[i] = j;
    k->next_gap[i] = j < GD_TARGETS ? gd_target_fraction((size_t)j) * k->gap0[i] : -INFINITY;
}

/* Iteration t's records, best loss, targets and stop tests for every lane, as
 * gd_run_execute's loop makes them for one run; the rare lanes that need more go to
 * lane_event. */
static void check_points(block *k, long t)
{
    size_t T = (size_t)k->iterations + 1;
    for (size_t i = 0; i < k->lanes; i++) {
        double f = k->f[i], gn = sqrt(k->g[i] * k->g[i]);
        k->loss[i * T + (size_t)t] = f;
        k->grad_norm[i * T + (size_t)t] = gn;
        k->path[i * T + (size_t)t] = k->x[i];
        k->best[i] = f < k->best[i] ? f : k->best[i];
        int event = !isfinite(f) | !isfinite(gn) | (f > k->diverged_above[i]) |
                    (f - k->f_opt <= k->loss_tol) | (gn <= k->grad_tol) |
                    (f - k->f_opt <= k->next_gap[i]);
        if (event)
            lane_event(k, i, t);
    }
}

/* Each lane's levels from its start point (gd_run_execute's begin_at). */
static void begin_points(block *k)
{
    for (size_t i = 0; i < k->lanes; i++) {
        double f0 = k->f[i], gap0 = f0 - k->f_opt;
        k->best[i] = f0;
        k->diverged_above[i] = f0 + k->divergence * (fabs(f0) + 1.0);
        k->gap0[i] = gap0 > 0 ? gap0 : 0;
        k->next_target[i] = 0;
        k->next_gap[i] = gd_target_fraction(0) * k->gap0[i];
        for (size_t j = 0; j < GD_TARGETS; j++)
            k->steps_to[i * GD_TARGETS + j] = -1;
    }
}

/* Loss and central-difference gradient of every lane, as gd_numeric_loss_grad does. */
static void evaluate_points(block *k)
{
    loss_points(k, k->eps, k->fp);
    loss_points(k, -k->eps, k->fm);
    for (size_t i = 0; i < k->lanes; i++)
        k->g[i] = (k->fp[i] - k->fm[i]) / (2 * k->eps);
    loss_points(k, 0, k->f);
}

/* The lockstep loop over the block (x holds the start points). */
static void run_block(block *k, const gd_optimizer_type *opt, const double *hp)
{
    gd_step_consts consts;
    memset(k->state, 0, opt->state_vectors * k->lanes * sizeof *k->state);
    evaluate_points(k);
    begin_points(k);
    for (long t = 0;; t++) {
        check_points(k, t);
        if (t >= k->iterations)
            break;
        gd_optimizer_prepare(opt, hp, t + 1, &consts);
        gd_step_call call = {opt, hp, hp[0], t + 1, k->lanes, k->state, &consts};
        gd_step_apply(&call, k->x, k->g, 0, k->lanes);
        evaluate_points(k);
    }
}

/* ---- the runs of one optimizer section and learning rate ------------------------------- */

typedef struct bucket {
    gd_run_desc first;          /* what its runs share (but x0) */
    size_t count;
    uint64_t *ids;
} bucket;

/* 1 when runs d and e share all the model uses: optimizer section and settings, the
 * objective's a, b, c, the difference step and the budget. */
static int same_but_start(const gd_run_desc *d, const gd_run_desc *e)
{
    /* gd_sweep_decode zeroes a run before filling it: padding and unused slots compare */
    return d->problem == e->problem && d->optimizer == e->optimizer &&
           d->schedule == e->schedule &&
           memcmp(d->optimizer_params, e->optimizer_params, sizeof d->optimizer_params) == 0 &&
           memcmp(d->schedule_params, e->schedule_params, sizeof d->schedule_params) == 0 &&
           memcmp(d->problem_params, e->problem_params, 3 * sizeof(double)) == 0 &&
           memcmp(&d->control, &e->control, sizeof d->control) == 0;
}

/* The bucket of run d; a new one at the end when none matches and there is room, else
 * NULL. */
static bucket *bucket_of(bucket *bs, size_t *n, const gd_run_desc *d)
{
    for (size_t i = 0; i < *n; i++)
        if (same_but_start(&bs[i].first, d))
            return &bs[i];
    if (*n == MAX_BUCKETS)
        return NULL;
    bucket *b = &bs[(*n)++];
    *b = (bucket){.first = *d};
    return b;
}

/* 1 when run d fits the model: the quadratic, numeric gradient, constant schedule, full
 * batch, no box, no noise, no look-ahead (NAG), every record kept (a run that stops
 * before its budget is counted as differing). */
static int modelled(const gd_sweep *s, const gd_run_desc *d)
{
    const gd_run_control *k = &d->control;
    return strcmp(s->problems[d->problem].type->name, "quadratic") == 0 &&
           !s->optimizers[d->optimizer].type->lookahead &&
           k->numeric_gradient && strcmp(d->schedule->name, "constant") == 0 &&
           k->batch_size == 0 && k->grad_noise == 0 && isinf(k->lower) && isinf(k->upper) &&
           s->record_every == 1;
}

/* What the comparison of one bucket found. */
typedef struct outcome {
    double one_s, lockstep_s; /* CPU seconds of each loop */
    long iterations;          /* run-iterations of the bucket */
    size_t differing;         /* runs whose records differ */
} outcome;

/* gd_run_execute's results of a block: its 3 series (lanes x (T + 1) each), the steps
 * to each target (lanes x GD_TARGETS) and the best loss of each run. */
typedef struct reference {
    double *series;
    long *steps_to;
    double *best;
    unsigned char *early; /* the run stopped before its budget: not modelled */
} reference;

/* Sets up the instance of each run ids[0, k->lanes) into ps (their start points into k->x)
 * and decodes the runs into ds; 0 or -1. */
static int set_up(const gd_sweep *s, const uint64_t *ids, block *k, gd_problem *ps,
                  gd_run_desc *ds, gd_error *err)
{
    for (size_t i = 0; i < k->lanes; i++) {
        gd_sweep_decode(s, ids[i], &ds[i]);
        ds[i].key = gd_sweep_instance_key(s, &ds[i]);
        if (gd_sweep_setup_instance(s, &ds[i], &ps[i], err) != 0) {
            while (i > 0)
                gd_problem_destroy(&ps[--i]);
            return -1;
        }
        k->x[i] = ps[i].x0[0];
    }
    return 0;
}

/* The runs' records as gd_run_execute makes them, one run at a time (the CPU time of
 * that loop, the copies of the records included, added to o->one_s), into ref (3 series
 * of lanes x (T + 1)). */
static int one_at_a_time(const gd_sweep *s, const gd_problem *ps, const gd_run_desc *ds,
                         const block *k, const reference *ref, outcome *o, gd_error *err)
{
    size_t T = (size_t)k->iterations + 1;
    const gd_optimizer_type *opt = s->optimizers[ds[0].optimizer].type;
    gd_workspace ws = {0};
    gd_history h = {0};
    gd_run_result r;
    int rc = gd_workspace_reserve(&ws, 1, opt->state_vectors, err) ||
             gd_history_reserve(&h, T, 1, err);
    double t0 = cpu_now();
    for (size_t i = 0; i < k->lanes && rc == 0; i++) {
        gd_run_execute(&ps[i], opt, &ds[i], 1, &ws, &h, &r);
        ref->early[i] = r.status != GD_STATUS_MAX_ITER || h.count != T;
        memcpy(ref->series + i * T, h.loss, h.count * sizeof(double));
        memcpy(ref->series + (k->lanes + i) * T, h.grad_norm, h.count * sizeof(double));
        memcpy(ref->series + (2 * k->lanes + i) * T, h.path, h.count * sizeof(double));
        memcpy(ref->steps_to + i * GD_TARGETS, r.steps_to, sizeof r.steps_to);
        ref->best[i] = r.loss_best;
    }
    o->one_s += cpu_now() - t0;
    gd_workspace_free(&ws);
    gd_history_free(&h);
    return rc ? -1 : 0;
}

/* Runs differing between the lockstep results and ref. */
static size_t differing(const block *k, const reference *ref)
{
    size_t T = (size_t)k->iterations + 1, n = 0, bytes = T * sizeof(double);
    const double *r = ref->series;
    for (size_t i = 0; i < k->lanes; i++)
        n += ref->early[i] || memcmp(r + i * T, k->loss + i * T, bytes) != 0 ||
             memcmp(r + (k->lanes + i) * T, k->grad_norm + i * T, bytes) != 0 ||
             memcmp(r + (2 * k->lanes + i) * T, k->path + i * T, bytes) != 0 ||
             memcmp(ref->steps_to + i * GD_TARGETS, k->steps_to + i * GD_TARGETS,
                    GD_TARGETS * sizeof(long)) != 0 ||
             memcmp(&ref->best[i], &k->best[i], sizeof(double)) != 0;
    return n;
}

/* One block of runs ids[0, k->lanes): both loops, timed and compared; ps and ds have
 * room for the block's instances and runs. */
static int compare_block(const gd_sweep *s, const uint64_t *ids, block *k,
                         const reference *ref, gd_problem *ps, gd_run_desc *ds, outcome *o,
                         gd_error *err)
{
    if (set_up(s, ids, k, ps, ds, err) != 0)
        return -1;
    k->a = ds[0].problem_params[0];
    k->b = ds[0].problem_params[1];
    k->c = ds[0].problem_params[2];
    k->eps = ds[0].control.epsilon;
    k->f_opt = ps[0].f_opt;
    k->divergence = ds[0].control.divergence;
    k->loss_tol = ds[0].control.loss_tol;
    k->grad_tol = ds[0].control.grad_tol;
    int rc = one_at_a_time(s, ps, ds, k, ref, o, err);
    for (size_t i = 0; i < k->lanes; i++)
        gd_problem_destroy(&ps[i]);
    if (rc != 0)
        return -1;
    double t0 = cpu_now();
    run_block(k, s->optimizers[ds[0].optimizer].type, ds[0].optimizer_params);
    o->lockstep_s += cpu_now() - t0;
    o->iterations += (long)k->lanes * k->iterations;
    o->differing += differing(k, ref);
    return 0;
}

/* ---- the driver ------------------------------------------------------------------------ */


/* The modelled runs of s sorted into buckets; their number, or -1 (with a message). */
static int sort_runs(const gd_sweep *s, bucket *bs)
{
    size_t n = 0;
    unsigned char *which = malloc(s->n_runs); /* each run's bucket, MAX_BUCKETS: none */
    for (uint64_t id = 0; which && id < s->n_runs; id++) {
        gd_run_desc d;
        gd_sweep_decode(s, id, &d);
        bucket *b = modelled(s, &d) ? bucket_of(bs, &n, &d) : NULL;
        which[id] = b ? (unsigned char)(b - bs) : MAX_BUCKETS;
        if (b)
            b->count++;
    }
    int fits = which != NULL;
    for (size_t i = 0; i < n; i++) {
        bs[i].ids = fits ? malloc(bs[i].count * sizeof *bs[i].ids) : NULL;
        fits = fits && bs[i].ids;
        bs[i].count = 0;
    }
    if (!fits) { /* out of memory: none of it */
        for (size_t i = 0; i < n; i++)
            free(bs[i].ids);
        n = 0;
    }
    for (uint64_t id = 0; which && n > 0 && id < s->n_runs; id++)
        if (which[id] < n)
            bs[which[id]].ids[bs[which[id]].count++] = id;
    free(which);
    if (n == 0)
        fprintf(stderr, "lockstep_model: no modelled runs, or out of memory\n");
    return n > 0 ? (int)n : -1;
}

static double *alloc_values(size_t n) { return calloc(n, sizeof(double)); }

/* A block's arrays for up to `lanes` runs of `iterations`; 0 or -1. */
static int block_alloc(block *k, size_t lanes, long iterations)
{
    size_t T = (size_t)iterations + 1;
    *k = (block){.lanes = lanes, .iterations = iterations};
    k->x = alloc_values(lanes);
    k->g = alloc_values(lanes);
    k->state = alloc_values(MAX_STATE_VECTORS * lanes);
    k->fp = alloc_values(lanes);
    k->fm = alloc_values(lanes);
    k->f = alloc_values(lanes);
    k->best = alloc_values(lanes);
    k->diverged_above = alloc_values(lanes);
    k->next_gap = alloc_values(lanes);
    k->gap0 = alloc_values(lanes);
    k->next_target = calloc(lanes, sizeof *k->next_target);
    k->steps_to = calloc(lanes * GD_TARGETS, sizeof *k->steps_to);
    k->loss = alloc_values(lanes * T);
    k->grad_norm = alloc_values(lanes * T);
    k->path = alloc_values(lanes * T);
    return k->x && k->g && k->state && k->fp && k->fm && k->f && k->best &&
                   k->diverged_above && k->next_gap && k->gap0 && k->next_target &&
                   k->steps_to && k->loss && k->grad_norm && k->path
               ? 0
               : -1;
}

static void block_free(block *k)
{
    double *arrays[] = {k->x,    k->g,    k->state,          k->fp,       k->fm,
                        k->f,    k->best, k->diverged_above, k->next_gap, k->gap0,
                        k->loss, k->grad_norm, k->path};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
        free(arrays[i]);
    free(k->next_target);
    free(k->steps_to);
}

/* Both loops over every run of bucket b, in blocks of `lanes`. */
static int run_bucket(const gd_sweep *s, const bucket *b, size_t lanes, outcome *o,
                      gd_error *err)
{
    block k = {0};
    long T = b->first.control.iterations;
    reference ref = {alloc_values(3 * lanes * ((size_t)T + 1)),
                     calloc(lanes * GD_TARGETS, sizeof(long)), alloc_values(lanes),
                     calloc(lanes, 1)};
    gd_problem *ps = calloc(lanes, sizeof *ps);
    gd_run_desc *ds = calloc(lanes, sizeof *ds);
    int rc = ref.series && ref.steps_to && ref.best && ref.early && ps && ds &&
                     block_alloc(&k, lanes, T) == 0
                 ? 0
                 : -1;
    for (size_t at = 0; at < b->count && rc == 0; at += lanes) {
        k.lanes = b->count - at < lanes ? b->count - at : lanes;
        rc = compare_block(s, b->ids + at, &k, &ref, ps, ds, o, err);
    }
    block_free(&k);
    free(ref.series);
    free(ref.steps_to);
    free(ref.best);
    free(ref.early);
    free(ps);
    free(ds);
    if (rc != 0 && !err->msg[0])
        snprintf(err->msg, sizeof err->msg, "out of memory for %zu lanes", lanes);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: lockstep_model GRID [LANES=64]\n");
        return 2;
    }
    size_t lanes = argc > 2 ? (size_t)atol(argv[2]) : 64;
    gd_sweep s;
    gd_error err = {0};
    bucket bs[MAX_BUCKETS];
    if (lanes == 0) {
        fprintf(stderr, "lockstep_model: LANES must be at least 1\n");
        return 2;
    }
    if (gd_sweep_load(&s, argv[1], 0, &err) != 0) {
        fprintf(stderr, "lockstep_model: %s\n", err.msg);
        return 1;
    }
    if (gd_sweep_read_files(&s, &err) != 0) {
        fprintf(stderr, "lockstep_model: %s\n", err.msg);
        gd_sweep_free(&s);
        return 1;
    }
    int n = sort_runs(&s, bs), rc = n < 0;
    if (rc == 0)
        printf("lockstep_model %s: %d buckets of runs that differ only in x0, %zu lanes a "
               "block\n",
               argv[1], n, lanes);
    for (int i = 0; i < n && rc == 0; i++) {
        outcome o = {0};
        rc = run_bucket(&s, &bs[i], lanes, &o, &err) != 0;
        if (rc)
            fprintf(stderr, "lockstep_model: %s\n", err.msg);
        else
            printf("  %-8s lr %-6g %6zu runs: one at a time %6.2f ns/iteration, lockstep %5.2f "
                   "(%.1fx); %zu runs differ\n",
                   s.optimizers[bs[i].first.optimizer].type->name,
                   bs[i].first.optimizer_params[0], bs[i].count,
                   1e9 * o.one_s / (double)o.iterations,
                   1e9 * o.lockstep_s / (double)o.iterations, o.one_s / o.lockstep_s,
                   o.differing);
        free(bs[i].ids);
    }
    gd_sweep_free(&s);
    return rc;
}
