/* grid_sample.c - sampled keys: lr = loguniform(a, b) and its kin, and a section's design.
 *
 * A key whose value is uniform(a, b), loguniform(a, b), intuniform(a, b) or
 * choice(v1, v2, ...) is sampled: its dim carries a gd_sample (owning its arguments, which
 * the dim's values point at) instead of a list. The sampled keys of one section form one
 * design of [sweep] samples = N points (gd_grid_design_attach): the first sampled key counts
 * N in the section's mixed radix, the others 1, so the design stands in the run order where
 * its first key stands. Point k maps coordinate j of the design, u in [0, 1), to the key's
 * value (gd_grid_sample_value). Parse messages carry no location; attach's do. */
#include "grid_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const dist_names[] = {"uniform", "loguniform", "intuniform", "choice",
                                         NULL};

/* The distribution whose name starts text (blanks allowed around it) and is followed by
 * '(', which *open receives; -1 when none. */
static int dist_of(const char *text, const char **open)
{
    text += strspn(text, " \t");
    for (int i = 0; dist_names[i]; i++) {
        size_t n = strlen(dist_names[i]);
        const char *p = text + n;
        if (strncmp(text, dist_names[i], n) == 0 && *(p += strspn(p, " \t")) == '(') {
            *open = p;
            return i;
        }
    }
    return -1;
}

int gd_grid_sample_text(const char *text)
{
    const char *open;
    return dist_of(text, &open) >= 0;
}

/* What a key of `kind` may be sampled with, or NULL when dist fits it. */
static const char *misfit(int dist, gd_param_kind kind)
{
    static const char *const fits[] = {
        [GD_REAL] = "uniform(a, b), loguniform(a, b) or choice(...)",
        [GD_INT] = "intuniform(a, b) or choice(...)",
        [GD_CHOICE] = "choice(...)",
        [GD_PATH] = "a list of values (file and name keys are not sampled)",
        [GD_NAME] = "a list of values (file and name keys are not sampled)"};
    if (gd_param_is_text(kind))
        return fits[kind];
    if (dist == GD_DIST_CHOICE)
        return NULL;
    return kind == (dist == GD_DIST_INTUNIFORM ? GD_INT : GD_REAL) ? NULL : fits[kind];
}

/* a < b (a <= b for intuniform), 0 < a for loguniform, both values of the key. */
static int check_bounds(const gd_sample *s, const gd_param_spec *spec, gd_error *err)
{
    const char *name = dist_names[s->dist];
    if (s->dist == GD_DIST_INTUNIFORM ? !(s->a <= s->b) : !(s->a < s->b))
        return gd_fail(err, "%s: %s(a, b) with a = %g, b = %g; a must be less than b",
                       spec->key, name, s->a, s->b);
    if (s->dist == GD_DIST_LOGUNIFORM && !(s->a > 0))
        return gd_fail(err, "%s: loguniform(a, b) with a = %g; a must be > 0", spec->key,
                       s->a);
    return 0;
}

/* The arguments, read as a value list of the key (so each is range-checked; names for a
 * choice key): choice keeps them all, the others take exactly two. */
static int read_args(gd_sample *s, const gd_param_spec *spec, const char *args,
                     gd_grid_pool *pool, gd_error *err)
{
    gd_dim list = {.spec = spec, .borrowed = 1};
    if (gd_grid_values(&list, spec, args, pool, err) < 0)
        return -1;
    s->span = (double *)list.values;
    s->n_span = list.count;
    if (s->dist == GD_DIST_CHOICE)
        return 0;
    if (list.count != 2)
        return gd_fail(err, "%s: %s takes 2 arguments (a, b), got %zu", spec->key,
                       dist_names[s->dist], list.count);
    s->a = s->span[0];
    s->b = s->span[1];
    return check_bounds(s, spec, err);
}

/* The ')' that closes the '(' at open, or NULL. */
static const char *matching_close(const char *open)
{
    int depth = 0;
    for (const char *p = open; *p; p++)
        if (*p == '(')
            depth++;
        else if (*p == ')' && --depth == 0)
            return p;
    return NULL;
}

