/* test_denoise.c - total-variation denoising: the image, the energy and its exact gradient
 * against a plain reference implementation and central differences, PSNR, thread-count
 * invariance and reproducibility. */
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

#include "gdsweep/optimizer.h"
#include "gdsweep/step_call.h"

static const gd_problem_type *const dn = &gd_problem_denoise;

static void setup_size(gd_problem *p, double size, double lambda, uint64_t repeat)
{
    double pp[GD_MAX_PARAMS];
    fx_params(dn, pp, "size", size, "lambda", lambda, NULL);
    fx_setup(p, dn, pp, repeat);
}

static void test_image_is_the_articles(void **state)
{
    double pp[GD_MAX_PARAMS];
    gd_problem p;
    fx_params(dn, pp, "size", 9.0, NULL);
    fx_setup(&p, dn, pp, 0);
    gd_rng_key key = fx_key(dn, pp, 0);
    const gd_array *clean = fx_input(&p, "clean"), *noisy = fx_input(&p, "noisy");
    assert_int_equal(p.n, 81);
    assert_int_equal(clean->rank, 2);
    assert_true(clean->dims[0] == 9 && clean->dims[1] == 9);
    assert_true(noisy->rank == 2 && noisy->dims[0] == 9 && noisy->dims[1] == 9);
    for (size_t i = 0; i < 9; i++)
        for (size_t j = 0; j < 9; j++) {
            double x = -1 + 0.25 * (double)j, y = -1 + 0.25 * (double)i; /* linspace(-1,1,9) */
            double c = sin(5 * x) * cos(5 * y);
            size_t k = i * 9 + j;
            assert_true(fabs(clean->data[k] - c) < 1e-15);
            assert_true(noisy->data[k] == clean->data[k] + 0.5 * gd_rng_normal(key, 0, k));
            assert_true(p.x0[k] == noisy->data[k]);
        }
    assert_true(dn->cost(GD_NO_FILES, pp) == 5.5 * 81 + 50); /* ns per iteration, ~ pixels */
    gd_problem_destroy(&p);
}

/* The energy and gradient written out plainly, pixel by pixel, with explicit boundary
 * tests: px, py are full m x m arrays of the flux. */
static double reference_energy(size_t m, const double *u, const double *f, double lam,
                               double eps, double *g)
{
    double *px = calloc(m * m, sizeof *px), *py = calloc(m * m, sizeof *py), e = 0;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < m; j++) {
            size_t k = i * m + j;
            double dx = j + 1 < m ? u[k + 1] - u[k] : 0;
            double dy = i + 1 < m ? u[k + m] - u[k] : 0;
            double s = sqrt(dx * dx + dy * dy + eps * eps);
            px[k] = dx / s;
            py[k] = dy / s;
            e += (u[k] - f[k]) * (u[k] - f[k]) + lam * s;
        }
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < m; j++) {
            size_t k = i * m + j;
            double left = j > 0 ? px[k - 1] : 0, up = i > 0 ? py[k - m] : 0;
            g[k] = 2 * (u[k] - f[k]) + lam * (left - px[k] + up - py[k]);
        }
    free(px);
    free(py);
    return e;
}

static void random_image(double *u, size_t n, uint64_t seed)
{
    gd_rng_key key = gd_rng_key_make(seed, "image", NULL, 0, 0);
    for (size_t k = 0; k < n; k++)
        u[k] = gd_rng_normal(key, 0, k);
}

static void test_matches_reference_across_blocks(void **state)
{
    gd_problem p;
    const size_t m = 70; /* several row blocks, the last one partial */
    setup_size(&p, (double)m, 0.7, 0);
    double *u = malloc(m * m * sizeof *u), *g = malloc(m * m * sizeof *g);
    double *gr = malloc(m * m * sizeof *gr);
    random_image(u, m * m, 1);
    double e = dn->loss_grad(&p, u, g);
    double er = reference_energy(m, u, fx_input(&p, "noisy")->data, 0.7, 0.1, gr);
    assert_true(fabs(e - er) < 1e-12 * er);
    assert_true(e == dn->loss(&p, u));
    assert_true(fx_rel_diff(g, gr, m * m, 1.0) < 1e-13);
    free(u);
    free(g);
    free(gr);
    gd_problem_destroy(&p);
}

