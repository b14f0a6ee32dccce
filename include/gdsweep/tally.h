/* tally.h - per (problem, optimizer) counts and best run, and the table of best runs.
 *
 * Fed with every written batch (or, by `gdsweep summary`, with every committed row of a
 * file), it costs one cell per (problem section, optimizer section) pair whatever the
 * grid size, and prints the short table gdsweep shows at the end of a sweep and
 * `gdsweep summary` shows for a file. The best run of a pair is, among its non-diverged
 * runs, the one with the lowest gap to the known optimum, gaps at rounding level
 * (DBL_EPSILON x max(1, |f_opt|)) counting as equal; runs whose optimum is unknown come
 * after those, by lowest final loss; runs with neither a gap nor a loss come last. Ties
 * go to the fewest steps, then to the lowest run id, so the table does not depend on the
 * order runs finish in. This is the rule of analysis/best.py (whose diverged runs rank
 * last rather than never).
 * Next to the best run the table shows the values it had of the columns its pair sweeps
 * (keys with more than one value in the grid), named as in the runs table. */
#ifndef GDSWEEP_TALLY_H
#define GDSWEEP_TALLY_H

#include <stdint.h>
#include <stdio.h>

#include "gdsweep/batch.h"
#include "gdsweep/columns.h"
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
    gd_columns cols;                    /* names and text of the swept values */
    unsigned char *row;                 /* one row of cols, to format a best run */
} gd_tally;

int gd_tally_init(gd_tally *t, const gd_sweep *s, gd_error *err);
void gd_tally_add_batch(gd_tally *t, const gd_batch *b);

/* Counts one run: d's id, problem and optimizer sections, r's status, iterations,
 * final loss, gap and metric. x_final (n_final values, may be NULL when n_final is 0)
 * is kept when the run becomes its pair's best and n_final <= GD_PATH_MAX_DIM. Results
 * of another status than converged, max_iter or diverged are not counted. */
void gd_tally_add(gd_tally *t, const gd_run_desc *d, const gd_run_result *r,
                  const double *x_final, size_t n_final);

/* The cell of (problem section p, optimizer section o). */
gd_tally_cell *gd_tally_at(const gd_tally *t, size_t p, size_t o);

/* Runs counted by status over all cells: [diverged, max_iter, converged]. */
void gd_tally_status_totals(const gd_tally *t, uint64_t totals[3]);

/* "lr=0.01 momentum=0.9": run id's values of the columns its pair sweeps, numbers with
 * `digits` significant digits, or 0 for the fewest that read back to the same double.
 * "" when the pair sweeps nothing. Always null-terminated; cut with "..." if too long. */
void gd_tally_swept(const gd_tally *t, uint64_t id, int digits, char *buf, size_t size);

/* The table, one line per pair with runs, for a terminal. */
void gd_tally_print(const gd_tally *t, FILE *out);

/* The same table as CSV: a header row, then one row per pair with runs; numbers exact
 * (the fewest digits that read back to the same double), empty cells for unknown values.
 * Columns: problem, optimizer, runs, converged, max_iter, diverged, best_run, steps,
 * loss_final, gap, one per metric of the sweep's problem types (psnr), params, final_x. */
void gd_tally_print_csv(const gd_tally *t, FILE *out);

void gd_tally_free(gd_tally *t);

#endif
