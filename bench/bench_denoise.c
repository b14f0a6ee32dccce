/* bench_denoise.c - benchmark 1: one denoise iteration against triad memory bandwidth.
 *
 * Sets up a SIZE x SIZE denoise instance through the registry and times the real loop
 * (gd_run_execute: one pass per iteration that steps x and evaluates loss, gradient and
 * its norm there, denoise's step_loss_grad) for gd and adam, with 1 and 2 OpenMP threads (or the list given by -t), next to
 * a STREAM-style triad measured in the same process. Time per iteration is
 * (best wall(T0 + T) - best wall(T0)) / T, which removes what a run does once (copying
 * x0, zeroing the state, the final PSNR). Effective bandwidth uses the byte model printed
 * at the start (8 bytes per double moved, one pass per array and phase).
 * Usage: bench_denoise [-s SIZE] [-i ITERATIONS] [-r REPEATS] [-t THREADS,...] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <omp.h>

#include "gdsweep/grid.h"
#include "gdsweep/run.h"
#include "triad.h"

#define MAX_THREAD_COUNTS 16
#define BASE_ITERATIONS 2 /* T0: the short run whose time is subtracted */

typedef struct options {
    long size, iterations;
    int repeats;
    int threads[MAX_THREAD_COUNTS];
    size_t n_threads;
} options;

/* Doubles moved per pixel by loss_grad alone: read u, f, write g. */
enum { LOSS_GRAD_DOUBLES = 3 };

typedef struct variant {
    const char *optimizer;
    int doubles; /* per pixel and iteration: gd reads x, g, f, writes x, g; adam also m, v */
} variant;

static const variant variants[] = {{"gd", 5}, {"adam", 9}};
#define N_VARIANTS (sizeof variants / sizeof variants[0])

/* Everything one timed run needs. */
typedef struct bench {
    gd_problem p;
    gd_workspace ws;
    gd_history h;
    const options *o;
} bench;

static int parse_options(int argc, char **argv, options *o)
{
    *o = (options){.size = 2048, .iterations = 20, .repeats = 3, .threads = {1, 2},
                   .n_threads = 2};
    int c;
    while ((c = getopt(argc, argv, "s:i:r:t:")) != -1) {
        if (c == 's')
            o->size = atol(optarg);
        else if (c == 'i')
            o->iterations = atol(optarg);
        else if (c == 'r')
            o->repeats = atoi(optarg);
        else if (c != 't' || gd_bench_parse_threads(optarg, o->threads, MAX_THREAD_COUNTS, &o->n_threads) < 0)
            return -1;
    }
    return o->size >= 2 && o->iterations >= 1 && o->repeats >= 1 ? 0 : -1;
}

/* The "model name" of /proc/cpuinfo into model (left as is when unreadable). */
static void cpu_model(char *model, size_t size)
{
    char line[512];
    FILE *f = fopen("/proc/cpuinfo", "r");
    while (f && fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon) {
            snprintf(model, size, "%s", colon + 2);
            model[strcspn(model, "\n")] = '\0';
            break;
        }
    }
    if (f)
        fclose(f);
}

/* One-minute load average, or -1 when unreadable. */
static double load_average(void)
{
    double load = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f && fscanf(f, "%lf", &load) != 1)
        load = -1;
    if (f)
        fclose(f);
    return load;
}

static void print_cpu(void)
{
    char model[256] = "unknown";
    cpu_model(model, sizeof model);
    printf("CPU: %s, %d logical CPUs; load average before start %.2f (other work on the "
           "machine skews the figures)\n",
           model, omp_get_num_procs(), load_average());
}

static int setup(bench *b, gd_error *err)
{
    const gd_problem_type *type = gd_problem_find("denoise");
    double pp[GD_MAX_PARAMS];
    gd_param_defaults(type->params, pp);
    pp[gd_param_find(type->params, "size")] = (double)b->o->size;
    gd_rng_key key = gd_rng_key_make(0, "denoise", pp, gd_param_count(type->params), 0);
    long t_max = BASE_ITERATIONS + b->o->iterations;
    if (type->setup(&b->p, GD_NO_FILES, pp, key, err) < 0 ||
        gd_workspace_reserve(&b->ws, b->p.n, 2, err) < 0 ||
        gd_history_reserve(&b->h, gd_history_records(t_max, 1), 0, err) < 0)
        return -1;
    return 0;
}

/* A run of the named optimizer with its defaults, constant schedule, T iterations and
 * no stop test but divergence (the default control values). */
static void make_desc(const gd_optimizer_type *opt, long iterations, gd_run_desc *d)
{
    double control[GD_CONTROL_COUNT];
    memset(d, 0, sizeof *d);
    gd_param_defaults(opt->params, d->optimizer_params);
    d->schedule = gd_schedule_find("constant");
    gd_param_defaults(d->schedule->params, d->schedule_params);
    gd_param_defaults(gd_control_params, control);
    control[GD_CONTROL_ITERATIONS] = (double)iterations;
    gd_control_from_values(&d->control, control);
}

/* Wall time of one run of T iterations; *loss gets its final loss. */
static double run_once(bench *b, const gd_optimizer_type *opt, long iterations, double *loss)
{
    gd_run_desc d;
    gd_run_result r;
    make_desc(opt, iterations, &d);
    gd_run_execute(&b->p, opt, &d, 1, &b->ws, &b->h, &r);
    *loss = r.loss_final;
    return r.wall_seconds;
}

/* Seconds per iteration of the real loop: short (T0) and long (T0 + T) runs alternate,
 * so that noise from other processes hits both alike; best of `repeats` each.
 * *loss = final loss of the long run. */
