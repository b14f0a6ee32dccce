/* columns.c - the runs table's column list, built from the registries (gdsweep/columns.h).
 *
 * Built in two steps: every column is inserted (fixed columns first, so their names are
 * reserved; then parameters, renamed on a clash; then metrics), and the list is sorted
 * into the documented layout order and given packed offsets, with a blank row of unset
 * cells. Nothing allocates after build; filling and reading rows is columns_row.c. */
#include "gdsweep/columns.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "columns_internal.h"
#include "gdsweep/format.h"
#include "gdsweep/plugins.h"

/* Layout groups, in row order. */
enum group {
    G_RUN = 0, G_PROBLEM, G_CONTROL, G_OPTIMIZER, G_SCHEDULE, G_SCHEDULE_PARAMS,
    G_RESULT, G_METRIC, G_RESULT_COUNTS, G_TARGETS, G_STORAGE
};

typedef struct fixed_column {
    const char *name;
    gd_col_type type;
    enum gd_col_role role;
    enum group group;
    const char *category;
} fixed_column;

static const fixed_column fixed_columns[] = {
    {"run_id", GD_COL_U64, R_RUN_ID, G_RUN, "run"},
    {"problem", GD_COL_STR, R_PROBLEM, G_RUN, "run"},
    {"problem_type", GD_COL_STR, R_PROBLEM_TYPE, G_RUN, "run"},
    {"optimizer", GD_COL_STR, R_OPTIMIZER, G_RUN, "run"},
    {"optimizer_type", GD_COL_STR, R_OPTIMIZER_TYPE, G_RUN, "run"},
    {"instance", GD_COL_U64, R_INSTANCE, G_RUN, "run"},
    {"repeat", GD_COL_U64, R_REPEAT, G_RUN, "run"},
    {"schedule", GD_COL_STR, R_SCHEDULE, G_SCHEDULE, "schedule"},
    {"status", GD_COL_STR, R_STATUS, G_RESULT, "result"},
    {"status_code", GD_COL_I8, R_STATUS_CODE, G_RESULT, "result"},
    {"steps", GD_COL_I64, R_STEPS, G_RESULT, "result"},
    {"loss_initial", GD_COL_F64, R_LOSS_INITIAL, G_RESULT, "result"},
    {"loss_final", GD_COL_F64, R_LOSS_FINAL, G_RESULT, "result"},
    {"loss_best", GD_COL_F64, R_LOSS_BEST, G_RESULT, "result"},
    {"grad_norm_final", GD_COL_F64, R_GRAD_NORM_FINAL, G_RESULT, "result"},
    {"gap", GD_COL_F64, R_GAP, G_RESULT, "result"},
    {"loss_evals", GD_COL_I64, R_LOSS_EVALS, G_RESULT_COUNTS, "result"},
    {"grad_evals", GD_COL_I64, R_GRAD_EVALS, G_RESULT_COUNTS, "result"},
    {"monitor_loss_evals", GD_COL_I64, R_MONITOR_LOSS_EVALS, G_RESULT_COUNTS, "result"},
    {"monitor_grad_evals", GD_COL_I64, R_MONITOR_GRAD_EVALS, G_RESULT_COUNTS, "result"},
    {"samples_seen", GD_COL_I64, R_SAMPLES_SEEN, G_RESULT_COUNTS, "result"},
    {"epochs", GD_COL_F64, R_EPOCHS, G_RESULT_COUNTS, "result"},
    {"wall_seconds", GD_COL_F64, R_WALL, G_RESULT_COUNTS, "result"},
    {"rank", GD_COL_I32, R_RANK, G_RESULT_COUNTS, "result"},
    {"threads", GD_COL_I32, R_THREADS, G_RESULT_COUNTS, "result"},
    {"traj_offset", GD_COL_U64, R_TRAJ_OFFSET, G_STORAGE, "storage"},
    {"traj_count", GD_COL_U64, R_TRAJ_COUNT, G_STORAGE, "storage"},
    {"path_offset", GD_COL_U64, R_PATH_OFFSET, G_STORAGE, "storage"},
    {"path_count", GD_COL_U64, R_PATH_COUNT, G_STORAGE, "storage"},
    {"path_dim", GD_COL_U64, R_PATH_DIM, G_STORAGE, "storage"},
    {"final_offset", GD_COL_U64, R_FINAL_OFFSET, G_STORAGE, "storage"},
    {"final_count", GD_COL_U64, R_FINAL_COUNT, G_STORAGE, "storage"},
    {GD_COL_WRITTEN, GD_COL_U8, R_WRITTEN, G_STORAGE, "storage"},
};

