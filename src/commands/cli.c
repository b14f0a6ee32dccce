/* cli.c - the gdsweep command line: the sweep's table of flags (see gdsweep/cli.h).
 *
 * The table below is the parser's and the usage text's: a flag, its value's name and its
 * help live in one row; gdsweep/flags.h walks it with getopt_long and answers typos. */
#include "gdsweep/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gdsweep/flags.h"

/* Keys of the flags that have no short form. */
enum { OPT_DRY_RUN = GD_FLAG_LONG_ONLY, OPT_OVERWRITE, OPT_THREADS, OPT_ALLOW_HUGE,
       OPT_RESUME, OPT_GRACE, OPT_SHARD, OPT_LIST, OPT_VERSION, OPT_CHECK_PROBLEMS };

/* Characters an override may hold and be repeated unquoted in a shell. */
#define SHELL_PLAIN "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-=/:+,"

static const gd_flag options[] = {
    {"output", 'o', "OUT.h5", "output file (default: the grid's output, or <name>.h5)"},
    {"dry-run", OPT_DRY_RUN, NULL, "print the runs per (problem, optimizer) and the estimated\n"
                                   "output size, run nothing"},
    {"verbose", 'v', NULL, "with --dry-run: every key's values per section, and\n"
                           "warnings about keys that likely mean something else"},
    {"check-problems", OPT_CHECK_PROBLEMS, NULL, "check each problem section's first instance\n"
                                                 "(finite loss, gradient against central\n"
                                                 "differences), run nothing"},
    {"overwrite", OPT_OVERWRITE, NULL, "replace an existing output file"},
    {"threads", OPT_THREADS, "N", "OpenMP threads per process (default: OMP_NUM_THREADS)"},
    {"quiet", 'q', NULL, "no progress or summary table"},
    {"allow-huge", OPT_ALLOW_HUGE, NULL, "accept grids of more than 10^9 runs"},
    {"resume", OPT_RESUME, NULL, "continue the sweep in its existing output file"},
    {"grace", OPT_GRACE, "S", "after SIGTERM/SIGINT/SIGUSR1, let running runs finish for\n"
                              "S seconds (default 30), then abandon them"},
    {"shard", OPT_SHARD, "K/N", "run the K-th of N deterministic parts of the grid into its\n"
                                "own file (combine them with gdsweep merge)"},
    {"list", OPT_LIST, NULL, "list optimizers, schedules, problems and their keys"},
    {"help", 'h', NULL, "this text"},
    {"version", OPT_VERSION, NULL, "the version and the HDF5 file format"},
};
static const gd_flags sweep_flags = {"gdsweep", options, sizeof options / sizeof options[0]};

/* ---- the table of commands and the usage ---------------------------------------------- */

const gd_cli_command *gd_cli_find_command(const gd_cli_command *commands, int argc,
                                          char **argv)
{
    const gd_cli_command *k = commands;
    while (k->name && !(argc > 1 && !strcmp(argv[1], k->name)))
        k++;
    return k;
}

void gd_cli_usage(FILE *out, const gd_cli_command *commands)
{
    const gd_cli_command *sweep = gd_cli_find_command(commands, 0, NULL);
    gd_flags_print_lines(out, "usage: gdsweep ", 24, sweep->synopsis);
    for (const gd_cli_command *k = commands; k != sweep; k++)
        fprintf(out, "       gdsweep %s\n", k->synopsis);
    fputs("       gdsweep --list | --help | --version\n"
          "\n"
          "Runs every configuration of the grid file and writes one HDF5 file.\n", out);
    gd_flags_print(out, &sweep_flags);
    fputs("LABEL.KEY=VALUE sets KEY in the section labelled LABEL (sweep: [sweep]), as if\n"
          "the grid said KEY = VALUE there: adam.lr='logspace(-4, -1, 7)' sweep.repeats=5\n"
          "(docs/GRID.md, \"Overrides\").\n"
          "Options take their value as --threads 2 or --threads=2; -- ends the options.\n"
          "Exit status: 0 success, 1 runtime failure, 2 usage or grid error, 3 interrupted\n"
          "(resume with --resume).\n", out);
}

/* ---- parsing -------------------------------------------------------------------------- */

static int parse_threads(gd_cli *c, const char *v, gd_error *err)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || end == v || n < 1 || n > 4096)
        return gd_fail(err, "--threads needs a whole number from 1 to 4096 (got '%s')", v);
    c->threads = (int)n;
    return 0;
}

static int parse_grace(gd_cli *c, const char *v, gd_error *err)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || end == v || n < 0 || n > 86400)
        return gd_fail(err, "--grace needs whole seconds from 0 to 86400 (got '%s')", v);
    c->grace = (unsigned)n;
    return 0;
}

static int parse_shard(gd_cli *c, const char *v, gd_error *err)
{
    unsigned long long k = 0, n = 0;
    int used = 0;
    if (sscanf(v, "%llu/%llu%n", &k, &n, &used) != 2 || v[used] != '\0' || n < 1 || k < 1 ||
        k > n || n > 1000000)
        return gd_fail(err, "--shard needs K/N with 1 <= K <= N, e.g. --shard 2/8 (got '%s')",
                       v);
    c->shard = k;
    c->shards = n;
    return 0;
}

