/* columns_used.c - which columns of the runs table a sweep needs (for resuming old files).
 *
 * An output written by an earlier gdsweep, whose registry had fewer types, keys and
 * results, has fewer columns; it can be resumed when it has every column this sweep
 * needs to tell its runs apart and find their records: the run's identity and storage
 * columns, the schedules' columns, and the column of every key (problem, optimizer,
 * control) that some section gives a value other than the key's default. A key left at
 * its default everywhere (denoise's image, batch_size) is what the earlier gdsweep did
 * without the key, and a result it did not record (samples_seen, a newer metric) stays
 * unrecorded in that file, as in its earlier rows (store_resume.c). */
#include "gdsweep/columns.h"

#include <string.h>

/* Marks the columns of the keys of type t (map: GD_MAX_PARAMS per type) that section
 * `section` of `keys` gives other values than their defaults. */
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

/* The columns needed whatever the grid: the run's identity and storage, the schedules. */
static void mark_fixed(const gd_columns *c, unsigned char *used)
{
    for (size_t i = 0; i < c->count; i++) {
        const char *cat = c->col[i].category;
        used[i] = strcmp(cat, "run") == 0 || strcmp(cat, "storage") == 0 ||
                  strcmp(cat, "schedule") == 0;
    }
}

/* The control keys problem section p gives other values than their defaults. */
static void mark_control(const gd_columns *c, const gd_sweep *s, size_t p,
                         unsigned char *used)
{
    for (size_t k = 0; k < GD_CONTROL_COUNT; k++)
        if (c->control_col[k] != SIZE_MAX &&
            !gd_space_key_all_default(s, GD_KEYS_CONTROL, p, k))
            used[c->control_col[k]] = 1;
}

void gd_columns_sweep_uses(const gd_columns *c, const gd_sweep *s, unsigned char *used)
{
    mark_fixed(c, used);
    for (size_t p = 0; p < s->n_problems; p++) {
        size_t t = problem_index(c, s->problems[p].type);
        mark_control(c, s, p, used);
        if (t != SIZE_MAX)
            mark_given_keys(used, c->problem_col, t,
                            gd_param_count(s->problems[p].type->params), s, GD_KEYS_PROBLEM,
                            p);
    }
    for (size_t o = 0; o < s->n_optimizers; o++) {
        size_t t = optimizer_index(c, s->optimizers[o].type);
        if (t != SIZE_MAX)
            mark_given_keys(used, c->optimizer_col, t,
                            gd_param_count(s->optimizers[o].type->params), s,
                            GD_KEYS_OPTIMIZER, o);
    }
}
