/* test_curvefit.c - the polynomial curve fit: data, checks, least-squares optimum,
 * thread-count invariance and reproducibility. */
#include <math.h>
#include <omp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "problem_fixture.h"

static const gd_problem_type *const cf = &gd_problem_curvefit;

static void test_check_rejects_bad_ranges(void **state)
{
    double pp[GD_MAX_PARAMS];
    gd_error err;
    gd_problem p;
    fx_params(cf, pp, "x_min", 5.0, "x_max", 5.0, NULL);
    assert_int_equal(cf->check(pp, &err), -1);
    assert_non_null(strstr(err.msg, "x_min"));
    memset(&p, 0xff, sizeof p);
    assert_int_equal(cf->setup(&p, GD_NO_FILES, pp, fx_key(cf, pp, 0), &err), -1);
    assert_null(p.type); /* a failed setup leaves the instance zeroed */
    assert_null(p.data);
    gd_problem_destroy(&p);
    fx_params(cf, pp, "x_min", 6.0, "x_max", 5.0, NULL);
    assert_int_equal(cf->check(pp, &err), -1);
    fx_params(cf, pp, "degree", 3.0, "points", 3.0, NULL);
    assert_int_equal(cf->check(pp, &err), -1);
    assert_non_null(strstr(err.msg, "points"));
    fx_params(cf, pp, "degree", 3.0, "points", 4.0, "x_min", -1.0, "x_max", -0.5, NULL);
    assert_int_equal(cf->check(pp, &err), 0);
}

static void test_data_follow_the_article(void **state)
{
    double pp[GD_MAX_PARAMS];
    gd_problem p;
    fx_params(cf, pp, "c3", 0.25, NULL);
    fx_setup(&p, cf, pp, 0);
    gd_rng_key key = fx_key(cf, pp, 0);
    const gd_array *x = fx_input(&p, "x"), *y = fx_input(&p, "y");
    assert_int_equal(p.n, 3);
    assert_int_equal(x->dims[0], 100);
    assert_int_equal(y->dims[0], 100);
    /* numpy.linspace(0, 10, 100): i * (10 / 99) + 0, last element exactly 10 */
    assert_true(x->data[0] == 0 && x->data[99] == 10);
    for (size_t i = 0; i < 99; i++)
        assert_true(x->data[i] == (double)i * (10.0 / 99.0) + 0.0);
    for (size_t i = 0; i < 100; i++) {
        double xi = x->data[i];
        double truth = 3 - 5 * xi + 2 * xi * xi + 0.25 * xi * xi * xi;
        assert_true(fabs(y->data[i] - (truth + 10 * gd_rng_normal(key, 0, i))) <
                    1e-12 * fmax(1, fabs(truth)));
    }
    for (size_t k = 0; k < 3; k++)
        assert_true(p.x0[k] == gd_rng_normal(key, 1, k));
    const double expect_true[4] = {0.25, 2, -5, 3};
    assert_memory_equal(fx_input(&p, "true_coef")->data, expect_true, sizeof expect_true);
    assert_memory_equal(fx_input(&p, "x0")->data, p.x0, 3 * sizeof(double));
    /* ns per iteration, ~ points x terms */
    assert_true(cf->cost(GD_NO_FILES, pp) == 0.6 * 300 + 50);
    gd_problem_destroy(&p);
}

/* Without noise the least-squares fit is the true polynomial. */
static void test_noise_free_fit_is_exact(void **state)
{
    double pp[GD_MAX_PARAMS];
    gd_problem p;
    fx_params(cf, pp, "noise", 0.0, NULL);
    fx_setup(&p, cf, pp, 0);
    const double want2[3] = {2, -5, 3};
    assert_true(fx_rel_diff(fx_input(&p, "x_opt")->data, want2, 3, 1.0) < 1e-12);
    assert_true(p.f_opt < 1e-20);
    gd_problem_destroy(&p);

    fx_params(cf, pp, "noise", 0.0, "degree", 3.0, "c3", 0.5, "x_min", -3.0, NULL);
    fx_setup(&p, cf, pp, 0);
    const double want3[4] = {0.5, 2, -5, 3};
    assert_true(fx_rel_diff(fx_input(&p, "x_opt")->data, want3, 4, 1.0) < 1e-12);
    gd_problem_destroy(&p);
}

/* At the least-squares optimum the gradient vanishes (relative to its size at x0) and
 * nearby points are no better. */
static void check_stationary(size_t degree, size_t points)
{
    double pp[GD_MAX_PARAMS], g0[13], g[13], x[13];
    gd_problem p;
    fx_params(cf, pp, "degree", (double)degree, "points", (double)points, NULL);
    fx_setup(&p, cf, pp, 0);
    const double *xo = fx_input(&p, "x_opt")->data;
    cf->loss_grad(&p, p.x0, g0);
    double f = cf->loss_grad(&p, xo, g);
    assert_true(f == p.f_opt);
    if (!(fx_max_abs(g, p.n) < 1e-9 * fx_max_abs(g0, p.n)))
        fail_msg("degree %zu: |g(x_opt)| = %g vs |g(x0)| = %g", degree, fx_max_abs(g, p.n),
                 fx_max_abs(g0, p.n));
    for (size_t k = 0; k < p.n; k++) {
        memcpy(x, xo, p.n * sizeof *x);
        x[k] += 1e-6 * fmax(1e-3, fabs(x[k]));
        assert_true(cf->loss(&p, x) >= p.f_opt);
    }
    gd_problem_destroy(&p);
}

