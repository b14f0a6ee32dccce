/* parallel_sweep.c - the distributed sweep: rank 0 coordinates, writes and computes;
 * the other ranks compute chunks and send result batches back.
 *
 * Messages (MPI_COMM_WORLD, all to or from rank 0):
 *   TAG_REQUEST  worker -> 0  one byte: "give me a chunk"; 1 when sent ahead (the worker
 *                             prefetches one chunk while it computes), 0 when idle
 *   TAG_WORK     0 -> worker  uint64 {first, count}; count 0: no more work, or (first =
 *                             GD_CHUNK_LATER) none for an ahead request: ask when idle
 *   TAG_RESULT   worker -> 0  one packed gd_batch (gd_batch_pack)
 *   TAG_DONE     worker -> 0  empty: every result of this rank has been sent
 *   TAG_STOP     worker -> 0  empty: this rank was signalled; stop handing out work
 * Messages between two ranks arrive in order, so TAG_DONE follows the rank's last result.
 * Rank 0's main thread polls with MPI_Iprobe and naps when idle (longer the longer it stays
 * idle), so it costs little CPU beside its compute thread. Chunks come from the plan
 * (plan.h): expensive runs first, an instance's expensive runs kept on one rank, tiny runs
 * in chunks. */
#include "gdsweep/parallel.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mpi.h>

#include "gdsweep/inject.h"
#include "gdsweep/interrupt.h"
#include "gdsweep/local_worker.h"
#include "gdsweep/plan.h"
#include "gdsweep/progress.h"
#include "gdsweep/wire.h"
#include "gdsweep/worker.h"

enum { TAG_REQUEST = 1, TAG_WORK, TAG_RESULT, TAG_DONE, TAG_STOP };

/* First ids of TAG_WORK chunks of count 0: "stopped: the sweep was interrupted", and
 * "nothing for an ahead request now (only stealing would give work): ask when idle". */
#define GD_CHUNK_INTERRUPTED UINT64_MAX
#define GD_CHUNK_LATER (UINT64_MAX - 1)

/* After the grace period, how long rank 0 still waits for the results of runs that ended
 * before it (signalled ranks abandon their runs at once and report). */
#define GD_ABANDON_WAIT_SECONDS 2.0

/* Idle sleeps. A worker waiting for its chunk has nothing else to do on its core: short
 * naps. Rank 0's coordinator shares its core with its compute thread, so each wake-up
 * costs that thread time (10,000 a second cost ~3% of the mixed benchmark): its naps start
 * short after any work (a rank may ask again at once) and double while nothing happens,
 * up to 0.5 ms, since a rank sending results waits in MPI_Send until the coordinator looks
 * (2 ms made ranks wait 0.05-0.07 s of a 1.08 s showcase sweep, 0.5 ms 0.02-0.03 s). Its
 * own compute thread wakes it at once (gd_local_worker_nap). */
#define IDLE_NANOSECONDS 100000L
#define COORDINATOR_NAP_MAX 500000L

static void nap(long nanoseconds)
{
    struct timespec ts = {0, nanoseconds};
    nanosleep(&ts, NULL);
}

static void idle(void)
{
    nap(IDLE_NANOSECONDS);
}

/* Waits for req without spinning a core (Open MPI's blocking wait busy-polls). */
static void wait_quietly(MPI_Request *req)
{
    int done = 0;
    for (MPI_Test(req, &done, MPI_STATUS_IGNORE); !done; MPI_Test(req, &done, MPI_STATUS_IGNORE))
        idle();
}

/* Grows a message buffer to size bytes. */
static int reserve(unsigned char **buf, size_t *cap, size_t size, gd_error *err)
{
    if (size <= *cap)
        return 0;
    unsigned char *b = realloc(*buf, size);
    if (!b)
        return gd_fail_runtime(err, "out of memory for a %zu-byte message", size);
    *buf = b;
    *cap = size;
    return 0;
}

/* ---- worker ranks ------------------------------------------------------------------ */

/* Where a worker rank's time went, printed when GD_PROFILE is set (a tuning aid). */
typedef struct rank_profile {
    double start, waiting, sending;
    uint64_t runs, chunks;
} rank_profile;

