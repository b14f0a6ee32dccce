/* summary.h - `gdsweep summary OUT.h5 [--csv] [--metric C] [--mode M] [--target T]`: the
 * best runs of a sweep's file, within each problem setting.
 *
 * Reads a file through the reader (gdsweep/store_read.h), parses the grid stored in it
 * (so sections, types and the run order are known), streams the committed rows of the
 * runs table (written = 1) in blocks into a tally (gdsweep/tally.h) and prints the same
 * table as the end of a sweep, under a few lines about the file; --csv prints only the
 * table, as CSV. With repeats > 1 the terminal report ends with a repeats section
 * (gd_summary_repeats). Memory is bounded whatever the number of rows. */
#ifndef GDSWEEP_SUMMARY_H
#define GDSWEEP_SUMMARY_H

#include <stdint.h>
#include <stdio.h>

#include "gdsweep/error.h"
#include "gdsweep/grid.h"
#include "gdsweep/store_read.h"
#include "gdsweep/tally.h"

/* Parses the grid stored in an open file into *s (allow_huge) and checks that it
 * matches the file: the stored hash and the runs table's row count. On error *s is
 * left freed. */
int gd_summary_load_grid(gd_reader *r, gd_sweep *s, gd_error *err);

/* Adds every committed row of the file (whose grid is s) to t, which must have been
 * initialised with s; *committed receives their count. The final parameters of each
 * pair's best run are read afterwards when they fit in the tally. Fails on a row that
 * no gdsweep writes (a written flag other than 0/1, an unknown status). */
int gd_summary_tally(gd_reader *r, const gd_sweep *s, gd_tally *t, uint64_t *committed,
                     gd_error *err);

/* The repeats section (summary_repeats.c, docs/STATISTICS.md), printed when s->repeats > 1:
 * per problem setting each optimizer's best setting with the median of its ranking
 * measure over repeats and a seeded bootstrap interval, then paired Wilcoxon tests
 * between optimizers, Holm-adjusted. Reads the file again, one problem setting at a time;
 * t gives the ranking and names the swept values. Nothing when s->repeats is 1. */
int gd_summary_repeats(gd_reader *r, const gd_sweep *s, const gd_tally *t, FILE *out,
                       gd_error *err);

/* What `gdsweep summary` is asked for. */
typedef struct gd_summary_request {
    const char *path;
    int csv;
    const char *metric;   /* rank by this numeric column; NULL: the default rule (tally.h) */
    const char *mode;     /* "min" or "max"; NULL: the metric's own (metric_modes), else min */
    const char *target;   /* "1e-K": the time-to-target column shown; NULL: 1e-6 */
} gd_summary_request;

/* The whole report of q->path on out: header lines and table, or (csv) the table as CSV.
 * A metric the file lacks, a bad mode or target is a usage error. */
int gd_summary_report(const gd_summary_request *q, FILE *out, gd_error *err);

/* gd_summary_report with the default ranking. */
int gd_summary_write(const char *path, int csv, FILE *out, gd_error *err);

/* The subcommand: argv[0] is "summary", then OUT.h5 and optionally --csv (any order),
 * or -h / --help. Prints the report on stdout; on failure one line on stderr. Returns
 * the exit code: 0, or 2 for a bad command line or a bad file (1 for a runtime failure
 * such as memory). */
int gd_summary_main(int argc, char **argv);

#endif