int gd_grid_sample_parse(gd_dim *dim, const gd_param_spec *spec, const char *text,
                         gd_grid_pool *pool, gd_error *err)
{
    const char *open = text;
    int dist = dist_of(text, &open);
    size_t len = strlen(text);
    while (len > 0 && strchr(" \t", text[len - 1]))
        len--;
    const char *close = matching_close(open);
    if (close != text + len - 1)
        return gd_fail(err, "%s: '%s' is not one distribution; write %s(...) alone, "
                       "without a list around it", spec->key, text, dist_names[dist]);
    const char *fix = misfit(dist, spec->kind);
    if (fix)
        return gd_fail(err, "%s: %s(...) does not fit this key; use %s", spec->key,
                       dist_names[dist], fix);
    gd_sample *s = calloc(1, sizeof *s);
    char *args = strndup(open + 1, (size_t)(close - (open + 1)));
    int rc = !s || !args ? gd_fail_runtime(err, "%s: out of memory", spec->key) : 0;
    if (rc == 0) {
        s->dist = dist;
        rc = read_args(s, spec, args, pool, err);
    }
    free(args);
    if (!dim->borrowed)
        free((void *)dim->values);
    *dim = (gd_dim){.spec = spec, .values = s ? s->span : NULL, .count = 1, .borrowed = 1,
                    .sample = s};
    return rc;
}

void gd_grid_sample_free(gd_sample *s)
{
    if (s)
        free(s->span);
    free(s);
}

double gd_grid_sample_value(const gd_sample *s, uint64_t k)
{
    double u = gd_design_unit(s->design, k, s->index), v;
    switch (s->dist) {
    case GD_DIST_UNIFORM:
        v = s->a + u * (s->b - s->a);
        break;
    case GD_DIST_LOGUNIFORM:
        v = exp(log(s->a) + u * (log(s->b) - log(s->a)));
        break;
    case GD_DIST_INTUNIFORM:
        v = floor(s->a + u * (s->b - s->a + 1));
        break;
    default: {
        size_t i = (size_t)(u * (double)s->n_span);
        return s->span[i < s->n_span ? i : s->n_span - 1];
    }
    }
    return v < s->a ? s->a : v > s->b ? s->b : v;
}

/* One value of the key as text: a choice key's name, else the number in the fewest
 * digits (%.15g or, when that does not read back, %.17g). */
static size_t value_text(const gd_param_spec *spec, double v, char *buf, size_t size)
{
    if (spec->kind == GD_CHOICE)
        return (size_t)snprintf(buf, size, "%s", spec->choices[(size_t)v]);
    char short_form[32];
    snprintf(short_form, sizeof short_form, "%.15g", v);
    if (strtod(short_form, NULL) == v)
        return (size_t)snprintf(buf, size, "%s", short_form);
    return (size_t)snprintf(buf, size, "%.17g", v);
}

void gd_grid_sample_describe(const gd_sample *s, const gd_param_spec *spec, char *buf,
                             size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "%s(", dist_names[s->dist]);
    for (size_t i = 0; i < s->n_span && used < size; i++) {
        used += (size_t)snprintf(buf + used, size - used, "%s", i ? ", " : "");
        if (used < size)
            used += value_text(spec, s->span[i], buf + used, size - used);
    }
    if (used < size)
        snprintf(buf + used, size - used, ")");
}

/* ---- a section's design -------------------------------------------------------------- */

static int refuse_sample(const gd_grid_sampling *setup, const gd_dim *dim, gd_error *err)
{
    return gd_grid_fail_at(err, setup->path, dim->line, "%s: this key is not sampled here "
                           "(only the keys of a problem type and of an optimizer section "
                           "are); give a list of values", dim->spec->key);
}

int gd_grid_design_attach(gd_grid_sampling *setup, gd_dim *dims, size_t n, size_t sampleable,
                          const char *what, gd_design **out, gd_error *err)
{
    size_t m = 0, first = 0;
    *out = NULL;
    for (size_t i = 0; i < n; i++)
        if (dims[i].sample && i >= sampleable)
            return refuse_sample(setup, &dims[i], err);
        else if (dims[i].sample && m++ == 0)
            first = i;
    if (m == 0)
        return 0;
    if (!setup->samples)
        return gd_grid_fail_at(err, setup->path, dims[first].line, "%s is sampled: set "
                               "[sweep] samples = N, the points of the design",
                               dims[first].spec->key);
    if (m > GD_DESIGN_DIMS_MAX)
        return gd_grid_fail_at(err, setup->path, dims[first].line, "%zu sampled keys in "
                               "one section, more than %d; give some a list of values", m,
                               GD_DESIGN_DIMS_MAX);
    if (!(*out = malloc(sizeof **out)))
        return gd_fail_runtime(err, "out of memory for a design");
    gd_design_init(*out, setup->sampler, setup->samples, m, setup->seed, what);
    for (size_t i = first, j = 0; i < n; i++)
        if (dims[i].sample) {
            dims[i].sample->design = *out;
            dims[i].sample->index = j;
            dims[i].count = j++ == 0 ? setup->samples : 1;
        }
    setup->designs++;
    return 0;
}