static void profile_print(const rank_profile *p)
{
    if (!getenv("GD_PROFILE"))
        return;
    double wall = gd_now_seconds() - p->start;
    fprintf(stderr, "gdsweep: profile rank %d: %llu runs in %llu chunks, wall %.3f s, computing "
            "%.3f s, waiting for work %.3f s, sending %.3f s\n", gd_par_rank(),
            (unsigned long long)p->runs, (unsigned long long)p->chunks, wall,
            wall - p->waiting - p->sending, p->waiting, p->sending);
}

/* A worker rank: its worker, the batch it fills and the send buffer. Results go with a
 * blocking MPI_Send: a non-blocking one would not progress while this rank computes
 * (Open MPI has no progress thread here), and rank 0 would sit in MPI_Recv waiting for
 * the data of a large message until this rank next enters MPI, stalling every rank. */
typedef struct remote {
    rank_profile profile;
    gd_worker worker;
    gd_batch batch;
    unsigned char *buf;
    size_t buf_cap;
} remote;

/* Packs and sends the batch to rank 0; a failure here ends the job from this rank. */
static void send_batch(remote *r)
{
    gd_error err = {.exit_code = GD_EXIT_RUNTIME};
    if (r->batch.count == 0)
        return;
    size_t size = gd_batch_wire_size(&r->batch);
    if (size > (size_t)INT_MAX)
        gd_fail_runtime(&err, "a result batch of %zu bytes is too large to send", size);
    if (size > (size_t)INT_MAX || reserve(&r->buf, &r->buf_cap, size, &err) != 0)
        gd_par_abort(&err);
    double t0 = gd_now_seconds();
    gd_batch_pack(&r->batch, r->buf);
    MPI_Send(r->buf, (int)size, MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD);
    r->profile.sending += gd_now_seconds() - t0;
    gd_batch_clear(&r->batch);
}

/* Runs the chunk; returns 1 when a stop request or an abandoned run ended it early. */
static int run_chunk(remote *r, uint64_t first, uint64_t count)
{
    gd_error err = {.exit_code = GD_EXIT_RUNTIME};
    int rc = 0;
    for (uint64_t id = first; id < first + count && rc == 0; id++) {
        rc = gd_interrupt_stop() ? 1 : gd_worker_run(&r->worker, id, &r->batch, &err);
        if (rc < 0)
            gd_par_abort(&err);
        if (gd_batch_is_full(&r->batch))
            send_batch(r);
    }
    send_batch(r);
    return rc;
}

static void ask_for_chunk(uint64_t chunk[2], MPI_Request *req, unsigned char ahead)
{
    MPI_Send(&ahead, 1, MPI_BYTE, 0, TAG_REQUEST, MPI_COMM_WORLD);
    MPI_Irecv(chunk, 2, MPI_UINT64_T, 0, TAG_WORK, MPI_COMM_WORLD, req);
}

/* Computes chunks until rank 0 says there are no more, or a signal stops this rank: then
 * it tells rank 0 (TAG_STOP), drops the chunk it had asked for, and leaves. Returns 0,
 * or GD_SWEEP_INTERRUPTED when the sweep was interrupted here or elsewhere. */
static int work_for_rank0(const gd_sweep *s)
{
    remote r = {0};
    uint64_t chunk[2];
    MPI_Request req;
    int stopped = 0;
    gd_worker_init(&r.worker, s, gd_par_rank());
    r.profile.start = gd_now_seconds();
    ask_for_chunk(chunk, &req, 0);
    for (;;) {
        double t0 = gd_now_seconds();
        wait_quietly(&req);
        r.profile.waiting += gd_now_seconds() - t0;
        uint64_t first = chunk[0], count = chunk[1];
        if (count == 0 && first == GD_CHUNK_LATER && !stopped) {
            ask_for_chunk(chunk, &req, 0);
            continue;
        }
        if (count == 0 || stopped) {
            stopped |= first == GD_CHUNK_INTERRUPTED;
            break;
        }
        r.profile.runs += count;
        r.profile.chunks++;
        ask_for_chunk(chunk, &req, 1); /* prefetch: the next chunk arrives while we compute */
        if (run_chunk(&r, first, count) != 0 && !stopped) {
            stopped = 1;
            MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_STOP, MPI_COMM_WORLD);
        }
    }
    MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_DONE, MPI_COMM_WORLD);
    profile_print(&r.profile);
    gd_worker_free(&r.worker);
    gd_batch_free(&r.batch);
    free(r.buf);
    return stopped ? GD_SWEEP_INTERRUPTED : 0;
}

/* ---- rank 0 ------------------------------------------------------------------------ */

