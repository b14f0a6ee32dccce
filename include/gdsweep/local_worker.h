/* local_worker.h - a compute thread beside rank 0's coordinator (no MPI in it).
 *
 * Rank 0's main thread talks MPI and writes HDF5; this thread runs chunks of runs like
 * any other rank, so rank 0 is not a pure coordinator. The two meet in a mailbox under
 * one mutex: the thread asks for a chunk and waits; it fills one batch while the other
 * is handed to the main thread, and waits when both are full (bounded memory). The main
 * thread polls the mailbox without blocking, and naps on it (gd_local_worker_nap) so that
 * the thread's request or batch wakes it at once. */
#ifndef GDSWEEP_LOCAL_WORKER_H
#define GDSWEEP_LOCAL_WORKER_H

#include <pthread.h>
#include <stdint.h>

#include "gdsweep/batch.h"
#include "gdsweep/worker.h"

typedef struct gd_local_worker {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    gd_worker worker;
    gd_batch slots[2];
    gd_batch *filling, *ready;     /* ready: handed to the main thread, or NULL */
    int wants_chunk, has_chunk, exited, failed;
    uint64_t chunk_first, chunk_count; /* count 0: no more work */
    int threads;                   /* OpenMP threads, as set on the main thread */
    double waiting;                /* seconds waiting for a chunk or a free batch slot */
    uint64_t runs, chunks;
    gd_error err;
} gd_local_worker;

int gd_local_worker_start(gd_local_worker *lw, const gd_sweep *s, int rank, gd_error *err);

/* Main thread: 1 when the thread waits for a chunk (then give one). */
int gd_local_worker_wants_chunk(gd_local_worker *lw);
void gd_local_worker_give_chunk(gd_local_worker *lw, uint64_t first, uint64_t count);

/* Main thread: the batch the thread handed over, or NULL; call release when written. */
gd_batch *gd_local_worker_take_batch(gd_local_worker *lw);
void gd_local_worker_release_batch(gd_local_worker *lw);

/* Main thread: sleeps `nanoseconds`, or until the thread wants a chunk, hands over a
 * batch or ends; returns at once when a request or a batch is already pending. */
void gd_local_worker_nap(gd_local_worker *lw, long nanoseconds);

/* 1 (and its error in *err) when the thread stopped on a failure. */
int gd_local_worker_failed(gd_local_worker *lw, gd_error *err);

/* 1 when the thread has ended (after a count-0 chunk, or on failure). */
int gd_local_worker_exited(gd_local_worker *lw);

/* Joins the thread; returns -1 with its error when it failed. */
int gd_local_worker_join(gd_local_worker *lw, gd_error *err);

#endif
