/* run_space.c - the queries of run_space.h for the full grid: counts and groups of runs.
 *
 * Layout (grid.h): within problem section ps, groups nest with fixed sizes
 *   config   = optimizer_span runs (the applicable optimizer sections' combos, file order)
 *   instance = control_combos configs, setting = repeats instances, section = type_combos
 *   settings,
 * so every query here is O(1) arithmetic, except the section search (O(log sections))
 * and the pair stretch (O(optimizer sections)). No allocation, no failure. */
#include "grid_internal.h"

/* Runs in one group of `level` of section ps (not GD_SPACE_PAIR). */
static uint64_t group_size(const gd_sweep *s, const gd_problem_section *ps,
                           gd_space_level level)
{
    const gd_problem_layout *pl = ps->layout;
    uint64_t size = pl->optimizer_span;
    if (level <= GD_SPACE_INSTANCE)
        size *= pl->control_combos;
    if (level <= GD_SPACE_SETTING)
        size *= s->repeats;
    return level == GD_SPACE_SECTION ? pl->n_runs : size;
}

uint64_t gd_space_runs(const gd_sweep *s)
{
    return s->n_runs;
}

uint64_t gd_space_instances(const gd_sweep *s)
{
    return s->n_instances;
}

uint64_t gd_space_section_runs(const gd_sweep *s, size_t p)
{
    return s->problems[p].layout->n_runs;
}

uint64_t gd_sweep_pair_runs(const gd_sweep *s, size_t p, size_t o)
{
    const gd_problem_section *ps = &s->problems[p];
    const gd_problem_layout *pl = ps->layout;
    if (!s->layout->applies[p * s->n_optimizers + o])
        return 0;
    return pl->type_combos * s->repeats * pl->control_combos * s->optimizers[o].layout->combos;
}

uint64_t gd_space_groups(const gd_sweep *s, size_t p, gd_space_level level)
{
    const gd_problem_section *ps = &s->problems[p];
    if (level == GD_SPACE_PAIR)
        return 0;
    return level == GD_SPACE_SECTION ? 1 : ps->layout->n_runs / group_size(s, ps, level);
}

uint64_t gd_space_group_first(const gd_sweep *s, size_t p, gd_space_level level, uint64_t g)
{
    const gd_problem_section *ps = &s->problems[p];
    return ps->layout->first_run + g * group_size(s, ps, level);
}

uint64_t gd_space_group_index(const gd_sweep *s, uint64_t id, gd_space_level level)
{
    const gd_problem_section *ps = &s->problems[gd_sweep_section_of(s, id)];
    return (id - ps->layout->first_run) / group_size(s, ps, level);
}

uint64_t gd_space_instance_setting(const gd_sweep *s, size_t p, uint64_t instance)
{
    return (instance - s->problems[p].layout->first_instance) / s->repeats;
}

/* One past the stretch of consecutive ids of run id's optimizer section within its
 * configuration: the applicable sections take `combos` ids each, in file order. */
static uint64_t pair_end(const gd_sweep *s, size_t p, uint64_t id)
{
    const gd_problem_section *ps = &s->problems[p];
    const gd_problem_layout *pl = ps->layout;
    const unsigned char *row = s->layout->applies + p * s->n_optimizers;
    uint64_t k = (id - pl->first_run) % pl->optimizer_span, end = 0;
    for (size_t o = 0; o < s->n_optimizers && end <= k; o++)
        if (row[o])
            end += s->optimizers[o].layout->combos;
    return id + (end - k);
}

uint64_t gd_space_group_end(const gd_sweep *s, uint64_t id, gd_space_level level)
{
    size_t p = gd_sweep_section_of(s, id);
    const gd_problem_section *ps = &s->problems[p];
    const gd_problem_layout *pl = ps->layout;
    if (level == GD_SPACE_PAIR)
        return pair_end(s, p, id);
    uint64_t size = group_size(s, ps, level);
    return pl->first_run + ((id - pl->first_run) / size + 1) * size;
}

/* Index of schedule in gd_schedules (0 when absent: the default). */
static size_t schedule_index(const gd_schedule_type *schedule)
{
    for (size_t k = 0; gd_schedules[k]; k++)
        if (gd_schedules[k] == schedule)
            return k;
    return 0;
}

/* Union key (grid_internal.h) of key j of schedule, among the optimizer dims after
 * "schedule". */
static size_t schedule_key(const gd_sweep *s, const gd_schedule_type *schedule, size_t j)
{
    return s->layout->schedule_keys[schedule_index(schedule) * GD_MAX_PARAMS + j];
}

/* The dim of key j of `keys` for run d, or NULL when j is out of range. */
static const gd_dim *key_dim(const gd_sweep *s, const gd_run_desc *d, gd_space_keys keys,
                             size_t j)
{
    const gd_problem_section *ps = &s->problems[d->problem];
    const gd_problem_layout *pl = ps->layout;
    const gd_optimizer_section *os = &s->optimizers[d->optimizer];
    const gd_optimizer_layout *ol = os->layout;
    switch (keys) {
    case GD_KEYS_PROBLEM:
        return j < pl->n_type_dims ? &pl->dims[j] : NULL;
    case GD_KEYS_CONTROL:
        return j < GD_CONTROL_COUNT ? &pl->dims[pl->n_type_dims + j] : NULL;
    case GD_KEYS_OPTIMIZER:
        return j < ol->n_opt_dims ? &ol->dims[j] : NULL;
    case GD_KEYS_SCHEDULE:
        return &ol->dims[ol->n_opt_dims];
    case GD_KEYS_SCHEDULE_PARAM:
        if (!d->schedule || j >= gd_param_count(d->schedule->params))
            return NULL;
        return &ol->dims[ol->n_opt_dims + 1 + schedule_key(s, d->schedule, j)];
    }
    return NULL;
}

int gd_space_key_swept(const gd_sweep *s, const gd_run_desc *d, gd_space_keys keys, size_t j)
{
    const gd_dim *dim = key_dim(s, d, keys, j);
    return dim && (dim->count > 1 || (dim->sample && dim->sample->design->n > 1));
}

int gd_space_key_all_default(const gd_sweep *s, gd_space_keys keys, size_t section, size_t j)
{
    int of_optimizer = keys == GD_KEYS_OPTIMIZER || keys == GD_KEYS_SCHEDULE;
    if (keys == GD_KEYS_SCHEDULE_PARAM)
        return 0;
    gd_run_desc d = {.problem = of_optimizer ? 0 : (uint32_t)section,
                     .optimizer = of_optimizer ? (uint32_t)section : 0};
    const gd_dim *dim = key_dim(s, &d, keys, j);
    for (size_t i = 0; dim && i < gd_grid_dim_listed(dim); i++)
        if (dim->values[i] != dim->spec->def)
            return 0;
    return dim != NULL;
}