/* Rank 0's main thread. Results from every rank (its own compute thread included) are
 * appended to `pending`, which is committed to the file when full or GD_COMMIT_SECONDS
 * after the last commit: expensive runs come one per chunk, and a commit per run would
 * cost two file flushes each. */
typedef struct coordinator {
    const gd_sweep *s;
    gd_store *st;
    gd_tally *tally;
    gd_plan *plan;
    gd_progress progress;
    gd_local_worker local;
    gd_batch pending;
    double last_commit, commit_every;
    unsigned char *buf;
    size_t buf_cap;
    int remote_active;
    int stopping;              /* a rank was signalled: hand out no more work */
    uint64_t runs_done;
} coordinator;

/* The next chunk for worker rank `worker` (0: rank 0's compute thread); ahead: the
 * request was sent before the worker finished its current chunk. */
static void next_chunk(coordinator *c, int worker, int ahead, uint64_t chunk[2])
{
    int got;
    if (!c->stopping && gd_interrupt_stop()) /* rank 0 itself was signalled */
        c->stopping = 1;
    if (c->stopping) {
        chunk[0] = GD_CHUNK_INTERRUPTED;
        chunk[1] = 0;
    } else if ((got = gd_plan_next(c->plan, worker, ahead, &chunk[0], &chunk[1])) !=
               GD_PLAN_CHUNK) {
        chunk[0] = got == GD_PLAN_LATER ? GD_CHUNK_LATER : 0;
        chunk[1] = 0;
    }
}

/* Writes the pending results when due (or when forced). */
static int commit(coordinator *c, int force, gd_error *err)
{
    gd_batch *b = &c->pending;
    double now = gd_now_seconds();
    if (b->count == 0 ||
        !(force || gd_batch_is_full(b) || now - c->last_commit >= c->commit_every))
        return 0;
    if (gd_store_write_batch(c->st, b, err) != 0) {
        gd_store_explain_failure(c->st, err);
        return -1;
    }
    gd_tally_add_batch(c->tally, b);
    c->runs_done += b->count;
    gd_batch_clear(b);
    c->last_commit = now;
    return 0;
}

/* Appends a packed batch of `size` bytes in c->buf to the pending results. */
static int absorb(coordinator *c, size_t size, gd_error *err)
{
    size_t before = c->pending.count;
    if (gd_batch_unpack(&c->pending, c->buf, size, c->s, err) != 0)
        return -1;
    gd_progress_add(&c->progress, c->pending.count - before);
    return commit(c, 0, err);
}

