/* cli.c - the gdsweep command line: getopt_long over one table of options (see gdsweep/cli.h).
 *
 * The table below is the parser's and the usage text's: a flag, its value's name and its
 * help live in one row. Long flags are checked whole before getopt_long sees them, so an
 * abbreviation or a typo is refused with the closest real flag instead of being guessed. */
#include "gdsweep/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Keys of the flags that have no short form (above every character). */
enum { OPT_DRY_RUN = 256, OPT_OVERWRITE, OPT_THREADS, OPT_ALLOW_HUGE, OPT_RESUME, OPT_GRACE,
       OPT_SHARD, OPT_LIST, OPT_VERSION };

typedef struct cli_option {
    const char *name;  /* the long flag, without "--" */
    int key;           /* its short letter, or an OPT_ key */
    const char *value; /* the name of its value in the usage, NULL for a switch */
    const char *help;  /* lines of help, "\n" between them */
} cli_option;

static const cli_option options[] = {
    {"output", 'o', "OUT.h5", "output file (default: the grid's output, or <name>.h5)"},
    {"dry-run", OPT_DRY_RUN, NULL, "print the runs per (problem, optimizer) and the estimated\n"
                                   "output size, run nothing"},
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
enum { N_OPTIONS = sizeof options / sizeof options[0], HELP_COLUMN = 23, NAME_MAX_LEN = 64 };

/* ---- the table of commands and the usage ---------------------------------------------- */

const gd_cli_command *gd_cli_find_command(const gd_cli_command *commands, int argc,
                                          char **argv)
{
    const gd_cli_command *k = commands;
    while (k->name && !(argc > 1 && !strcmp(argv[1], k->name)))
        k++;
    return k;
}

/* Prints text's lines, the first after first, the others after indent spaces. */
static void print_lines(FILE *out, const char *first, int indent, const char *text)
{
    fputs(first, out);
    for (const char *nl; (nl = strchr(text, '\n')) != NULL; text = nl + 1)
        fprintf(out, "%.*s\n%*s", (int)(nl - text), text, indent, "");
    fprintf(out, "%s\n", text);
}

static void print_option(FILE *out, const cli_option *o)
{
    char flag[NAME_MAX_LEN], first[NAME_MAX_LEN + HELP_COLUMN];
    int n = o->key < 256 ? snprintf(flag, sizeof flag, "-%c, ", o->key) : 0;
    snprintf(flag + n, sizeof flag - (size_t)n, "--%s%s%s", o->name, o->value ? " " : "",
             o->value ? o->value : "");
    snprintf(first, sizeof first, "  %-*s", HELP_COLUMN - 2, flag);
    print_lines(out, first, HELP_COLUMN, o->help);
}

void gd_cli_usage(FILE *out, const gd_cli_command *commands)
{
    const gd_cli_command *sweep = gd_cli_find_command(commands, 0, NULL);
    print_lines(out, "usage: gdsweep ", 24, sweep->synopsis);
    for (const gd_cli_command *k = commands; k != sweep; k++)
        fprintf(out, "       gdsweep %s\n", k->synopsis);
    fputs("       gdsweep --list | --help | --version\n"
          "\n"
          "Runs every configuration of the grid file and writes one HDF5 file.\n", out);
    for (size_t i = 0; i < N_OPTIONS; i++)
        print_option(out, &options[i]);
    fputs("Options take their value as --threads 2 or --threads=2; -- ends the options.\n"
          "Exit status: 0 success, 1 runtime failure, 2 usage or grid error, 3 interrupted\n"
          "(resume with --resume).\n", out);
}

/* ---- checking long flags whole -------------------------------------------------------- */

/* Levenshtein distance between a[0..na) and b[0..nb), nb at most NAME_MAX_LEN. */
static size_t edit_distance(const char *a, size_t na, const char *b, size_t nb)
{
    size_t row[NAME_MAX_LEN + 1];
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t replace = diagonal + (a[i - 1] != b[j - 1]), above = row[j];
            size_t best = above + 1 < row[j - 1] + 1 ? above + 1 : row[j - 1] + 1;
            row[j] = replace < best ? replace : best;
            diagonal = above;
        }
    }
    return row[nb];
}

/* The option whose name is closest to name[0..n) (a prefix of it counts as one edit), if
 * close enough to be a typo, or NULL. */
static const cli_option *closest_option(const char *name, size_t n)
{
    const cli_option *best = NULL;
    size_t beyond = (1 + n / 4 < 3 ? 1 + n / 4 : 3) + 1; /* the first distance too far */
    for (size_t i = 0; n < NAME_MAX_LEN && i < N_OPTIONS; i++) {
        size_t len = strlen(options[i].name);
        size_t d = n > 0 && n < len && !strncmp(options[i].name, name, n)
                       ? 1 : edit_distance(name, n, options[i].name, len);
        if (d < beyond)
            best = &options[i], beyond = d;
    }
    return best;
}

static const cli_option *find_option(const char *name, size_t n)
{
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (strlen(options[i].name) == n && !strncmp(options[i].name, name, n))
            return &options[i];
    return NULL;
}

/* Whether the short flags in letters end with one that takes its value from the next
 * argument (its value is the rest of the letters otherwise). */
static int short_flags_take_next(const char *letters)
{
    for (; *letters; letters++)
        for (size_t i = 0; i < N_OPTIONS; i++)
            if (options[i].key == (unsigned char)*letters && options[i].value)
                return letters[1] == '\0';
    return 0;
}

