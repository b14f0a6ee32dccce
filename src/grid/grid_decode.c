/* grid_decode.c - run index -> run parameters by mixed-radix decoding.
 *
 * The order is the one documented in grid.h and docs/GRID.md. Within problem section
 * ps, run r = id - first_run splits as
 *   r = ((type_combo * repeats + repeat) * control_combos + control_combo)
 *       * optimizer_span + k,
 * and k walks the applicable optimizer sections in file order, each taking `combos`
 * consecutive values. Cost: O(log sections + optimizer sections + keys); no allocation, no I/O. */
#include "grid_internal.h"

#include <string.h>

/* Binary search on first_run (ascending): O(log sections) per decode. */
size_t gd_sweep_section_of(const gd_sweep *s, uint64_t id)
{
    size_t lo = 0, hi = s->n_problems ? s->n_problems - 1 : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        if (id >= s->problems[mid].layout->first_run)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* Optimizer section of offset *k within the span of problem p; *k becomes its combo. */
static size_t find_optimizer(const gd_sweep *s, size_t p, uint64_t *k)
{
    const unsigned char *row = s->layout->applies + p * s->n_optimizers;
    size_t o = 0;
    for (; o + 1 < s->n_optimizers; o++) {
        if (!row[o])
            continue;
        if (*k < s->optimizers[o].layout->combos)
            break;
        *k -= s->optimizers[o].layout->combos;
    }
    return o;
}

static void decode_optimizer(const gd_sweep *s, size_t o, uint64_t combo, gd_run_desc *d)
{
    const gd_optimizer_section *os = &s->optimizers[o];
    const gd_optimizer_layout *ol = os->layout;
    double v[GD_GRID_OPT_DIMS_MAX];
    gd_grid_dims_decode(ol->dims, ol->n_dims, combo, v);
    memcpy(d->optimizer_params, v, ol->n_opt_dims * sizeof v[0]);
    size_t k = (size_t)v[ol->n_opt_dims];
    const double *keys = v + ol->n_opt_dims + 1;
    const unsigned char *where = s->layout->schedule_keys + k * GD_MAX_PARAMS;
    d->schedule = gd_schedules[k];
    for (size_t j = 0; d->schedule->params && d->schedule->params[j].key; j++)
        d->schedule_params[j] = keys[where[j]];
}

void gd_sweep_decode(const gd_sweep *s, uint64_t id, gd_run_desc *d)
{
    memset(d, 0, sizeof *d);
    size_t p = gd_sweep_section_of(s, id);
    const gd_problem_section *ps = &s->problems[p];
    const gd_problem_layout *pl = ps->layout;
    uint64_t r = id - pl->first_run;
    uint64_t per_instance = pl->control_combos * pl->optimizer_span;
    uint64_t local = r / per_instance, k = r % per_instance;
    double control[GD_CONTROL_COUNT];
    d->id = id;
    d->problem = (uint32_t)p;
    d->instance = pl->first_instance + local;
    d->repeat = local % s->repeats;
    gd_grid_dims_decode(pl->dims, pl->n_type_dims, local / s->repeats, d->problem_params);
    gd_grid_dims_decode(pl->dims + pl->n_type_dims, GD_CONTROL_COUNT, k / pl->optimizer_span,
                        control);
    gd_control_from_values(&d->control, control);
    if (s->halving)
        d->control.iterations = s->rung_budget;
    k %= pl->optimizer_span;
    size_t o = find_optimizer(s, p, &k);
    d->optimizer = (uint32_t)o;
    decode_optimizer(s, o, k, d);
}

uint64_t gd_section_identical_repeats(const gd_sweep *s, size_t p, uint64_t *checked)
{
    const gd_problem_section *ps = &s->problems[p];
    const gd_problem_layout *pl = ps->layout;
    double values[GD_MAX_PARAMS];
    uint64_t n = pl->type_combos < GD_REPEAT_CHECK_MAX ? pl->type_combos : GD_REPEAT_CHECK_MAX;
    uint64_t identical = 0;
    *checked = n;
    if (s->repeats < 2 || !ps->type->draws)
        return 0;
    for (uint64_t c = 0; c < n; c++) {
        gd_grid_dims_decode(pl->dims, pl->n_type_dims, c, values);
        identical += !ps->type->draws(values);
    }
    return identical;
}

gd_rng_key gd_sweep_instance_key(const gd_sweep *s, const gd_run_desc *d)
{
    const gd_problem_section *ps = &s->problems[d->problem];
    return gd_problem_data_key(s->seed, ps->label, ps->type, d->problem_params, d->repeat);
}
