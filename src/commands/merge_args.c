/* merge_args.c - `gdsweep merge`'s command line: its table of flags, the parse, the help.
 *
 * OUT is --output's value, else the first file named; every other file is a shard. The
 * table (gdsweep/flags.h) gives the parser and --help; the strings point into argv. */
#include "merge_internal.h"

#include <stdlib.h>
#include <string.h>

#include "gdsweep/flags.h"

#define SYNOPSIS "gdsweep merge OUT.h5 SHARD.h5... [--overwrite]"

enum { OPT_OVERWRITE = GD_FLAG_LONG_ONLY };

static const gd_flag merge_flag[] = {
    {"output", 'o', "OUT.h5", "the merged file (default: the first file named)"},
    {"overwrite", OPT_OVERWRITE, NULL, "replace an existing OUT.h5"},
    {"help", 'h', NULL, "this text"},
};
static const gd_flags merge_flags = {"gdsweep merge", merge_flag,
                                     sizeof merge_flag / sizeof merge_flag[0]};

/* One flag or file name into the gd_merge_args at into (a gd_flag_take). */
static int take(void *into, const gd_flag *f, const char *spelled, const char *value,
                gd_error *err)
{
    gd_merge_args *a = into;
    switch (f ? f->key : 0) {
    case 0: a->inputs[a->n++] = value; return 0;
    case 'o': a->out = value; return gd_flags_file_value(spelled, value, err);
    case OPT_OVERWRITE: a->overwrite = 1; return 0;
    case 'h': a->help = 1; return 0;
    default: return gd_fail_runtime(err, "%s is in the table but not handled", spelled);
    }
}

/* Without --output, the first file named is OUT. */
static void take_first_as_output(gd_merge_args *a)
{
    if (a->out || a->n == 0)
        return;
    a->out = a->inputs[0];
    memmove(a->inputs, a->inputs + 1, --a->n * sizeof *a->inputs);
}

int gd_merge_args_parse(gd_merge_args *a, int argc, char **argv, gd_error *err)
{
    memset(a, 0, sizeof *a);
    a->inputs = calloc((size_t)argc + 1, sizeof *a->inputs);
    if (!a->inputs)
        return gd_fail_runtime(err, "out of memory");
    gd_flags_join(a->command_line, sizeof a->command_line, "gdsweep", argc, argv);
    if (gd_flags_parse(&merge_flags, argc, argv, take, a, err) != 0)
        return -1;
    take_first_as_output(a);
    if (!a->help && a->n == 0)
        return gd_fail(err, "merge needs the output file and at least one shard file; "
                       "usage: " SYNOPSIS);
    return 0;
}

void gd_merge_args_free(gd_merge_args *a)
{
    free(a->inputs);
    a->inputs = NULL;
}

void gd_merge_print_help(FILE *out)
{
    fputs("usage: " SYNOPSIS "\n"
          "       gdsweep merge -o OUT.h5 SHARD.h5... [--overwrite]\n"
          "\n"
          "Merges the shard files of one grid (gdsweep GRID.ini --shard K/N) into OUT.h5, as\n"
          "one job would have written it.\n", out);
    gd_flags_print(out, &merge_flags);
    fputs("Options take their value as -o all.h5 or --output=all.h5; -- ends the options.\n"
          "Exit status: 0 complete, 1 runtime failure, 2 bad command line or input (OUT\n"
          "untouched), 3 runs missing (OUT written and resumable).\n", out);
}
