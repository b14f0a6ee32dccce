/* flags.h - one table of a command's flags: the parser (getopt_long) and the help rows.
 *
 * Each command (the sweep, status, summary, merge) describes its flags in one table and
 * hands each flag and operand to its own `take` function, in argv's order. Parsing
 * prints nothing: a usage error is one line in err (exit GD_EXIT_USAGE) that names the
 * flag and the fix, with the closest real flag for a mistyped one. */
#ifndef GDSWEEP_FLAGS_H
#define GDSWEEP_FLAGS_H

#include <stddef.h>
#include <stdio.h>

#include "gdsweep/error.h"

/* Keys of flags without a short form start here (above every character). */
#define GD_FLAG_LONG_ONLY 256
/* The most flags a table may have. */
#define GD_FLAGS_MAX 24

/* One flag: "--name" (and "-k" when key is a character), its value's name in the help
 * (NULL for a switch) and its help, lines separated by "\n". */
typedef struct gd_flag {
    const char *name;
    int key;
    const char *value;
    const char *help;
} gd_flag;

/* A command's flags; `command` ("gdsweep merge") is named in errors: "see CMD --help". */
typedef struct gd_flags {
    const char *command;
    const gd_flag *flag;
    size_t n; /* at most GD_FLAGS_MAX */
} gd_flags;

/* Receives one flag f as spelled ("-o" or "--output") with its value (NULL for a switch;
 * "" for a value missing at the end, for the flag's own check to refuse), or one operand
 * (f and spelled NULL, the operand in value). Returns 0, or -1 with err set. */
typedef int (*gd_flag_take)(void *into, const gd_flag *f, const char *spelled,
                            const char *value, gd_error *err);

/* Walks argv[1..argc) (getopt_long over t: "--opt value", "--opt=value", short forms,
 * flags anywhere, "--" ends them; operands in order), calling take for each. Long flags
 * are checked whole first: an abbreviation or a typo is refused with the closest flag.
 * Leaves argv as it was. Returns 0, or -1 with err set. */
int gd_flags_parse(const gd_flags *t, int argc, char **argv, gd_flag_take take, void *into,
                   gd_error *err);

/* The help rows of t: "  -o, --output OUT.h5    help", continuation lines indented. */
void gd_flags_print(FILE *out, const gd_flags *t);

/* Prints text's lines, the first after `first`, the others after indent spaces. */
void gd_flags_print_lines(FILE *out, const char *first, int indent, const char *text);

/* The check of a flag whose value is a file name: refuses an empty one with
 * "SPELLED needs a file name, e.g. SPELLED out.h5". Returns 0 or -1. */
int gd_flags_file_value(const char *spelled, const char *value, gd_error *err);

/* argv[0..argc) joined by spaces into out (shortened to size), after lead and a space
 * when lead is not NULL: the command line a file records. */
void gd_flags_join(char *out, size_t size, const char *lead, int argc, char **argv);

#endif
