/* cli.c - parses the gdsweep command line (see gdsweep/cli.h). */
#include "gdsweep/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void gd_cli_usage(FILE *out)
{
    fputs("usage: gdsweep GRID.ini [-o OUT.h5] [--dry-run] [--overwrite] [--threads N]\n"
          "                        [--quiet] [--allow-huge] [--resume] [--grace S] [--shard K/N]\n"
          "       gdsweep status OUT.h5\n"
          "       gdsweep summary OUT.h5 [--csv]\n"
          "       gdsweep merge OUT.h5 SHARD.h5...\n"
          "       gdsweep --list | --help | --version\n"
          "\n"
          "Runs every configuration of the grid file and writes one HDF5 file.\n"
          "  -o, --output OUT.h5  output file (default: the grid's output, or <name>.h5)\n"
          "  --dry-run            print the runs per (problem, optimizer) and the estimated\n"
          "                       output size, run nothing\n"
          "  --overwrite          replace an existing output file\n"
          "  --threads N          OpenMP threads per process (default: OMP_NUM_THREADS)\n"
          "  --quiet              no progress or summary table\n"
          "  --allow-huge         accept grids of more than 10^9 runs\n"
          "  --resume             continue the sweep in its existing output file\n"
          "  --grace S            after SIGTERM/SIGINT/SIGUSR1, let running runs finish for\n"
          "                       S seconds (default 30), then abandon them\n"
          "  --shard K/N          run the K-th of N deterministic parts of the grid into its\n"
          "                       own file (combine them with gdsweep merge)\n"
          "  --list               list optimizers, schedules, problems and their keys\n"
          "Exit status: 0 success, 1 runtime failure, 2 usage or grid error, 3 interrupted\n"
          "(resume with --resume).\n",
          out);
}

static void join_args(gd_cli *c, int argc, char **argv)
{
    size_t used = 0;
    c->command_line[0] = '\0';
    for (int i = 0; i < argc && used < sizeof c->command_line; i++)
        used += (size_t)snprintf(c->command_line + used, sizeof c->command_line - used,
                                 "%s%s", i ? " " : "", argv[i]);
}

static int parse_threads(gd_cli *c, const char *v, gd_error *err)
{
    char *end;
    errno = 0;
    long n = v ? strtol(v, &end, 10) : 0;
    if (!v || errno || *end || n < 1 || n > 4096)
        return gd_fail(err, "--threads needs a whole number from 1 to 4096 (got '%s')",
                       v ? v : "");
    c->threads = (int)n;
    return 0;
}

static int parse_grace(gd_cli *c, const char *v, gd_error *err)
{
    char *end;
    errno = 0;
    long n = v ? strtol(v, &end, 10) : -1;
    if (!v || errno || *end || n < 0 || n > 86400)
        return gd_fail(err, "--grace needs whole seconds from 0 to 86400 (got '%s')", v ? v : "");
    c->grace = (unsigned)n;
    return 0;
}

static int parse_shard(gd_cli *c, const char *v, gd_error *err)
{
    unsigned long long k = 0, n = 0;
    int used = 0;
    if (!v || sscanf(v, "%llu/%llu%n", &k, &n, &used) != 2 || v[used] != '\0' || n < 1 ||
        k < 1 || k > n || n > 1000000)
        return gd_fail(err, "--shard needs K/N with 1 <= K <= N, e.g. --shard 2/8 (got '%s')",
                       v ? v : "");
    c->shard = k;
    c->shards = n;
    return 0;
}

static int flag(gd_cli *c, int argc, char **argv, int *i, gd_error *err)
{
    const char *a = argv[*i], *next = *i + 1 < argc ? argv[*i + 1] : NULL;
    if (!strcmp(a, "--dry-run")) c->dry_run = 1;
    else if (!strcmp(a, "--overwrite")) c->overwrite = 1;
    else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) c->quiet = 1;
    else if (!strcmp(a, "--allow-huge")) c->allow_huge = 1;
    else if (!strcmp(a, "--resume")) c->resume = 1;
    else if (!strcmp(a, "--grace")) { ++*i; return parse_grace(c, next, err); }
    else if (!strcmp(a, "--shard")) { ++*i; return parse_shard(c, next, err); }
    else if (!strcmp(a, "--list")) c->command = GD_CMD_LIST;
    else if (!strcmp(a, "--help") || !strcmp(a, "-h")) c->command = GD_CMD_HELP;
    else if (!strcmp(a, "--version")) c->command = GD_CMD_VERSION;
    else if (!strcmp(a, "--threads")) { ++*i; return parse_threads(c, next, err); }
    else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
        if (!next || !*next)
            return gd_fail(err, "%s needs a file name, e.g. %s out.h5", a, a);
        c->output = argv[++*i];
    } else
        return gd_fail(err, "unknown option '%s'; see gdsweep --help", a);
    return 0;
}

int gd_cli_parse(gd_cli *c, int argc, char **argv, gd_error *err)
{
    memset(c, 0, sizeof *c);
    c->grace = 30;
    join_args(c, argc, argv);
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            if (flag(c, argc, argv, &i, err) != 0)
                return -1;
        } else if (c->grid) {
            return gd_fail(err, "one grid file only (got '%s' and '%s')", c->grid, argv[i]);
        } else {
            c->grid = argv[i];
        }
    }
    if (c->command == GD_CMD_SWEEP && !c->grid)
        return gd_fail(err, "no grid file given; usage: gdsweep GRID.ini (see --help)");
    if (c->resume && c->overwrite)
        return gd_fail(err, "--resume continues the output and --overwrite replaces it: "
                       "choose one");
    return 0;
}