static int unknown_option(const char *arg, gd_error *err)
{
    size_t n = strcspn(arg + 2, "=");
    const cli_option *near = closest_option(arg + 2, n);
    if (near)
        return gd_fail(err, "unknown option '%.*s'; did you mean '--%s'? (see gdsweep --help)",
                       (int)n + 2, arg, near->name);
    return gd_fail(err, "unknown option '%.*s'; see gdsweep --help", (int)n + 2, arg);
}

/* Checks every "--name[=value]" before "--" against the table, whole: getopt_long would
 * take "--overwrit" for --overwrite. Skips the value that follows a flag that takes one. */
static int check_long_flags(int argc, char **argv, gd_error *err)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] == '\0')
            continue;
        if (a[1] != '-') { /* "-overwrite" would be read as -o verwrite */
            const cli_option *o = a[2] ? find_option(a + 1, strcspn(a + 1, "=")) : NULL;
            if (o)
                return gd_fail(err, "unknown option '%.*s'; did you mean '--%s'? (see gdsweep "
                               "--help)", (int)strcspn(a, "="), a, o->name);
            i += short_flags_take_next(a + 1);
            continue;
        }
        const char *eq = strchr(a, '=');
        const cli_option *o = find_option(a + 2, strcspn(a + 2, "="));
        if (!o)
            return unknown_option(a, err);
        if (eq && !o->value)
            return gd_fail(err, "--%s takes no value (got '%s')", o->name, a);
        i += o->value && !eq;
    }
    return 0;
}

/* ---- parsing -------------------------------------------------------------------------- */

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

static int parse_output(gd_cli *c, const char *flag, const char *v, gd_error *err)
{
    if (!*v)
        return gd_fail(err, "%s needs a file name, e.g. %s out.h5", flag, flag);
    c->output = v;
    return 0;
}

static int take_operand(gd_cli *c, const char *arg, gd_error *err)
{
    if (c->grid)
        return gd_fail(err, "one grid file only (got '%s' and '%s')", c->grid, arg);
    c->grid = arg;
    return 0;
}

/* One flag or one operand (opt 1) with its value (NULL for a switch) into c; long is
 * whether the flag was given in its long form. */
static int take(gd_cli *c, int opt, int long_form, const char *value, gd_error *err)
{
    switch (opt) {
    case 1: return take_operand(c, value, err);
    case 'o': return parse_output(c, long_form ? "--output" : "-o", value, err);
    case OPT_DRY_RUN: c->dry_run = 1; return 0;
    case OPT_OVERWRITE: c->overwrite = 1; return 0;
    case 'q': c->quiet = 1; return 0;
    case OPT_ALLOW_HUGE: c->allow_huge = 1; return 0;
    case OPT_RESUME: c->resume = 1; return 0;
    case OPT_THREADS: return parse_threads(c, value, err);
    case OPT_GRACE: return parse_grace(c, value, err);
    case OPT_SHARD: return parse_shard(c, value, err);
    case OPT_LIST: c->command = GD_CMD_LIST; return 0;
    case 'h': c->command = GD_CMD_HELP; return 0;
    case OPT_VERSION: c->command = GD_CMD_VERSION; return 0;
    default: return gd_fail(err, "unknown option '-%c'; see gdsweep --help", optopt);
    }
}

/* What getopt_long returned into c. A value missing at the end (':') is an empty value,
 * refused by the flag's own check; long flags were checked whole before, so the flag in
 * argv[optind - 1] is the long form when it starts with "--". */
static int take_returned(gd_cli *c, int opt, int long_index, char **argv, gd_error *err)
{
    if (opt == ':')
        return take(c, optopt, !strncmp(argv[optind - 1], "--", 2), "", err);
    return take(c, opt, long_index >= 0, optarg, err);
}

/* getopt_long's tables made from options: "-:" (operands in order, ':' for a missing
 * value) and the short letters; the long flags with their keys. */
static void getopt_tables(char *shorts, struct option *longs)
{
    char *s = shorts + sprintf(shorts, "-:");
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const cli_option *o = &options[i];
        longs[i] = (struct option){o->name, o->value ? required_argument : no_argument, NULL,
                                   o->key};
        if (o->key < 256)
            s += sprintf(s, "%c%s", o->key, o->value ? ":" : "");
    }
    longs[N_OPTIONS] = (struct option){0};
}

int gd_cli_parse(gd_cli *c, int argc, char **argv, gd_error *err)
{
    char shorts[2 + 2 * N_OPTIONS + 1];
    struct option longs[N_OPTIONS + 1];
    memset(c, 0, sizeof *c);
    c->grace = 30;
    join_args(c, argc, argv);
    if (check_long_flags(argc, argv, err) != 0)
        return -1;
    getopt_tables(shorts, longs);
    optind = 0; /* a fresh scan (GNU getopt) */
    opterr = 0;
    for (int opt, index = -1; (opt = getopt_long(argc, argv, shorts, longs, &index)) != -1;
         index = -1)
        if (take_returned(c, opt, index, argv, err) != 0)
            return -1;
    for (int i = optind; i < argc; i++) /* after "--" */
        if (take_operand(c, argv[i], err) != 0)
            return -1;
    if (c->command == GD_CMD_SWEEP && !c->grid)
        return gd_fail(err, "no grid file given; usage: gdsweep GRID.ini (see --help)");
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
