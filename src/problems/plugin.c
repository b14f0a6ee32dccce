/* plugin.c - compiled problem plugins: dlopen, the ABI check, a gd_problem_type per problem.
 *
 * Each (library, name) a grid names becomes a heap plugin_type whose first member is the
 * gd_problem_type the rest of gdsweep sees; its functions find the plugin again through
 * files->type or p->type (a plugin's `library` key always names a file, so dimension,
 * cost, check_files and setup always receive a set of files). Keys: the plugin's
 * parameters in its order, then `library` (GD_PATH) and `name` (GD_NAME: recorded in the
 * runs table; "" when the library's only problem was taken). The set owns the types and the
 * handles (plugins.h); nothing is unloaded before gd_plugins_free. */
#include "gdsweep/plugins.h"

#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdsweep/plugin.h"
#include "problem_impl.h"

/* Longest type name ("plugin:" and the problem's name), and the part of a library's path
 * that messages show. */
#define GD_PROBLEM_NAME_MAX 48
#define GD_PLUGIN_PATH_SHOWN 400

typedef struct plugin_type {
    gd_problem_type type; /* first: the type gdsweep sees is the plugin_type */
    gd_param_spec specs[GD_PLUGIN_MAX_PARAMS + 3];
    char name[GD_PROBLEM_NAME_MAX];
    char *path;           /* as loaded */
    const gd_plugin_problem *desc;
    int named;            /* 1: chosen by name; 0: the library's only problem */
    void *handle;
} plugin_type;

struct gd_plugins {
    plugin_type **types;
    size_t count;
    const gd_problem_type **registry; /* gd_problems, then the types; NULL-terminated */
};

/* What p->data holds: the block's header, then x0. */
typedef struct plugin_instance {
    void *state;
} plugin_instance;

/* ---- the type's functions ------------------------------------------------------------- */

static const plugin_type *plugin_of(const gd_problem_type *t)
{
    return (const plugin_type *)t;
}

static size_t plugin_dimension(const gd_problem_files *files, const double *pp)
{
    return files ? plugin_of(files->type)->desc->dimension(pp) : 1;
}

/* One loss and gradient evaluation costs about its dimension (the scheduler needs only
 * the ratios). */
static double plugin_cost(const gd_problem_files *files, const double *pp)
{
    return 20.0 + (double)plugin_dimension(files, pp);
}

/* Four key words for the plugin: the instance key and one Philox block of it. */
static void plugin_key(gd_rng_key key, uint32_t out[4])
{
    const uint32_t ctr[4] = {0, 0, 0, 0x706c7567u /* "plug" */};
    uint32_t block[4];
    gd_philox4x32(ctr, key, block);
    out[0] = key.k[0];
    out[1] = key.k[1];
    out[2] = block[0];
    out[3] = block[1];
}

static int plugin_setup(gd_problem *p, const gd_problem_files *files, const double *pp,
                        gd_rng_key key, gd_error *err)
{
    const plugin_type *pt = plugin_of(files->type);
    size_t n = pt->desc->dimension(pp);
    if (n == 0)
        return gd_fail(err, "plugin %s (%s): dimension 0; dimension() must return at least 1",
                       pt->name, pt->path);
    plugin_instance *in = gd_problem_alloc(p, &pt->type, n, sizeof *in, NULL, 0, err);
    if (!in)
        return -1;
    uint32_t words[4];
    char msg[GD_PLUGIN_ERR_SIZE] = "";
    plugin_key(key, words);
    if (pt->desc->setup(pp, words, &in->state, p->x0, msg) != 0) {
        gd_problem_release(p);
        return gd_fail(err, "plugin %s (%s): setup failed: %.*s", pt->name, pt->path,
                       GD_PLUGIN_ERR_SIZE, msg[0] ? msg : "(no message)");
    }
    p->f_opt = pt->desc->optimum ? pt->desc->optimum(in->state) : NAN;
    p->has_optimum = !isnan(p->f_opt);
    gd_problem_add_input(p, "x0", n, 0, p->x0);
    return 0;
}

/* The `draws` of a plugin that draws nothing (NULL, always draws, otherwise). */
static int plugin_draws_nothing(const double *pp)
{
    return 0;
}

static void plugin_destroy(gd_problem *p)
{
    const plugin_instance *in = p->data;
    if (in && in->state && plugin_of(p->type)->desc->destroy)
        plugin_of(p->type)->desc->destroy(in->state);
    gd_problem_release(p);
}

static double plugin_loss(const gd_problem *p, const double *x)
{
    return plugin_of(p->type)->desc->loss(((const plugin_instance *)p->data)->state, p->n, x);
}

