/* bench_tiny_loop.c - a grid's per-run CPU outside HDF5: the worker path, the loop alone, the row fill.
 *
 * Usage: bench_tiny_loop GRID [ROUNDS=3]. Each round drives the real registry over every
 * run of GRID on one thread, without the store:
 *   worker: gd_worker_run per id (decode, instance, workspace, gd_run_execute, batching),
 *           the batch cleared every 1024 runs, and the runs-table rows of each batch filled
 *           (timed apart: "rows");
 *   ranges: the same through gd_worker_run_range, ranges up to the batch's 1024 runs, as
 *           the drivers hand them (runs in lockstep blocks where they fit);
 *   loop:   gd_run_execute alone, per optimizer type, in ns per run and per iteration: a
 *           pass that decodes, sets up and executes the runs of that type, less one that
 *           executes none.
 * Times are the thread's CPU time (CLOCK_THREAD_CPUTIME_ID): what a loaded machine's
 * waiting does not inflate.
 * Compare binaries built from two commits on the same grid, interleaved (BENCHMARKS.md 4b). */
#include "gdsweep/batch.h"
#include "gdsweep/columns.h"
#include "gdsweep/worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH_RUNS 1024
#define MAX_TYPES 16

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* w->instance set up for run d unless it already is. */
static int use_instance(gd_worker *w, const gd_run_desc *d, gd_error *err)
{
    if (w->has_instance && w->instance_id == d->instance)
        return 0;
    gd_problem_destroy(&w->instance);
    w->has_instance = 0;
    if (gd_sweep_setup_instance(w->sweep, d, &w->instance, err) != 0)
        return -1;
    w->instance_id = d->instance;
    w->has_instance = 1;
    return 0;
}

/* w's workspace and the history h grown for run d. */
static int reserve(gd_worker *w, gd_history *h, const gd_run_desc *d,
                   const gd_optimizer_type *opt, gd_error *err)
{
    size_t records = gd_history_records(d->control.iterations, w->sweep->record_every);
    return gd_workspace_reserve(&w->ws, w->instance.n, opt->state_vectors, err) ||
                   gd_workspace_reserve_rows(&w->ws, &w->instance, &d->control, err) ||
                   gd_history_reserve(h, records, 0, err)
               ? -1
               : 0;
}

/* The runs-table rows of batch b into rows (as the store fills them, offsets from 0). */
static void fill_rows(const gd_columns *c, const gd_sweep *s, const gd_batch *b,
                      unsigned char *rows)
{
    for (size_t i = 0; i < b->count; i++) {
        gd_row_storage where = {.traj_offset = b->traj_start[i],
                                .traj_count = b->traj_count[i],
                                .path_offset = b->path_start[i],
                                .path_count = b->path_count[i],
                                .final_offset = b->final_start[i],
                                .final_count = b->final_count[i]};
        gd_columns_fill_row(c, s, &b->desc[i], &b->result[i], &where, rows + i * c->row_size);
    }
}

/* The worker path over every run, one at a time (gd_worker_run) or, when `ranged`, as
 * the drivers hand them (gd_worker_run_range: lockstep blocks where they fit); seconds
 * in *rows_s for the row fill. */
static int worker_round(const gd_sweep *s, const gd_columns *c, unsigned char *rows,
                        int ranged, double *total_s, double *rows_s)
{
    gd_worker w;
    gd_batch b = {0};
    gd_error err = {0};
    int rc = 0;
    gd_worker_init(&w, s, 0);
    *rows_s = 0;
    double t0 = cpu_now();
    for (uint64_t id = 0, ran = 1; id < s->n_runs && rc == 0; id += ran) {
        if (ranged)
            rc = gd_worker_run_range(&w, id, BATCH_RUNS - b.count, &b, &ran, &err) != 0 ? -1 : 0;
        else
            rc = gd_worker_run(&w, id, &b, &err) < 0 ? -1 : 0;
        if (b.count == BATCH_RUNS || id + ran == s->n_runs) {
            double r0 = cpu_now();
            fill_rows(c, s, &b, rows);
            *rows_s += cpu_now() - r0;
            gd_batch_clear(&b);
        }
    }
    *total_s = cpu_now() - t0;
    if (rc < 0)
        fprintf(stderr, "bench_tiny_loop: %s\n", err.msg);
    gd_worker_free(&w);
    gd_batch_free(&b);
    return rc;
}

/* Decode, instance set-up and buffers of every run, gd_run_execute only for the runs of
 * optimizer type `only` (none when NULL); the thread's CPU seconds, and the runs and
 * iterations executed in *runs and *iterations. Negative on a set-up error. */