static size_t type_size(gd_col_type t)
{
    switch (t) {
    case GD_COL_U8:
    case GD_COL_I8: return 1;
    case GD_COL_I32: return 4;
    default: return 8;
    }
}

/* ---- building ---------------------------------------------------------------- */

int gd_columns_find(const gd_columns *c, const char *name)
{
    for (size_t i = 0; i < c->count; i++)
        if (strcmp(c->col[i].name, name) == 0)
            return (int)i;
    return -1;
}

static size_t max_len(size_t a, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n > a ? n : a;
}

static size_t choice_width(const gd_param_spec *spec)
{
    size_t w = 1;
    for (size_t i = 0; spec->choices && spec->choices[i]; i++)
        w = max_len(w, spec->choices[i]);
    return w;
}

/* Width of the fixed string columns, from the longest value they can hold. */
static size_t fixed_width(const gd_registries *reg, enum gd_col_role role)
{
    size_t w = 1;
    switch (role) {
    case R_PROBLEM:
    case R_OPTIMIZER: return GD_LABEL_MAX - 1;
    case R_PROBLEM_TYPE:
        for (size_t i = 0; reg->problems[i]; i++)
            w = max_len(w, reg->problems[i]->name);
        return w;
    case R_OPTIMIZER_TYPE:
        for (size_t i = 0; reg->optimizers[i]; i++)
            w = max_len(w, reg->optimizers[i]->name);
        return w;
    case R_SCHEDULE:
        for (size_t i = 0; reg->schedules[i]; i++)
            w = max_len(w, reg->schedules[i]->name);
        return w;
    default:
        for (int s = GD_STATUS_DIVERGED; s <= GD_STATUS_PRUNED; s++)
            w = max_len(w, gd_status_name(s));
        return w;
    }
}

static int push_column(gd_columns *c, const char *name, gd_col_type type, size_t size,
                       const char *category, int role, int group, gd_error *err)
{
    if (c->count == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        gd_column *col = realloc(c->col, cap * sizeof *col);
        if (!col)
            return gd_fail_runtime(err, "out of memory building the runs table columns");
        c->col = col;
        c->cap = cap;
    }
    gd_column *col = &c->col[c->count];
    memset(col, 0, sizeof *col);
    snprintf(col->name, sizeof col->name, "%s", name);
    col->type = type;
    col->size = type == GD_COL_STR ? size : type_size(type);
    col->category = category;
    col->role = role;
    col->group = group;
    col->seq = c->count++;
    return 0;
}

static int same_meaning(const gd_column *col, const char *category, int role,
                        gd_col_type type)
{
    return col->role == role && col->type == type && strcmp(col->category, category) == 0;
}

/* Finds or creates the column a key of `category` (type `type_name`) lands in:
 * the key itself, else "<category>_<key>", else "<category>_<type>_<key>". */
static int place_key(gd_columns *c, const char *key, const char *category,
                     const char *type_name, int role, int group, gd_col_type type,
                     size_t width, size_t *out, gd_error *err)
{
    char names[3][GD_COLUMN_NAME_MAX];
    int n = snprintf(names[0], sizeof names[0], "%s", key);
    int m = snprintf(names[1], sizeof names[1], "%s_%s", category, key);
    int k = snprintf(names[2], sizeof names[2], "%s_%s_%s", category, type_name, key);
    if (n < 0 || m < 0 || k < 0 || (size_t)k >= sizeof names[2])
        return gd_fail_runtime(err, "column name for %s key '%s' is too long", category,
                               key);
    for (int i = 0; i < 3; i++) {
        int at = gd_columns_find(c, names[i]);
        if (at >= 0 && !same_meaning(&c->col[at], category, role, type))
            continue;
        if (at < 0) {
            if (push_column(c, names[i], type, width, category, role, group, err) < 0)
                return -1;
            at = (int)c->count - 1;
        }
        c->col[at].key = key;
        if (type == GD_COL_STR && width > c->col[at].size)
            c->col[at].size = width;
        *out = (size_t)at;
        return 0;
    }
    return gd_fail_runtime(err, "%s key '%s' of %s clashes with columns '%s', '%s', '%s'",
                           category, key, type_name, names[0], names[1], names[2]);
}

