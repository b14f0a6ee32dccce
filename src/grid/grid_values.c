/* grid_values.c - value lists of grid keys: numbers, names, linspace/logspace/range.
 *
 * A value is comma-separated items; commas inside parentheses do not split. An item is a
 * number (strtod, the whole item), a generator linspace(a, b, n), logspace(a, b, n) or
 * range(a, b, step) with numpy's meaning, or, for a choice key, one of its names, or, for
 * a file key (GD_PATH) or a name key (GD_NAME), the text taken as written (its index in
 * the sweep's table of names).
 * Every value must be finite and pass gd_param_check; one list holds at most
 * GD_GRID_LIST_MAX values (counted in a first pass, before anything is generated or
 * allocated). Messages start with the key and carry no location: the caller adds
 * PATH:LINE. */
#include "grid_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NUMBER_TEXT_MAX 128

static const char *const generator_names[] = {"linspace", "logspace", "range", NULL};
enum { GEN_LINSPACE, GEN_LOGSPACE, GEN_RANGE };

static void trim(const char **s, size_t *len)
{
    while (*len > 0 && isspace((unsigned char)**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && isspace((unsigned char)(*s)[*len - 1]))
        (*len)--;
}

static int split_item(const char *start, const char *end, const char *what,
                      int (*item)(const char *, size_t, void *), void *ctx, gd_error *err)
{
    size_t len = (size_t)(end - start);
    trim(&start, &len);
    if (len == 0)
        return gd_fail(err, "%s: empty item; remove the extra comma or give a value", what);
    return item(start, len, ctx);
}

int gd_grid_split(const char *text, const char *what,
                  int (*item)(const char *, size_t, void *), void *ctx, gd_error *err)
{
    const char *blank = text + strspn(text, " \t\r\n");
    if (*blank == '\0')
        return gd_fail(err, "%s: no value given; write at least one value", what);
    int depth = 0;
    const char *start = text, *p = text;
    for (; *p; p++) {
        if (*p == '(')
            depth++;
        else if (*p == ')' && --depth < 0)
            return gd_fail(err, "%s: unbalanced ')'; remove it or add the '('", what);
        else if (*p == ',' && depth == 0) {
            if (split_item(start, p, what, item, ctx, err) < 0)
                return -1;
            start = p + 1;
        }
    }
    if (depth != 0)
        return gd_fail(err, "%s: missing ')'; close every '('", what);
    return split_item(start, p, what, item, ctx, err);
}

/* The values of one key, read in two passes over the text: the first (v == NULL) only
 * counts, so the list limit holds before anything is generated or allocated; the
 * second fills v, checking every value. */
typedef struct value_list {
    const gd_param_spec *spec;
    double *v;
    size_t n;
    gd_sweep *sweep;
    gd_error *err;
} value_list;

/* Counting pass: adds extra to the count and returns 0 (generate nothing). Filling
 * pass: returns 1 (generate). -1 past the list limit. */
static int reserve(value_list *l, double extra)
{
    if (l->v)
        return 1;
    if (!(extra <= (double)(GD_GRID_LIST_MAX - l->n)))
        return gd_fail(l->err, "%s: more than %llu values in one list; use fewer values",
                       l->spec->key, (unsigned long long)GD_GRID_LIST_MAX);
    l->n += (size_t)extra;
    return 0;
}

/* Appends v after checking it (filling pass). */
static int push(value_list *l, double v)
{
    if (!isfinite(v))
        return gd_fail(l->err, "%s: a value is %g; NaN and Inf are not allowed, use finite "
                               "values", l->spec->key, v);
    if (gd_param_check(l->spec, v, l->err) < 0)
        return -1;
    l->v[l->n++] = v;
    return 0;
}

static int parse_number(const char *s, size_t len, double *out)
{
    char buf[NUMBER_TEXT_MAX];
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    *out = strtod(buf, &end);
    return *end == '\0' ? 0 : -1;
}

/* A whole number written in digits (sign allowed) that strtod rounded, like
 * 9007199254740993 to 2^53, would silently run another budget; other forms (1e16,
 * 2.5) and numbers past 2^63 are left to the range check. */
static int whole_number_exact(const char *s, size_t len, double v)
{
    size_t i = len > 0 && (s[0] == '-' || s[0] == '+');
    for (size_t k = i; k < len; k++)
        if (!isdigit((unsigned char)s[k]))
            return 1;
    if (i == len || !(fabs(v) < 0x1p63))
        return 1;
    char buf[NUMBER_TEXT_MAX];
    memcpy(buf, s, len);
    buf[len] = '\0';
    return strtoll(buf, NULL, 10) == (long long)v;
}

/* Whether a number strtod read as 0 was written as zero (0, -0.0, 0e5), not as a tiny
 * one that underflowed (1e-400): its digits before any exponent are all zeros. */
static int written_as_zero(const char *s, size_t len)
{
    for (size_t k = 0; k < len && s[k] != 'e' && s[k] != 'E'; k++)
        if (s[k] >= '1' && s[k] <= '9')
            return 0;
    return 1;
}

static int not_a_number(const value_list *l, const char *s, size_t len)
{
    return gd_fail(l->err, "%s: '%.*s' is not a number; write numbers, linspace(a, b, n), "
                           "logspace(a, b, n) or range(a, b, step)", l->spec->key,
                   (int)len, s);
}

/* Collects the three numeric arguments of a generator. */
typedef struct gen_args {
    const value_list *list;
    const char *name;
    double a[3];
    int n;
} gen_args;

static int gen_arg(const char *s, size_t len, void *ctx)
{
    gen_args *g = ctx;
    double v;
    if (parse_number(s, len, &v) < 0)
        return not_a_number(g->list, s, len);
    if (!isfinite(v))
        return gd_fail(g->list->err, "%s: %s argument '%.*s' is not finite; use finite "
                                     "numbers", g->list->spec->key, g->name, (int)len, s);
    if (g->n < 3)
        g->a[g->n] = v;
    g->n++;
    return 0;
}

static int generate_space(value_list *l, const double *a, int log10_values)
{
    const char *name = log10_values ? "logspace" : "linspace";
    if (!(a[2] >= 1 && a[2] == floor(a[2])))
        return gd_fail(l->err, "%s: %s(a, b, n) with n = %g; n must be a whole number >= 1",
                       l->spec->key, name, a[2]);
    int fill = reserve(l, a[2]);
    if (fill <= 0)
        return fill;
    size_t n = (size_t)a[2];
    double step = n > 1 ? (a[1] - a[0]) / (double)(n - 1) : 0;
    for (size_t i = 0; i < n; i++) {
        double x = i + 1 == n && n > 1 ? a[1] : a[0] + (double)i * step;
        if (push(l, log10_values ? pow(10.0, x) : x) < 0)
            return -1;
    }
    return 0;
}

static int generate_range(value_list *l, const double *a)
{
    if (a[2] == 0)
        return gd_fail(l->err, "%s: range(a, b, step) with step = 0; use a nonzero step",
                       l->spec->key);
    /* Whole steps before b, b excluded: a quotient within 1e-9 (relative) of a whole
     * number k counts as k, so float drift (0.3/0.1 = 2.9999999999999996) neither adds
     * b (range(0.1, 0.4, 0.1) is 0.1, 0.2, 0.3) nor drops a value. */
    double q = (a[1] - a[0]) / a[2], k = round(q);
    double count = fabs(q - k) <= 1e-9 * fmax(1.0, fabs(k)) ? k : ceil(q);
    if (!(count >= 1))
        return gd_fail(l->err, "%s: range(%g, %g, %g) has no values; b must lie beyond a "
                               "in the direction of step", l->spec->key, a[0], a[1], a[2]);
    int fill = reserve(l, count);
    if (fill <= 0)
        return fill;
    for (size_t i = 0; i < (size_t)count; i++)
        if (push(l, a[0] + (double)i * a[2]) < 0)
            return -1;
    return 0;
}

/* name(a, b, c): s points at the name, open at '(' and the item ends with ')'. */
static int parse_generator(value_list *l, const char *s, size_t len, const char *open)
{
    size_t name_len = (size_t)(open - s);
    while (name_len > 0 && isspace((unsigned char)s[name_len - 1]))
        name_len--;
    int kind = -1;
    for (int i = 0; generator_names[i]; i++)
        if (strlen(generator_names[i]) == name_len && !strncmp(s, generator_names[i], name_len))
            kind = i;
    if (kind < 0 || s[len - 1] != ')')
        return gd_fail(l->err, "%s: '%.*s' is not a number or a generator; use "
                               "linspace(a, b, n), logspace(a, b, n) or range(a, b, step)",
                       l->spec->key, (int)len, s);
    char args[NUMBER_TEXT_MAX * 4];
    size_t args_len = (size_t)(s + len - 1 - (open + 1));
    if (args_len >= sizeof args)
        return gd_fail(l->err, "%s: '%.*s' is too long", l->spec->key, (int)len, s);
    memcpy(args, open + 1, args_len);
    args[args_len] = '\0';
    gen_args g = {.list = l, .name = generator_names[kind]};
    if (gd_grid_split(args, l->spec->key, gen_arg, &g, l->err) < 0)
        return -1;
    if (g.n != 3)
        return gd_fail(l->err, "%s: %s takes 3 arguments (%s), got %d", l->spec->key,
                       g.name, kind == GEN_RANGE ? "a, b, step" : "a, b, n", g.n);
    return kind == GEN_RANGE ? generate_range(l, g.a) : generate_space(l, g.a, kind);
}

static int parse_choice(value_list *l, const char *s, size_t len)
{
    char name[GD_LABEL_MAX];
    int index = -1;
    if (len < sizeof name) {
        memcpy(name, s, len);
        name[len] = '\0';
        index = gd_param_choice(l->spec, name);
    }
    if (index < 0) {
        char range[256];
        gd_param_range_text(l->spec, range, sizeof range);
        return gd_fail(l->err, "%s: '%.*s' is not a choice; use one of %s", l->spec->key,
                       (int)len, s, range);
    }
    int fill = reserve(l, 1);
    return fill <= 0 ? fill : push(l, index);
}

/* A file name or a name, taken as written (generators and numbers are names too). */
static int parse_name(value_list *l, const char *s, size_t len)
{
    double index;
    int fill = reserve(l, 1);
    if (fill <= 0)
        return fill;
    if (gd_grid_file_name(l->sweep, l->spec->key, s, len, &index, l->err) < 0)
        return -1;
    return push(l, index);
}

static int parse_item(const char *s, size_t len, void *ctx)
{
    value_list *l = ctx;
    if (l->spec->kind == GD_CHOICE)
        return parse_choice(l, s, len);
    if (gd_param_is_text(l->spec->kind))
        return parse_name(l, s, len);
    const char *open = memchr(s, '(', len);
    if (open)
        return parse_generator(l, s, len, open);
    double v;
    if (parse_number(s, len, &v) < 0)
        return not_a_number(l, s, len);
    if (v == 0 && !written_as_zero(s, len))
        return gd_fail(l->err, "%s = %.*s underflows to 0 as a double (the smallest positive "
                               "one is 4.9e-324); write 0 or a larger number",
                       l->spec->key, (int)len, s);
    if (l->spec->kind == GD_INT && !whole_number_exact(s, len, v))
        return gd_fail(l->err, "%s = %.*s is not exact as a double (every whole number is up "
                               "to 2^53 = 9007199254740992); use a smaller one",
                       l->spec->key, (int)len, s);
    int fill = reserve(l, 1);
    return fill <= 0 ? fill : push(l, v);
}

int gd_grid_values(gd_dim *dim, const gd_param_spec *spec, const char *text,
                   gd_grid_pool *pool, gd_error *err)
{
    value_list l = {.spec = spec, .sweep = pool->sweep, .err = err};
    if (gd_grid_split(text, spec->key, parse_item, &l, err) < 0)
        return -1;
    if (l.n > pool->values_left)
        return gd_fail(err, "%s: the grid's value lists would hold more than %llu values in "
                       "all (%llu MiB); use fewer values or fewer sections", spec->key,
                       (unsigned long long)GD_GRID_VALUES_MAX,
                       (unsigned long long)(GD_GRID_VALUES_MAX * sizeof(double) >> 20));
    pool->values_left -= l.n;
    if (!(l.v = malloc(l.n * sizeof *l.v)))
        return gd_fail_runtime(err, "%s: out of memory for %zu values", spec->key, l.n);
    l.n = 0;
    if (gd_grid_split(text, spec->key, parse_item, &l, err) < 0) {
        free(l.v);
        return -1;
    }
    if (!dim->borrowed)
        free((void *)dim->values);
    dim->borrowed = 0;
    dim->spec = spec;
    dim->values = l.v;
    dim->count = l.n;
    return 0;
}
