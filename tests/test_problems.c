/* test_problems.c - every registered problem: registry, specs, gradients, lifecycle;
 * the quadratic and Rosenbrock optima. Types on a data file (leastsq, logreg, softmax)
 * walk with a generated table (problem_fixture.h, fx_files).
 *
 * The gradient test walks gd_problems: the analytic loss_grad of each type must agree with
 * the article's central differences (gd_numeric_loss_grad) on a small instance. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "problem_fixture.h"

/* Small instances for the central-difference check (a type not listed uses defaults). */
static void small_params(const gd_problem_type *t, double *pp)
{
    if (strcmp(t->name, "curvefit") == 0)
        fx_params(t, pp, "degree", 3.0, "points", 20.0, "noise", 1.0, NULL);
    else if (strcmp(t->name, "denoise") == 0)
        fx_params(t, pp, "size", 6.0, "lambda", 1.0, NULL);
    else
        fx_params(t, pp, NULL);
}

static void test_registry(void **state)
{
    static const char *const first[] = {"quadratic", "curvefit", "denoise", "rosenbrock"};
    size_t count = 0;
    for (size_t i = 0; gd_problems[i]; i++, count++) {
        if (i < 4)
            assert_string_equal(gd_problems[i]->name, first[i]);
        const gd_problem_type *t = gd_problems[i];
        assert_ptr_equal(gd_problem_find(t->name), t);
        for (size_t j = 0; j < i; j++)
            assert_true(strcmp(gd_problems[j]->name, t->name) != 0);
        assert_non_null(t->doc);
        assert_non_null(t->setup);
        assert_non_null(t->loss);
        assert_non_null(t->loss_grad);
        assert_non_null(t->destroy);
        assert_true((t->metric_name == NULL) == (t->metric == NULL));
    }
    assert_true(count >= 4);
    assert_null(gd_problem_find("no_such_problem"));
}

static void test_specs_and_defaults(void **state)
{
    for (size_t i = 0; gd_problems[i]; i++) {
        const gd_problem_type *t = gd_problems[i];
        double pp[GD_MAX_PARAMS];
        gd_error err;
        size_t np = gd_param_count(t->params);
        assert_true(np > 0 && np <= GD_MAX_PARAMS);
        fx_params(t, pp, NULL); /* defaults, a data file given where one is needed */
        for (size_t k = 0; k < np; k++) {
            assert_non_null(t->params[k].doc);
            assert_int_equal(gd_param_check(&t->params[k], pp[k], &err), 0);
        }
        if (t->check)
            assert_int_equal(t->check(pp, &err), 0);
        assert_true(t->cost(GD_NO_FILES, pp) > 0);
    }
}

/* Setup with defaults: dimension, start point, inputs and known optimum agree. */
static void test_default_instances(void **state)
{
    for (size_t i = 0; gd_problems[i]; i++) {
        const gd_problem_type *t = gd_problems[i];
        double pp[GD_MAX_PARAMS];
        gd_problem p;
        fx_params(t, pp, NULL);
        fx_setup(&p, t, pp, 0);
        assert_int_equal(p.n, t->dimension(fx_files(t), pp));
        if (t->check_files)
            assert_int_equal(t->check_files(fx_files(t), pp, &(gd_error){{0}, 0}), 0);
        for (size_t k = 0; k < p.n; k++)
            assert_true(isfinite(p.x0[k]));
        for (size_t k = 0; k < p.n_inputs; k++) {
            assert_non_null(p.inputs[k].data);
            assert_true(p.inputs[k].rank == 1 || p.inputs[k].rank == 2);
            assert_true(p.inputs[k].dims[0] > 0);
        }
        if (t->metric)
            assert_true(isfinite(t->metric(&p, p.x0)));
        if (p.has_optimum) {
            const gd_array *xo = fx_input(&p, "x_opt");
            assert_non_null(xo);
            assert_int_equal(xo->dims[0], p.n);
            double fo = t->loss(&p, xo->data);
            assert_true(fabs(fo - p.f_opt) <= 1e-12 * fmax(1, fabs(p.f_opt)));
            assert_true(t->loss(&p, p.x0) >= p.f_opt);
        } else {
            assert_true(isnan(p.f_opt));
        }
        gd_problem_destroy(&p);
    }
}

/* Analytic gradient vs central differences at x0 and at a perturbed point. */
static void check_gradient_at(const gd_problem *p, const double *x)
{
    size_t n = p->n;
    double *ga = malloc(n * sizeof *ga), *gn = malloc(n * sizeof *gn);
    double *work = malloc(n * sizeof *work);
    double f = p->type->loss_grad(p, x, ga);
    assert_true(f == p->type->loss(p, x)); /* fused and plain loss are the same numbers */
    double fn = gd_numeric_loss_grad(p, x, 1e-7, gn, work);
    assert_true(fn == f);
    double rel = fx_rel_diff(gn, ga, n, 1.0);
    if (!(rel < 1e-6))
        fail_msg("%s: analytic vs numeric gradient differ by %g", p->type->name, rel);
    free(ga);
    free(gn);
    free(work);
}

