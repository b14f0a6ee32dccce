/* parallel_sweep.c - the distributed sweep over MPI: the other ranks run the remote worker
 * (remote_worker.c) and rank 0 the coordinator (coordinator.c), each on its MPI transport
 * below, the two ends of one message protocol.
 *
 * Messages (through parallel.c's verbs, all to or from rank 0):
 *   TAG_REQUEST  worker -> 0  one byte: "give me a chunk"; 1 when sent ahead (the worker
 *                             prefetches one chunk while it computes), 0 when idle
 *   TAG_WORK     0 -> worker  uint64 {first, count}; count 0: no more work, or (first =
 *                             GD_CHUNK_LATER) none for an ahead request: ask when idle
 *   TAG_RESULT   worker -> 0  one packed gd_batch (gd_batch_pack)
 *   TAG_DONE     worker -> 0  empty: every result of this rank has been sent
 *   TAG_STOP     worker -> 0  empty: this rank was signalled; stop handing out work
 * Messages between two ranks arrive in order, so TAG_DONE follows the rank's last result.
 * Rank 0's main thread probes for messages and naps when idle (longer the longer it stays
 * idle), so it costs little CPU beside its compute thread. Chunks come from the
 * coordinator's plan (plan.h): expensive runs first, an instance's expensive runs kept on
 * one rank, tiny runs in chunks. */
#include "gdsweep/parallel.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gdsweep/coordinator.h"
#include "gdsweep/huge_pages.h"
#include "gdsweep/inject.h"
#include "gdsweep/local_worker.h"
#include "gdsweep/progress.h"
#include "gdsweep/remote_worker.h"
#include "gdsweep/wire.h"

enum { TAG_REQUEST = 1, TAG_WORK, TAG_RESULT, TAG_DONE, TAG_STOP };

/* Grows a message buffer to size bytes. */
static int reserve(unsigned char **buf, size_t *cap, size_t size, gd_error *err)
{
    if (size <= *cap)
        return 0;
    unsigned char *b = gd_huge_realloc(*buf, 0, size); /* refilled whole by each message */
    if (!b)
        return gd_fail_runtime(err, "out of memory for a %zu-byte message", size);
    *buf = b;
    *cap = size;
    return 0;
}

/* Where a rank's time went, printed when GD_PROFILE is set (a tuning aid). */
static void profile_print(const gd_worker_profile *p)
{
    if (!getenv("GD_PROFILE"))
        return;
    double wall = gd_now_seconds() - p->start;
    fprintf(stderr, "gdsweep: profile rank %d: %llu runs in %llu chunks, wall %.3f s, computing "
            "%.3f s, waiting for work %.3f s, sending %.3f s\n", gd_par_rank(),
            (unsigned long long)p->runs, (unsigned long long)p->chunks, wall,
            wall - p->waiting - p->sending, p->waiting, p->sending);
}

/* The one end of a failure on any rank: one line, and every rank ends. */
static void mpi_abort(void *ctx, const gd_error *err)
{
    (void)ctx;
    gd_par_abort(err);
}

/* ---- worker ranks: the MPI transport of the remote worker (remote_worker.c) -------- */

/* A worker rank's side of the messages: the answer it waits for and the send buffer.
 * Results go with a blocking MPI_Send: a non-blocking one would not progress while this
 * rank computes (Open MPI has no progress thread here), and rank 0 would sit in its receive
 * waiting for the data of a large message until this rank next enters MPI, stalling every
 * rank. */
typedef struct rank_side {
    uint64_t chunk[2];
    gd_par_request answer;
    unsigned char *buf;
    size_t buf_cap;
} rank_side;

static void rank_ask(void *ctx, int ahead)
{
    rank_side *r = ctx;
    unsigned char byte = (unsigned char)ahead;
    gd_par_send_bytes(0, TAG_REQUEST, &byte, 1);
    gd_par_irecv_u64(0, TAG_WORK, r->chunk, 2, &r->answer);
}

static int rank_take_chunk(void *ctx, uint64_t *first, uint64_t *count)
{
    rank_side *r = ctx;
    if (!gd_par_test(&r->answer))
        return 0;
    *first = r->chunk[0];
    *count = r->chunk[1];
    return 1;
}