static double plugin_loss_grad(const gd_problem *p, const double *x, double *g)
{
    return plugin_of(p->type)->desc->loss_grad(((const plugin_instance *)p->data)->state,
                                               p->n, x, g);
}

static size_t plugin_samples(const gd_problem *p)
{
    return plugin_of(p->type)->desc->samples(((const plugin_instance *)p->data)->state);
}

static double plugin_batch_loss_grad(const gd_problem *p, const double *x, const size_t *rows,
                                     size_t m, double *g)
{
    return plugin_of(p->type)->desc->batch_loss_grad(
        ((const plugin_instance *)p->data)->state, p->n, x, rows, m, g);
}

static double plugin_metric(const gd_problem *p, const double *x)
{
    return plugin_of(p->type)->desc->metric(((const plugin_instance *)p->data)->state, p->n,
                                            x);
}

/* Before any run: set up the instance of the section's first values and check its
 * gradient, and its minibatch loss when it has one (plugins.h). */
static int plugin_check_files(const gd_problem_files *files, const double *pp,
                              gd_error *err)
{
    const plugin_type *pt = plugin_of(files->type);
    gd_problem p;
    char what[GD_PROBLEM_NAME_MAX + GD_PLUGIN_PATH_SHOWN + 16];
    snprintf(what, sizeof what, "plugin %s (%.*s)", pt->desc->name, GD_PLUGIN_PATH_SHOWN,
             pt->path);
    const gd_rng_key key = gd_rng_key_make(0, pt->name, pp, gd_param_count(pt->specs), 0);
    if (plugin_setup(&p, files, pp, key, err) < 0)
        return -1;
    int rc = gd_problem_check_gradient(&p, what, NULL, err);
    if (rc == 0 && p.type->batch_loss_grad)
        rc = gd_problem_check_batch(&p, what, err);
    plugin_destroy(&p);
    return rc;
}

int gd_problem_is_plugin(const gd_problem_type *t)
{
    return t && t->setup == plugin_setup;
}

const char *gd_plugin_library_of(const gd_problem_type *t)
{
    return gd_problem_is_plugin(t) ? plugin_of(t)->path : NULL;
}

/* ---- loading ------------------------------------------------------------------------- */

