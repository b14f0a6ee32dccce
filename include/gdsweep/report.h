/* report.h - text the gdsweep command prints: --list from the registries, --dry-run. */
#ifndef GDSWEEP_REPORT_H
#define GDSWEEP_REPORT_H

#include <stdio.h>

#include "gdsweep/grid.h"

/* Every optimizer, schedule, problem and control key with its parameters. */
void gd_print_list(FILE *out);

/* Runs per (problem, optimizer), the total and the estimated output size. */
void gd_print_dry_run(FILE *out, const gd_sweep *s, const char *output);

/* One warning line per problem section whose repeats are identical runs (its instances
 * draw nothing at random), on out: "gdsweep: warning: repeats = 10 on [problem rb] ...". */
void gd_print_repeat_warnings(FILE *out, const gd_sweep *s);

#endif