/* A file or name key's column holds the index of its text (the root attributes
 * input_files, names) as a number, NaN in rows of other types like any number key. */
static gd_col_type union_type(const gd_param_spec *spec)
{
    return spec->kind == GD_CHOICE ? GD_COL_STR : GD_COL_F64;
}

/* A choice of exactly false|true is a flag. */
static int is_flag(const gd_param_spec *spec)
{
    const char *const *ch = spec->choices;
    return spec->kind == GD_CHOICE && ch && ch[0] && ch[1] && !ch[2] &&
           strcmp(ch[0], "false") == 0 && strcmp(ch[1], "true") == 0;
}

static gd_col_type control_type(const gd_param_spec *spec)
{
    if (is_flag(spec))
        return GD_COL_U8;
    if (spec->kind == GD_CHOICE)
        return GD_COL_STR;
    if (spec->kind == GD_INT)
        return spec->lo >= 0 && spec->hi <= 1 ? GD_COL_U8 : GD_COL_I64;
    return GD_COL_F64;
}

/* Places every key of one type's spec table; map[k] receives the column of key k. */
static int place_specs(gd_columns *c, const gd_param_spec *specs, const char *category,
                       const char *type_name, int group, size_t *map, gd_error *err)
{
    for (size_t k = 0; specs && specs[k].key; k++) {
        if (k >= GD_MAX_PARAMS)
            return gd_fail_runtime(err, "%s '%s' has more than %d parameters", category,
                                   type_name, GD_MAX_PARAMS);
        if (place_key(c, specs[k].key, category, type_name, R_PARAM, group,
                      union_type(&specs[k]), choice_width(&specs[k]), &map[k], err) < 0)
            return -1;
    }
    return 0;
}

/* The control keys, in gd_run_control order (GD_CONTROL_*). */
static int place_control(gd_columns *c, gd_error *err)
{
    const gd_param_spec *specs = c->reg.control;
    for (size_t k = 0; specs && specs[k].key; k++) {
        if (k >= GD_CONTROL_COUNT)
            return gd_fail_runtime(err, "control key '%s' has no gd_run_control field",
                                   specs[k].key);
        if (place_key(c, specs[k].key, "control", "control", R_CONTROL, G_CONTROL,
                      control_type(&specs[k]), choice_width(&specs[k]), &c->control_col[k],
                      err) < 0)
            return -1;
    }
    return 0;
}

static int place_metrics(gd_columns *c, gd_error *err)
{
    for (size_t t = 0; t < c->n_problem_types; t++) {
        const char *metric = c->reg.problems[t]->metric_name;
        c->metric_col[t] = SIZE_MAX;
        if (metric && place_key(c, metric, "metric", c->reg.problems[t]->name, R_METRIC,
                                G_METRIC, GD_COL_F64, 0, &c->metric_col[t], err) < 0)
            return -1;
    }
    return 0;
}

static int place_fixed(gd_columns *c, gd_error *err)
{
    for (size_t i = 0; i < sizeof fixed_columns / sizeof fixed_columns[0]; i++) {
        const fixed_column *f = &fixed_columns[i];
        if (push_column(c, f->name, f->type, fixed_width(&c->reg, f->role), f->category,
                        (int)f->role, (int)f->group, err) < 0)
            return -1;
        if (f->role == R_WRITTEN)
            c->written_col = c->count - 1;
    }
    return 0;
}

#define TARGET_NAMES(kind)                                                                   \
    kind "_to_1e-1", kind "_to_1e-2", kind "_to_1e-3", kind "_to_1e-4", kind "_to_1e-5",     \
        kind "_to_1e-6", kind "_to_1e-7", kind "_to_1e-8"