static double pass(const gd_sweep *s, const gd_optimizer_type *only, long *runs,
                   long *iterations)
{
    gd_worker w; /* holds the instance and the workspace */
    gd_history h = {0};
    gd_error err = {0};
    gd_worker_init(&w, s, 0);
    *runs = *iterations = 0;
    double t0 = cpu_now();
    for (uint64_t id = 0; id < s->n_runs; id++) {
        gd_run_desc d;
        gd_run_result r;
        gd_sweep_decode(s, id, &d);
        d.key = gd_sweep_instance_key(s, &d);
        const gd_optimizer_type *opt = s->optimizers[d.optimizer].type;
        if (use_instance(&w, &d, &err) != 0 || reserve(&w, &h, &d, opt, &err) != 0) {
            fprintf(stderr, "bench_tiny_loop: %s\n", err.msg);
            gd_worker_free(&w);
            gd_history_free(&h);
            return -1;
        }
        if (opt != only)
            continue;
        gd_run_execute(&w.instance, opt, &d, s->record_every, &w.ws, &h, &r);
        ++*runs;
        *iterations += r.iterations;
    }
    double t = cpu_now() - t0;
    gd_worker_free(&w);
    gd_history_free(&h);
    return t;
}

/* The optimizer types of s's sections, each once, NULL-terminated (room for MAX_TYPES). */
static void optimizer_types(const gd_sweep *s, const gd_optimizer_type **types)
{
    size_t n = 0;
    for (size_t o = 0; o < s->n_optimizers; o++) {
        size_t i = 0;
        while (i < n && types[i] != s->optimizers[o].type)
            i++;
        if (i == n && n + 1 < MAX_TYPES)
            types[n++] = s->optimizers[o].type;
    }
    types[n] = NULL;
}

/* gd_run_execute alone: each type's pass less the pass that executes nothing. */
static int loop_round(const gd_sweep *s)
{
    const gd_optimizer_type *types[MAX_TYPES];
    long runs, iterations;
    double base = pass(s, NULL, &runs, &iterations);
    if (base < 0)
        return -1;
    printf("  set-up only (decode, instance, buffers): %.1f ns/run\n",
           1e9 * base / (double)s->n_runs);
    optimizer_types(s, types);
    for (size_t i = 0; types[i]; i++) {
        double t = pass(s, types[i], &runs, &iterations);
        if (t < 0)
            return -1;
        printf("  loop %-8s %8ld runs: %8.1f ns/run, %6.2f ns/iteration\n", types[i]->name,
               runs, 1e9 * (t - base) / (double)(runs ? runs : 1),
               1e9 * (t - base) / (double)(iterations ? iterations : 1));
    }
    return 0;
}

static int bench(const gd_sweep *s, int rounds)
{
    gd_columns c;
    gd_error err = {0};
    if (gd_columns_build_sweep(&c, s, &err) < 0) {
        fprintf(stderr, "bench_tiny_loop: %s\n", err.msg);
        return 1;
    }
    unsigned char *rows = malloc(BATCH_RUNS * c.row_size);
    int rc = rows ? 0 : 1;
    double runs = (double)s->n_runs;
    for (int round = 1; round <= rounds && rc == 0; round++) {
        for (int ranged = 0; ranged <= 1 && rc == 0; ranged++) {
            double total, rows_s;
            rc = worker_round(s, &c, rows, ranged, &total, &rows_s) < 0;
            if (rc == 0)
                printf("round %d: %s %.3f CPU s (%.0f runs/s): %.1f ns/run, and rows %.1f "
                       "ns/run\n",
                       round, ranged ? "ranges" : "worker", total, runs / total,
                       1e9 * (total - rows_s) / runs, 1e9 * rows_s / runs);
        }
        if (rc)
            break;
        rc = loop_round(s) < 0;
    }
    free(rows);
    gd_columns_free(&c);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_tiny_loop GRID [ROUNDS=3]\n");
        return 2;
    }
    int rounds = argc > 2 ? atoi(argv[2]) : 3;
    gd_sweep s;
    gd_error err = {0};
    if (gd_sweep_load(&s, argv[1], 0, &err) != 0 || gd_sweep_read_files(&s, &err) != 0) {
        fprintf(stderr, "bench_tiny_loop: %s\n", err.msg);
        return 1;
    }
    printf("bench_tiny_loop %s: %llu runs, one thread\n", argv[1],
           (unsigned long long)s.n_runs);
    int rc = bench(&s, rounds);
    gd_sweep_free(&s);
    return rc;
}
