/* bench_ml.c - one full-batch gradient step of logreg or softmax on a generated table,
 * or (-b BATCH) one minibatch iteration of gdsweep's run loop.
 *
 * Writes ROWS x FEATURES Gaussian features and a label (0/1, or 0..CLASSES-1 from the
 * largest of CLASSES random linear scores) as CSV text in memory (Philox, seed 1), sets up
 * the registry's logreg (CLASSES = 2) or softmax instance on it (intercept, l2 = 1e-3,
 * test_fraction = 0), and times ITERATIONS steps w -= lr * grad, each one loss_grad (the
 * loss and the gradient, as the driver calls it) and the update, for each thread count.
 * Prints one line per thread count: "gdsweep THREADS SECONDS_PER_STEP" (the best of
 * REPEATS timings). bench_ml.py does the same step in NumPy and PyTorch; bench_ml.sh runs
 * both. With -b BATCH it times instead whole iterations of gd_run_execute (shuffled
 * minibatches of BATCH rows, the sampler, the gradient, the optimizer's step: gd and adam,
 * lr 0.01) and prints "gdsweep-gd THREADS SECONDS_PER_ITERATION" and "gdsweep-adam ...":
 * (time of 2 ITERATIONS - time of ITERATIONS) / ITERATIONS in process CPU seconds (the
 * other load of a shared machine does not count), which removes what a run does once (the
 * full objective at the start and at the end); bench_sgd.sh compares them with
 * PyTorch (bench_sgd.py). Usage: bench_ml [-n ROWS] [-f FEATURES] [-k CLASSES]
 * [-i ITERATIONS] [-r REPEATS] [-t THREADS,...] [-b BATCH] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <omp.h>

#include "gdsweep/grid.h"
#include "gdsweep/problem.h"
#include "gdsweep/run.h"
#include "triad.h"

#define MAX_THREAD_COUNTS 8

typedef struct options {
    long rows, features, classes, iterations, batch;
    int repeats;
    int threads[MAX_THREAD_COUNTS];
    size_t n_threads;
} options;

static int parse(int argc, char **argv, options *o)
{
    *o = (options){100000, 32, 2, 20, 0, 3, {1, 2}, 2};
    for (int c; (c = getopt(argc, argv, "n:f:k:i:r:t:b:")) != -1;) {
        switch (c) {
        case 'n': o->rows = atol(optarg); break;
        case 'f': o->features = atol(optarg); break;
        case 'k': o->classes = atol(optarg); break;
        case 'i': o->iterations = atol(optarg); break;
        case 'r': o->repeats = atoi(optarg); break;
        case 'b': o->batch = atol(optarg); break;
        case 't':
            if (gd_bench_parse_threads(optarg, o->threads, MAX_THREAD_COUNTS, &o->n_threads) < 0)
                return -1;
            break;
        default: return -1;
        }
    }
    return o->rows > 0 && o->features > 0 && o->classes >= 2 && o->iterations > 0 &&
                   o->repeats > 0 ? 0 : -1;
}

/* The label of a row: its sign (2 classes) or the largest of k scores x . v_c. */
static int label_of(const double *x, long f, long k, gd_rng_key key)
{
    int best = 0;
    double top = -1e300;
    for (long c = 0; c < (k == 2 ? 1 : k); c++) {
        double s = 0;
        for (long j = 0; j < f; j++)
            s += x[j] * gd_rng_normal(key, 100, (uint64_t)(c * f + j));
        if (k == 2)
            return s > 0;
        if (s > top) {
            top = s;
            best = (int)c;
        }
    }
    return best;
}

/* The table as CSV text (malloc'd, *len bytes). */
static char *table_text(const options *o, size_t *len)
{
    size_t cap = (size_t)o->rows * (size_t)(o->features + 1) * 16 + 4096, at = 0;
    char *text = malloc(cap);
    double *x = malloc((size_t)o->features * sizeof *x);
    gd_rng_key key = gd_rng_key_make(1, "bench_ml", NULL, 0, 0);
    if (!text || !x)
        return NULL;
    for (long j = 0; j < o->features; j++)
        at += (size_t)sprintf(text + at, "x%ld,", j);
    at += (size_t)sprintf(text + at, "target\n");
    for (long i = 0; i < o->rows; i++) {
        for (long j = 0; j < o->features; j++) {
            x[j] = gd_rng_normal(key, 0, (uint64_t)(i * o->features + j));
            at += (size_t)sprintf(text + at, "%.6g,", x[j]);
        }
        at += (size_t)sprintf(text + at, "%d\n", label_of(x, o->features, o->classes, key));
    }
    free(x);
    *len = at;
    return text;
}