static int take_override(gd_cli *c, const char *arg, gd_error *err)
{
    if (c->n_overrides == GD_OVERRIDES_MAX)
        return gd_fail(err, "more than %d overrides (at '%s'); write them into the grid",
                       GD_OVERRIDES_MAX, arg);
    c->overrides[c->n_overrides++] = (gd_override){arg, 0};
    return 0;
}

static int take_operand(gd_cli *c, const char *arg, gd_error *err)
{
    if (gd_override_is(arg))
        return take_override(c, arg, err);
    if (c->grid)
        return gd_fail(err, "one grid file only (got '%s' and '%s'); an override is "
                       "LABEL.KEY=VALUE, a value with blanks quoted: adam.lr='0.1, 1'",
                       c->grid, arg);
    c->grid = arg;
    return 0;
}

/* Each override's position in argv (its text is argv's string itself). */
static void number_overrides(gd_cli *c, int argc, char **argv)
{
    for (size_t i = 0; i < c->n_overrides; i++)
        for (int a = 1; a < argc; a++)
            if (argv[a] == c->overrides[i].text)
                c->overrides[i].arg = a;
}

void gd_cli_overrides_text(const gd_cli *c, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < c->n_overrides && used < size; i++) {
        const char *t = c->overrides[i].text;
        int plain = t[strspn(t, SHELL_PLAIN)] == '\0';
        used += (size_t)snprintf(out + used, size - used, plain ? " %s" : " '%s'", t);
    }
}

/* One flag f, spelled as given, with its value (NULL for a switch), or one operand (f
 * NULL), into the gd_cli at into: the gd_flag_take of the sweep's table. */
static int take(void *into, const gd_flag *f, const char *spelled, const char *value,
                gd_error *err)
{
    gd_cli *c = into;
    switch (f ? f->key : 0) {
    case 0: return take_operand(c, value, err);
    case 'o': c->output = value; return gd_flags_file_value(spelled, value, err);
    case OPT_DRY_RUN: c->dry_run = 1; return 0;
    case OPT_CHECK_PROBLEMS: c->check_problems = 1; return 0;
    case OPT_OVERWRITE: c->overwrite = 1; return 0;
    case 'q': c->quiet = 1; return 0;
    case 'v': c->verbose = 1; return 0;
    case OPT_ALLOW_HUGE: c->allow_huge = 1; return 0;
    case OPT_RESUME: c->resume = 1; return 0;
    case OPT_THREADS: return parse_threads(c, value, err);
    case OPT_GRACE: return parse_grace(c, value, err);
    case OPT_SHARD: return parse_shard(c, value, err);
    case OPT_LIST: c->command = GD_CMD_LIST; return 0;
    case 'h': c->command = GD_CMD_HELP; return 0;
    case OPT_VERSION: c->command = GD_CMD_VERSION; return 0;
    default: return gd_fail_runtime(err, "%s is in the table but not handled", spelled);
    }
}

int gd_cli_parse(gd_cli *c, int argc, char **argv, gd_error *err)
{
    memset(c, 0, sizeof *c);
    c->grace = 30;
    gd_flags_join(c->command_line, sizeof c->command_line, NULL, argc, argv);
    if (gd_flags_parse(&sweep_flags, argc, argv, take, c, err) != 0)
        return -1;
    number_overrides(c, argc, argv);
    if (c->command == GD_CMD_SWEEP && !c->grid)
        return gd_fail(err, "no grid file given; usage: gdsweep GRID.ini (see --help)");
    if (c->verbose && !c->dry_run)
        return gd_fail(err, "--verbose goes with --dry-run (it prints the values that a run "
                       "would use); add --dry-run");
    if (c->resume && c->overwrite)
        return gd_fail(err, "--resume continues the output and --overwrite replaces it: "
                       "choose one");
    return 0;
}

/* ---- an HDF5 file given as the grid ------------------------------------------------- */

static const unsigned char hdf5_signature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1A, '\n'};

/* Whether a regular file has the HDF5 signature at 0, 512, 1024, ... (where HDF5 looks
 * for it after a user block). Reads nothing from FIFOs or devices: the grid loader will. */
static int is_hdf5_file(const char *path)
{
    struct stat info;
    if (stat(path, &info) != 0 || !S_ISREG(info.st_mode))
        return 0;
    FILE *f = fopen(path, "rb");
    unsigned char head[sizeof hdf5_signature];
    int found = 0;
    for (long at = 0; f && !found && at < info.st_size; at = at ? 2 * at : 512)
        found = fseek(f, at, SEEK_SET) == 0 && fread(head, 1, sizeof head, f) == sizeof head &&
                !memcmp(head, hdf5_signature, sizeof head);
    if (f)
        fclose(f);
    return found;
}

int gd_cli_refuse_hdf5_grid(const char *path, gd_error *err)
{
    if (!is_hdf5_file(path))
        return 0;
    return gd_fail(err, "%s is an HDF5 file (a sweep's output?), not a grid file; to read it, "
                   "run: gdsweep status %s, or: gdsweep summary %s", path, path, path);
}
