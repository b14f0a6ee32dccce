/* test_plugin.c - compiled problem plugins: loading, refusals, the example's maths.
 *
 * The test plugins are tests/plugins/test_plugin.c built by CMake in several variants
 * (GD_TEST_PLUGIN_DIR); the example is experiments/plugins/example_problems.c
 * (GD_EXAMPLE_PLUGIN). Gradients are checked against central differences computed here,
 * and the ill-conditioned quadratic's minimum against a Gaussian elimination of its
 * Hessian, which is built here from gradient differences (exact for a quadratic), and its
 * spectrum against the closed form through trace(H) and trace(H^2). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gdsweep/grid.h"
#include "gdsweep/plugins.h"

static void test_library(const char *variant, char *path, size_t size)
{
    const char *dir = getenv("GD_TEST_PLUGIN_DIR");
    assert_non_null(dir);
    snprintf(path, size, "%s/gd_plugin_%s.so", dir, variant);
}

static void refused(const char *variant, const char *words)
{
    char path[1024];
    gd_plugins *set = NULL;
    const gd_problem_type *t = NULL;
    gd_error err = {0};
    test_library(variant, path, sizeof path);
    assert_int_equal(gd_plugins_load(&set, path, NULL, &t, &err), -1);
    assert_int_equal(err.exit_code, GD_EXIT_USAGE);
    assert_non_null(strstr(err.msg, words));
    assert_non_null(strstr(err.msg, path));
    assert_null(strchr(err.msg, '\n'));
    gd_plugins_free(set);
}

static void test_abi_mismatch_refused(void **unused)
{
    refused("bad_abi", "ABI version 3, this gdsweep speaks version 2; rebuild it against");
}

/* A plugin built before minibatches: its table is shorter, refused before it is read. */
static void test_abi_one_refused(void **unused)
{
    refused("abi_one", "was built for plugin ABI version 1, this gdsweep speaks version 2 "
            "(version 2 added samples and batch_loss_grad); rebuild it against this "
            "gdsweep's gdsweep/plugin.h");
}

static void test_half_batch_refused(void **unused)
{
    refused("half_batch", "problem 'cloud': it sets only one of samples and batch_loss_grad");
}

static void test_missing_symbol_refused(void **unused)
{
    refused("no_symbol", "has no symbol gd_plugin_problems");
}

static void test_missing_file_refused(void **unused)
{
    refused("absent", "does not load");
}

/* A grid of one plugin section on library; its load and file reading. */
static int load_grid(gd_sweep *s, const char *library, const char *keys, gd_error *err)
{
    char text[2048];
    snprintf(text, sizeof text, "[problem p]\ntype = plugin\nlibrary = %s\n%s\n"
             "iterations = 5\n[optimizer gd]\nlr = 0.1\n", library, keys);
    if (gd_sweep_parse(s, "/tmp/plugin_test.ini", text, strlen(text), 0, err) < 0)
        return -1;
    return gd_sweep_read_files(s, err);
}

/* A grid on the test library variant with keys is refused (exit 2, one line) with a
 * message that holds each of the NULL-terminated words. */
static void grid_refused(const char *variant, const char *keys, ...)
{
    char path[1024];
    gd_sweep s;
    gd_error err = {0};
    va_list words;
    test_library(variant, path, sizeof path);
    assert_int_equal(load_grid(&s, path, keys, &err), -1);
    assert_int_equal(err.exit_code, GD_EXIT_USAGE);
    assert_null(strchr(err.msg, '\n'));
    va_start(words, keys);
    for (const char *w = va_arg(words, const char *); w; w = va_arg(words, const char *))
        assert_non_null(strstr(err.msg, w));
    va_end(words);
    gd_sweep_free(&s);
}

/* A grid on the test library variant with keys, loaded into s. */
static void grid_loaded(gd_sweep *s, const char *variant, const char *keys)
{
    char path[1024];
    gd_error err = {0};
    test_library(variant, path, sizeof path);
    assert_int_equal(load_grid(s, path, keys, &err), 0);
}

static void test_wrong_gradient_refused(void **unused)
{
    grid_refused("wrong_gradient", "n = 3\nk = 0.5", "/tmp/plugin_test.ini:3: plugin bowl",
                 "component 1", "central difference", NULL);
}

/* A wrong minibatch gradient is refused at the first combination: over all rows against
 * loss_grad, and on a small batch against central differences. */
static void test_wrong_batch_gradient_refused(void **unused)
{
    grid_refused("wrong_batch", "n = 3", "/tmp/plugin_test.ini:3: plugin cloud",
                 "batch_loss_grad over all 40 rows differs from loss_grad at the start point, "
                 "gradient component 0", "fix batch_loss_grad", NULL);
    grid_refused("wrong_small_batch", "n = 3", "/tmp/plugin_test.ini:3: plugin cloud",
                 "batch_loss_grad on a batch of 5 rows", "central difference",
                 "fix batch_loss_grad", NULL);
}

