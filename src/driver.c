/* driver.c - one process runs the whole grid in id order and writes it in batches. */
#include "gdsweep/driver.h"

#include <string.h>

#include "gdsweep/progress.h"
#include "gdsweep/worker.h"

int gd_batch_is_full(const gd_batch *b)
{
    return b->count >= GD_BATCH_RUNS || gd_batch_bytes(b) >= GD_BATCH_BYTES;
}

static int flush(gd_store *st, gd_tally *tally, gd_batch *b, gd_error *err)
{
    if (b->count == 0)
        return 0;
    if (gd_store_write_batch(st, b, err) != 0)
        return -1;
    gd_tally_add_batch(tally, b);
    gd_batch_clear(b);
    return 0;
}

int gd_drive_serial(const gd_sweep *s, gd_store *st, gd_tally *tally, int quiet,
                    gd_drive_stats *stats, gd_error *err)
{
    gd_worker w;
    gd_batch b;
    gd_progress pg;
    memset(&b, 0, sizeof b);
    memset(stats, 0, sizeof *stats);
    gd_worker_init(&w, s, 0);
    gd_progress_init(&pg, s->n_runs, quiet);
    int rc = 0;
    double last_flush = pg.start;
    for (uint64_t id = 0; id < s->n_runs && rc == 0; id++) {
        rc = gd_worker_run(&w, id, &b, err);
        gd_progress_add(&pg, rc == 0);
        if (rc == 0 && (gd_batch_is_full(&b) || pg.last_update - last_flush >= GD_COMMIT_SECONDS)) {
            rc = flush(st, tally, &b, err);
            last_flush = pg.last_update;
        }
    }
    if (rc == 0)
        rc = flush(st, tally, &b, err);
    gd_progress_finish(&pg);
    stats->runs_done = pg.done;
    stats->wall_seconds = gd_now_seconds() - pg.start;
    stats->io_seconds = gd_store_io_seconds(st);
    gd_worker_free(&w);
    gd_batch_free(&b);
    return rc;
}