static const char *const target_names[] = {TARGET_NAMES("steps"), TARGET_NAMES("grad_evals"),
                                           TARGET_NAMES("seconds")};
_Static_assert(sizeof target_names / sizeof *target_names == GD_TARGET_KINDS * GD_TARGETS,
               "one name per target and kind: TARGET_NAMES must list GD_TARGETS targets");

void gd_columns_metric_modes(const gd_columns *c, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t t = 0; t < c->n_problem_types; t++) {
        const gd_problem_type *pt = c->reg.problems[t];
        size_t col = c->metric_col[t];
        if (col == SIZE_MAX || strstr(buf, c->col[col].name) != NULL || used >= size)
            continue;
        int n = snprintf(buf + used, size - used, "%s%s:%s", used ? "," : "", c->col[col].name,
                         pt->metric_mode ? pt->metric_mode : "min");
        used += n > 0 ? (size_t)n : 0;
    }
}

/* Whether column col is already among the first n of list. */
static int listed(const size_t *list, size_t n, size_t col)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == col)
            return 1;
    return 0;
}

void gd_columns_text_columns(const gd_columns *c, gd_param_kind kind, char *buf,
                             size_t size)
{
    size_t seen[64], n_seen = 0, used = 0;
    buf[0] = '\0';
    for (size_t t = 0; t < c->n_problem_types; t++) {
        const gd_param_spec *specs = c->reg.problems[t]->params;
        for (size_t k = 0; k < gd_param_count(specs) && k < GD_MAX_PARAMS; k++) {
            size_t col = c->problem_col[t * GD_MAX_PARAMS + k];
            if (specs[k].kind != kind || col == SIZE_MAX || listed(seen, n_seen, col) ||
                n_seen == sizeof seen / sizeof seen[0] || used >= size)
                continue;
            seen[n_seen++] = col;
            int w = snprintf(buf + used, size - used, "%s%s", used ? "," : "", c->col[col].name);
            used += w > 0 ? (size_t)w : 0;
        }
    }
}

const char *gd_target_column_name(int kind, size_t k)
{
    return target_names[(size_t)kind * GD_TARGETS + k];
}

static int place_targets(gd_columns *c, gd_error *err)
{
    for (int kind = 0; kind < GD_TARGET_KINDS; kind++)
        for (size_t k = 0; k < GD_TARGETS; k++) {
            const char *name = gd_target_column_name(kind, k);
            gd_col_type type = kind == GD_TARGET_SECONDS ? GD_COL_F64 : GD_COL_I64;
            int role = R_TARGET_FIRST + kind * GD_TARGETS + (int)k;
            if (push_column(c, name, type, 0, "result", role, G_TARGETS, err) < 0)
                return -1;
        }
    return 0;
}

static int place_all(gd_columns *c, gd_error *err)
{
    if (place_fixed(c, err) < 0 || place_targets(c, err) < 0 || place_control(c, err) < 0)
        return -1;
    for (size_t t = 0; t < c->n_problem_types; t++)
        if (place_specs(c, c->reg.problems[t]->params, "problem", c->reg.problems[t]->name,
                        G_PROBLEM, &c->problem_col[t * GD_MAX_PARAMS], err) < 0)
            return -1;
    for (size_t t = 0; t < c->n_optimizer_types; t++)
        if (place_specs(c, c->reg.optimizers[t]->params, "optimizer",
                        c->reg.optimizers[t]->name, G_OPTIMIZER,
                        &c->optimizer_col[t * GD_MAX_PARAMS], err) < 0)
            return -1;
    for (size_t t = 0; t < c->n_schedules; t++)
        if (place_specs(c, c->reg.schedules[t]->params, "schedule", c->reg.schedules[t]->name,
                        G_SCHEDULE_PARAMS, &c->schedule_col[t * GD_MAX_PARAMS], err) < 0)
            return -1;
    return place_metrics(c, err);
}

