/* grid_build.c - raw grid sections -> the sections and dims of a gd_sweep.
 *
 * [sweep] is read first wherever it stands (its control keys are the defaults of every
 * problem section), then problem and optimizer sections in file order. Every key not
 * given takes its spec default as a one-value list. Cross-section checks and run counts
 * come after, in grid_link.c. On failure the caller frees the sweep (gd_sweep_free
 * copes with half-built sections). */
#include "grid_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct build {
    gd_sweep *s;
    const gd_grid_raw *raw;
    gd_dim control[GD_CONTROL_COUNT]; /* [sweep] values: defaults of the problem sections */
    const gd_param_spec *schedule_keys[GD_GRID_SCHEDULE_KEYS_MAX];
    gd_grid_pool pool;
    gd_grid_sampling sampling; /* [sweep] sampler, samples */
    int samples_line;
    gd_error *err;
} build;

static const char *const sweep_keys[] = {"name",    "output",  "seed",         "repeats",
                                         "record_every", "store_data", "sampler", "samples",
                                         "halving", "rungs",
                                         NULL};
static const char *const problem_keys[] = {"type", NULL};
static const char *const optimizer_keys[] = {"type", "problems", NULL};

static int fail_at(const build *b, int line, const char *what, const char *value,
                   const char *fix)
{
    return gd_grid_fail_at(b->err, b->s->path, line, "%s '%s'; %s", what, value, fix);
}

/* A whole decimal number in [lo, hi]. */
static int parse_count(const build *b, const gd_grid_entry *e, uint64_t lo, uint64_t hi,
                       uint64_t *out)
{
    const char *v = e->value;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (v[0] < '0' || v[0] > '9' || *end != '\0' || errno == ERANGE || n < lo || n > hi) {
        char fix[128];
        snprintf(fix, sizeof fix, "write a whole number from %llu to %llu",
                 (unsigned long long)lo, (unsigned long long)hi);
        return fail_at(b, e->line, e->key, v, fix);
    }
    *out = n;
    return 0;
}

static int copy_text(const build *b, const gd_grid_entry *e, char *dst, size_t size)
{
    if (e->value[0] == '\0' || strlen(e->value) >= size)
        return fail_at(b, e->line, e->key, e->value, "give a non-empty, shorter value");
    if (dst == b->s->name && strchr(e->value, '/'))
        return fail_at(b, e->line, e->key, e->value, "a name has no '/'");
    memcpy(dst, e->value, strlen(e->value) + 1);
    return 0;
}

/* The grid file's base name without ".ini". */
static void default_name(gd_sweep *s)
{
    const char *base = strrchr(s->path, '/');
    base = base ? base + 1 : s->path;
    size_t n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".ini") == 0)
        n -= 4;
    if (n == 0)
        snprintf(s->name, sizeof s->name, "sweep");
    else
        snprintf(s->name, sizeof s->name, "%.*s", (int)n, base);
}

/* [sweep] store_data = true|false (default false). */
static int store_data_flag(build *b, const gd_grid_section *sec)
{
    const gd_grid_entry *e = gd_grid_entry_find(sec, "store_data");
    if (!e)
        return 0;
    if (strcmp(e->value, "true") != 0 && strcmp(e->value, "false") != 0)
        return fail_at(b, e->line, e->key, e->value, "write true or false");
    b->s->store_data = strcmp(e->value, "true") == 0;
    return 0;
}

/* [sweep] sampler = NAME (default sobol) and samples = N (grid_sample.c). */
static int sampling_keys(build *b, const gd_grid_section *sec)
{
    const gd_grid_entry *e;
    if ((e = gd_grid_entry_find(sec, "samples"))) {
        b->samples_line = e->line;
        if (parse_count(b, e, 1, GD_DESIGN_POINTS_MAX, &b->sampling.samples) < 0)
            return -1;
    }
    if (!(e = gd_grid_entry_find(sec, "sampler")))
        return 0;
    for (int i = 0; gd_sampler_names[i]; i++)
        if (strcmp(e->value, gd_sampler_names[i]) == 0) {
            b->sampling.sampler = (gd_sampler)i;
            return 0;
        }
    return fail_at(b, e->line, "sampler", e->value, "use sobol, halton, random, "
                   "sobol-unscrambled or halton-unscrambled");
}