/* Waits without spinning a core (Open MPI's blocking wait busy-polls). */
static void rank_nap(void *ctx, long nanoseconds)
{
    (void)ctx;
    struct timespec ts = {0, nanoseconds};
    nanosleep(&ts, NULL);
}

static int rank_send_results(void *ctx, const gd_batch *b, gd_error *err)
{
    rank_side *r = ctx;
    size_t size = gd_batch_wire_size(b);
    if (size > (size_t)INT_MAX)
        return gd_fail_runtime(err, "a result batch of %zu bytes is too large to send", size);
    if (reserve(&r->buf, &r->buf_cap, size, err) != 0)
        return -1;
    gd_batch_pack(b, r->buf);
    gd_par_send_bytes(0, TAG_RESULT, r->buf, size);
    return 0;
}

static void rank_send_stop(void *ctx)
{
    (void)ctx;
    gd_par_send_bytes(0, TAG_STOP, NULL, 0);
}

static void rank_send_done(void *ctx)
{
    (void)ctx;
    gd_par_send_bytes(0, TAG_DONE, NULL, 0);
}

static const gd_worker_transport_ops rank_ops = {
    rank_ask, rank_take_chunk, rank_nap, rank_send_results,
    rank_send_stop, rank_send_done, mpi_abort};

/* A worker rank: the remote worker's loop over MPI. Returns 0 or GD_SWEEP_INTERRUPTED
 * (a failure here ends the job through gd_par_abort). */
static int work_for_rank0(const gd_sweep *s, gd_error *err)
{
    rank_side r;
    gd_worker_profile profile;
    memset(&r, 0, sizeof r);
    gd_worker_transport t = {&rank_ops, &r};
    int rc = gd_remote_work(s, gd_par_rank(), &t, &profile, err);
    profile_print(&profile);
    free(r.buf);
    return rc;
}

/* ---- rank 0: the MPI transport of the coordinator --------------------------------- */

/* Rank 0's side of the messages: worker 0 is its compute thread (a mailbox), workers
 * 1 .. size - 1 are the other ranks. Results of the ranks arrive packed (the wire format)
 * and are unpacked into the coordinator's batch; the compute thread's batches are merged
 * into it as unpacking them would (gd_batch_merge), without the message's copies. */
typedef struct mpi_side {
    const gd_sweep *s;
    gd_local_worker local;
    int local_done_sent;
    int local_first;           /* which source receive looks at first (alternates) */
    unsigned char *buf;
    size_t buf_cap;
} mpi_side;

/* A RESULT message: the runs the coordinator's batch gained since it held `before`. */
static int result_message(const gd_batch *into, size_t before, gd_message *msg)
{
    msg->kind = GD_MSG_RESULT;
    msg->runs = into->count - before;
    return 1;
}

/* Unpacks the size bytes in m->buf into the coordinator's batch: a RESULT message. */
static int unpack_result(mpi_side *m, gd_batch *into, size_t size, gd_message *msg,
                         gd_error *err)
{
    size_t before = into->count;
    if (gd_batch_unpack(into, m->buf, size, m->s, err) != 0)
        return -1;
    return result_message(into, before, msg);
}

static int receive_result(mpi_side *m, gd_batch *into, int source, size_t size,
                          gd_message *msg, gd_error *err)
{
    if (reserve(&m->buf, &m->buf_cap, size, err) != 0)
        return -1;
    gd_par_recv_bytes(source, TAG_RESULT, m->buf, size);
    return unpack_result(m, into, size, msg, err);
}

/* One message from another rank, if any: 1, 0 or -1. */
static int receive_remote(mpi_side *m, gd_batch *into, gd_message *msg, gd_error *err)
{
    int source, tag;
    size_t size;
    if (!gd_par_probe(&source, &tag, &size))
        return 0;
    msg->worker = source;
    if (tag == TAG_RESULT)
        return receive_result(m, into, source, size, msg, err);
    unsigned char ahead = 0;
    gd_par_recv_bytes(source, tag, &ahead, tag == TAG_REQUEST);
    msg->kind = tag == TAG_DONE   ? GD_MSG_DONE
                : tag == TAG_STOP ? GD_MSG_STOP
                                  : GD_MSG_REQUEST;
    msg->ahead = ahead;
    return 1;
}