static void test_gradient_matches_central_differences(void **state)
{
    gd_problem p;
    const size_t m = 34; /* a block boundary at row 32 */
    setup_size(&p, (double)m, 1.0, 0);
    double *u = malloc(m * m * sizeof *u), *g = malloc(m * m * sizeof *g);
    double *gn = malloc(m * m * sizeof *gn), *work = malloc(m * m * sizeof *work);
    random_image(u, m * m, 2);
    double e = dn->loss_grad(&p, u, g);
    assert_true(gd_numeric_loss_grad(&p, u, 1e-7, gn, work) == e);
    assert_true(fx_rel_diff(gn, g, m * m, 1.0) < 1e-6);
    free(u);
    free(g);
    free(gn);
    free(work);
    gd_problem_destroy(&p);
}

static double psnr_by_hand(const gd_problem *p, const double *u)
{
    const double *c = fx_input(p, "clean")->data;
    double lo = c[0], hi = c[0], se = 0;
    for (size_t k = 0; k < p->n; k++) {
        lo = fmin(lo, c[k]);
        hi = fmax(hi, c[k]);
        se += (u[k] - c[k]) * (u[k] - c[k]);
    }
    return 10 * log10((hi - lo) * (hi - lo) / (se / (double)p->n));
}

static void test_gradient_descent_raises_psnr(void **state)
{
    gd_problem p;
    setup_size(&p, 100, 1.0, 0);
    assert_string_equal(dn->metric_name, "psnr");
    size_t n = p.n;
    double *u = malloc(n * sizeof *u), *g = malloc(n * sizeof *g);
    memcpy(u, p.x0, n * sizeof *u);
    double noisy_psnr = dn->metric(&p, u);
    assert_true(fabs(noisy_psnr - psnr_by_hand(&p, u)) < 1e-9);
    double e0 = dn->loss(&p, u), e = e0;
    for (int it = 0; it < 10; it++) {
        e = dn->loss_grad(&p, u, g);
        for (size_t k = 0; k < n; k++)
            u[k] -= 0.1 * g[k];
    }
    double psnr = dn->metric(&p, u);
    assert_true(fabs(psnr - psnr_by_hand(&p, u)) < 1e-9);
    assert_true(psnr > noisy_psnr + 1);
    assert_true(e < e0);
    assert_true(isinf(dn->metric(&p, fx_input(&p, "clean")->data)));
    free(u);
    free(g);
    gd_problem_destroy(&p);
}

typedef struct eval {
    gd_problem p;
    double *u, *g, e, psnr;
} eval;

static void eval_with_threads(eval *r, size_t m, int threads)
{
    omp_set_num_threads(threads);
    setup_size(&r->p, (double)m, 1.0, 0);
    r->u = malloc(m * m * sizeof *r->u);
    r->g = malloc(m * m * sizeof *r->g);
    random_image(r->u, m * m, 3);
    r->e = dn->loss_grad(&r->p, r->u, r->g);
    r->psnr = dn->metric(&r->p, r->u);
}

static void free_eval(eval *r)
{
    free(r->u);
    free(r->g);
    gd_problem_destroy(&r->p);
}

static void test_bit_identical_for_any_thread_count(void **state)
{
    const size_t m = 300; /* large enough for a thread team */
    eval a, b;
    eval_with_threads(&a, m, 1);
    eval_with_threads(&b, m, 2);
    omp_set_num_threads(2);
    assert_memory_equal(fx_input(&a.p, "noisy")->data, fx_input(&b.p, "noisy")->data,
                        m * m * sizeof(double));
    assert_memory_equal(&a.e, &b.e, sizeof a.e);
    assert_memory_equal(&a.psnr, &b.psnr, sizeof a.psnr);
    assert_memory_equal(a.g, b.g, m * m * sizeof(double));
    free_eval(&a);
    free_eval(&b);
}

