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

void gd_committer_init(gd_committer *c, gd_store *st, gd_tally *tally, double every)
{
    memset(c, 0, sizeof *c);
    c->st = st;
    c->tally = tally;
    c->every = every;
    c->last_commit = gd_now_seconds();
}

int gd_committer_tick(gd_committer *c, int force, gd_error *err)
{
    gd_batch *b = &c->pending;
    if (b->count == 0)
        return 0;
    double now = gd_now_seconds();
    int due = c->every > 0 && now - c->last_commit >= c->every;
    if (!(force || gd_batch_is_full(b)) && (!due || gd_store_syncing(c->st)))
        return 0; /* a commit due while the last one still syncs waits: the batch grows */
    if (gd_store_write_batch(c->st, b, err) != 0)
        return -1;
    if (c->tally)
        gd_tally_add_batch(c->tally, b);
    c->committed += b->count;
    gd_batch_clear(b);
    c->last_commit = now;
    return 0;
}

void gd_committer_free(gd_committer *c)
{
    gd_batch_free(&c->pending);
}