/* One event of the compute thread, if any: a request, a batch, its end; -1 when it
 * failed. */
static int receive_local(mpi_side *m, gd_batch *into, gd_message *msg, gd_error *err)
{
    msg->worker = 0;
    if (gd_local_worker_failed(&m->local, err))
        return -1;
    if (gd_local_worker_wants_chunk(&m->local)) {
        msg->kind = GD_MSG_REQUEST;
        return 1;
    }
    gd_batch *b = gd_local_worker_take_batch(&m->local);
    if (b) {
        size_t before = into->count;
        if (gd_batch_merge(into, b, m->s, err) != 0)
            return -1;
        gd_local_worker_release_batch(&m->local);
        return result_message(into, before, msg);
    }
    if (m->local_done_sent || !gd_local_worker_exited(&m->local))
        return 0;
    m->local_done_sent = 1;
    msg->kind = GD_MSG_DONE;
    return 1;
}

/* The ranks and the compute thread in turn, so that neither waits on the other. */
static int mpi_receive(void *ctx, gd_batch *into, gd_message *msg, gd_error *err)
{
    mpi_side *m = ctx;
    m->local_first = !m->local_first;
    int got = m->local_first ? receive_local(m, into, msg, err)
                             : receive_remote(m, into, msg, err);
    if (got != 0)
        return got;
    return m->local_first ? receive_remote(m, into, msg, err)
                          : receive_local(m, into, msg, err);
}

static void mpi_send_chunk(void *ctx, int worker, uint64_t first, uint64_t count)
{
    mpi_side *m = ctx;
    uint64_t chunk[2] = {first, count};
    if (worker == 0)
        gd_local_worker_give_chunk(&m->local, first, count);
    else
        gd_par_send_u64(worker, TAG_WORK, chunk, 2);
}

/* Its own compute thread wakes it at once (gd_local_worker_nap). */
static void mpi_nap(void *ctx, long nanoseconds)
{
    mpi_side *m = ctx;
    gd_local_worker_nap(&m->local, nanoseconds);
}

static const gd_transport_ops mpi_ops = {mpi_receive, mpi_send_chunk, mpi_nap, mpi_abort};

static void profile_rank0(const mpi_side *m, double start, gd_store *st)
{
    gd_worker_profile local = {start, m->local.waiting, 0, m->local.runs, m->local.chunks};
    profile_print(&local);
    if (getenv("GD_PROFILE"))
        fprintf(stderr, "gdsweep: profile rank 0 writer: %.3f s in HDF5\n",
                gd_store_io_seconds(st));
}

/* Rank 0: starts its compute thread, then coordinates every rank. A failure once the
 * other ranks are started ends the job through gd_par_abort (they would wait forever). */
static int coordinate_ranks(const gd_selection *sel, gd_store *st, gd_tally *tally, int quiet,
                            gd_drive_stats *stats, gd_error *err)
{
    mpi_side m;
    memset(&m, 0, sizeof m);
    m.s = sel->sweep;
    if (gd_inject_failure("local_worker", err) ||
        gd_local_worker_start(&m.local, m.s, 0, err) != 0)
        gd_par_abort(err);
    gd_transport t = {&mpi_ops, &m, gd_par_size()};
    gd_coordination job = {sel, st, tally, quiet, 1, 1};
    double t0 = gd_now_seconds();
    int rc = gd_coordinate(&job, &t, stats, err);
    profile_rank0(&m, t0, st);
    if (gd_local_worker_join(&m.local, err) != 0)
        gd_par_abort(err);
    free(m.buf);
    return rc;
}

int gd_par_sweep(const gd_selection *sel, gd_store *st, gd_tally *tally, int quiet,
                 gd_drive_stats *stats, gd_error *err)
{
    if (gd_par_size() == 1)
        return gd_drive_serial(sel, st, tally, quiet, stats, err);
    if (gd_par_rank() != 0)
        return work_for_rank0(sel->sweep, err);
    return coordinate_ranks(sel, st, tally, quiet, stats, err);
}
