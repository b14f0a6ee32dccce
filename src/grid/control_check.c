/* control_check.c - the checks of a problem section's stochastic control keys.
 *
 * batch_size > 0 asks for minibatches, which only a sum over data points has (the type's
 * batch_loss_grad, problem.h), and their gradients are analytic (as an online problem's); the box [lower, upper] must be non-empty in every
 * combination, which holds exactly when the largest lower is below the smallest upper
 * (both are swept independently). Failures name the grid line of the key. */
#include "grid_internal.h"

#include "gdsweep/plugins.h"

static const gd_dim *control_dim(const gd_problem_section *ps, size_t k)
{
    return &ps->layout->dims[ps->layout->n_type_dims + k];
}

static double extreme(const gd_dim *d, int largest)
{
    double v = d->values[0];
    for (size_t i = 1; i < d->count; i++)
        if (largest ? d->values[i] > v : d->values[i] < v)
            v = d->values[i];
    return v;
}

static int line_of(const gd_problem_section *ps, const gd_dim *d)
{
    return d->line ? d->line : ps->line;
}

int gd_grid_check_control(const gd_sweep *s, const gd_problem_section *ps, gd_error *err)
{
    const gd_dim *batch = control_dim(ps, GD_CONTROL_BATCH_SIZE);
    if (!ps->type->batch_loss_grad && extreme(batch, 1) > 0)
        return gd_grid_fail_at(err, s->path, line_of(ps, batch),
                               "[problem %s]: batch_size = %.0f, but %s is no sum over data "
                               "points; use batch_size = 0 (grad_noise makes its gradient "
                               "noisy)%s", ps->label, extreme(batch, 1), ps->type->name,
                               gd_problem_is_plugin(ps->type)
                                   ? ", or give the plugin samples and batch_loss_grad "
                                     "(gdsweep/plugin.h)"
                                   : "");
    const gd_dim *grad = control_dim(ps, GD_CONTROL_GRADIENT);
    int stochastic = extreme(batch, 1) > 0 || ps->type->online_loss_grad;
    if (stochastic && extreme(grad, 1) == 1)
        return gd_grid_fail_at(err, s->path, line_of(ps, grad),
                               "[problem %s]: gradient = numeric with minibatches or an "
                               "online problem; use gradient = analytic", ps->label);
    const gd_dim *lower = control_dim(ps, GD_CONTROL_LOWER);
    const gd_dim *upper = control_dim(ps, GD_CONTROL_UPPER);
    if (extreme(lower, 1) >= extreme(upper, 0))
        return gd_grid_fail_at(err, s->path, line_of(ps, lower->line ? lower : upper),
                               "[problem %s]: lower = %g is not below upper = %g; give "
                               "every lower below every upper", ps->label,
                               extreme(lower, 1), extreme(upper, 0));
    return 0;
}
