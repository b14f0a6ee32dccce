/* halving_sweep.c - a halving sweep as one distributed sweep per rung, with a barrier
 * between rungs that reads only committed rows (halving.h). */
#include "gdsweep/halving.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "gdsweep/inject.h"
#include "gdsweep/parallel.h"

/* Tests only (inject.h): GD_INJECT_FAILURE = rung_boundary | after_promotion kills rank
 * 0 (SIGKILL) at the barrier before rung 1, before or after its promotions are written. */
static void kill_at(size_t r, const char *point)
{
    gd_error ignored;
    if (r == 1 && gd_par_rank() == 0 && gd_inject_failure(point, &ignored))
        raise(SIGKILL);
}

static void add_stats(gd_drive_stats *sum, const gd_drive_stats *one)
{
    sum->runs_done += one->runs_done;
    sum->wall_seconds += one->wall_seconds;
    sum->io_seconds = one->io_seconds; /* the store's running total */
    sum->commits = one->commits;
    sum->commit_wait += one->commit_wait;
    sum->abandoned_ranks = one->abandoned_ranks;
}

/* The tally starts again for each phase: it covers the last one. */
static int fresh_tally(const gd_sweep *s, gd_tally *tally, gd_error *err)
{
    gd_tally_free(tally);
    return gd_tally_init(tally, s, NULL, err) == 0 ? 0 : gd_par_fail(err);
}

/* Phase r on every rank: the budget B_r, rank 0's plan skips what is not in it. */
static int phase(gd_sweep *s, size_t r, gd_halving *h, gd_selection *sel, gd_store *st,
                 gd_tally *tally, int quiet, gd_drive_stats *stats, gd_error *err)
{
    gd_drive_stats one = {0};
    s->rung_budget = s->rungs[r];
    if (gd_par_rank() == 0) {
        sel->halving = h;
        sel->todo = gd_halving_todo(h);
    }
    if (r > 0 && fresh_tally(s, tally, err) != 0)
        return -1;
    int rc = gd_par_sweep(sel, st, tally, quiet, &one, err);
    add_stats(stats, &one);
    if (gd_par_rank() == 0 && rc == 0)
        rc = gd_halving_load(h, st, err);
    gd_par_agree(&rc, err);
    return rc;
}

int gd_halving_sweep(gd_sweep *s, gd_selection *sel, gd_store *st, gd_tally *tally,
                     int quiet, gd_drive_stats *stats, gd_error *err)
{
    gd_halving h;
    int root = gd_par_rank() == 0;
    int rc = root ? gd_halving_init(&h, s, err) : 0;
    if (root && rc == 0)
        rc = gd_halving_load(&h, st, err);
    gd_par_agree(&rc, err);
    memset(stats, 0, sizeof *stats);
    for (size_t r = 0; rc == 0 && r < s->n_rungs; r++) {
        kill_at(r, "rung_boundary");
        if (root && r > 0)
            rc = gd_halving_promote(&h, st, err);
        kill_at(r, "after_promotion");
        gd_par_agree(&rc, err);
        if (rc == 0)
            rc = phase(s, r, &h, sel, st, tally, quiet, stats, err);
    }
    if (root && rc == 0)
        gd_halving_print(stdout, s, h.survivors);
    if (root) {
        gd_halving_free(&h);
        sel->halving = NULL;
    }
    return rc;
}