static int sweep_scalars(build *b, const gd_grid_section *sec)
{
    gd_sweep *s = b->s;
    const gd_grid_entry *e;
    uint64_t every = 1;
    if ((e = gd_grid_entry_find(sec, "name")) && copy_text(b, e, s->name, sizeof s->name) < 0)
        return -1;
    if ((e = gd_grid_entry_find(sec, "output")) &&
        copy_text(b, e, s->output, sizeof s->output) < 0)
        return -1;
    if ((e = gd_grid_entry_find(sec, "seed")) && parse_count(b, e, 0, UINT64_MAX, &s->seed) < 0)
        return -1;
    if ((e = gd_grid_entry_find(sec, "repeats")) &&
        parse_count(b, e, 1, UINT64_MAX, &s->repeats) < 0)
        return -1;
    if ((e = gd_grid_entry_find(sec, "record_every")) &&
        parse_count(b, e, 1, LONG_MAX, &every) < 0)
        return -1;
    s->record_every = (long)every;
    return store_data_flag(b, sec) < 0 ? -1 : sampling_keys(b, sec);
}

/* dims[i] = the default of specs[i], for i < n. */
static void set_defaults(gd_dim *dims, const gd_param_spec *specs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        gd_grid_dim_default(&dims[i], &specs[i]);
}

static int read_sweep(build *b)
{
    gd_sweep *s = b->s;
    default_name(s);
    s->repeats = 1;
    s->record_every = 1;
    set_defaults(b->control, gd_control_params, GD_CONTROL_COUNT);
    b->sampling.path = s->path;
    for (size_t i = 0; i < b->raw->n_sections; i++) {
        const gd_grid_section *sec = &b->raw->sections[i];
        if (sec->kind != GD_SECTION_SWEEP)
            continue;
        gd_design *none;
        if (gd_grid_dims_fill(b->control, GD_CONTROL_COUNT, sec, sweep_keys, s->path,
                              &b->pool, b->err) < 0 || sweep_scalars(b, sec) < 0 ||
            gd_grid_design_attach(&b->sampling, b->control, GD_CONTROL_COUNT, 0, "",
                                  &none, b->err) < 0)
            return -1;
    }
    b->sampling.seed = s->seed;
    if (!s->output[0])
        snprintf(s->output, sizeof s->output, "%s.h5", s->name);
    return gd_grid_halving_read(s, b->raw, b->err);
}

/* The type name of a section: its `type =` value, or its label. */
static const char *type_name(const build *b, const gd_grid_section *sec, int *line)
{
    const gd_grid_entry *e = gd_grid_entry_find(sec, "type");
    *line = e ? e->line : sec->line;
    if (!e)
        return sec->label;
    if (strchr(e->value, ',')) {
        fail_at(b, e->line, "type takes one name, not", e->value,
                "sweep types in separate sections");
        return NULL;
    }
    return e->value;
}

static int unknown_type(const build *b, int line, const char *kind, const char *name,
                        const char *(*name_at)(size_t))
{
    char known[512];
    size_t used = 0;
    known[0] = '\0';
    for (size_t i = 0; name_at(i) && used < sizeof known; i++)
        used += (size_t)snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "",
                                 name_at(i));
    return gd_grid_fail_at(b->err, b->s->path, line,
                           "unknown %s type '%s'; known types: %s (set type = one of them)",
                           kind, name, known);
}

static const char *problem_name_at(size_t i)
{
    return gd_problems[i] ? gd_problems[i]->name : NULL;
}

static const char *optimizer_name_at(size_t i)
{
    return gd_optimizers[i] ? gd_optimizers[i]->name : NULL;
}

/* Resolves the section's type (its `type =`, or its label) to an index in the registry
 * that name_at lists; copies the label and line of the section. */
static int section_type(const build *b, const gd_grid_section *sec, const char *kind,
                        const char *(*name_at)(size_t), char *label, int *line)
{
    int type_line;
    const char *name = type_name(b, sec, &type_line);
    if (!name)
        return -1;
    snprintf(label, GD_LABEL_MAX, "%s", sec->label);
    *line = sec->line;
    for (size_t i = 0; name_at(i); i++)
        if (strcmp(name_at(i), name) == 0)
            return (int)i;
    return unknown_type(b, type_line, kind, name, name_at);
}

