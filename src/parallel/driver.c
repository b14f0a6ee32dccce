/* driver.c - one process runs the selected runs in id order and writes them in batches.
 *
 * A stop request (a signal) ends the loop before the next run; an abandoned run (grace
 * period over) is not recorded. What was computed is committed before returning. A batch
 * the disk cannot take ends the loop; the message says how to resume. */
#include "gdsweep/driver.h"

#include <stdlib.h>
#include <string.h>

#include "gdsweep/interrupt.h"
#include "gdsweep/progress.h"
#include "gdsweep/worker.h"

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

static int flush(gd_store *st, gd_tally *tally, gd_batch *b, gd_error *err)
{
    if (b->count == 0)
        return 0;
    if (gd_store_write_batch(st, b, err) != 0) {
        gd_store_explain_failure(st, err);
        return -1;
    }
    gd_tally_add_batch(tally, b);
    gd_batch_clear(b);
    return 0;
}

/* Runs the selection; returns 0 when done, 1 when interrupted, -1 on failure. */
static int run_all(const gd_selection *sel, gd_worker *w, gd_batch *b, gd_store *st,
                   gd_tally *tally, gd_progress *pg, gd_error *err)
{
    double last_flush = pg->start, every = gd_commit_seconds();
    for (uint64_t id = 0; id < sel->sweep->n_runs; id++) {
        if (gd_selection_skip((void *)sel, id))
            continue;
        if (gd_interrupt_stop())
            return 1;
        int rc = gd_worker_run(w, id, b, err);
        if (rc != 0)
            return rc;
        gd_progress_add(pg, 1);
        if (gd_batch_is_full(b) || pg->last_update - last_flush >= every) {
            if (flush(st, tally, b, err) != 0)
                return -1;
            last_flush = pg->last_update;
        }
    }
    return 0;
}

int gd_drive_serial(const gd_selection *sel, gd_store *st, gd_tally *tally, int quiet,
                    gd_drive_stats *stats, gd_error *err)
{
    gd_worker w;
    gd_batch b;
    gd_progress pg;
    memset(&b, 0, sizeof b);
    memset(stats, 0, sizeof *stats);
    gd_worker_init(&w, sel->sweep, 0);
    gd_progress_init(&pg, sel->todo, quiet);
    int rc = run_all(sel, &w, &b, st, tally, &pg, err);
    if (rc >= 0 && flush(st, tally, &b, err) != 0)
        rc = -1;
    gd_progress_finish(&pg);
    stats->runs_done = pg.done;
    stats->wall_seconds = gd_now_seconds() - pg.start;
    stats->io_seconds = gd_store_io_seconds(st);
    gd_worker_free(&w);
    gd_batch_free(&b);
    return rc;
}