/* batch_size > 0: refused on a plugin without minibatches (like any problem that is no sum
 * over data points), accepted on one with them. */
static void test_batch_size_needs_a_sum(void **unused)
{
    gd_sweep s;
    grid_refused("good", "batch_size = 0, 8", "batch_size = 8, but plugin:bowl is no sum "
                 "over data points", "give the plugin samples and batch_loss_grad", NULL);
    grid_loaded(&s, "data", "batch_size = 0, 8");
    assert_int_equal(s.n_runs, 2);
    assert_non_null(s.problems[0].type->samples);
    gd_sweep_free(&s);
}

/* cloud's minibatch loss against the formula computed here, a_ij = ((7i + 3j) % 11 - 5)/5:
 * (1/m) sum_q log(1 + |x - a_rows[q]|^2) + l2 |x|^2, with a repeated row. */
static void test_batch_loss_closed_form(void **unused)
{
    gd_sweep s;
    gd_error err = {0};
    grid_loaded(&s, "data", "n = 3\npoints = 17\nl2 = 0.5");
    gd_run_desc d;
    gd_problem p;
    gd_sweep_decode(&s, 0, &d);
    assert_int_equal(gd_sweep_setup_instance(&s, &d, &p, &err), 0);
    const size_t rows[] = {16, 3, 3, 0};
    const double x[] = {0.25, -1.5, 2};
    double want = 0.5 * (0.25 * 0.25 + 1.5 * 1.5 + 4);
    for (size_t q = 0; q < 4; q++) {
        double s2 = 0;
        for (size_t j = 0; j < 3; j++) {
            double a = (double)((long)((7 * rows[q] + 3 * j) % 11) - 5) / 5.0;
            s2 += (x[j] - a) * (x[j] - a);
        }
        want += log(1 + s2) / 4;
    }
    assert_int_equal(p.type->samples(&p), 17);
    assert_true(fabs(p.type->batch_loss_grad(&p, x, rows, 4, NULL) - want) <= 1e-14 * want);
    gd_problem_destroy(&p);
    gd_sweep_free(&s);
}

static void test_keys_checked_and_recorded(void **unused)
{
    char path[1024];
    gd_sweep s;
    gd_error err = {0};
    test_library("good", path, sizeof path);
    assert_int_equal(load_grid(&s, path, "n = 1001", &err), -1);
    assert_non_null(strstr(err.msg, "n = 1001"));
    assert_int_equal(load_grid(&s, path, "colour = 1", &err), -1);
    assert_non_null(strstr(err.msg, "unknown key 'colour'"));
    assert_int_equal(load_grid(&s, path, "n = 2, 4\nk = -1, 1, 2", &err), 0);
    assert_int_equal(s.n_runs, 6);
    assert_true(gd_problem_is_plugin(s.problems[0].type));
    assert_string_equal(s.problems[0].type->name, "plugin:bowl");
    gd_run_desc d;
    gd_sweep_decode(&s, 5, &d); /* last: n = 4, k = 2 */
    assert_true(d.problem_params[0] == 4 && d.problem_params[1] == 2);
    gd_problem p;
    assert_int_equal(gd_sweep_setup_instance(&s, &d, &p, &err), 0);
    double x[4] = {0, 0, 0, 0}, g[4];
    assert_true(p.n == 4 && p.has_optimum && p.f_opt == 0);
    assert_true(p.type->loss_grad(&p, x, g) == 8.0 && g[3] == -2.0);
    gd_problem_destroy(&p);
    gd_sweep_free(&s);
}

/* ---- the example plugin --------------------------------------------------------------- */

typedef struct example {
    gd_plugins *set;
    const gd_problem_type *t;
    gd_problem p;
} example;

static void example_setup(example *e, const char *name, const double *pp)
{
    const char *path = getenv("GD_EXAMPLE_PLUGIN");
    gd_error err = {0};
    assert_non_null(path);
    memset(e, 0, sizeof *e);
    assert_int_equal(gd_plugins_load(&e->set, path, name, &e->t, &err), 0);
    const gd_problem_files files = {.type = e->t};
    const gd_rng_key key = {{7, 11}};
    assert_int_equal(e->t->setup(&e->p, &files, pp, key, &err), 0);
}

static void example_free(example *e)
{
    gd_problem_destroy(&e->p);
    gd_plugins_free(e->set);
}

/* |g - central difference| at points x0 + u, u uniform in [-1, 1], computed here with a
 * step of 1e-6 and a tolerance of 1e-6 relative. */
