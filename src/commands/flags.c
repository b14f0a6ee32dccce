/* flags.c - getopt_long over one command's table of flags, typos answered (gdsweep/flags.h).
 *
 * Long flags are checked whole before getopt_long sees them, so an abbreviation or a typo
 * is refused with the closest real flag instead of being guessed. The same table gives
 * getopt_long its short and long options and the help its rows. */
#include "gdsweep/flags.h"

#include <getopt.h>
#include <string.h>

enum { HELP_COLUMN = 23, NAME_MAX_LEN = 64 };

/* ---- the help rows -------------------------------------------------------------------- */

void gd_flags_print_lines(FILE *out, const char *first, int indent, const char *text)
{
    fputs(first, out);
    for (const char *nl; (nl = strchr(text, '\n')) != NULL; text = nl + 1)
        fprintf(out, "%.*s\n%*s", (int)(nl - text), text, indent, "");
    fprintf(out, "%s\n", text);
}

static void print_flag(FILE *out, const gd_flag *f)
{
    char flag[NAME_MAX_LEN], first[NAME_MAX_LEN + HELP_COLUMN];
    int n = f->key < GD_FLAG_LONG_ONLY ? snprintf(flag, sizeof flag, "-%c, ", f->key) : 0;
    snprintf(flag + n, sizeof flag - (size_t)n, "--%s%s%s", f->name, f->value ? " " : "",
             f->value ? f->value : "");
    snprintf(first, sizeof first, "  %-*s", HELP_COLUMN - 2, flag);
    gd_flags_print_lines(out, first, HELP_COLUMN, f->help);
}

void gd_flags_print(FILE *out, const gd_flags *t)
{
    for (size_t i = 0; i < t->n; i++)
        print_flag(out, &t->flag[i]);
}

int gd_flags_file_value(const char *spelled, const char *value, gd_error *err)
{
    if (!*value)
        return gd_fail(err, "%s needs a file name, e.g. %s out.h5", spelled, spelled);
    return 0;
}

void gd_flags_join(char *out, size_t size, const char *lead, int argc, char **argv)
{
    size_t used = (size_t)snprintf(out, size, "%s", lead ? lead : "");
    for (int i = 0; i < argc && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%s", lead || i ? " " : "",
                                 argv[i]);
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

/* The flag whose name is closest to name[0..n) (a prefix of it counts as one edit), if
 * close enough to be a typo, or NULL. */
static const gd_flag *closest_flag(const gd_flags *t, const char *name, size_t n)
{
    const gd_flag *best = NULL;
    size_t beyond = (1 + n / 4 < 3 ? 1 + n / 4 : 3) + 1; /* the first distance too far */
    for (size_t i = 0; n < NAME_MAX_LEN && i < t->n; i++) {
        const char *real = t->flag[i].name;
        size_t len = strlen(real);
        size_t d = n > 0 && n < len && !strncmp(real, name, n)
                       ? 1 : edit_distance(name, n, real, len);
        if (d < beyond)
            best = &t->flag[i], beyond = d;
    }
    return best;
}

static const gd_flag *find_flag(const gd_flags *t, const char *name, size_t n)
{
    for (size_t i = 0; i < t->n; i++)
        if (strlen(t->flag[i].name) == n && !strncmp(t->flag[i].name, name, n))
            return &t->flag[i];
    return NULL;
}

static const gd_flag *find_key(const gd_flags *t, int key)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->flag[i].key == key)
            return &t->flag[i];
    return NULL;
}

/* Whether the short flags in letters end with one that takes its value from the next
 * argument (its value is the rest of the letters otherwise). */
static int short_flags_take_next(const gd_flags *t, const char *letters)
{
    for (; *letters; letters++) {
        const gd_flag *f = find_key(t, (unsigned char)*letters);
        if (f && f->value)
            return letters[1] == '\0';
    }
    return 0;
}

/* "unknown option 'ARG'" (ARG up to its '='), with the flag meant when there is one. */
static int unknown_flag(const gd_flags *t, const char *arg, const gd_flag *meant,
                        gd_error *err)
{
    int n = (int)strcspn(arg, "=");
    if (meant)
        return gd_fail(err, "unknown option '%.*s'; did you mean '--%s'? (see %s --help)", n,
                       arg, meant->name, t->command);
    return gd_fail(err, "unknown option '%.*s'; see %s --help", n, arg, t->command);
}

