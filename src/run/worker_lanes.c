/* worker_lanes.c - a worker's range of runs, those that differ only in their start point advanced in lockstep blocks.
 *
 * Pass 1 walks the range in id order: each run's instance is set up as gd_worker_run
 * would (its inputs go into the batch once), a run that can go in a block
 * (gd_run_lanes_fit) is held with its start point, any other runs at once. Pass 2 sorts
 * the held runs by what a block shares (problem section and its values but the start
 * keys, optimizer section and settings, schedule, control: a hash of it, then id order)
 * and runs each stretch of up to GD_LANES_MAX equal ones as one block on an instance of
 * their common objective (gd_run_execute_lanes), appending them in that order. */
#include "gdsweep/worker.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gdsweep/committer.h"
#include "gdsweep/interrupt.h"
#include "gdsweep/plugins.h"
#include "gdsweep/progress.h"
#include "gdsweep/schedule.h"
#include "gdsweep/series.h"
#include "worker_internal.h"

/* What the runs of one block share, every field 8 bytes (no padding), so that its hash
 * and its comparison read the same bytes: runs whose keys are equal differ only in their
 * start point (the rest of the control gd_run_lanes_fit has fixed). */
typedef struct gd_block_key {
    uint64_t problem, optimizer, schedule, iterations, numeric_gradient;
    double epsilon, grad_tol, loss_tol, divergence;
    double optimizer_params[GD_MAX_PARAMS];
    double schedule_params[GD_MAX_PARAMS];
    double objective[GD_MAX_PARAMS]; /* its problem values, the start keys zeroed */
} gd_block_key;
_Static_assert(sizeof(gd_block_key) == 8 * (9 + 3 * GD_MAX_PARAMS),
               "gd_block_key: 8-byte fields only (hashed and compared as bytes)");

/* A run of the range waiting for its block: decoded, its start point, its block's key. */
typedef struct gd_pending_run {
    gd_run_desc d;
    gd_block_key key;
    double x0[GD_LANES_MAX_DIM];
    size_t n;
    size_t order;  /* its place in the range */
    uint64_t hash; /* of its key: sorted on first */
} gd_pending_run;

/* About what one iteration of a run in a block costs (4.5-6.8 ns in the model, the
 * bookkeeping on top: docs/BENCHMARKS.md, 4b): a range stops holding runs once those it
 * holds would take a quarter of the commit period (gd_commit_seconds), so that the
 * coordinator, which commits between ranges, keeps its clock (a kill loses at most that
 * much work, and a commit is due no later than it was with one run a message). */
#define LANE_ITERATION_SECONDS 1e-8

/* About the bytes a run of `records` records of n coordinates adds to a batch. */
static size_t run_bytes(size_t records, size_t n)
{
    size_t path = n <= GD_PATH_MAX_DIM ? n : 0;
    return records * (gd_series_record_bytes() + path * sizeof(double)) +
           sizeof(gd_run_desc) + sizeof(gd_run_result) + n * sizeof(double);
}

/* Room for held + 1 pending runs; 0 or -1. */
static int pending_room(gd_worker *w, size_t held, gd_error *err)
{
    if (held < w->pending_cap)
        return 0;
    size_t cap = w->pending_cap ? 2 * w->pending_cap : 256;
    gd_pending_run *p = realloc(w->pending, cap * sizeof *p);
    if (!p)
        return gd_fail_runtime(err, "out of memory for %zu runs waiting for a lockstep block",
                               cap);
    w->pending = p;
    w->pending_cap = cap;
    return 0;
}

/* 1 when run d goes in a block (its instance is then w's), 0 when it runs alone, -1 when
 * its instance cannot be set up. */
static int goes_in_block(gd_worker *w, const gd_run_desc *d, gd_batch *b, gd_error *err)
{
    const gd_problem_type *t = w->sweep->problems[d->problem].type;
    if (!t->loss_points || gd_problem_is_plugin(t))
        return 0;
    if (gd_worker_use_instance(w, d, b, err) != 0)
        return -1;
    return gd_run_lanes_fit(&w->instance, w->sweep->optimizers[d->optimizer].type,
                            &d->control);
}

/* count 8-byte words mixed into h (FNV-1a's step on words: one multiply per word). */
static uint64_t mix_words(uint64_t h, const void *words, size_t count)
{
    const unsigned char *b = words;
    for (size_t i = 0; i < count; i++) {
        uint64_t w;
        memcpy(&w, b + 8 * i, sizeof w);
        h = (h ^ w) * 0x100000001b3ull;
    }
    return h ^ h >> 29;
}

/* The key of run d, whose instance type names its start keys. */
static gd_block_key block_key(const gd_run_desc *d, unsigned start_params)
{
    const gd_run_control *k = &d->control;
    gd_block_key key = {.problem = d->problem,
                        .optimizer = d->optimizer,
                        .schedule = (uint64_t)(uintptr_t)d->schedule,
                        .iterations = (uint64_t)k->iterations,
                        .numeric_gradient = (uint64_t)k->numeric_gradient,
                        .epsilon = k->epsilon,
                        .grad_tol = k->grad_tol,
                        .loss_tol = k->loss_tol,
                        .divergence = k->divergence};
    memcpy(key.optimizer_params, d->optimizer_params, sizeof key.optimizer_params);
    memcpy(key.schedule_params, d->schedule_params, sizeof key.schedule_params);
    for (size_t i = 0; i < GD_MAX_PARAMS; i++)
        key.objective[i] = i < 32 && (start_params >> i & 1u) ? 0 : d->problem_params[i];
    return key;
}