static int valid_name(const char *s)
{
    if (!s || !(s[0] >= 'a' && s[0] <= 'z'))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

/* Keys gdsweep gives a plugin section itself (the grid refuses the control keys). */
static int reserved_key(const char *key)
{
    return strcmp(key, "type") == 0 || strcmp(key, "library") == 0 ||
           strcmp(key, "name") == 0;
}

static int bad_table(const char *path, const char *problem, const char *what,
                     gd_error *err)
{
    return gd_fail(err, "plugin library %s: problem '%s': %s; fix the plugin's table",
                   path, problem ? problem : "?", what);
}

static int check_param(const char *path, const gd_plugin_problem *d,
                       const gd_plugin_param *q, gd_error *err)
{
    char what[160];
    if (!valid_name(q->key) || reserved_key(q->key)) {
        snprintf(what, sizeof what, "parameter key '%s' is not [a-z][a-z0-9_]* or is "
                 "reserved (type, library, name)", q->key ? q->key : "");
        return bad_table(path, d->name, what, err);
    }
    if ((q->kind != GD_PLUGIN_REAL && q->kind != GD_PLUGIN_INT) || !(q->lo <= q->hi) ||
        !(q->def >= q->lo && q->def <= q->hi) ||
        (q->kind == GD_PLUGIN_INT && q->def != floor(q->def))) {
        snprintf(what, sizeof what, "parameter '%s': unknown kind, or a default outside "
                 "[lo, hi]", q->key);
        return bad_table(path, d->name, what, err);
    }
    return 0;
}

static int check_problem(const char *path, const gd_plugin_problem *d, gd_error *err)
{
    if (!valid_name(d->name) || strlen(d->name) + 8 > GD_PROBLEM_NAME_MAX)
        return bad_table(path, d->name, "its name is not [a-z][a-z0-9_]* (at most 40 "
                         "characters)", err);
    if (!d->dimension || !d->setup || !d->loss || !d->loss_grad)
        return bad_table(path, d->name, "dimension, setup, loss and loss_grad are required",
                         err);
    if (!d->samples != !d->batch_loss_grad)
        return bad_table(path, d->name, "it sets only one of samples and batch_loss_grad; a "
                         "sum over data points sets both (minibatches), any other problem "
                         "neither", err);
    if (d->n_params > GD_PLUGIN_MAX_PARAMS || (d->n_params && !d->params))
        return bad_table(path, d->name, "more than GD_PLUGIN_MAX_PARAMS parameters", err);
    if (d->metric && (!valid_name(d->metric_name) || !d->metric_mode ||
                      (strcmp(d->metric_mode, "min") && strcmp(d->metric_mode, "max"))))
        return bad_table(path, d->name, "a metric needs a metric_name and metric_mode "
                         "\"min\" or \"max\"", err);
    for (size_t i = 0; i < d->n_params; i++)
        if (check_param(path, d, &d->params[i], err) < 0)
            return -1;
    return 0;
}

/* The table of the library at path, dlopened into *handle. */
static const gd_plugin_table *open_table(const char *path, void **handle, gd_error *err)
{
    *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!*handle) {
        const char *why = dlerror();
        gd_fail(err, "plugin library %s does not load: %s; build it with cc -shared -fPIC",
                path, why ? why : "unknown reason");
        return NULL;
    }
    gd_plugin_problems_fn *fn;
    *(void **)&fn = dlsym(*handle, GD_PLUGIN_SYMBOL);
    const gd_plugin_table *t = fn ? fn() : NULL;
    if (!fn)
        gd_fail(err, "plugin library %s has no symbol %s; export `const gd_plugin_table "
                "*%s(void)` (include gdsweep/plugin.h)", path, GD_PLUGIN_SYMBOL,
                GD_PLUGIN_SYMBOL);
    else if (!t)
        gd_fail(err, "plugin library %s: %s() returned NULL; return its table", path,
                GD_PLUGIN_SYMBOL);
    else if (t->abi_version != GD_PLUGIN_ABI_VERSION)
        gd_fail(err, "plugin library %s was built for plugin ABI version %d, this gdsweep "
                "speaks version %d%s; rebuild it against this gdsweep's gdsweep/plugin.h",
                path, t->abi_version, GD_PLUGIN_ABI_VERSION,
                t->abi_version < 2 ? " (version 2 added samples and batch_loss_grad)" : "");
    else if (t->count == 0 || !t->problems)
        gd_fail(err, "plugin library %s holds no problem; list at least one in its table",
                path);
    else
        return t;
    dlclose(*handle);
    *handle = NULL;
    return NULL;
}

/* The problem named name (NULL: the only one) of table t. */
static const gd_plugin_problem *pick(const char *path, const gd_plugin_table *t,
                                     const char *name, gd_error *err)
{
    char names[256] = "";
    size_t used = 0;
    for (size_t i = 0; i < t->count; i++) {
        if (name && t->problems[i].name && strcmp(t->problems[i].name, name) == 0)
            return &t->problems[i];
        if (used < sizeof names)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%s",
                                     i ? ", " : "", t->problems[i].name ? t->problems[i].name
                                                                       : "?");
    }
    if (!name && t->count == 1)
        return &t->problems[0];
    if (!name)
        gd_fail(err, "plugin library %s holds %zu problems (%s); choose one with name = ...",
                path, t->count, names);
    else
        gd_fail(err, "plugin library %s has no problem '%s'; it holds %s (set name = one of "
                "them)", path, name, names);
    return NULL;
}

static void fill_specs(plugin_type *pt)
{
    const gd_plugin_problem *d = pt->desc;
    unsigned model = 0;
    for (size_t i = 0; i < d->n_params; i++) {
        const gd_plugin_param *q = &d->params[i];
        pt->specs[i] = (gd_param_spec){.key = q->key,
                                       .kind = q->kind == GD_PLUGIN_INT ? GD_INT : GD_REAL,
                                       .def = q->def, .lo = q->lo, .hi = q->hi,
                                       .doc = q->doc ? q->doc : ""};
        model |= q->model ? 1u << i : 0;
    }
    pt->specs[d->n_params] = (gd_param_spec){.key = "library", .kind = GD_PATH,
                                             .def = GD_PATH_NONE,
                                             .doc = "the plugin's shared library"};
    pt->specs[d->n_params + 1] = (gd_param_spec){.key = "name", .kind = GD_NAME,
                                                 .def = GD_PATH_NONE,
                                                 .doc = "the problem's name in its library"};
    pt->specs[d->n_params + 2] = (gd_param_spec){.key = NULL};
    pt->type.model_params = model;
}