static int setup(gd_problem *p, const options *o, const char *text, size_t len)
{
    const gd_problem_type *t = gd_problem_find(o->classes == 2 ? "logreg" : "softmax");
    static const char *const no_names[GD_MAX_PARAMS] = {0};
    gd_problem_file file = {.key = "data", .path = "bench.csv",
                            .bytes = (const unsigned char *)text, .len = len, .hash = "bench"};
    gd_problem_files set = {t, 1, &file, no_names};
    double pp[GD_MAX_PARAMS];
    gd_error err = {{0}, 0};
    gd_param_defaults(t->params, pp);
    pp[gd_param_find(t->params, "data")] = 1;
    pp[gd_param_find(t->params, "test_fraction")] = 0;
    if (t->setup(p, &set, pp, gd_rng_key_make(1, "bench", NULL, 0, 0), &err) < 0) {
        fprintf(stderr, "bench_ml: %s\n", err.msg);
        return -1;
    }
    return 0;
}

/* Seconds per step, the best of o->repeats timings of o->iterations steps. */
static double time_steps(const gd_problem *p, const options *o, double *w, double *g)
{
    double best = 1e300;
    for (int r = 0; r < o->repeats; r++) {
        memset(w, 0, p->n * sizeof *w);
        double t0 = omp_get_wtime();
        for (long it = 0; it < o->iterations; it++) {
            p->type->loss_grad(p, w, g);
            for (size_t j = 0; j < p->n; j++)
                w[j] -= 0.1 * g[j];
        }
        double s = (omp_get_wtime() - t0) / (double)o->iterations;
        best = s < best ? s : best;
    }
    return best;
}

/* The process's CPU seconds: a shared machine's other load does not count (one thread). */
static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU seconds of one run of `iterations` minibatch iterations of optimizer `name`. */
static double time_run(const gd_problem *p, const options *o, const char *name, long iterations,
                       gd_workspace *ws, gd_history *h)
{
    const gd_optimizer_type *opt = gd_optimizer_find(name);
    double control[GD_CONTROL_COUNT];
    gd_run_desc d = {0};
    gd_run_result r;
    gd_param_defaults(gd_control_params, control);
    control[GD_CONTROL_ITERATIONS] = (double)iterations;
    control[GD_CONTROL_BATCH_SIZE] = (double)o->batch;
    gd_control_from_values(&d.control, control);
    gd_param_defaults(opt->params, d.optimizer_params);
    d.optimizer_params[0] = 0.01;
    d.schedule = gd_schedule_find("constant");
    d.key = gd_rng_key_make(1, "bench_sgd", NULL, 0, 0);
    gd_error err;
    if (gd_workspace_reserve(ws, p->n, opt->state_vectors, &err) < 0 ||
        gd_workspace_reserve_rows(ws, p, &d.control, &err) < 0 ||
        gd_history_reserve(h, gd_history_records(iterations, iterations), 0, &err) < 0) {
        fprintf(stderr, "bench_ml: %s\n", err.msg);
        exit(1);
    }
    double t0 = cpu_seconds();
    gd_run_execute(p, opt, &d, iterations, ws, h, &r);
    return cpu_seconds() - t0;
}

/* Seconds per minibatch iteration of optimizer `name`: the best of o->repeats differences
 * between runs of 2 I and I iterations. */
static double time_minibatch(const gd_problem *p, const options *o, const char *name)
{
    gd_workspace ws = {0};
    gd_history h = {0};
    double best = 1e300;
    for (int r = 0; r < o->repeats; r++) {
        double once = time_run(p, o, name, o->iterations, &ws, &h);
        double twice = time_run(p, o, name, 2 * o->iterations, &ws, &h);
        double s = (twice - once) / (double)o->iterations;
        best = s < best ? s : best;
    }
    gd_workspace_free(&ws);
    gd_history_free(&h);
    return best;
}

int main(int argc, char **argv)
{
    options o;
    size_t len;
    gd_problem p;
    if (parse(argc, argv, &o) < 0) {
        fprintf(stderr, "usage: bench_ml [-n ROWS] [-f FEATURES] [-k CLASSES] [-i ITERATIONS] "
                        "[-r REPEATS] [-t THREADS,...] [-b BATCH]\n");
        return 2;
    }
    char *text = table_text(&o, &len);
    if (!text || setup(&p, &o, text, len) < 0)
        return 1;
    free(text);
    double *w = malloc(p.n * sizeof *w), *g = malloc(p.n * sizeof *g);
    if (!w || !g)
        return 1;
    printf("# %s: %ld rows x %ld features (+ intercept), %ld classes, n = %zu\n",
           p.type->name, o.rows, o.features, o.classes, p.n);
    for (size_t k = 0; k < o.n_threads; k++) {
        omp_set_num_threads(o.threads[k]);
        if (o.batch > 0) {
            printf("gdsweep-gd %d %.6g\n", o.threads[k], time_minibatch(&p, &o, "gd"));
            printf("gdsweep-adam %d %.6g\n", o.threads[k], time_minibatch(&p, &o, "adam"));
        } else {
            printf("gdsweep %d %.6g\n", o.threads[k], time_steps(&p, &o, w, g));
        }
    }
    free(w);
    free(g);
    gd_problem_destroy(&p);
    return 0;
}