/* One argument that starts with a single dash: "-overwrite" would be read as -o verwrite,
 * so a whole long name after one dash is refused. Sets *skip when a value follows. */
static int check_short(const gd_flags *t, const char *a, int *skip, gd_error *err)
{
    const gd_flag *f = a[2] ? find_flag(t, a + 1, strcspn(a + 1, "=")) : NULL;
    if (f)
        return unknown_flag(t, a, f, err);
    *skip = short_flags_take_next(t, a + 1);
    return 0;
}

/* One "--name[=value]": known, and given a value only when it takes one. */
static int check_long(const gd_flags *t, const char *a, int *skip, gd_error *err)
{
    const char *eq = strchr(a, '=');
    const gd_flag *f = find_flag(t, a + 2, strcspn(a + 2, "="));
    if (!f)
        return unknown_flag(t, a, closest_flag(t, a + 2, strcspn(a + 2, "=")), err);
    if (eq && !f->value)
        return gd_fail(err, "--%s takes no value (got '%s')", f->name, a);
    *skip = f->value && !eq;
    return 0;
}

/* Checks every flag before "--" against the table, whole: getopt_long would take
 * "--overwrit" for --overwrite. Skips the value that follows a flag that takes one. */
static int check_flags(const gd_flags *t, int argc, char **argv, gd_error *err)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        const char *a = argv[i];
        int skip = 0;
        if (a[0] != '-' || a[1] == '\0')
            continue;
        if ((a[1] == '-' ? check_long : check_short)(t, a, &skip, err) != 0)
            return -1;
        i += skip;
    }
    return 0;
}

/* ---- parsing -------------------------------------------------------------------------- */

/* getopt_long's tables made from t: "-:" (operands in order, ':' for a missing value) and
 * the short letters; the long flags with their keys. */
static void getopt_tables(const gd_flags *t, char *shorts, struct option *longs)
{
    char *s = shorts + sprintf(shorts, "-:");
    for (size_t i = 0; i < t->n; i++) {
        const gd_flag *f = &t->flag[i];
        longs[i] = (struct option){f->name, f->value ? required_argument : no_argument, NULL,
                                   f->key};
        if (f->key < GD_FLAG_LONG_ONLY)
            s += sprintf(s, "%c%s", f->key, f->value ? ":" : "");
    }
    longs[t->n] = (struct option){0};
}

/* What getopt_long returned, handed to take. A value missing at the end (':') is an
 * empty value; then getopt_long gives no long_index, but the flag is the last argument
 * (long flags were checked whole before, so "--" starts the long form only). */
static int take_returned(const gd_flags *t, int opt, int long_index, char **argv,
                         gd_flag_take take, void *into, gd_error *err)
{
    if (opt == 1)
        return take(into, NULL, NULL, optarg, err);
    int missing = opt == ':';
    const gd_flag *f = find_key(t, missing ? optopt : opt);
    if (!f)
        return gd_fail(err, "unknown option '-%c'; see %s --help", optopt, t->command);
    char spelled[NAME_MAX_LEN + 3];
    if (missing ? !strncmp(argv[optind - 1], "--", 2) : long_index >= 0)
        snprintf(spelled, sizeof spelled, "--%s", f->name);
    else
        snprintf(spelled, sizeof spelled, "-%c", f->key);
    return take(into, f, spelled, missing ? "" : f->value ? optarg : NULL, err);
}

int gd_flags_parse(const gd_flags *t, int argc, char **argv, gd_flag_take take, void *into,
                   gd_error *err)
{
    char shorts[2 + 2 * GD_FLAGS_MAX + 1];
    struct option longs[GD_FLAGS_MAX + 1];
    if (t->n > GD_FLAGS_MAX)
        return gd_fail_runtime(err, "%s: more than %d flags in its table", t->command,
                               GD_FLAGS_MAX);
    if (check_flags(t, argc, argv, err) != 0)
        return -1;
    getopt_tables(t, shorts, longs);
    optind = 0; /* a fresh scan (GNU getopt) */
    opterr = 0;
    for (int opt, index = -1; (opt = getopt_long(argc, argv, shorts, longs, &index)) != -1;
         index = -1)
        if (take_returned(t, opt, index, argv, take, into, err) != 0)
            return -1;
    for (int i = optind; i < argc; i++) /* after "--" */
        if (take(into, NULL, NULL, argv[i], err) != 0)
            return -1;
    return 0;
}
