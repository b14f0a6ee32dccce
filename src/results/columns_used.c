/* columns_used.c - which columns of the runs table a sweep fills (for resuming old files).
 *
 * A column of a problem or optimizer type's key, or of a problem type's metric, is filled
 * only in rows of a type that has it, and a key's column holds nothing new where every
 * value is the key's default; every other column (run, control, schedule, result,
 * storage) is needed in every row. An output written by an older gdsweep, whose registry
 * had other types and keys, may lack columns; it can be resumed when none of them is one
 * this sweep fills (store_resume.c). */
#include "gdsweep/columns.h"

#include <string.h>

/* Marks (value v) the columns of type t's keys in map (GD_MAX_PARAMS per type). */
static void mark_keys(unsigned char *used, const size_t *map, size_t t, size_t n_keys,
                      unsigned char v)
{
    for (size_t k = 0; k < n_keys && k < GD_MAX_PARAMS; k++)
        if (map[t * GD_MAX_PARAMS + k] != SIZE_MAX)
            used[map[t * GD_MAX_PARAMS + k]] = v;
}

/* Marks the columns of the keys of type t (in map) that section `section` of `keys` gives
 * other values than their defaults: a key left at its default everywhere (a key an older
 * gdsweep did not have, such as denoise's image) loses nothing in a missing column. */
static void mark_given_keys(unsigned char *used, const size_t *map, size_t t, size_t n_keys,
                            const gd_sweep *s, gd_space_keys keys, size_t section)
{
    for (size_t k = 0; k < n_keys && k < GD_MAX_PARAMS; k++)
        if (map[t * GD_MAX_PARAMS + k] != SIZE_MAX &&
            !gd_space_key_all_default(s, keys, section, k))
            used[map[t * GD_MAX_PARAMS + k]] = 1;
}

static size_t problem_index(const gd_columns *c, const gd_problem_type *t)
{
    for (size_t i = 0; i < c->n_problem_types; i++)
        if (c->reg.problems[i] == t)
            return i;
    return SIZE_MAX;
}

static size_t optimizer_index(const gd_columns *c, const gd_optimizer_type *t)
{
    for (size_t i = 0; i < c->n_optimizer_types; i++)
        if (c->reg.optimizers[i] == t)
            return i;
    return SIZE_MAX;
}

/* Marks every type's key and metric columns with v. */
static void mark_types(const gd_columns *c, unsigned char *used, unsigned char v)
{
    for (size_t t = 0; t < c->n_problem_types; t++) {
        mark_keys(used, c->problem_col, t, gd_param_count(c->reg.problems[t]->params), v);
        if (c->metric_col[t] != SIZE_MAX)
            used[c->metric_col[t]] = v;
    }
    for (size_t t = 0; t < c->n_optimizer_types; t++)
        mark_keys(used, c->optimizer_col, t, gd_param_count(c->reg.optimizers[t]->params), v);
}

void gd_columns_sweep_uses(const gd_columns *c, const gd_sweep *s, unsigned char *used)
{
    memset(used, 1, c->count);
    mark_types(c, used, 0);
    for (size_t p = 0; p < s->n_problems; p++) {
        size_t t = problem_index(c, s->problems[p].type);
        if (t == SIZE_MAX)
            continue;
        mark_given_keys(used, c->problem_col, t, gd_param_count(s->problems[p].type->params),
                        s, GD_KEYS_PROBLEM, p);
        if (c->metric_col[t] != SIZE_MAX)
            used[c->metric_col[t]] = 1;
    }
    for (size_t o = 0; o < s->n_optimizers; o++) {
        size_t t = optimizer_index(c, s->optimizers[o].type);
        if (t != SIZE_MAX)
            mark_given_keys(used, c->optimizer_col, t,
                            gd_param_count(s->optimizers[o].type->params), s,
                            GD_KEYS_OPTIMIZER, o);
    }
}