static void test_same_key_same_data_other_repeat_differs(void **state)
{
    gd_problem a, b, c;
    setup_size(&a, 20, 0.1, 0);
    setup_size(&b, 20, 0.1, 0);
    setup_size(&c, 20, 0.1, 5);
    assert_memory_equal(a.x0, b.x0, 400 * sizeof(double));
    size_t same = 0;
    for (size_t k = 0; k < 400; k++)
        same += a.x0[k] == c.x0[k];
    assert_int_equal(same, 0);
    assert_memory_equal(fx_input(&a, "clean")->data, fx_input(&c, "clean")->data,
                        400 * sizeof(double));
    gd_problem_destroy(&a);
    gd_problem_destroy(&b);
    gd_problem_destroy(&c);
}

/* Three steps of `opt` from the noisy image, fused (step_loss_grad) or plainly (the whole
 * step, then loss_grad); returns the last loss, the gradient's squared norm in *sq. */
static double three_steps(const gd_problem *p, const gd_optimizer_type *opt, int fused,
                          double *u, double *g, double *st, double *sq)
{
    double hp[GD_MAX_PARAMS];
    gd_param_defaults(opt->params, hp);
    memcpy(u, p->x0, p->n * sizeof *u);
    memset(st, 0, 3 * p->n * sizeof *st);
    double f = fused ? dn->step_loss_grad(p, NULL, u, g, sq) : dn->loss_grad(p, u, g);
    gd_step_consts consts = {0};
    for (long t = 1; t <= 3; t++) {
        gd_optimizer_prepare(opt, hp, t, &consts);
        gd_step_call call = {opt, hp, 0.05 / (double)t, t, p->n, st, &consts};
        if (fused) {
            f = dn->step_loss_grad(p, &call, u, g, sq);
            continue;
        }
        gd_step_apply(&call, u, g, 0, p->n);
        f = dn->loss_grad(p, u, g);
        *sq = 0;
        for (size_t k = 0; k < p->n; k++)
            *sq += g[k] * g[k];
    }
    return f;
}

/* The fused pass gives the very bits of stepping then evaluating, for image sizes that
 * cut row blocks every way (one row, a partial last block, a thread team), optimizers
 * with and without state, and one or two threads; its norm differs only by rounding. */
static void test_fused_step_is_step_then_evaluate(void **state)
{
    const size_t sizes[] = {2, 3, 33, 65, 300};
    const gd_optimizer_type *opts[] = {&gd_optimizer_gd, &gd_optimizer_adam};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        gd_problem p;
        setup_size(&p, (double)sizes[i], 1.0, 0);
        size_t n = p.n;
        double *u[2], *g[2], *st = malloc(3 * n * sizeof *st), sq[2], f[2];
        for (int k = 0; k < 2; k++)
            u[k] = malloc(n * sizeof(double)), g[k] = malloc(n * sizeof(double));
        for (size_t o = 0; o < 2; o++) {
            f[0] = three_steps(&p, opts[o], 0, u[0], g[0], st, &sq[0]);
            double sq_one_thread = NAN;
            for (int threads = 1; threads <= 2; threads++) {
                omp_set_num_threads(threads);
                f[1] = three_steps(&p, opts[o], 1, u[1], g[1], st, &sq[1]);
                assert_memory_equal(&f[0], &f[1], sizeof f[0]);
                assert_memory_equal(u[0], u[1], n * sizeof(double));
                assert_memory_equal(g[0], g[1], n * sizeof(double));
                assert_true(fabs(sq[1] - sq[0]) <= 1e-13 * sq[0]);
                if (threads == 1)
                    sq_one_thread = sq[1];
                assert_memory_equal(&sq_one_thread, &sq[1], sizeof sq[1]);
            }
        }
        for (int k = 0; k < 2; k++)
            free(u[k]), free(g[k]);
        free(st);
        gd_problem_destroy(&p);
    }
    omp_set_num_threads(2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_image_is_the_articles),
        cmocka_unit_test(test_matches_reference_across_blocks),
        cmocka_unit_test(test_gradient_matches_central_differences),
        cmocka_unit_test(test_gradient_descent_raises_psnr),
        cmocka_unit_test(test_bit_identical_for_any_thread_count),
        cmocka_unit_test(test_same_key_same_data_other_repeat_differs),
        cmocka_unit_test(test_fused_step_is_step_then_evaluate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
