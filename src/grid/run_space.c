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
static uint64_t group_size(const gd_sweep *s, const gd_problem_section *ps, gd_space_level level)
{
    uint64_t size = ps->layout->optimizer_span;
    if (level <= GD_SPACE_INSTANCE)
        size *= ps->layout->control_combos;
    if (level <= GD_SPACE_SETTING)
        size *= s->repeats;
    return level == GD_SPACE_SECTION ? ps->layout->n_runs : size;
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
    if (!s->layout->applies[p * s->n_optimizers + o])
        return 0;
    return ps->layout->type_combos * s->repeats * ps->layout->control_combos * s->optimizers[o].layout->combos;
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
    const unsigned char *row = s->layout->applies + p * s->n_optimizers;
    uint64_t k = (id - ps->layout->first_run) % ps->layout->optimizer_span, end = 0;
    for (size_t o = 0; o < s->n_optimizers && end <= k; o++)
        if (row[o])
            end += s->optimizers[o].layout->combos;
    return id + (end - k);
}

uint64_t gd_space_group_end(const gd_sweep *s, uint64_t id, gd_space_level level)
{
    size_t p = gd_sweep_section_of(s, id);
    const gd_problem_section *ps = &s->problems[p];
    if (level == GD_SPACE_PAIR)
        return pair_end(s, p, id);
    uint64_t size = group_size(s, ps, level);
    return ps->layout->first_run + ((id - ps->layout->first_run) / size + 1) * size;
}

/* Index of schedule in gd_schedules (0 when absent: the default). */
static size_t schedule_index(const gd_schedule_type *schedule)
{
    for (size_t k = 0; gd_schedules[k]; k++)
        if (gd_schedules[k] == schedule)
            return k;
    return 0;
}

/* The dim of key j of `keys` for run d, or NULL when j is out of range. */
static const gd_dim *key_dim(const gd_sweep *s, const gd_run_desc *d, gd_space_keys keys,
                             size_t j)
{
    const gd_problem_section *ps = &s->problems[d->problem];
    const gd_optimizer_section *os = &s->optimizers[d->optimizer];
    switch (keys) {
    case GD_KEYS_PROBLEM:
        return j < ps->layout->n_type_dims ? &ps->layout->dims[j] : NULL;
    case GD_KEYS_CONTROL:
        return j < GD_CONTROL_COUNT ? &ps->layout->dims[ps->layout->n_type_dims + j] : NULL;
    case GD_KEYS_OPTIMIZER:
        return j < os->layout->n_opt_dims ? &os->layout->dims[j] : NULL;
    case GD_KEYS_SCHEDULE:
        return &os->layout->dims[os->layout->n_opt_dims];
    case GD_KEYS_SCHEDULE_PARAM:
        if (!d->schedule || j >= gd_param_count(d->schedule->params))
            return NULL;
        return &os->layout->dims[os->layout->n_opt_dims + 1 +
                         s->layout->schedule_keys[schedule_index(d->schedule) * GD_MAX_PARAMS + j]];
    }
    return NULL;
}

int gd_space_key_swept(const gd_sweep *s, const gd_run_desc *d, gd_space_keys keys, size_t j)
{
    const gd_dim *dim = key_dim(s, d, keys, j);
    return dim && dim->count > 1;
}
