/* cli.h - the gdsweep command line: the table of commands, parsing into gd_cli, the usage.
 *
 * Parsing fills a caller-owned gd_cli (its strings point into argv) and fails with one
 * line in err (exit GD_EXIT_USAGE) that names the flag and what to do; it prints nothing. */
#ifndef GDSWEEP_CLI_H
#define GDSWEEP_CLI_H

#include <stdio.h>

#include "gdsweep/error.h"
#include "gdsweep/override.h"

/* One command of gdsweep (Lua linit.c style): the word that selects it (NULL for the
 * sweep, the default), its entry point (argv[0] is the word, or the program for the
 * sweep; returns the exit status) and its synopsis after "gdsweep " in the usage. A table
 * of them ends with an entry whose run is NULL. */
typedef struct gd_cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *synopsis;
} gd_cli_command;

/* The entry of commands that argv selects: the one named by argv[1], else the sweep's. */
const gd_cli_command *gd_cli_find_command(const gd_cli_command *commands, int argc,
                                          char **argv);

typedef enum { GD_CMD_SWEEP, GD_CMD_LIST, GD_CMD_HELP, GD_CMD_VERSION } gd_command;

typedef struct gd_cli {
    gd_command command;
    const char *grid;        /* GRID.ini */
    gd_override overrides[GD_OVERRIDES_MAX]; /* LABEL.KEY=VALUE operands, in order */
    size_t n_overrides;
    const char *output;      /* -o, or NULL for the grid's */
    int dry_run, verbose, check_problems, overwrite, quiet, allow_huge, resume;
    int threads;             /* --threads, 0 = OMP_NUM_THREADS / default */
    unsigned grace;          /* --grace SECONDS after a signal (default 30) */
    unsigned long long shard, shards; /* --shard K/N (1-based K), 0/0 when absent */
    char command_line[4096]; /* argv joined, stored in the file */
} gd_cli;

/* Fills c from argv (getopt_long: "--opt value" and "--opt=value", short forms, options
 * anywhere, "--" ends them; abbreviations are refused). Operands: the grid file, and any
 * number of overrides LABEL.KEY=VALUE (gd_override_is), checked when the grid is read. On a usage error returns -1 with a
 * one-line message naming the flag, and the closest real flag for a mistyped one. Leaves
 * argv as it was (operands are taken in order, not permuted). */
int gd_cli_parse(gd_cli *c, int argc, char **argv, gd_error *err);

/* The overrides as shell words for a command to repeat (" 'adam.lr=0.1, 1' a.b=c"), each
 * after a blank, quoted when it holds more than letters, digits and "._-=/:+,". */
void gd_cli_overrides_text(const gd_cli *c, char *out, size_t size);

/* Refuses, with a line that suggests `gdsweep status` / `gdsweep summary`, a grid path that
 * is an HDF5 file (its signature at byte 0, 512, 1024, 2048, ...); 0 for anything else,
 * unreadable files included (the grid loader says why). */
int gd_cli_refuse_hdf5_grid(const char *path, gd_error *err);

/* The usage text: a synopsis per command of the table, then the sweep's options. */
void gd_cli_usage(FILE *out, const gd_cli_command *commands);

#endif