/* Dims for a type with n_params keys (at most GD_MAX_PARAMS: gd_run_desc's arrays). */
static int alloc_dims(const build *b, gd_dim **dims, size_t n_params, size_t n)
{
    if (n_params > GD_MAX_PARAMS)
        return gd_fail_runtime(b->err, "a type has %zu keys, more than %d", n_params,
                               GD_MAX_PARAMS);
    if (!(*dims = calloc(n, sizeof **dims)))
        return gd_fail_runtime(b->err, "out of memory");
    return 0;
}

/* The section's type: a plugin's (grid_plugin.c) or the registry's. */
static int problem_type(build *b, const gd_grid_section *sec, gd_problem_section *ps)
{
    const gd_grid_entry *e = gd_grid_entry_find(sec, "type");
    if (e && strcmp(e->value, "plugin") == 0) {
        snprintf(ps->label, GD_LABEL_MAX, "%s", sec->label);
        ps->line = sec->line;
        return gd_grid_plugin_type(b->s, sec, &ps->type, b->err);
    }
    int t = section_type(b, sec, "problem", problem_name_at, ps->label, &ps->line);
    if (t >= 0)
        ps->type = gd_problems[t];
    return t < 0 ? -1 : 0;
}

/* The design of a section's sampled keys (those in [0, sampleable)), keyed by its kind
 * and label. */
static int attach_design(build *b, const char *kind, const char *label, gd_dim *dims,
                         size_t n, size_t sampleable, gd_design **design)
{
    char what[GD_LABEL_MAX + 32];
    snprintf(what, sizeof what, "design/%s/%s", kind, label);
    return gd_grid_design_attach(&b->sampling, dims, n, sampleable, what, design, b->err);
}

static int read_problem(build *b, const gd_grid_section *sec, gd_problem_section *ps)
{
    gd_problem_layout *pl = ps->layout;
    if (problem_type(b, sec, ps) < 0)
        return -1;
    pl->n_type_dims = gd_param_count(ps->type->params);
    pl->n_dims = pl->n_type_dims + GD_CONTROL_COUNT;
    if (alloc_dims(b, &pl->dims, pl->n_type_dims, pl->n_dims) < 0)
        return -1;
    set_defaults(pl->dims, ps->type->params, pl->n_type_dims);
    for (size_t i = 0; i < GD_CONTROL_COUNT; i++)
        gd_grid_dim_borrow(&pl->dims[pl->n_type_dims + i], &b->control[i]);
    if (gd_grid_dims_fill(pl->dims, pl->n_dims, sec, problem_keys, b->s->path, &b->pool,
                          b->err) < 0)
        return -1;
    return attach_design(b, "problem", ps->label, pl->dims, pl->n_dims, pl->n_type_dims,
                         &pl->design);
}

/* Collects the labels of `problems =` into an array sized by a first, counting pass. */
typedef struct label_list {
    gd_optimizer_section *os;
    size_t count;
    gd_error *err;
} label_list;

static int count_label(const char *text, size_t len, void *ctx)
{
    ((label_list *)ctx)->count++;
    return 0;
}

static int add_label(const char *text, size_t len, void *ctx)
{
    label_list *l = ctx;
    if (!(l->os->problems[l->os->n_problems] = strndup(text, len)))
        return gd_fail_runtime(l->err, "out of memory");
    l->os->n_problems++;
    return 0;
}

static int read_problem_labels(build *b, const gd_grid_section *sec, gd_optimizer_section *os)
{
    const gd_grid_entry *e = gd_grid_entry_find(sec, "problems");
    label_list l = {os, 0, b->err};
    if (!e)
        return 0;
    if (gd_grid_split(e->value, "problems", count_label, &l, b->err) < 0)
        return gd_grid_locate(b->err, b->s->path, e->line);
    if (!(os->problems = calloc(l.count ? l.count : 1, sizeof *os->problems)))
        return gd_fail_runtime(b->err, "out of memory for %zu problem labels", l.count);
    if (gd_grid_split(e->value, "problems", add_label, &l, b->err) < 0)
        return gd_grid_locate(b->err, b->s->path, e->line);
    return 0;
}

