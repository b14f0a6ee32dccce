/* plan_cost.c - the plan's cost model: estimated work of a run, per combination of values.
 *
 * Cost does not depend on the repeat or the optimizer, so a section's costs factor into
 * per-type-combination factors (work of one iteration, 2n + 1) and per-control-combination
 * values (iterations, gradient kind). Each is read by decoding one run id of that
 * combination: the first run of a setting or configuration (run_space.h). Allocation
 * happens only in gd_plan_controls_make. */
#include "plan_internal.h"

#include <stdlib.h>

double gd_plan_combo_cost(gd_plan_type t, double iterations, int numeric)
{
    return t.work * iterations * (numeric ? t.numeric : 1.0) + GD_PLAN_RUN_OVERHEAD;
}

static gd_plan_type type_of(const gd_sweep *s, const gd_run_desc *d)
{
    const gd_problem_type *type = s->problems[d->problem].type;
    const double *pp = d->problem_params;
    const gd_problem_files *files = gd_sweep_files_of(s, d);
    gd_plan_type t = {type->cost(files, pp), 2.0 * (double)type->dimension(files, pp) + 1.0};
    return t;
}

double gd_plan_run_cost(const gd_sweep *s, uint64_t id)
{
    gd_run_desc d;
    gd_sweep_decode(s, id, &d);
    return gd_plan_combo_cost(type_of(s, &d), (double)d.control.iterations,
                              d.control.numeric_gradient);
}

gd_plan_type gd_plan_type_at(const gd_sweep *s, size_t p, uint64_t tc)
{
    gd_run_desc d;
    gd_sweep_decode(s, gd_space_group_first(s, p, GD_SPACE_SETTING, tc), &d);
    return type_of(s, &d);
}

double gd_plan_type_mean(const gd_plan_controls *c, gd_plan_type t)
{
    double work = t.work * (c->sum_analytic + t.numeric * c->sum_numeric);
    return work / (double)c->n + GD_PLAN_RUN_OVERHEAD;
}

uint64_t gd_plan_controls_per_instance(const gd_sweep *s, size_t p)
{
    return gd_space_groups(s, p, GD_SPACE_CONFIG) / gd_space_groups(s, p, GD_SPACE_INSTANCE);
}

void gd_plan_controls_free(gd_plan_controls *c)
{
    free(c->iterations);
    free(c->numeric);
    c->iterations = NULL;
    c->numeric = NULL;
    c->n = 0;
}

int gd_plan_controls_make(gd_plan_controls *c, const gd_sweep *s, size_t p, gd_error *err)
{
    uint64_t all = gd_plan_controls_per_instance(s, p);
    c->complete = all <= GD_PLAN_MAX_COMBOS;
    c->n = c->complete ? (size_t)all : GD_PLAN_SAMPLE;
    uint64_t step = c->complete ? 1 : all / c->n;
    c->iterations = malloc(c->n * sizeof *c->iterations);
    c->numeric = malloc(c->n);
    c->sum_analytic = c->sum_numeric = 0;
    if (!c->iterations || !c->numeric) {
        gd_plan_controls_free(c);
        return gd_fail_runtime(err, "plan: out of memory for %llu control combinations",
                               (unsigned long long)all);
    }
    for (size_t i = 0; i < c->n; i++) {
        gd_run_desc d;
        gd_sweep_decode(s, gd_space_group_first(s, p, GD_SPACE_CONFIG, (uint64_t)i * step), &d);
        c->iterations[i] = (double)d.control.iterations;
        c->numeric[i] = (unsigned char)(d.control.numeric_gradient != 0);
        *(c->numeric[i] ? &c->sum_numeric : &c->sum_analytic) += c->iterations[i];
    }
    return 0;
}
