/* committer.c - the one commit policy (see gdsweep/committer.h). */
#include "gdsweep/committer.h"

#include <stdlib.h>
#include <string.h>

#include "gdsweep/progress.h"

double gd_commit_seconds(void)
{
    const char *env = getenv("GD_COMMIT_SECONDS");
    double v = env ? strtod(env, NULL) : 0;
    return v > 0 ? v : GD_COMMIT_SECONDS;
}

int gd_batch_is_full(const gd_batch *b)
{
    return b->count >= GD_BATCH_RUNS || gd_batch_bytes(b) >= GD_BATCH_BYTES;
}

uint64_t gd_batch_runs_left(const gd_batch *b)
{
    return b->count + 1 < GD_BATCH_RUNS ? GD_BATCH_RUNS - b->count : 1;
}

void gd_committer_init(gd_committer *c, gd_store *st, gd_tally *tally, double every)
{
    memset(c, 0, sizeof *c);
    c->st = st;
    c->tally = tally;
    c->every = every;
    c->last_commit = gd_now_seconds();
}

void gd_committer_init_threaded(gd_committer *c, gd_store *st, gd_tally *tally,
                                double every)
{
    gd_committer_init(c, st, tally, every);
    c->threaded = 1;
}

/* b is committed: counted, told to the tally, emptied for reuse. */
static void count_committed(gd_committer *c, gd_batch *b)
{
    if (c->tally)
        gd_tally_add_batch(c->tally, b);
    c->committed += b->count;
    gd_batch_clear(b);
}

/* The batch in flight, when its writer is done or `block`: collected (0), or its failure
 * (-1, err). Nothing in flight, or still writing and not `block`: 0. */
static int collect(gd_committer *c, int block, gd_error *err)
{
    if (!gd_batch_writer_busy(&c->writer) ||
        (!block && !gd_batch_writer_finished(&c->writer)))
        return 0;
    double t0 = gd_now_seconds();
    int rc = gd_batch_writer_wait(&c->writer, err);
    c->waited += gd_now_seconds() - t0;
    if (rc == 0)
        count_committed(c, &c->writing);
    return rc;
}

/* Writes the pending batch: here, or handed to the writer (the batches swap, so that
 * `pending`, where workers write, stays at its address) and, when force, waited for. */
static int write_pending(gd_committer *c, int force, gd_error *err)
{
    if (!c->threaded) {
        if (gd_store_write_batch(c->st, &c->pending, err) != 0)
            return -1;
        count_committed(c, &c->pending);
        return 0;
    }
    gd_batch handed = c->pending;
    c->pending = c->writing;
    c->writing = handed;
    if (gd_batch_writer_start(&c->writer, c->st, &c->writing, err) != 0)
        return -1;
    if (!gd_batch_writer_busy(&c->writer)) /* written on this thread */
        count_committed(c, &c->writing);
    return force ? collect(c, 1, err) : 0;
}

/* A commit due by the clock, and nothing in the way: it waits while the last one is
 * written or synced (the batch grows). The store is asked last, once the writer is seen
 * done: gd_store_syncing calls HDF5, which only one thread at a time may. */
static int due_now(const gd_committer *c, double now)
{
    return c->every > 0 && now - c->last_commit >= c->every &&
           !gd_batch_writer_busy(&c->writer) && !gd_store_syncing(c->st);
}

int gd_committer_tick(gd_committer *c, int force, gd_error *err)
{
    gd_batch *b = &c->pending;
    int full = gd_batch_is_full(b);
    if (collect(c, force || full, err) != 0)
        return -1;
    if (b->count == 0)
        return 0;
    double now = gd_now_seconds();
    if (!(force || full) && !due_now(c, now))
        return 0;
    if (collect(c, 1, err) != 0 || write_pending(c, force, err) != 0)
        return -1;
    c->last_commit = now;
    return 0;
}

void gd_committer_settle(gd_committer *c)
{
    gd_error ignored = {0};
    (void)collect(c, 1, &ignored);
}

void gd_committer_free(gd_committer *c)
{
    gd_batch_writer_wait(&c->writer, NULL);
    gd_batch_free(&c->pending);
    gd_batch_free(&c->writing);
}
