/* halving.h - deterministic successive halving ([sweep] halving = ETA, rungs = B0, B1, ..).
 *
 * Rung phases. Phase r runs every surviving run with the budget B_r (iterations = B_r; its
 * stop tests may end it sooner), then waits for all of them (a barrier over the whole
 * sweep). At the barrier, in each group of runs of one optimizer section within one
 * configuration (run_space.h, GD_SPACE_PAIR), the best ceil(n_r / ETA) of its n_r runs
 * of phase r go on to phase r + 1; the others are marked `pruned` and keep their row.
 * Best: the lower final loss; a NaN loss last; ties to the lower run id.
 *
 * Promotions read only committed rows: the rung a row reached (its `iterations` cell, a
 * rung budget) and its loss_final. A promoted run is replayed from its start with the
 * next budget (runs are bit-reproducible), so its row and trajectory are those of a run
 * given that budget from the start. After a kill the same rows give the same promotions:
 * a run whose row is already past rung r counts as promoted at r, and the group's other
 * places go to the best of the rest. Rank 0 holds the state below; the other ranks only
 * compute what the plan hands them. */
#ifndef GDSWEEP_HALVING_H
#define GDSWEEP_HALVING_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gdsweep/driver.h"
#include "gdsweep/grid.h"
#include "gdsweep/selection.h"
#include "gdsweep/store.h"
#include "gdsweep/tally.h"

/* ---- the promotion rule (pure) ------------------------------------------------------- */

/* A run of a group at a barrier. ahead: its row is already past this rung (it was
 * promoted before a kill), so it keeps its place. */
typedef struct gd_halving_run {
    uint64_t id;
    double loss;
    int ahead;
} gd_halving_run;

/* How many of n runs go on: ceil(n / eta). */
uint64_t gd_halving_keep(uint64_t n, uint64_t eta);

/* Sorts a group's runs (runs ahead first, then lower loss, NaN last, then lower id) and
 * returns how many go on: runs[0 .. k) (k = gd_halving_keep, or the runs ahead when
 * more). */
size_t gd_halving_choose(gd_halving_run *runs, size_t n, uint64_t eta);

/* ---- the plan (halving_plan.c) -------------------------------------------------------- */

/* Runs of each phase: per_rung[r] for r < s->n_rungs. Exact before any run (each group of
 * n runs keeps gd_halving_keep(n, ETA) at each barrier); one pass over the groups. */
void gd_halving_plan(const gd_sweep *s, uint64_t *per_rung);

/* One line: the runs per rung, the iteration budget they take (replays of earlier rungs
 * included) against the full grid's (every run given the last rung), the share saved. */
void gd_halving_print(FILE *out, const gd_sweep *s, const uint64_t *per_rung);

/* The plan's line for --dry-run (not counted past GD_HALVING_PLAN_MAX runs). */
#define GD_HALVING_PLAN_MAX 100000000ULL
void gd_halving_print_plan(FILE *out, const gd_sweep *s);

/* ---- the state of a halving sweep (rank 0) ------------------------------------------- */

typedef struct gd_halving {
    const gd_sweep *sweep;
    size_t rung;             /* the phase being run */
    int8_t *reached;         /* per run: the rung of its committed row, -1: none */
    uint8_t *alive;          /* per run: 1 when it is in phase `rung` */
    double *loss;            /* per run: loss_final of its committed row */
    gd_halving_run *group;   /* one group's runs at a barrier */
    uint64_t *pruned;        /* the ids pruned at a barrier */
    uint64_t survivors[GD_RUNGS_MAX]; /* runs in each phase reached so far */
} gd_halving;

/* Every run alive at rung 0, nothing committed (0, or -1: out of memory). */
int gd_halving_init(gd_halving *h, const gd_sweep *s, gd_error *err);
void gd_halving_free(gd_halving *h);

/* Reads each row's rung and final loss back from the store. */
int gd_halving_load(gd_halving *h, gd_store *st, gd_error *err);

/* The barrier after phase h->rung (every alive run committed at it or past it): keeps
 * the best of each group alive, marks the others pruned in st, moves to the next rung. */
int gd_halving_promote(gd_halving *h, gd_store *st, gd_error *err);

/* 1 when run id is not computed in this phase (not alive, or committed at this rung or
 * past it): the phase's gd_selection_skip. */
int gd_halving_skip(const gd_halving *h, uint64_t id);

/* Runs this phase computes. */
uint64_t gd_halving_todo(const gd_halving *h);

/* ---- the job ------------------------------------------------------------------------- */

/* Runs the halving sweep s over all ranks (every rank calls it; sel, st matter on rank
 * 0), one gd_par_sweep per rung; s->rung_budget follows the phase. The tally covers the
 * last phase's runs; stats add up the phases. Returns as gd_par_sweep. */
int gd_halving_sweep(gd_sweep *s, gd_selection *sel, gd_store *st, gd_tally *tally,
                     int quiet, gd_drive_stats *stats, gd_error *err);

#endif
