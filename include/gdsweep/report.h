/* report.h - text the gdsweep command prints: --list from the registries, --dry-run,
 * --check-problems. */
#ifndef GDSWEEP_REPORT_H
#define GDSWEEP_REPORT_H

#include <stdio.h>

#include "gdsweep/grid.h"

/* Every optimizer, schedule, problem and control key with its parameters. */
void gd_print_list(FILE *out);

/* Runs per (problem, optimizer), the total and the estimated output size. */
void gd_print_dry_run(FILE *out, const gd_sweep *s, const char *output);

/* --dry-run -v: each section's keys that the grid sets or sweeps, with their values, on
 * out; the grid's warnings (gd_sweep_print_warnings) on warnings. */
void gd_print_dry_run_values(FILE *out, FILE *warnings, const gd_sweep *s);

/* The first instance of each problem section checked (loss finite at the start, gradient
 * against central differences: plugins.h), one line each on out. 0, or -1 with err (the
 * first failure: a usage error naming the section, the point and the component). */
int gd_check_problems(FILE *out, const gd_sweep *s, gd_error *err);

/* One warning line per problem section whose repeats are identical runs (its instances
 * draw nothing at random), on out: "gdsweep: warning: repeats = 10 on [problem rb] ...". */
void gd_print_repeat_warnings(FILE *out, const gd_sweep *s);

#endif