static double seconds_per_iteration(bench *b, const gd_optimizer_type *opt, double *loss)
{
    double best_short = 1e300, best_long = 1e300, unused;
    long t_long = BASE_ITERATIONS + b->o->iterations;
    for (int k = 0; k < b->o->repeats; k++) {
        double s = run_once(b, opt, BASE_ITERATIONS, &unused);
        double l = run_once(b, opt, t_long, loss);
        best_short = s < best_short ? s : best_short;
        best_long = l < best_long ? l : best_long;
    }
    return (best_long - best_short) / (double)b->o->iterations;
}

/* Seconds of one fused loss and gradient, best of `repeats`. */
static double seconds_loss_grad(bench *b)
{
    double best = 1e300;
    for (int k = 0; k <= b->o->repeats; k++) {
        double t0 = gd_bench_now();
        b->p.type->loss_grad(&b->p, b->p.x0, b->ws.g);
        double dt = gd_bench_now() - t0;
        best = k > 0 && dt < best ? dt : best; /* k = 0 warms up */
    }
    return best;
}

static void print_row(const char *what, double seconds, int doubles, double n,
                      double triad_gbs)
{
    double gbs = 8.0 * doubles * n / seconds * 1e-9;
    printf("  %-16s %9.2f %8d %8.2f %8.0f%%\n", what, seconds * 1e3, 8 * doubles, gbs,
           100 * gbs / triad_gbs);
}

static void print_model(const options *o)
{
    printf("denoise %ldx%ld (n = %ld doubles per vector), real loop gd_run_execute, "
           "time per iteration = (best of %d runs of %d+%ld iterations - best of %d runs "
           "of %d) / %ld, runs alternating\n",
           o->size, o->size, o->size * o->size, o->repeats, BASE_ITERATIONS, o->iterations,
           o->repeats, BASE_ITERATIONS, o->iterations);
    printf("byte model, 8 bytes per double, one pass per array and phase, write-allocate "
           "not counted (as STREAM):\n"
           "  loss_grad alone reads u, f, writes g: 24 n\n"
           "  gd iteration (one pass: step, loss, gradient, norm) reads x, g, f, writes "
           "x, g: 40 n\n"
           "  adam iteration reads x, g, f, m, v, writes x, g, m, v: 72 n\n"
           "triad a[i] = b[i] + s*c[i], 2^25 doubles per array, 24 bytes per element, best "
           "of 10, same process\n");
}

/* One thread count: triad, the fused kernel alone, then each optimizer's iteration.
 * Returns the gd iteration's fraction of triad bandwidth. */
static double bench_threads(bench *b, gd_triad *tr, int threads, double *losses)
{
    omp_set_num_threads(threads);
    double n = (double)b->p.n, triad = gd_triad_best(tr, 10);
    printf("\nthreads %d: triad %.2f GB/s\n", threads, triad);
    printf("  %-16s %9s %8s %8s %9s\n", "phase", "ms/iter", "bytes/n", "GB/s", "of triad");
    double lg = seconds_loss_grad(b), gd_fraction = 0;
    print_row("loss_grad alone", lg, LOSS_GRAD_DOUBLES, n, triad);
    for (size_t v = 0; v < N_VARIANTS; v++) {
        const gd_optimizer_type *opt = gd_optimizer_find(variants[v].optimizer);
        double s = seconds_per_iteration(b, opt, &losses[v]);
        int doubles = variants[v].doubles;
        char what[32];
        snprintf(what, sizeof what, "%s iteration", variants[v].optimizer);
        print_row(what, s, doubles, n, triad);
        if (v == 0)
            gd_fraction = 8.0 * doubles * n / s * 1e-9 / triad;
    }
    return gd_fraction;
}

static void bench_free(bench *b, gd_triad *tr)
{
    gd_problem_destroy(&b->p);
    gd_workspace_free(&b->ws);
    gd_history_free(&b->h);
    gd_triad_free(tr);
}

int main(int argc, char **argv)
{
    options o;
    if (parse_options(argc, argv, &o) < 0) {
        fprintf(stderr, "usage: %s [-s SIZE] [-i ITERATIONS] [-r REPEATS] [-t T1,T2,...]\n",
                argv[0]);
        return 2;
    }
    bench b = {.o = &o};
    gd_triad tr = {0};
    gd_error err = {{0}, 0};
    if (setup(&b, &err) < 0 || gd_triad_init(&tr, GD_TRIAD_LEN) < 0) {
        fprintf(stderr, "bench_denoise: %s\n", err.msg[0] ? err.msg : "out of memory");
        bench_free(&b, &tr);
        return 1;
    }
    print_cpu();
    print_model(&o);
    double losses[MAX_THREAD_COUNTS][N_VARIANTS];
    int identical = 1;
    for (size_t k = 0; k < o.n_threads; k++) {
        double frac = bench_threads(&b, &tr, o.threads[k], losses[k]);
        printf("  gd iteration at %.0f%% of triad bandwidth (target >= 60%%)\n", 100 * frac);
        for (size_t v = 0; v < N_VARIANTS; v++)
            identical &= memcmp(&losses[k][v], &losses[0][v], sizeof(double)) == 0;
    }
    printf("\nfinal loss after %d iterations: gd %.17g, adam %.17g; bit-identical across "
           "thread counts: %s\n",
           BASE_ITERATIONS + (int)o.iterations, losses[0][0], losses[0][1],
           identical ? "yes" : "NO");
    bench_free(&b, &tr);
    return identical ? 0 : 1;
}