static int receive_result(coordinator *c, const MPI_Status *probe, gd_error *err)
{
    int size;
    MPI_Get_count(probe, MPI_BYTE, &size);
    if (reserve(&c->buf, &c->buf_cap, (size_t)size, err) != 0)
        return -1;
    MPI_Recv(c->buf, size, MPI_BYTE, probe->MPI_SOURCE, TAG_RESULT, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
    return absorb(c, (size_t)size, err);
}

/* Serves one pending message; returns 1 if there was one, 0 if none, -1 on failure. */
static int serve_message(coordinator *c, gd_error *err)
{
    int flag;
    MPI_Status st;
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
    if (!flag)
        return 0;
    if (st.MPI_TAG == TAG_RESULT)
        return receive_result(c, &st, err) == 0 ? 1 : -1;
    unsigned char ahead = 0;
    MPI_Recv(&ahead, st.MPI_TAG == TAG_REQUEST, MPI_BYTE, st.MPI_SOURCE, st.MPI_TAG,
             MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (st.MPI_TAG == TAG_DONE) {
        c->remote_active--;
        return 1;
    }
    if (st.MPI_TAG == TAG_STOP) { /* stop here too: the compute thread and the plan */
        c->stopping = 1;
        gd_interrupt_request();
        return 1;
    }
    uint64_t chunk[2];
    next_chunk(c, st.MPI_SOURCE, ahead, chunk);
    MPI_Send(chunk, 2, MPI_UINT64_T, st.MPI_SOURCE, TAG_WORK, MPI_COMM_WORLD);
    return 1;
}

/* Takes the compute thread's batch into the pending results (through the wire format,
 * the one way batches merge). */
static int take_local_batch(coordinator *c, gd_batch *b, gd_error *err)
{
    size_t size = gd_batch_wire_size(b);
    if (reserve(&c->buf, &c->buf_cap, size, err) != 0)
        return -1;
    gd_batch_pack(b, c->buf);
    gd_local_worker_release_batch(&c->local);
    return absorb(c, size, err);
}

/* Feeds the local compute thread and collects what it produced. */
static int serve_local(coordinator *c, gd_error *err)
{
    int busy = 0;
    if (gd_local_worker_failed(&c->local, err))
        return -1;
    if (gd_local_worker_wants_chunk(&c->local)) {
        uint64_t chunk[2];
        next_chunk(c, 0, 0, chunk);
        gd_local_worker_give_chunk(&c->local, chunk[0], chunk[1]);
        busy = 1;
    }
    gd_batch *b = gd_local_worker_take_batch(&c->local);
    if (b) {
        if (take_local_batch(c, b, err) != 0)
            return -1;
        busy = 1;
    }
    return busy;
}

/* Serves until every rank is done, or until the grace period after a stop is over
 * (then the ranks still running are abandoned: the caller ends the job). */
static int coordinate_loop(coordinator *c, gd_error *err)
{
    double abandoned_at = 0;
    long sleep_ns = IDLE_NANOSECONDS;
    while (c->remote_active > 0 || !gd_local_worker_exited(&c->local)) {
        if (gd_interrupt_abandon() && abandoned_at == 0)
            abandoned_at = gd_now_seconds();
        if (abandoned_at > 0 && gd_now_seconds() - abandoned_at > GD_ABANDON_WAIT_SECONDS)
            break;
        int a = serve_message(c, err), b = a < 0 ? 0 : serve_local(c, err);
        if (a < 0 || b < 0)
            return -1;
        if (a || b) {
            sleep_ns = IDLE_NANOSECONDS;
            continue;
        }
        if (commit(c, 0, err) != 0)
            return -1;
        gd_local_worker_nap(&c->local, sleep_ns);
        sleep_ns = sleep_ns * 2 < COORDINATOR_NAP_MAX ? sleep_ns * 2 : COORDINATOR_NAP_MAX;
    }
    return commit(c, 1, err);
}

static int coordinate(coordinator *c, const gd_selection *sel, int quiet, gd_error *err)
{
    if (gd_inject_failure("plan", err) ||
        gd_plan_create(&c->plan, c->s, 0, c->s->n_runs, gd_par_size(), err) != 0)
        return -1;
    gd_plan_skip_done(c->plan, gd_selection_skip, (void *)sel);
    gd_progress_init(&c->progress, sel->todo, quiet);
    c->remote_active = gd_par_size() - 1;
    c->last_commit = gd_now_seconds();
    c->commit_every = gd_commit_seconds();
    if (gd_inject_failure("local_worker", err) ||
        gd_local_worker_start(&c->local, c->s, 0, err) != 0)
        return -1;
    double t0 = gd_now_seconds();
    int rc = coordinate_loop(c, err);
    if (rc != 0) /* the file keeps what was committed; the others are stopped */
        gd_par_abort(err);
    rank_profile local = {t0, c->local.waiting, 0, c->local.runs, c->local.chunks};
    profile_print(&local);
    if (getenv("GD_PROFILE"))
        fprintf(stderr, "gdsweep: profile rank 0 writer: %.3f s in HDF5\n",
                gd_store_io_seconds(c->st));
    rc = gd_local_worker_join(&c->local, err);
    gd_progress_finish(&c->progress);
    gd_plan_free(c->plan);
    gd_batch_free(&c->pending);
    free(c->buf);
    if (rc == 0 && (c->stopping || gd_interrupt_stop()))
        rc = GD_SWEEP_INTERRUPTED;
    return rc;
}

int gd_par_sweep(const gd_selection *sel, gd_store *st, gd_tally *tally, int quiet,
                 gd_drive_stats *stats, gd_error *err)
{
    if (gd_par_size() == 1)
        return gd_drive_serial(sel, st, tally, quiet, stats, err);
    if (gd_par_rank() != 0)
        return work_for_rank0(sel->sweep);
    coordinator c;
    memset(&c, 0, sizeof c);
    c.s = sel->sweep;
    c.st = st;
    c.tally = tally;
    double t0 = gd_now_seconds();
    int rc = coordinate(&c, sel, quiet, err);
    stats->runs_done = c.runs_done;
    stats->wall_seconds = gd_now_seconds() - t0;
    stats->io_seconds = gd_store_io_seconds(st);
    stats->abandoned_ranks = c.remote_active;
    return rc;
}
