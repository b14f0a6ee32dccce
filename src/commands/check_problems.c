/* check_problems.c - `gdsweep --check-problems GRID`: the problems' checks, and nothing run.
 *
 * By the time this runs, loading the grid has checked every plugin's gradient (a wrong one
 * ended the command with exit 2, plugins.h). Here the first instance of each problem
 * section, built-in or plugin, is set up as a run would set it up and its gradient checked
 * against central differences the same way (gd_problem_check_gradient, and
 * gd_problem_check_batch for a sum over data points); one line per
 * section says what was checked, or the first failure ends the command (exit 2). */
#include "gdsweep/report.h"

#include "gdsweep/plugins.h"

/* The check of section p's first instance; 0, or -1 with err. */
static int check_section(FILE *out, const gd_sweep *s, size_t p, gd_error *err)
{
    const gd_problem_section *ps = &s->problems[p];
    gd_run_desc d;
    gd_problem inst;
    char what[GD_LABEL_MAX + 64];
    double worst = 0;
    if (gd_space_section_runs(s, p) == 0) {
        fprintf(out, "[problem %s] %s: no runs (no optimizer applies); not checked\n",
                ps->label, ps->type->name);
        return 0;
    }
    gd_sweep_decode(s, gd_space_group_first(s, p, GD_SPACE_SECTION, 0), &d);
    snprintf(what, sizeof what, "[problem %s] %s", ps->label, ps->type->name);
    if (gd_sweep_setup_instance(s, &d, &inst, err) < 0)
        return gd_error_prefix(err, "%s", what);
    int rc = gd_problem_check_gradient(&inst, what, &worst, err);
    int batches = rc == 0 && inst.type->batch_loss_grad;
    if (batches)
        rc = gd_problem_check_batch(&inst, what, err);
    if (rc == 0)
        fprintf(out, "%s: ok: n = %zu, loss finite at the start, gradient matches central "
                "differences at the start and %d random points (largest difference / "
                "allowed: %.2g)%s\n", what, inst.n, GD_GRADIENT_CHECK_POINTS, worst,
                batches ? "; minibatch loss and gradient match too" : "");
    gd_problem_destroy(&inst);
    return rc;
}

int gd_check_problems(FILE *out, const gd_sweep *s, gd_error *err)
{
    for (size_t p = 0; p < s->n_problems; p++)
        if (check_section(out, s, p, err) < 0)
            return -1;
    return 0;
}
