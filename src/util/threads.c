/* threads.c - OpenMP threads per process (see gdsweep/threads.h). */
#define _GNU_SOURCE
#include "gdsweep/threads.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <omp.h>

static int node_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* Cores this process may run on (mpirun binds ranks to cores by default). */
static int bound_cores(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return node_cores();
    return CPU_COUNT(&set);
}

int gd_threads_choose(int requested, int ranks_on_node)
{
    if (requested > 0)
        return requested;
    const char *env = getenv("OMP_NUM_THREADS");
    if (env && *env)
        return omp_get_max_threads();
    int per_rank = node_cores() / (ranks_on_node > 0 ? ranks_on_node : 1);
    if (per_rank > bound_cores())
        per_rank = bound_cores();
    return per_rank > 0 ? per_rank : 1;
}

int gd_threads_warning(int threads, int ranks_on_node, char *buf, unsigned size)
{
    int cores = node_cores(), bound = bound_cores();
    if (ranks_on_node > cores) {
        snprintf(buf, size, "%d ranks on this node's %d cores oversubscribe it: runs will "
                 "share cores; start at most %d ranks per node", ranks_on_node, cores, cores);
        return 1;
    }
    if ((long)threads * ranks_on_node > cores) {
        snprintf(buf, size, "%d ranks x %d threads oversubscribe this node's %d cores; "
                 "set --threads (or OMP_NUM_THREADS) to %d or less", ranks_on_node, threads,
                 cores, cores / ranks_on_node);
        return 1;
    }
    if (threads > bound) {
        snprintf(buf, size, "%d threads per rank but each rank is bound to %d core(s); "
                 "start with mpirun --bind-to none (or --map-by slot:PE=%d)", threads, bound,
                 threads);
        return 1;
    }
    return 0;
}
