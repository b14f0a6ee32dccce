/* coordinator.c - the one coordinator: chunks out, results in, one commit policy (see
 * gdsweep/coordinator.h). No MPI here: the transport carries every message. */
#include "gdsweep/coordinator.h"

#include <string.h>

#include "gdsweep/committer.h"
#include "gdsweep/inject.h"
#include "gdsweep/interrupt.h"
#include "gdsweep/plan.h"
#include "gdsweep/progress.h"

/* After the grace period, how long the coordinator still waits for the results of runs
 * that ended before it (signalled workers abandon their runs at once and report). */
#define GD_ABANDON_WAIT_SECONDS 2.0

/* Idle naps. This process's compute thread shares the coordinator's core, so each wake-up
 * costs it time (10,000 a second cost ~3% of the mixed benchmark): naps start short after
 * any message (a worker may ask again at once) and double while nothing happens, up to
 * 0.5 ms, since a rank sending results waits until the coordinator looks (2 ms made ranks
 * wait 0.05-0.07 s of a 1.08 s showcase sweep, 0.5 ms 0.02-0.03 s). */
#define NAP_FIRST 100000L
#define NAP_MAX 500000L

typedef struct coordinator {
    const gd_coordination *job;
    gd_transport *t;
    gd_plan *plan;              /* NULL: id order */
    uint64_t cursor;            /* id order: the next id to consider */
    gd_committer commit;
    gd_progress progress;
    int active;                 /* workers that have not sent DONE */
    int local_active;           /* 1 while worker 0 (this process) has not sent DONE */
    int stopping;               /* a worker or this process was signalled: no more work */
} coordinator;

/* Id order: the next stretch of selected ids, one chunk each. */
static int next_in_order(coordinator *c, uint64_t *first, uint64_t *count)
{
    const gd_selection *sel = c->job->sel;
    uint64_t n = sel->sweep->n_runs, id = c->cursor;
    while (id < n && gd_selection_skip((void *)sel, id))
        id++;
    uint64_t end = id;
    while (end < n && !gd_selection_skip((void *)sel, end))
        end++;
    c->cursor = end;
    *first = id;
    *count = end - id;
    return end > id ? GD_PLAN_CHUNK : GD_PLAN_DONE;
}

/* Answers worker's request with its next chunk, or a count-0 chunk saying why none. */
static void answer_request(coordinator *c, const gd_message *m)
{
    uint64_t first = 0, count = 0;
    if (!c->stopping && gd_interrupt_stop()) /* this process itself was signalled */
        c->stopping = 1;
    int got = c->stopping ? GD_PLAN_DONE
              : c->plan   ? gd_plan_next(c->plan, m->worker, m->ahead, &first, &count)
                          : next_in_order(c, &first, &count);
    if (got != GD_PLAN_CHUNK) {
        first = c->stopping ? GD_CHUNK_INTERRUPTED : got == GD_PLAN_LATER ? GD_CHUNK_LATER : 0;
        count = 0;
    }
    c->t->ops->send_chunk(c->t->ctx, m->worker, first, count);
}

/* Commits when due; a store failure says what to do (the committed runs are safe). */
static int commit(coordinator *c, int force, gd_error *err)
{
    if (gd_committer_tick(&c->commit, force, err) == 0)
        return 0;
    gd_store_explain_failure(c->job->st, err);
    return -1;
}

/* Serves one message; returns 0 or -1. */
static int serve(coordinator *c, const gd_message *m, gd_error *err)
{
    switch (m->kind) {
    case GD_MSG_REQUEST:
        answer_request(c, m);
        return 0;
    case GD_MSG_RESULT:
        gd_progress_add(&c->progress, m->runs);
        return commit(c, 0, err);
    case GD_MSG_DONE:
        c->active--;
        c->local_active &= m->worker != 0;
        return 0;
    case GD_MSG_STOP: /* stop here too: this process's worker and the plan */
        c->stopping = 1;
        gd_interrupt_request();
        return 0;
    }
    return gd_fail_runtime(err, "worker %d sent an unknown message %d", m->worker,
                           (int)m->kind);
}

/* Serves until every worker is done, or until the grace period after a stop is over
 * (then the workers still running are abandoned: the caller ends the job). */
static int serve_all(coordinator *c, gd_error *err)
{
    double abandoned_at = 0;
    long nap = NAP_FIRST;
    gd_message m;
    while (c->active > 0) {
        if (gd_interrupt_abandon() && abandoned_at == 0)
            abandoned_at = gd_now_seconds();
        if (abandoned_at > 0 && gd_now_seconds() - abandoned_at > GD_ABANDON_WAIT_SECONDS)
            break;
        memset(&m, 0, sizeof m);
        int got = c->t->ops->receive(c->t->ctx, &c->commit.pending, &m, err);
        if (got < 0 || (got > 0 && serve(c, &m, err) != 0))
            return -1;
        if (got > 0) {
            nap = NAP_FIRST;
            continue;
        }
        if (commit(c, 0, err) != 0)
            return -1;
        c->t->ops->nap(c->t->ctx, nap);
        nap = nap * 2 < NAP_MAX ? nap * 2 : NAP_MAX;
    }
    return commit(c, 1, err);
}

/* The chunk source: a plan over the workers, or the id order. */
static int make_plan(coordinator *c, gd_error *err)
{
    const gd_selection *sel = c->job->sel;
    if (!c->job->planned)
        return 0;
    if (gd_inject_failure("plan", err) ||
        gd_plan_create(&c->plan, sel->sweep, 0, sel->sweep->n_runs, c->t->workers, err) != 0)
        return -1;
    gd_plan_skip_done(c->plan, gd_selection_skip, (void *)sel);
    return 0;
}

int gd_coordinate(const gd_coordination *job, gd_transport *t, gd_drive_stats *stats,
                  gd_error *err)
{
    coordinator c = {.job = job, .t = t, .active = t->workers, .local_active = 1};
    double t0 = gd_now_seconds();
    if (job->threaded_commits)
        gd_committer_init_threaded(&c.commit, job->st, job->tally, gd_commit_seconds());
    else
        gd_committer_init(&c.commit, job->st, job->tally, gd_commit_seconds());
    gd_progress_init(&c.progress, job->sel->todo, job->quiet);
    int rc = make_plan(&c, err) == 0 ? serve_all(&c, err) : -1;
    if (rc != 0) { /* the one failure path: the file keeps what was committed */
        gd_committer_settle(&c.commit); /* no HDF5 write or sync still runs at the abort */
        gd_store_settle_syncs(job->st);
        t->ops->abort(t->ctx, err);
    }
    gd_progress_finish(&c.progress);
    stats->runs_done = c.commit.committed;
    stats->wall_seconds = gd_now_seconds() - t0;
    stats->io_seconds = gd_store_io_seconds(job->st);
    stats->commits = gd_store_commit_profile(job->st);
    stats->commit_wait = c.commit.waited;
    stats->abandoned_ranks = c.active - c.local_active;
    gd_plan_free(c.plan);
    gd_committer_free(&c.commit);
    if (rc == 0 && (c.stopping || gd_interrupt_stop()))
        rc = GD_SWEEP_INTERRUPTED;
    return rc;
}