static void test_optimum_is_stationary(void **state)
{
    check_stationary(0, 10);
    check_stationary(2, 100);
    check_stationary(5, 300);
}

/* Solves the 3x3 normal equations V^T V c = V^T y in long double (Gaussian elimination
 * with partial pivoting): an independent route to the degree-2 fit. */
static void normal_equations_deg2(const double *x, const double *y, size_t m, double *c)
{
    long double a[3][4] = {{0}};
    for (size_t i = 0; i < m; i++) {
        long double v[3] = {(long double)x[i] * x[i], x[i], 1};
        for (int r = 0; r < 3; r++) {
            for (int s = 0; s < 3; s++)
                a[r][s] += v[r] * v[s];
            a[r][3] += v[r] * y[i];
        }
    }
    for (int k = 0; k < 3; k++) {
        int piv = k;
        for (int r = k + 1; r < 3; r++)
            if (fabsl(a[r][k]) > fabsl(a[piv][k]))
                piv = r;
        for (int s = 0; s < 4; s++) {
            long double t = a[k][s];
            a[k][s] = a[piv][s];
            a[piv][s] = t;
        }
        for (int r = k + 1; r < 3; r++) {
            long double f = a[r][k] / a[k][k];
            for (int s = k; s < 4; s++)
                a[r][s] -= f * a[k][s];
        }
    }
    for (int k = 2; k >= 0; k--) {
        long double s = a[k][3];
        for (int j = k + 1; j < 3; j++)
            s -= a[k][j] * c[j];
        c[k] = (double)(s / a[k][k]);
    }
}

static void test_optimum_matches_normal_equations(void **state)
{
    double pp[GD_MAX_PARAMS], c[3];
    gd_problem p;
    fx_params(cf, pp, NULL);
    fx_setup(&p, cf, pp, 3);
    normal_equations_deg2(fx_input(&p, "x")->data, fx_input(&p, "y")->data, 100, c);
    assert_true(fx_rel_diff(fx_input(&p, "x_opt")->data, c, 3, 0.0) < 1e-10);
    /* noise 10 on 100 points moves the fit, but not far from (2, -5, 3) */
    assert_true(fabs(c[0] - 2) < 1 && fabs(c[1] + 5) < 10 && fabs(c[2] - 3) < 30);
    gd_problem_destroy(&p);
}

typedef struct eval {
    gd_problem p;
    double f, g[4], f_loss;
} eval;

static void eval_with_threads(eval *e, const double *pp, int threads)
{
    omp_set_num_threads(threads);
    fx_setup(&e->p, cf, pp, 0);
    double theta[4] = {0.1, -0.2, 0.3, -0.4};
    e->f = cf->loss_grad(&e->p, theta, e->g);
    e->f_loss = cf->loss(&e->p, theta);
}

static void test_bit_identical_for_any_thread_count(void **state)
{
    double pp[GD_MAX_PARAMS];
    eval a, b;
    fx_params(cf, pp, "degree", 3.0, "points", 50000.0, NULL);
    eval_with_threads(&a, pp, 1);
    eval_with_threads(&b, pp, 2);
    omp_set_num_threads(2);
    assert_memory_equal(fx_input(&a.p, "y")->data, fx_input(&b.p, "y")->data,
                        50000 * sizeof(double));
    assert_memory_equal(fx_input(&a.p, "x_opt")->data, fx_input(&b.p, "x_opt")->data,
                        4 * sizeof(double));
    assert_true(a.p.f_opt == b.p.f_opt);
    assert_memory_equal(&a.f, &b.f, sizeof a.f);
    assert_memory_equal(a.g, b.g, sizeof a.g);
    assert_true(a.f == a.f_loss && b.f == b.f_loss);
    gd_problem_destroy(&a.p);
    gd_problem_destroy(&b.p);
}

static void test_same_key_same_data_other_repeat_differs(void **state)
{
    double pp[GD_MAX_PARAMS];
    gd_problem a, b, c;
    fx_params(cf, pp, NULL);
    fx_setup(&a, cf, pp, 0);
    fx_setup(&b, cf, pp, 0);
    fx_setup(&c, cf, pp, 1);
    const double *ya = fx_input(&a, "y")->data, *yc = fx_input(&c, "y")->data;
    assert_memory_equal(ya, fx_input(&b, "y")->data, 100 * sizeof(double));
    assert_memory_equal(a.x0, b.x0, 3 * sizeof(double));
    size_t same = 0;
    for (size_t i = 0; i < 100; i++)
        same += ya[i] == yc[i];
    assert_int_equal(same, 0);
    assert_true(a.x0[0] != c.x0[0]);
    gd_problem_destroy(&a);
    gd_problem_destroy(&b);
    gd_problem_destroy(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_rejects_bad_ranges),
        cmocka_unit_test(test_data_follow_the_article),
        cmocka_unit_test(test_noise_free_fit_is_exact),
        cmocka_unit_test(test_optimum_is_stationary),
        cmocka_unit_test(test_optimum_matches_normal_equations),
        cmocka_unit_test(test_bit_identical_for_any_thread_count),
        cmocka_unit_test(test_same_key_same_data_other_repeat_differs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
