/* report.h - text the gdsweep command prints: --list from the registries, --dry-run. */
#ifndef GDSWEEP_REPORT_H
#define GDSWEEP_REPORT_H

#include <stdio.h>

#include "gdsweep/grid.h"

/* Every optimizer, schedule, problem and control key with its parameters. */
void gd_print_list(FILE *out);

/* Runs per (problem, optimizer), the total and the estimated output size. */
void gd_print_dry_run(FILE *out, const gd_sweep *s, const char *output);

#endif