static void test_gradients_match_central_differences(void **state)
{
    for (size_t i = 0; gd_problems[i]; i++) {
        const gd_problem_type *t = gd_problems[i];
        double pp[GD_MAX_PARAMS];
        gd_problem p;
        small_params(t, pp);
        fx_setup(&p, t, pp, 0);
        double *x = malloc(p.n * sizeof *x);
        check_gradient_at(&p, p.x0);
        gd_rng_key key = gd_rng_key_make(9, "perturb", NULL, 0, i);
        for (size_t k = 0; k < p.n; k++)
            x[k] = p.x0[k] + 0.3 * gd_rng_normal(key, 0, k);
        check_gradient_at(&p, x);
        free(x);
        gd_problem_destroy(&p);
    }
}

static void test_numeric_grad_leaves_x_alone(void **state)
{
    const gd_problem_type *t = &gd_problem_rosenbrock;
    double pp[GD_MAX_PARAMS], x[2] = {0.3, -0.7}, copy[2], g[2], work[2];
    gd_problem p;
    fx_params(t, pp, NULL);
    fx_setup(&p, t, pp, 0);
    memcpy(copy, x, sizeof x);
    double f = gd_numeric_loss_grad(&p, x, 1e-7, g, work);
    assert_memory_equal(x, copy, sizeof x);
    assert_true(f == t->loss(&p, x));
    /* the article's formula, coordinate 0, evaluated by hand */
    double xp[2] = {x[0] + 1e-7, x[1]}, xm[2] = {x[0] - 1e-7, x[1]};
    assert_true(g[0] == (t->loss(&p, xp) - t->loss(&p, xm)) / (2 * 1e-7));
    gd_problem_destroy(&p);
}

static void test_destroy_zeroes_and_tolerates_zeroed(void **state)
{
    gd_problem zero, p;
    memset(&zero, 0, sizeof zero);
    gd_problem_destroy(&zero); /* safe on a zeroed instance */
    for (size_t i = 0; gd_problems[i]; i++) {
        double pp[GD_MAX_PARAMS];
        small_params(gd_problems[i], pp);
        for (int rep = 0; rep < 20; rep++) {
            fx_setup(&p, gd_problems[i], pp, (uint64_t)rep);
            gd_problem_destroy(&p);
            assert_null(p.type);
            assert_null(p.data);
            assert_null(p.x0);
            assert_int_equal(p.n_inputs, 0);
        }
    }
}

static void test_quadratic_matches_article(void **state)
{
    const gd_problem_type *t = &gd_problem_quadratic;
    double pp[GD_MAX_PARAMS], g;
    gd_problem p;
    fx_params(t, pp, NULL);
    fx_setup(&p, t, pp, 0);
    assert_int_equal(p.n, 1);
    assert_true(p.x0[0] == 5);
    const double xs[] = {5, 5 + 1e-7, 5 - 1e-7, -2.5, 0.1, -3.3333333333333335, 1e8};
    for (size_t k = 0; k < sizeof xs / sizeof xs[0]; k++) {
        double x = xs[k];
        assert_true(t->loss_grad(&p, &x, &g) == x * x + 5 * x + 10); /* Python's x**2+5*x+10 */
        assert_true(g == 2 * x + 5);
    }
    assert_true(p.f_opt == 3.75);
    assert_true(fx_input(&p, "x_opt")->data[0] == -2.5);
    gd_problem_destroy(&p);

    fx_params(t, pp, "a", 2.0, "b", -4.0, "c", 1.0, "x0", 0.0, NULL);
    fx_setup(&p, t, pp, 0);
    assert_true(p.f_opt == -1); /* 2x^2 - 4x + 1 has its minimum -1 at x = 1 */
    assert_true(fx_input(&p, "x_opt")->data[0] == 1);
    gd_problem_destroy(&p);
}

static void test_rosenbrock_optimum(void **state)
{
    const gd_problem_type *t = &gd_problem_rosenbrock;
    double pp[GD_MAX_PARAMS], g[2];
    gd_problem p;
    fx_params(t, pp, NULL);
    fx_setup(&p, t, pp, 0);
    /* (1 + 1.2)^2 + 100 (1 - 1.44)^2 = 4.84 + 19.36 */
    assert_true(fabs(t->loss(&p, p.x0) - 24.2) < 1e-12);
    gd_problem_destroy(&p);

    fx_params(t, pp, "a", 2.0, "b", 10.0, NULL);
    fx_setup(&p, t, pp, 0);
    const double *xo = fx_input(&p, "x_opt")->data;
    assert_true(xo[0] == 2 && xo[1] == 4);
    assert_true(p.has_optimum && p.f_opt == 0);
    assert_true(t->loss_grad(&p, xo, g) == 0);
    assert_true(g[0] == 0 && g[1] == 0);
    double off[2] = {2.001, 4};
    assert_true(t->loss(&p, off) > 0);
    gd_problem_destroy(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_specs_and_defaults),
        cmocka_unit_test(test_default_instances),
        cmocka_unit_test(test_gradients_match_central_differences),
        cmocka_unit_test(test_numeric_grad_leaves_x_alone),
        cmocka_unit_test(test_destroy_zeroes_and_tolerates_zeroed),
        cmocka_unit_test(test_quadratic_matches_article),
        cmocka_unit_test(test_rosenbrock_optimum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