/* Holds run d, whose instance is w's, as pending run `held`. */
static void hold(gd_worker *w, const gd_run_desc *d, size_t held)
{
    gd_pending_run *p = &w->pending[held];
    p->d = *d;
    p->key = block_key(d, w->instance.type->start_params);
    p->n = w->instance.n;
    memcpy(p->x0, w->instance.x0, p->n * sizeof *p->x0);
    p->order = held;
    /* hashed with the schedule's place in the registry, not its address, so that the
     * blocks' order in the batch (and the records' offsets in the file) is the same from
     * one process to the next; the key itself keeps the address, exact */
    gd_block_key hashed = p->key;
    int schedule = gd_schedule_index(d->schedule->name);
    if (schedule >= 0)
        hashed.schedule = (uint64_t)schedule;
    p->hash = mix_words(0xcbf29ce484222325ull, &hashed, sizeof hashed / 8);
}

/* 1 when two pending runs can share a block: their keys are the same bits. */
static int same_block(const gd_pending_run *p, const gd_pending_run *q)
{
    return memcmp(&p->key, &q->key, sizeof p->key) == 0;
}

/* qsort's order: by the block's hash (runs of one block together; two blocks whose hashes
 * collided fall into stretches that same_block still tells apart), then by place in the
 * range. */
static int by_block(const void *x, const void *y)
{
    const gd_pending_run *p = *(gd_pending_run *const *)x, *q = *(gd_pending_run *const *)y;
    if (p->hash != q->hash)
        return p->hash < q->hash ? -1 : 1;
    return (p->order > q->order) - (p->order < q->order);
}

/* Runs the m pending runs in lockstep and appends them in that order: 0, 1 when an
 * interrupt abandoned any (the others are appended), -1. */
static int run_block(gd_worker *w, gd_pending_run *const *runs, size_t m, gd_batch *b,
                     gd_error *err)
{
    const gd_sweep *s = w->sweep;
    const gd_run_desc *d0 = &runs[0]->d;
    const gd_optimizer_type *opt = s->optimizers[d0->optimizer].type;
    size_t n = runs[0]->n, records[GD_LANES_MAX];
    gd_history h[GD_LANES_MAX]; /* in the batch's room */
    gd_run_result r[GD_LANES_MAX];
    gd_lane lanes[GD_LANES_MAX];
    gd_problem objective;
    for (size_t j = 0; j < m; j++)
        records[j] = gd_history_records(runs[j]->d.control.iterations, s->record_every);
    if (gd_workspace_reserve(&w->lanes_ws, m * n, opt->state_vectors, err) != 0 ||
        gd_batch_histories_in_place(b, h, records, m, err) != 0)
        return -1;
    if (gd_sweep_setup_instance(s, d0, &objective, err) != 0) {
        gd_error_prefix(err, "run %llu (problem %s)", (unsigned long long)d0->id,
                        s->problems[d0->problem].label);
        err->exit_code = GD_EXIT_RUNTIME;
        return -1;
    }
    for (size_t j = 0; j < m; j++)
        lanes[j] = (gd_lane){&runs[j]->d, runs[j]->x0, &h[j], &r[j],
                             w->lanes_final + j * GD_LANES_MAX_DIM};
    gd_run_execute_lanes(&objective, opt, s->record_every, lanes, m, &w->lanes_ws);
    gd_problem_destroy(&objective);
    int rc = 0;
    for (size_t j = 0; j < m && rc >= 0; j++) {
        int one = gd_worker_append(w, &runs[j]->d, &r[j], &h[j], lanes[j].x_final, n, b, err);
        rc = one != 0 ? one : rc;
    }
    return rc;
}

/* Pass 2: the held runs sorted into blocks, each run; 0, 1 (an interrupt) or -1. */
static int run_held(gd_worker *w, size_t held, gd_batch *b, gd_error *err)
{
    gd_pending_run **order = malloc(held * sizeof *order);
    if (!order)
        return gd_fail_runtime(err, "out of memory sorting %zu runs into blocks", held);
    for (size_t i = 0; i < held; i++)
        order[i] = &w->pending[i];
    qsort(order, held, sizeof *order, by_block);
    int rc = 0;
    for (size_t i = 0, m; i < held && rc == 0; i += m) {
        for (m = 1; i + m < held && m < GD_LANES_MAX && same_block(order[i], order[i + m]);
             m++)
            ;
        rc = run_block(w, order + i, m, b, err);
    }
    free(order);
    return rc;
}

int gd_worker_run_range(gd_worker *w, uint64_t first, uint64_t count, gd_batch *b,
                        uint64_t *ran, gd_error *err)
{
    uint64_t most = gd_batch_runs_left(b);
    size_t held = 0, held_bytes = 0;
    double t0 = gd_now_seconds(), budget = gd_commit_seconds() / 4, held_work = 0;
    int rc = 0;
    most = count < most ? count : most;
    *ran = 0;
    while (*ran < most && rc == 0) {
        if (gd_interrupt_stop()) {
            rc = 1;
            break;
        }
        gd_run_desc d;
        gd_worker_decode(w, first + *ran, &d);
        int block = goes_in_block(w, &d, b, err);
        if (block < 0 || (block && pending_room(w, held, err) != 0))
            return -1;
        if (block) {
            hold(w, &d, held++);
            held_bytes += run_bytes(
                gd_history_records(d.control.iterations, w->sweep->record_every),
                w->instance.n);
            held_work += LANE_ITERATION_SECONDS * (double)d.control.iterations;
        } else {
            rc = gd_worker_run_alone(w, &d, b, err);
        }
        ++*ran;
        if (gd_batch_bytes(b) + held_bytes >= GD_BATCH_BYTES ||
            gd_now_seconds() - t0 + held_work >= budget)
            break; /* bounded memory and time: the rest in the next range */
    }
    if (rc == 0 && held > 0)
        rc = run_held(w, held, b, err);
    return rc < 0 ? -1 : rc;
}
