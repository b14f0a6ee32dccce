/* tally.h - per (problem, optimizer) counts and best run, kept while a sweep runs.
 *
 * Fed with every written batch, it costs one cell per (problem section, optimizer
 * section) pair whatever the grid size, and prints the short table gdsweep shows at the
 * end of a sweep. The best run is the non-diverged run with the lowest final loss; ties
 * go to the lowest run id, so the table does not depend on the order runs finish in. */
#ifndef GDSWEEP_TALLY_H
#define GDSWEEP_TALLY_H

#include <stdint.h>
#include <stdio.h>

#include "gdsweep/batch.h"
#include "gdsweep/grid.h"

typedef struct gd_tally_cell {
    uint64_t runs, converged, max_iter, diverged;
    int has_best;
    uint64_t best_id;
    long best_steps;
    double best_loss, best_gap, best_metric;
    size_t best_dim;                    /* final parameters kept when <= GD_PATH_MAX_DIM */
    double best_x[GD_PATH_MAX_DIM];
} gd_tally_cell;

typedef struct gd_tally {
    const gd_sweep *sweep;
    gd_tally_cell *cells;               /* [problem * n_optimizers + optimizer] */
} gd_tally;

int gd_tally_init(gd_tally *t, const gd_sweep *s, gd_error *err);
void gd_tally_add_batch(gd_tally *t, const gd_batch *b);
/* Runs counted by status over all cells: [diverged, max_iter, converged]. */
void gd_tally_status_totals(const gd_tally *t, uint64_t totals[3]);
void gd_tally_print(const gd_tally *t, FILE *out);
void gd_tally_free(gd_tally *t);

#endif
