/* threads.h - OpenMP threads per process: choosing the count, warning on oversubscription. */
#ifndef GDSWEEP_THREADS_H
#define GDSWEEP_THREADS_H

/* Threads for this process: `requested` (--threads) if > 0, else OMP_NUM_THREADS if set,
 * else the node's cores divided by the ranks on the node, at most the cores this process
 * is bound to, and at least 1. */
int gd_threads_choose(int requested, int ranks_on_node);

/* Writes a warning into buf (returns 1) when ranks_on_node x threads exceeds the node's
 * cores, or threads exceed the cores this process is bound to; else returns 0. */
int gd_threads_warning(int threads, int ranks_on_node, char *buf, unsigned size);

#endif