static void fill_type(plugin_type *pt)
{
    const gd_plugin_problem *d = pt->desc;
    snprintf(pt->name, sizeof pt->name, "plugin:%s", d->name);
    fill_specs(pt);
    pt->type.name = pt->name;
    pt->type.doc = d->doc ? d->doc : "";
    pt->type.params = pt->specs;
    pt->type.metric_name = d->metric ? d->metric_name : NULL;
    pt->type.metric_mode = d->metric ? d->metric_mode : NULL;
    pt->type.stores_inputs = !d->draws_nothing;
    pt->type.draws = d->draws_nothing ? plugin_draws_nothing : NULL;
    pt->type.check_files = plugin_check_files;
    pt->type.repeat_hint = "its plugin sets draws_nothing: repeats need a plugin that draws";
    pt->type.dimension = plugin_dimension;
    pt->type.cost = plugin_cost;
    pt->type.setup = plugin_setup;
    pt->type.destroy = plugin_destroy;
    pt->type.loss = plugin_loss;
    pt->type.loss_grad = plugin_loss_grad;
    pt->type.metric = d->metric ? plugin_metric : NULL;
    pt->type.samples = d->samples ? plugin_samples : NULL;
    pt->type.batch_loss_grad = d->batch_loss_grad ? plugin_batch_loss_grad : NULL;
}

/* The loaded type of (path, name) in set, or NULL. */
static const plugin_type *find_loaded(const gd_plugins *set, const char *path,
                                      const char *name)
{
    for (size_t i = 0; set && i < set->count; i++) {
        const plugin_type *pt = set->types[i];
        if (strcmp(pt->path, path) == 0 && pt->named == (name != NULL) &&
            (!name || strcmp(pt->desc->name, name) == 0))
            return pt;
    }
    return NULL;
}

static size_t builtin_count(void)
{
    size_t n = 0;
    while (gd_problems[n])
        n++;
    return n;
}

/* Room for one more type in the set's arrays; -1 when out of memory. */
static int reserve(gd_plugins *set)
{
    plugin_type **types = realloc(set->types, (set->count + 1) * sizeof *types);
    if (types)
        set->types = types;
    const gd_problem_type **reg = realloc(set->registry,
                                          (builtin_count() + set->count + 2) * sizeof *reg);
    if (reg)
        set->registry = reg;
    return types && reg ? 0 : -1;
}

/* Adds pt (room reserved) and rewrites the registry: gd_problems, then the set's types. */
static void add_type(gd_plugins *set, plugin_type *pt)
{
    size_t builtin = builtin_count();
    set->types[set->count++] = pt;
    memcpy(set->registry, gd_problems, builtin * sizeof *set->registry);
    for (size_t i = 0; i < set->count; i++)
        set->registry[builtin + i] = &set->types[i]->type;
    set->registry[builtin + set->count] = NULL;
}

static void type_free(plugin_type *pt)
{
    if (pt && pt->handle)
        dlclose(pt->handle);
    if (pt)
        free(pt->path);
    free(pt);
}

/* A new type for the problem name of the library at path. */
static plugin_type *load_type(const char *path, const char *name, gd_error *err)
{
    plugin_type *pt = calloc(1, sizeof *pt);
    if (!pt || !(pt->path = strdup(path))) {
        free(pt);
        gd_fail_runtime(err, "out of memory loading plugin %s", path);
        return NULL;
    }
    const gd_plugin_table *t = open_table(path, &pt->handle, err);
    if (t && (pt->desc = pick(path, t, name, err)) && check_problem(path, pt->desc, err) == 0) {
        pt->named = name != NULL;
        fill_type(pt);
        return pt;
    }
    type_free(pt);
    return NULL;
}

int gd_plugins_load(gd_plugins **set, const char *path, const char *name,
                    const gd_problem_type **type, gd_error *err)
{
    const plugin_type *known = find_loaded(*set, path, name);
    if (known) {
        *type = &known->type;
        return 0;
    }
    if (!*set && !(*set = calloc(1, sizeof **set)))
        return gd_fail_runtime(err, "out of memory loading plugin %s", path);
    plugin_type *pt = load_type(path, name, err);
    if (!pt)
        return -1;
    if (reserve(*set) < 0) {
        type_free(pt);
        return gd_fail_runtime(err, "out of memory loading plugin %s", path);
    }
    add_type(*set, pt);
    *type = &pt->type;
    return 0;
}

const gd_problem_type *const *gd_plugins_registry(const gd_plugins *set)
{
    return set && set->registry ? set->registry : gd_problems;
}

void gd_plugins_free(gd_plugins *set)
{
    for (size_t i = 0; set && i < set->count; i++)
        type_free(set->types[i]);
    if (set) {
        free(set->types);
        free(set->registry);
    }
    free(set);
}
