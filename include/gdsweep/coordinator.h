/* coordinator.h - the one coordinator of a sweep (no MPI in it) and its transport.
 *
 * The coordinator hands out chunks of run ids to workers, takes their results into one
 * committer (committer.h: the one commit policy), feeds the progress line and the tally,
 * and ends the sweep when every worker is done. It talks to the workers only through a
 * gd_transport, a small table of operations with two implementations: MPI ranks plus rank
 * 0's compute thread (parallel_sweep.c, the only code that speaks MPI through parallel.c;
 * the other ranks run remote_worker.h's loop) and one in-process worker run on the
 * caller's thread (driver.c, the serial sweep).
 * Tests drive it with a scripted fake transport (tests/test_coordinator.c).
 *
 * Failure. Every failure after the workers started (a worker's, the store's, the plan's)
 * goes through the transport's abort: for MPI it prints one line and ends every rank
 * (never a hang); in-process it returns and the coordinator returns -1 with err set. */
#ifndef GDSWEEP_COORDINATOR_H
#define GDSWEEP_COORDINATOR_H

#include <stdint.h>

#include "gdsweep/batch.h"
#include "gdsweep/driver.h"
#include "gdsweep/selection.h"
#include "gdsweep/store.h"
#include "gdsweep/tally.h"

/* First ids of count-0 chunks: "stopped: the sweep was interrupted", and "nothing for an
 * ahead request now (only stealing would give work): ask when idle". A count-0 chunk with
 * any other first id means "no more work". */
#define GD_CHUNK_INTERRUPTED UINT64_MAX
#define GD_CHUNK_LATER (UINT64_MAX - 1)

typedef enum gd_message_kind {
    GD_MSG_REQUEST = 1, /* the worker wants a chunk (answer with send_chunk) */
    GD_MSG_RESULT,      /* the worker's results were appended to the pending batch */
    GD_MSG_DONE,        /* the worker has sent every result and ended */
    GD_MSG_STOP         /* the worker was signalled: stop handing out work */
} gd_message_kind;

typedef struct gd_message {
    gd_message_kind kind;
    int worker;         /* 0 .. workers - 1 */
    int ahead;          /* REQUEST: sent before the worker's current chunk ended */
    uint64_t runs;      /* RESULT: how many runs were appended */
} gd_message;

typedef struct gd_transport_ops {
    /* The next message, if any: 1 (msg filled; a RESULT's runs already appended to into),
     * 0 (none now), -1 (a failure here, err set). */
    int (*receive)(void *ctx, gd_batch *into, gd_message *msg, gd_error *err);
    /* Answers a REQUEST of worker: the chunk [first, first + count), or count 0. */
    void (*send_chunk)(void *ctx, int worker, uint64_t first, uint64_t count);
    /* Idle: waits up to nanoseconds, or less when a message arrives. */
    void (*nap)(void *ctx, long nanoseconds);
    /* The one end of a failure: MPI prints one line and ends the job (no return);
     * in-process returns (the coordinator then returns -1). */
    void (*abort)(void *ctx, const gd_error *err);
} gd_transport_ops;

typedef struct gd_transport {
    const gd_transport_ops *ops;
    void *ctx;
    int workers;        /* worker 0 runs in this process; the others are remote */
} gd_transport;

/* What the coordinator is asked to do. planned: chunks come from a plan over the
 * transport's workers (cost order, instance affinity: plan.h); 0: in id order, for one
 * worker (the serial sweep's order). */
typedef struct gd_coordination {
    const gd_selection *sel;
    gd_store *st;
    gd_tally *tally;
    int quiet;
    int planned;
    int threaded_commits; /* batches written by a writer thread (gdsweep/committer.h) */
} gd_coordination;

/* Runs the selection over the transport's workers and commits every result once. Returns
 * 0, GD_SWEEP_INTERRUPTED (a worker or this process was signalled; what arrived is
 * committed; stats->abandoned_ranks remote workers had not finished when the grace period
 * ended) or -1 after the transport's abort (in-process only). */
int gd_coordinate(const gd_coordination *job, gd_transport *t, gd_drive_stats *stats,
                  gd_error *err);

#endif
