/* triad.c - the STREAM-style triad of the benchmarks (see triad.h). */
#include "triad.h"

#include <stdlib.h>
#include <time.h>

double gd_bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int gd_triad_init(gd_triad *t, size_t len)
{
    t->len = len;
    t->a = malloc(len * sizeof *t->a);
    t->b = malloc(len * sizeof *t->b);
    t->c = malloc(len * sizeof *t->c);
    if (!t->a || !t->b || !t->c) {
        gd_triad_free(t);
        return -1;
    }
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < len; i++) {
        t->a[i] = 0;
        t->b[i] = 1;
        t->c[i] = 2;
    }
    return 0;
}

void gd_triad_free(gd_triad *t)
{
    free(t->a);
    free(t->b);
    free(t->c);
    *t = (gd_triad){0};
}

static void triad_pass(gd_triad *t, double s)
{
    double *restrict a = t->a;
    const double *restrict b = t->b, *restrict c = t->c;
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < t->len; i++)
        a[i] = b[i] + s * c[i];
}

double gd_triad_best(gd_triad *t, int passes)
{
    triad_pass(t, 3.0);
    double best = 1e300;
    for (int k = 0; k < passes; k++) {
        double t0 = gd_bench_now();
        triad_pass(t, 3.0);
        double dt = gd_bench_now() - t0;
        best = dt < best ? dt : best;
    }
    return 3.0 * sizeof(double) * (double)t->len / best * 1e-9;
}

int gd_bench_parse_threads(const char *s, int *threads, size_t max, size_t *n)
{
    *n = 0;
    while (*s && *n < max) {
        char *end;
        long t = strtol(s, &end, 10);
        if (end == s || t < 1 || t > 1024 || (*end && *end != ','))
            return -1;
        threads[(*n)++] = (int)t;
        s = *end == ',' ? end + 1 : end;
    }
    return *n && !*s ? 0 : -1;
}
