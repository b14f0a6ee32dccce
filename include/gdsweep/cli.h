/* cli.h - the gdsweep command line: parsing into gd_cli and the usage text. */
#ifndef GDSWEEP_CLI_H
#define GDSWEEP_CLI_H

#include <stdio.h>

#include "gdsweep/error.h"

typedef enum { GD_CMD_SWEEP, GD_CMD_LIST, GD_CMD_HELP, GD_CMD_VERSION } gd_command;

typedef struct gd_cli {
    gd_command command;
    const char *grid;        /* GRID.ini */
    const char *output;      /* -o, or NULL for the grid's */
    int dry_run, overwrite, quiet, allow_huge, resume;
    int threads;             /* --threads, 0 = OMP_NUM_THREADS / default */
    unsigned grace;          /* --grace SECONDS after a signal (default 30) */
    unsigned long long shard, shards; /* --shard K/N (1-based K), 0/0 when absent */
    char command_line[4096]; /* argv joined, stored in the file */
} gd_cli;

/* Fills c from argv; on a usage error returns -1 with a one-line message naming the flag. */
int gd_cli_parse(gd_cli *c, int argc, char **argv, gd_error *err);

void gd_cli_usage(FILE *out);

#endif
