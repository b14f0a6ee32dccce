/* tally.h - per (problem setting, optimizer) counts and best run, and the table of best runs.
 *
 * Fed with every written batch (or, by `gdsweep summary`, with every committed row of a
 * file). Runs are compared only with runs of the same problem setting: the same problem
 * section and the same value of every problem parameter (data and model parameters alike),
 * so that a sweep over lambda or degree never ranks one objective's loss against
 * another's. A section with more than GD_TALLY_GROUPS_MAX settings is tallied as one group
 * (the table says so). Memory: one cell per (setting, optimizer section).
 *
 * The ranking (gd_ranking): by default a converged run (it met loss_tol or grad_tol) ranks
 * before any other, by fewest steps; then runs with a known optimum by their gap, gaps at
 * rounding level (DBL_EPSILON x max(1, |f_opt|)) counting as equal; then runs without one
 * by final loss; runs with neither come last. Ranked by a column instead (summary's
 * --metric NAME --mode min|max), runs compare by that column's value, NaN last; a section
 * whose problem type lacks that metric column keeps the default rule. Ties go to
 * the fewest steps, then to the lowest run id, so the table does not depend on the order
 * runs finish in. Diverged runs are counted but never best. The optimizers of one setting
 * are ranked by their best runs with the same rule.
 * Next to the best run the table shows the values it had of the columns its section and
 * optimizer sweep (keys with more than one value in the grid), named as in the runs table,
 * and the fewest steps any run of the cell took to reach the shown target (time to target:
 * its gap at or below that fraction of its initial gap). */
#ifndef GDSWEEP_TALLY_H
#define GDSWEEP_TALLY_H

#include <stdint.h>
#include <stdio.h>

#include "gdsweep/batch.h"
#include "gdsweep/columns.h"
#include "gdsweep/grid.h"

/* Problem settings of one section tallied apart, at most. */
#define GD_TALLY_GROUPS_MAX 10000
/* Lines of the terminal table before it stops (the CSV has them all). */
#define GD_TALLY_LINES_MAX 200
/* The target the table shows by default: 1e-6 of the initial gap. */
#define GD_TALLY_TARGET 5

typedef struct gd_ranking {
    char column[GD_COLUMN_NAME_MAX]; /* "": the default rule; else a runs-table column */
    int maximize;                    /* column ranking: 1 when higher is better */
    size_t target;                   /* time-to-target column shown: 1e-(target + 1) */
    int negative_missing;            /* a time-to-target column: -1 (never reached) is
                                        missing, ranked after every value */
} gd_ranking;

/* The default rule and target. */
void gd_ranking_default(gd_ranking *r);

/* "gap (else final loss), converged first by steps" or "psnr (max)": what r ranks by. */
void gd_ranking_describe(const gd_ranking *r, char *buf, size_t size);

/* A run as the ranking sees it. */
typedef struct gd_ranked_run {
    uint64_t id;
    int status;
    long steps;
    double gap, loss, value;         /* value: the ranked column (column ranking only) */
} gd_ranked_run;

/* < 0 when a ranks before b, > 0 after, never 0 for runs of different ids. */
int gd_ranking_compare(const gd_ranking *r, const gd_ranked_run *a, const gd_ranked_run *b);

typedef struct gd_tally_cell {
    uint64_t runs, converged, max_iter, diverged;
    int has_best;
    gd_ranked_run best;
    double best_metric;
    long fewest_to;                     /* fewest steps to the target, -1: none reached */
    uint64_t fewest_to_id;
    size_t best_dim;                    /* final parameters kept when <= GD_PATH_MAX_DIM */
    double best_x[GD_PATH_MAX_DIM];
} gd_tally_cell;

typedef struct gd_tally {
    const gd_sweep *sweep;
    gd_ranking ranking;
    gd_ranking fallback;                /* the default rule, for sections without the column */
    unsigned char *by_column;           /* [problem section] 1: ranked by ranking.column */
    size_t n_groups;
    size_t *first_group;                /* [problem section] -> its first group */
    gd_tally_cell *cells;               /* [group * n_optimizers + optimizer] */
    gd_columns cols;                    /* names and text of the swept values */
    unsigned char *row;                 /* one row of cols, to format a best run */
} gd_tally;

/* ranking NULL: gd_ranking_default. */
int gd_tally_init(gd_tally *t, const gd_sweep *s, const gd_ranking *ranking, gd_error *err);
void gd_tally_add_batch(gd_tally *t, const gd_batch *b);

/* Counts one run: d's id, sections and problem setting, r's status, iterations, final
 * loss, gap, metric and steps to the ranking's target; `value` is its cell of the ranked
 * column (ignored by the default rule). x_final (n_final values, may be NULL when n_final
 * is 0) is kept when the run becomes its cell's best and n_final <= GD_PATH_MAX_DIM.
 * Results of another status than converged, max_iter or diverged are not counted. */
void gd_tally_add(gd_tally *t, const gd_run_desc *d, const gd_run_result *r, double value,
                  const double *x_final, size_t n_final);

/* The group (problem setting) of run d. */
size_t gd_tally_group_of(const gd_tally *t, const gd_run_desc *d);

/* Groups of section p: [first_group[p], that + gd_tally_section_groups). */
size_t gd_tally_section_groups(const gd_tally *t, size_t p);

/* The ranking section p's runs are compared by: t->ranking, or the default rule where
 * p's problem type lacks the ranked metric. */
const gd_ranking *gd_tally_ranking_of(const gd_tally *t, size_t p);

/* The cell of (group g, optimizer section o). */
gd_tally_cell *gd_tally_at(const gd_tally *t, size_t g, size_t o);

/* 1 + how many optimizers' best runs of group g rank before optimizer o's; 0 when o has no
 * best run there. */
size_t gd_tally_rank(const gd_tally *t, size_t g, size_t o);

/* Runs counted by status over all cells: [diverged, max_iter, converged]. */
void gd_tally_status_totals(const gd_tally *t, uint64_t totals[3]);

/* "lr=0.01 momentum=0.9": run id's values of the columns its optimizer sweeps, its
 * section's control keys and repeat (problem is 0) or its section's problem keys (problem
 * is 1), numbers with `digits` significant digits, or 0 for the fewest that read back to
 * the same double. "" when nothing is swept. Always null-terminated; cut with "..." if
 * too long. */
void gd_tally_swept(const gd_tally *t, uint64_t id, int problem, int digits, char *buf,
                    size_t size);

/* The table, a line per (setting, optimizer) with runs, for a terminal: a line saying what
 * it ranks by, then at most GD_TALLY_LINES_MAX lines. */
void gd_tally_print(const gd_tally *t, FILE *out);

/* The same table as CSV: a header row, then one row per (setting, optimizer) with runs;
 * numbers exact (the fewest digits that read back to the same double), empty cells for
 * unknown values. Columns: problem, settings, optimizer, rank, ranked_by, runs,
 * converged, max_iter, diverged, best_run, steps, loss_final, gap, one per metric of the
 * sweep's problem types (psnr), steps_to_1e-K (the target), params, final_x. */
void gd_tally_print_csv(const gd_tally *t, FILE *out);

void gd_tally_free(gd_tally *t);

#endif