static void gradient_matches(const gd_problem *p)
{
    size_t n = p->n;
    double *x = malloc(n * sizeof *x), *g = malloc(n * sizeof *g);
    unsigned seed = 3;
    for (int k = 0; k < 5; k++) {
        for (size_t i = 0; i < n; i++)
            x[i] = p->x0[i] + 2.0 * rand_r(&seed) / RAND_MAX - 1.0;
        p->type->loss_grad(p, x, g);
        for (size_t i = 0; i < n; i++) {
            double xi = x[i], h = 1e-6;
            x[i] = xi + h;
            double up = p->type->loss(p, x);
            x[i] = xi - h;
            double down = p->type->loss(p, x);
            x[i] = xi;
            double d = (up - down) / (2 * h);
            assert_true(fabs(g[i] - d) <= 1e-6 * fmax(1.0, fabs(g[i])) +
                                              1e-9 * fmax(fabs(up), 1.0));
        }
    }
    free(x);
    free(g);
}

static void test_example_gradients(void **unused)
{
    const double rastrigin[] = {6, 10, 5.12, 1}, quadratic[] = {7, 1e4, 1}, parabola[] = {
        2, -3, 1, 4, 1}, robust[] = {5, 200, 0.1, 0.2, 0.5, 1e-3, 1};
    const char *names[] = {"rastrigin", "ill_quadratic", "parabola", "robust_regression"};
    const double *pps[] = {rastrigin, quadratic, parabola, robust};
    for (size_t k = 0; k < 4; k++) {
        example e;
        example_setup(&e, names[k], pps[k]);
        gradient_matches(&e.p);
        example_free(&e);
    }
}

/* The robust regression's minibatches: the full loss and gradient are the mean over
 * single-row batches, each less the penalty l2 |w|^2, plus the penalty once; a batch of
 * rows (a, b, a) weighs a twice. */
static void test_robust_batches(void **unused)
{
    enum { N = 4, ROWS = 50 };
    const double pp[] = {N, ROWS, 0.1, 0.2, 0.5, 0.01, 1};
    const double w[N] = {0.5, -1, 0.25, 2};
    const double w2 = 0.25 + 1 + 0.0625 + 4;
    example e;
    example_setup(&e, "robust_regression", pp);
    assert_int_equal(e.p.type->samples(&e.p), ROWS);
    double g[N], gi[N], sum = 0, gsum[N] = {0};
    double f = e.p.type->loss_grad(&e.p, w, g);
    for (size_t i = 0; i < ROWS; i++) {
        sum += e.p.type->batch_loss_grad(&e.p, w, &i, 1, gi) - 0.01 * w2;
        for (size_t j = 0; j < N; j++)
            gsum[j] += gi[j] - 0.02 * w[j];
    }
    assert_true(fabs(sum / ROWS + 0.01 * w2 - f) <= 1e-12 * f);
    for (size_t j = 0; j < N; j++)
        assert_true(fabs(gsum[j] / ROWS + 0.02 * w[j] - g[j]) <= 1e-12 * fmax(1, fabs(g[j])));
    const size_t aba[] = {7, 9, 7}, a = 7, b = 9;
    double fa = e.p.type->batch_loss_grad(&e.p, w, &a, 1, NULL);
    double fb = e.p.type->batch_loss_grad(&e.p, w, &b, 1, NULL);
    double fab = e.p.type->batch_loss_grad(&e.p, w, aba, 3, NULL);
    assert_true(fabs(fab - (2 * fa + fb) / 3) <= 1e-12 * fab);
    example_free(&e);
}

/* Rastrigin: A n + sum(x^2 - A cos(2 pi x)) is sum x_i^2 at whole-number points. */
static void test_rastrigin_closed_form(void **unused)
{
    const double pp[] = {4, 10, 5.12, 1};
    const double x[] = {0, 1, -2, 3}, zero[4] = {0};
    example e;
    example_setup(&e, "rastrigin", pp);
    assert_true(fabs(e.p.type->loss(&e.p, x) - 14.0) < 1e-12);
    assert_true(fabs(e.p.type->loss(&e.p, zero)) < 1e-12);
    assert_true(e.p.has_optimum && e.p.f_opt == 0);
    for (size_t i = 0; i < 4; i++)
        assert_true(fabs(e.p.x0[i]) <= 5.12);
    example_free(&e);
}