static void optimizer_defaults(const build *b, gd_optimizer_section *os)
{
    gd_optimizer_layout *ol = os->layout;
    gd_dim *d = ol->dims;
    set_defaults(d, os->type->params, ol->n_opt_dims);
    gd_grid_dim_default(&d[ol->n_opt_dims], &gd_schedule_spec);
    for (size_t i = 0; i < b->s->layout->n_schedule_keys; i++)
        gd_grid_dim_default(&d[ol->n_opt_dims + 1 + i], b->schedule_keys[i]);
}

static int read_optimizer(build *b, const gd_grid_section *sec, gd_optimizer_section *os)
{
    gd_optimizer_layout *ol = os->layout;
    int t = section_type(b, sec, "optimizer", optimizer_name_at, os->label, &os->line);
    if (t < 0)
        return -1;
    os->type = gd_optimizers[t];
    ol->n_opt_dims = gd_param_count(os->type->params);
    ol->n_dims = ol->n_opt_dims + 1 + b->s->layout->n_schedule_keys;
    if (alloc_dims(b, &ol->dims, ol->n_opt_dims, ol->n_dims) < 0)
        return -1;
    optimizer_defaults(b, os);
    if (gd_grid_dims_fill(ol->dims, ol->n_dims, sec, optimizer_keys, b->s->path,
                          &b->pool, b->err) < 0 ||
        attach_design(b, "optimizer", os->label, ol->dims, ol->n_dims, ol->n_dims,
                      &ol->design) < 0)
        return -1;
    return read_problem_labels(b, sec, os);
}

/* The union of every schedule's keys (first spec of each key, registry order), and where
 * each schedule's keys sit in it. */
static int schedule_union(build *b)
{
    gd_sweep *s = b->s;
    size_t n_schedules = 0;
    while (gd_schedules[n_schedules])
        n_schedules++;
    if (!(s->layout->schedule_keys = calloc(n_schedules * GD_MAX_PARAMS, 1)))
        return gd_fail_runtime(b->err, "out of memory");
    for (size_t k = 0; k < n_schedules; k++) {
        const gd_param_spec *p = gd_schedules[k]->params;
        if (gd_param_count(p) > GD_MAX_PARAMS)
            return gd_fail_runtime(b->err, "schedule %s has more than %d keys",
                                   gd_schedules[k]->name, GD_MAX_PARAMS);
        for (size_t j = 0; p && p[j].key; j++) {
            size_t u = 0;
            while (u < s->layout->n_schedule_keys && strcmp(b->schedule_keys[u]->key, p[j].key))
                u++;
            if (u == s->layout->n_schedule_keys && u == GD_GRID_SCHEDULE_KEYS_MAX)
                return gd_fail_runtime(b->err, "too many schedule keys (max %d)",
                                       GD_GRID_SCHEDULE_KEYS_MAX);
            if (u == s->layout->n_schedule_keys)
                b->schedule_keys[s->layout->n_schedule_keys++] = &p[j];
            s->layout->schedule_keys[k * GD_MAX_PARAMS + j] = (unsigned char)u;
        }
    }
    return 0;
}

/* Refuses np x no sections, naming the first section where the product passes the cap. */
static int too_many_pairs(const build *b, size_t np, size_t no)
{
    uint64_t seen_p = 0, seen_o = 0;
    int line = 0;
    for (size_t i = 0; i < b->raw->n_sections && !line; i++) {
        seen_p += b->raw->sections[i].kind == GD_SECTION_PROBLEM;
        seen_o += b->raw->sections[i].kind == GD_SECTION_OPTIMIZER;
        if (seen_p * seen_o > GD_GRID_PAIRS_MAX)
            line = b->raw->sections[i].line;
    }
    return gd_grid_fail_at(b->err, b->s->path, line, "%zu problem sections x %zu optimizer "
                           "sections make more than %llu pairs; use fewer sections (one "
                           "section sweeps lists of values)", np, no,
                           (unsigned long long)GD_GRID_PAIRS_MAX);
}

/* The np problem and no optimizer sections, each pointing at its layout in s->layout.
 * -1 when out of memory (gd_sweep_free frees what was allocated). */
