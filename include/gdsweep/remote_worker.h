/* remote_worker.h - a worker rank's loop (no MPI in it): chunks in, result batches out.
 *
 * A rank other than rank 0 asks the coordinator (coordinator.h) for a chunk of run ids,
 * runs it with its gd_worker (worker.h) and sends the results back in batches: one
 * whenever the batch is full (gd_batch_is_full), and one at the end of each chunk. Once a
 * chunk has come it asks for the next one ahead, so that the answer is there when the chunk
 * ends. It talks to the coordinator only through a gd_worker_transport, the worker's half
 * of the coordinator's gd_transport, with two implementations: MPI (parallel_sweep.c,
 * through parallel.c's verbs) and a scripted fake (tests/test_remote_worker.c).
 *
 * Ends. A count-0 chunk ends the loop (coordinator.h: first GD_CHUNK_LATER means "ask
 * again when idle" instead, GD_CHUNK_INTERRUPTED that the sweep was interrupted). A signal
 * here (gd_interrupt_stop) ends the chunk it interrupts: the worker sends its results, says
 * STOP, drops the chunk it had asked ahead for and leaves. Every end but a failure says
 * DONE after the last batch.
 *
 * Failure. A run that fails (memory, instance setup) or a batch that cannot be sent goes
 * through the transport's abort: MPI prints one line and ends every rank (never a hang); a
 * test's abort returns, and the loop returns -1 with err set, without saying DONE. */
#ifndef GDSWEEP_REMOTE_WORKER_H
#define GDSWEEP_REMOTE_WORKER_H

#include <stdint.h>

#include "gdsweep/batch.h"
#include "gdsweep/error.h"
#include "gdsweep/grid.h"

typedef struct gd_worker_transport_ops {
    /* Asks the coordinator for a chunk: ahead 1 while this worker still has a chunk to
     * run, 0 when idle. At most one ask is unanswered. */
    void (*ask)(void *ctx, int ahead);
    /* The answer to the last ask, if it has come: 1 (*first, *count filled), else 0. */
    int (*take_chunk)(void *ctx, uint64_t *first, uint64_t *count);
    /* Idle while the answer has not come: waits nanoseconds. */
    void (*nap)(void *ctx, long nanoseconds);
    /* Sends the results in b (at least one run); returns when b may be cleared: 0, or -1
     * with err set. */
    int (*send_results)(void *ctx, const gd_batch *b, gd_error *err);
    /* Says this worker was signalled: the coordinator hands out no more work. */
    void (*send_stop)(void *ctx);
    /* Says every result of this worker has been sent. */
    void (*send_done)(void *ctx);
    /* The one end of a failure: MPI prints one line and ends the job (no return); a test's
     * returns (the loop then returns -1). */
    void (*abort)(void *ctx, const gd_error *err);
} gd_worker_transport_ops;

typedef struct gd_worker_transport {
    const gd_worker_transport_ops *ops;
    void *ctx;
} gd_worker_transport;

/* Where a worker's time went (printed when GD_PROFILE is set: a tuning aid). */
typedef struct gd_worker_profile {
    double start, waiting, sending;  /* seconds: start time, waiting for a chunk, sending */
    uint64_t runs, chunks;           /* handed to this worker */
} gd_worker_profile;

/* Runs the chunks the coordinator hands out with a worker of this rank, and fills
 * *profile. Returns 0, GD_SWEEP_INTERRUPTED (a signal here, or the coordinator said the
 * sweep was interrupted), or -1 after the transport's abort returned (err set). */
int gd_remote_work(const gd_sweep *s, int rank, gd_worker_transport *t,
                   gd_worker_profile *profile, gd_error *err);

#endif
