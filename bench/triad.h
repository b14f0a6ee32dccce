/* triad.h - a STREAM-style triad, the memory-bandwidth yardstick of the benchmarks.
 *
 * a[i] = b[i] + s * c[i] over three arrays of GD_TRIAD_LEN doubles, OpenMP static
 * schedule (pages first touched by the thread that later streams them), best of several
 * passes. Bandwidth counts 24 bytes per element (read b and c, write a), like STREAM:
 * the write-allocate read of a is not counted. */
#ifndef GDSWEEP_BENCH_TRIAD_H
#define GDSWEEP_BENCH_TRIAD_H

#include <stddef.h>

#define GD_TRIAD_LEN ((size_t)1 << 25)

typedef struct gd_triad {
    double *a, *b, *c;
    size_t len;
} gd_triad;

/* Allocates and initialises the three arrays (with the current thread count); 0 or -1
 * when memory runs out. */
int gd_triad_init(gd_triad *t, size_t len);
void gd_triad_free(gd_triad *t);

/* Best bandwidth in GB/s (10^9 bytes/s) over `passes` passes with the current OpenMP
 * thread count (one untimed warm-up pass first). */
double gd_triad_best(gd_triad *t, int passes);

/* Monotonic wall clock in seconds. */
double gd_bench_now(void);

/* A thread-count list "1,2,4" into threads[0..max): their number in *n; 0, or -1 when s
 * is not such a list (counts 1..1024, at least one, at most max). */
int gd_bench_parse_threads(const char *s, int *threads, size_t max, size_t *n);

#endif
