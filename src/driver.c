/* driver.c - one process runs the whole grid in id order and writes it in batches. */
#include "gdsweep/driver.h"

#include <string.h>
#include <time.h>

#include "gdsweep/worker.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
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

static int full(const gd_batch *b)
{
    return b->count >= GD_BATCH_RUNS || gd_batch_bytes(b) >= GD_BATCH_BYTES;
}

int gd_drive_serial(const gd_sweep *s, gd_store *st, gd_tally *tally, gd_drive_stats *stats,
                    gd_error *err)
{
    gd_worker w;
    gd_batch b;
    memset(&b, 0, sizeof b);
    memset(stats, 0, sizeof *stats);
    gd_worker_init(&w, s, 0);
    double t0 = now_seconds();
    int rc = 0;
    for (uint64_t id = 0; id < s->n_runs && rc == 0; id++) {
        rc = gd_worker_run(&w, id, &b, err);
        if (rc == 0 && full(&b))
            rc = flush(st, tally, &b, err);
        stats->runs_done += rc == 0;
    }
    if (rc == 0)
        rc = flush(st, tally, &b, err);
    stats->wall_seconds = now_seconds() - t0;
    stats->io_seconds = gd_store_io_seconds(st);
    gd_worker_free(&w);
    gd_batch_free(&b);
    return rc;
}
