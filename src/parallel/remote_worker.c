/* remote_worker.c - a worker rank's loop: chunks in, result batches out (see
 * gdsweep/remote_worker.h). No MPI here: the transport carries every message. */
#include "gdsweep/remote_worker.h"

#include <string.h>

#include "gdsweep/committer.h"
#include "gdsweep/coordinator.h"
#include "gdsweep/driver.h"
#include "gdsweep/interrupt.h"
#include "gdsweep/progress.h"
#include "gdsweep/worker.h"

/* A worker waiting for its chunk has nothing else to do on its core: short naps (the
 * coordinator naps as coordinator.c says). */
#define IDLE_NANOSECONDS 100000L

/* A worker rank: its transport, its worker and the batch it fills. */
typedef struct remote {
    gd_worker_transport *t;
    gd_worker_profile *profile;
    gd_worker worker;
    gd_batch batch;
    gd_error *err;
} remote;

/* Ends a failure through the transport's abort (MPI: no return); returns -1. */
static int fail(remote *r)
{
    r->t->ops->abort(r->t->ctx, r->err);
    return -1;
}

/* Sends the batch, if it holds results, and clears it: 0, or -1 after the abort. */
static int send_batch(remote *r)
{
    if (r->batch.count == 0)
        return 0;
    double t0 = gd_now_seconds();
    if (r->t->ops->send_results(r->t->ctx, &r->batch, r->err) != 0)
        return fail(r);
    r->profile->sending += gd_now_seconds() - t0;
    gd_batch_clear(&r->batch);
    return 0;
}

/* Runs the chunk and sends its results: 0, 1 when a stop request or an abandoned run
 * ended it early, -1 after the abort. */
static int run_chunk(remote *r, uint64_t first, uint64_t count)
{
    int rc = 0;
    uint64_t end = first + count, ran = 0;
    for (uint64_t id = first; id < end && rc == 0; id += ran) {
        rc = gd_interrupt_stop() ? 1
                                 : gd_worker_run_range(&r->worker, id, end - id, &r->batch, &ran,
                                                       r->err);
        if (rc < 0)
            return fail(r);
        if (gd_batch_is_full(&r->batch) && send_batch(r) != 0)
            return -1;
    }
    return send_batch(r) != 0 ? -1 : rc;
}

/* Waits for the answer to the last ask, napping while it has not come. */
static void wait_for_chunk(remote *r, uint64_t *first, uint64_t *count)
{
    double t0 = gd_now_seconds();
    while (!r->t->ops->take_chunk(r->t->ctx, first, count))
        r->t->ops->nap(r->t->ctx, IDLE_NANOSECONDS);
    r->profile->waiting += gd_now_seconds() - t0;
}

/* Computes chunks until the coordinator has no more, or a signal stops this worker: then
 * it says STOP, drops the chunk it had asked ahead for, and leaves. Returns 0, 1 when the
 * sweep was interrupted here or elsewhere, or -1 after the abort. */
static int work(remote *r)
{
    uint64_t first, count;
    int stopped = 0;
    r->t->ops->ask(r->t->ctx, 0);
    for (;;) {
        wait_for_chunk(r, &first, &count);
        if (count == 0 && first == GD_CHUNK_LATER && !stopped) {
            r->t->ops->ask(r->t->ctx, 0);
            continue;
        }
        if (count == 0 || stopped)
            return stopped || first == GD_CHUNK_INTERRUPTED;
        r->profile->runs += count;
        r->profile->chunks++;
        r->t->ops->ask(r->t->ctx, 1); /* ahead: the next answer comes while this chunk runs */
        int rc = run_chunk(r, first, count);
        if (rc < 0)
            return -1;
        if (rc > 0) {
            stopped = 1;
            r->t->ops->send_stop(r->t->ctx);
        }
    }
}

int gd_remote_work(const gd_sweep *s, int rank, gd_worker_transport *t,
                   gd_worker_profile *profile, gd_error *err)
{
    remote r = {.t = t, .profile = profile, .err = err};
    memset(profile, 0, sizeof *profile);
    gd_worker_init(&r.worker, s, rank);
    profile->start = gd_now_seconds();
    int rc = work(&r);
    if (rc >= 0)
        t->ops->send_done(t->ctx);
    gd_worker_free(&r.worker);
    gd_batch_free(&r.batch);
    return rc < 0 ? -1 : rc > 0 ? GD_SWEEP_INTERRUPTED : 0;
}