/* Solves a x = b (n x n, row-major, destroyed) by Gaussian elimination with pivoting. */
static void solve(double *a, double *b, size_t n)
{
    for (size_t c = 0; c < n; c++) {
        size_t piv = c;
        for (size_t r = c + 1; r < n; r++)
            piv = fabs(a[r * n + c]) > fabs(a[piv * n + c]) ? r : piv;
        for (size_t j = 0; j < n; j++) {
            double t = a[c * n + j];
            a[c * n + j] = a[piv * n + j];
            a[piv * n + j] = t;
        }
        double t = b[c];
        b[c] = b[piv];
        b[piv] = t;
        for (size_t r = c + 1; r < n; r++) {
            double m = a[r * n + c] / a[c * n + c];
            for (size_t j = c; j < n; j++)
                a[r * n + j] -= m * a[c * n + j];
            b[r] -= m * b[c];
        }
    }
    for (size_t c = n; c-- > 0;) {
        for (size_t j = c + 1; j < n; j++)
            b[c] -= a[c * n + j] * b[j];
        b[c] /= a[c * n + c];
    }
}

static void test_quadratic_optimum_closed_form(void **unused)
{
    enum { N = 6 };
    const double cond = 1e4, pp[] = {N, cond, 1};
    example e;
    example_setup(&e, "ill_quadratic", pp);
    double h[N * N], g0[N], x[N] = {0}, g[N];
    double f0 = e.p.type->loss_grad(&e.p, x, g0);
    for (size_t j = 0; j < N; j++) { /* column j of H: g(e_j) - g(0) */
        x[j] = 1;
        e.p.type->loss_grad(&e.p, x, g);
        x[j] = 0;
        for (size_t i = 0; i < N; i++)
            h[i * N + j] = g[i] - g0[i];
    }
    double tr = 0, tr2 = 0, want_tr = 0, want_tr2 = 0;
    for (size_t i = 0; i < N; i++) {
        double l = pow(cond, (double)i / (N - 1));
        want_tr += l;
        want_tr2 += l * l;
        tr += h[i * N + i];
        for (size_t j = 0; j < N; j++)
            tr2 += h[i * N + j] * h[j * N + i];
    }
    assert_true(fabs(tr - want_tr) <= 1e-9 * want_tr);
    assert_true(fabs(tr2 - want_tr2) <= 1e-9 * want_tr2);
    for (size_t i = 0; i < N; i++)
        x[i] = -g0[i];
    solve(h, x, N); /* the minimiser: H x = -g(0) */
    double f = e.p.type->loss(&e.p, x);
    assert_true(e.p.has_optimum && e.p.f_opt == 0);
    assert_true(f0 > 0 && fabs(f - e.p.f_opt) <= 1e-10 * f0);
    for (size_t i = 0; i < N; i++)
        assert_true(fabs(x[i]) <= 1.0 + 1e-9); /* x* is drawn in [-1, 1]^n */
    example_free(&e);
}

static void test_names_choose_a_problem(void **unused)
{
    const char *path = getenv("GD_EXAMPLE_PLUGIN");
    gd_plugins *set = NULL;
    const gd_problem_type *a, *b, *c;
    gd_error err = {0};
    assert_int_equal(gd_plugins_load(&set, path, NULL, &a, &err), -1);
    assert_non_null(strstr(err.msg, "holds 4 problems (rastrigin, ill_quadratic, parabola, "
                           "robust_regression)"));
    assert_int_equal(gd_plugins_load(&set, path, "nope", &a, &err), -1);
    assert_non_null(strstr(err.msg, "has no problem 'nope'"));
    assert_int_equal(gd_plugins_load(&set, path, "rastrigin", &a, &err), 0);
    assert_int_equal(gd_plugins_load(&set, path, "parabola", &b, &err), 0);
    assert_int_equal(gd_plugins_load(&set, path, "rastrigin", &c, &err), 0);
    assert_ptr_equal(a, c);
    assert_ptr_not_equal(a, b);
    const gd_problem_type *const *reg = gd_plugins_registry(set);
    size_t n = 0;
    while (reg[n])
        n++;
    assert_ptr_equal(reg[n - 2], a);
    assert_ptr_equal(reg[n - 1], b);
    assert_ptr_equal(reg[0], gd_problems[0]);
    gd_plugins_free(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_abi_mismatch_refused),
        cmocka_unit_test(test_abi_one_refused),
        cmocka_unit_test(test_half_batch_refused),
        cmocka_unit_test(test_wrong_batch_gradient_refused),
        cmocka_unit_test(test_batch_size_needs_a_sum),
        cmocka_unit_test(test_batch_loss_closed_form),
        cmocka_unit_test(test_robust_batches),
        cmocka_unit_test(test_missing_symbol_refused),
        cmocka_unit_test(test_missing_file_refused),
        cmocka_unit_test(test_wrong_gradient_refused),
        cmocka_unit_test(test_keys_checked_and_recorded),
        cmocka_unit_test(test_example_gradients),
        cmocka_unit_test(test_rastrigin_closed_form),
        cmocka_unit_test(test_quadratic_optimum_closed_form),
        cmocka_unit_test(test_names_choose_a_problem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