static int by_layout(const void *a, const void *b)
{
    const gd_column *x = a, *y = b;
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void remap(size_t *map, size_t n, const size_t *pos)
{
    for (size_t i = 0; i < n; i++)
        if (map[i] != SIZE_MAX)
            map[i] = pos[map[i]];
}

/* Sorts into layout order, assigns offsets and rewrites the maps to the new indices. */
static int lay_out(gd_columns *c, gd_error *err)
{
    size_t *pos = malloc(c->count * sizeof *pos);
    if (!pos)
        return gd_fail_runtime(err, "out of memory building the runs table columns");
    qsort(c->col, c->count, sizeof *c->col, by_layout);
    c->row_size = 0;
    for (size_t i = 0; i < c->count; i++) {
        pos[c->col[i].seq] = i;
        c->col[i].offset = c->row_size;
        c->row_size += c->col[i].size;
    }
    remap(c->problem_col, c->n_problem_types * GD_MAX_PARAMS, pos);
    remap(c->optimizer_col, c->n_optimizer_types * GD_MAX_PARAMS, pos);
    remap(c->schedule_col, c->n_schedules * GD_MAX_PARAMS, pos);
    remap(c->metric_col, c->n_problem_types, pos);
    remap(c->control_col, GD_MAX_PARAMS, pos);
    remap(&c->written_col, 1, pos);
    free(pos);
    return 0;
}

static int make_blank(gd_columns *c, gd_error *err)
{
    const double nan = NAN;
    c->blank = calloc(1, c->row_size ? c->row_size : 1);
    if (!c->blank)
        return gd_fail_runtime(err, "out of memory building the runs table columns");
    for (size_t i = 0; i < c->count; i++)
        if (c->col[i].type == GD_COL_F64)
            memcpy(c->blank + c->col[i].offset, &nan, sizeof nan);
    return 0;
}

static size_t registry_count(const void *const *reg)
{
    size_t n = 0;
    while (reg && reg[n])
        n++;
    return n;
}

static size_t *new_map(size_t n)
{
    size_t *map = malloc((n ? n : 1) * sizeof *map);
    for (size_t i = 0; map && i < n; i++)
        map[i] = SIZE_MAX;
    return map;
}

int gd_columns_build_from(gd_columns *c, const gd_registries *reg, gd_error *err)
{
    memset(c, 0, sizeof *c);
    c->reg = *reg;
    c->n_problem_types = registry_count((const void *const *)reg->problems);
    c->n_optimizer_types = registry_count((const void *const *)reg->optimizers);
    c->n_schedules = registry_count((const void *const *)reg->schedules);
    c->problem_col = new_map(c->n_problem_types * GD_MAX_PARAMS);
    c->optimizer_col = new_map(c->n_optimizer_types * GD_MAX_PARAMS);
    c->schedule_col = new_map(c->n_schedules * GD_MAX_PARAMS);
    c->metric_col = new_map(c->n_problem_types);
    for (size_t k = 0; k < GD_MAX_PARAMS; k++)
        c->control_col[k] = SIZE_MAX;
    int rc = -1;
    if (!c->problem_col || !c->optimizer_col || !c->schedule_col || !c->metric_col)
        gd_fail_runtime(err, "out of memory building the runs table columns");
    else if (place_all(c, err) == 0 && lay_out(c, err) == 0 && make_blank(c, err) == 0)
        rc = gd_columns_plan_cells(c, err);
    if (rc < 0)
        gd_columns_free(c);
    return rc;
}

int gd_columns_build(gd_columns *c, gd_error *err)
{
    const gd_registries reg = {gd_problems, gd_optimizers, gd_schedules, gd_control_params};
    return gd_columns_build_from(c, &reg, err);
}

int gd_columns_build_sweep(gd_columns *c, const gd_sweep *s, gd_error *err)
{
    const gd_registries reg = {gd_plugins_registry(s->plugins), gd_optimizers, gd_schedules,
                               gd_control_params};
    return gd_columns_build_from(c, &reg, err);
}

void gd_columns_free(gd_columns *c)
{
    free(c->col);
    free(c->blank);
    free(c->problem_col);
    free(c->optimizer_col);
    free(c->schedule_col);
    free(c->metric_col);
    free(c->cells);
    memset(c, 0, sizeof *c);
}