static int alloc_sections(gd_sweep *s, size_t np, size_t no)
{
    s->problems = calloc(np, sizeof *s->problems);
    s->optimizers = calloc(no, sizeof *s->optimizers);
    s->layout = calloc(1, sizeof *s->layout);
    if (!s->problems || !s->optimizers || !s->layout)
        return -1;
    s->layout->problems = calloc(np, sizeof *s->layout->problems);
    s->layout->optimizers = calloc(no, sizeof *s->layout->optimizers);
    if (!s->layout->problems || !s->layout->optimizers)
        return -1;
    for (size_t p = 0; p < np; p++)
        s->problems[p].layout = &s->layout->problems[p];
    for (size_t o = 0; o < no; o++)
        s->optimizers[o].layout = &s->layout->optimizers[o];
    return 0;
}

static int count_sections(build *b)
{
    gd_sweep *s = b->s;
    size_t np = 0, no = 0;
    for (size_t i = 0; i < b->raw->n_sections; i++) {
        np += b->raw->sections[i].kind == GD_SECTION_PROBLEM;
        no += b->raw->sections[i].kind == GD_SECTION_OPTIMIZER;
    }
    if (np == 0)
        return gd_grid_fail_at(b->err, s->path, 0, "no [problem LABEL] section; add one, "
                               "e.g. [problem quad] with type = quadratic");
    if (no == 0)
        return gd_grid_fail_at(b->err, s->path, 0, "no [optimizer LABEL] section; add one, "
                               "e.g. [optimizer gd] with lr = 0.1");
    if ((uint64_t)np * no > GD_GRID_PAIRS_MAX)
        return too_many_pairs(b, np, no);
    if (alloc_sections(s, np, no) < 0)
        return gd_fail_runtime(b->err, "out of memory");
    return 0;
}

static int read_sections(build *b)
{
    gd_sweep *s = b->s;
    for (size_t i = 0; i < b->raw->n_sections; i++) {
        const gd_grid_section *sec = &b->raw->sections[i];
        if (sec->kind == GD_SECTION_PROBLEM &&
            read_problem(b, sec, &s->problems[s->n_problems++]) < 0)
            return -1;
        if (sec->kind == GD_SECTION_OPTIMIZER &&
            read_optimizer(b, sec, &s->optimizers[s->n_optimizers++]) < 0)
            return -1;
    }
    return 0;
}

/* Each [sweep] control list passes to the first problem section that borrowed it (the
 * others keep borrowing); a list nobody borrowed is freed with the build, and a default
 * (itself borrowed from its spec) stays borrowed everywhere. */
static void hand_over_control(build *b)
{
    for (size_t i = 0; i < GD_CONTROL_COUNT; i++)
        for (size_t p = 0; p < b->s->n_problems; p++) {
            gd_problem_section *ps = &b->s->problems[p];
            gd_problem_layout *pl = ps->layout;
            gd_dim *d = pl->dims ? &pl->dims[pl->n_type_dims + i] : NULL; /* NULL: failed */
            if (d && d->borrowed && !b->control[i].borrowed &&
                d->values == b->control[i].values) {
                d->borrowed = 0;
                b->control[i].values = NULL;
                break;
            }
        }
}

/* [sweep] samples with no sampled key is a mistake worth a word. */
static int samples_used(const build *b)
{
    if (!b->samples_line || b->sampling.designs)
        return 0;
    return gd_grid_fail_at(b->err, b->s->path, b->samples_line, "samples = %llu but no key "
                           "is sampled; give a key a distribution, e.g. lr = "
                           "loguniform(1e-5, 1e-1), or remove samples",
                           (unsigned long long)b->sampling.samples);
}

int gd_grid_build(gd_sweep *s, const gd_grid_raw *raw, gd_error *err)
{
    build b = {.s = s, .raw = raw, .pool = {GD_GRID_VALUES_MAX, s}, .err = err};
    int rc = -1;
    if (read_sweep(&b) == 0 && count_sections(&b) == 0 && schedule_union(&b) == 0 &&
        read_sections(&b) == 0 && samples_used(&b) == 0)
        rc = 0;
    hand_over_control(&b);
    gd_grid_dims_free(b.control, GD_CONTROL_COUNT);
    return rc;
}
