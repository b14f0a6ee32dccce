/* test_minibatch.c - minibatch evaluation (problem.h) and the batch sequence (minibatch.h).
 *
 * - Every type with batch_loss_grad: its gradient against central differences of its own
 *   minibatch loss (rows with repeats), relative 1e-6; the minibatch of every row in order
 *   is the full-batch loss_grad bit for bit (which test_ml_problems and test_curvefit check
 *   against numpy); a batch of 3000 rows gives the same bits on 1 and 2 threads.
 * - Shuffle: each epoch's batches hold every sample exactly once (N = 37, m = 8: the last
 *   batch of an epoch has 5); the epochs' orders differ. Replacement: indices in [0, N).
 * - The rows of iteration t do not depend on what was drawn before (t in reverse order,
 *   a fresh sampler each time) nor on the key's use elsewhere; another key, other rows.
 * - gd_rng_below stays below n. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>
#include <omp.h>

#include "gdsweep/grid.h"
#include "gdsweep/minibatch.h"
#include "problem_fixture.h"

#define BIG_BATCH 3000

static void fixture_rows(size_t n, size_t *rows, size_t m)
{
    for (size_t q = 0; q < m; q++)
        rows[q] = (q * 7 + q / 3) % n;
}

/* Central differences of the minibatch loss at x, into g. */
static void batch_numeric(const gd_problem *p, double *x, const size_t *rows, size_t m,
                          double *g)
{
    const double eps = 1e-6;
    for (size_t i = 0; i < p->n; i++) {
        double xi = x[i];
        x[i] = xi + eps;
        double up = p->type->batch_loss_grad(p, x, rows, m, NULL);
        x[i] = xi - eps;
        double down = p->type->batch_loss_grad(p, x, rows, m, NULL);
        x[i] = xi;
        g[i] = (up - down) / (2 * eps);
    }
}

static void setup_type(gd_problem *p, const gd_problem_type *t)
{
    double pp[GD_MAX_PARAMS];
    fx_params(t, pp, NULL);
    fx_setup(p, t, pp, 0);
}

/* Calls check on the walk instance of every type with minibatches (then destroys it). */
static void each_batch_type(void (*check)(gd_problem *p))
{
    for (size_t k = 0; gd_problems[k]; k++) {
        if (!gd_problems[k]->batch_loss_grad)
            continue;
        gd_problem p;
        setup_type(&p, gd_problems[k]);
        check(&p);
        gd_problem_destroy(&p);
    }
}

static void central_differences(gd_problem *p)
{
    const gd_problem_type *t = p->type;
    size_t rows[12];
    fixture_rows(t->samples(p), rows, 12);
    rows[11] = rows[3]; /* a repeat */
    double *x = calloc(p->n, sizeof *x), *g = calloc(p->n, sizeof *g),
           *num = calloc(p->n, sizeof *num);
    for (size_t i = 0; i < p->n; i++)
        x[i] = 0.1 * (double)(i % 5) - 0.2;
    double f = t->batch_loss_grad(p, x, rows, 12, g);
    assert_true(f == t->batch_loss_grad(p, x, rows, 12, NULL));
    batch_numeric(p, x, rows, 12, num);
    if (fx_rel_diff(g, num, p->n, 1.0) > 1e-6)
        fail_msg("%s: minibatch gradient differs from central differences by %g", t->name,
                 fx_rel_diff(g, num, p->n, 1.0));
    free(x);
    free(g);
    free(num);
}

static void test_batch_gradient_central_differences(void **state)
{
    each_batch_type(central_differences);
}

static void every_row_in_order(gd_problem *p)
{
    const gd_problem_type *t = p->type;
    size_t n_rows = t->samples(p);
    size_t *rows = malloc(n_rows * sizeof *rows);
    double *g = calloc(p->n, sizeof *g), *full = calloc(p->n, sizeof *full);
    for (size_t q = 0; q < n_rows; q++)
        rows[q] = q;
    double fb = t->batch_loss_grad(p, p->x0, rows, n_rows, g);
    double ff = t->loss_grad(p, p->x0, full);
    assert_true(fb == ff);
    assert_memory_equal(g, full, p->n * sizeof *g);
    free(rows);
    free(g);
    free(full);
}

static void test_every_row_in_order_is_the_full_batch(void **state)
{
    each_batch_type(every_row_in_order);
}

static void big_batch_threads(gd_problem *p)
{
    const gd_problem_type *t = p->type;
    size_t rows[BIG_BATCH];
    fixture_rows(t->samples(p), rows, BIG_BATCH);
    double *g1 = calloc(p->n, sizeof *g1), *g2 = calloc(p->n, sizeof *g2);
    omp_set_num_threads(1);
    double f1 = t->batch_loss_grad(p, p->x0, rows, BIG_BATCH, g1);
    omp_set_num_threads(2);
    double f2 = t->batch_loss_grad(p, p->x0, rows, BIG_BATCH, g2);
    assert_true(f1 == f2);
    assert_memory_equal(g1, g2, p->n * sizeof *g1);
    free(g1);
    free(g2);
}

static void test_big_batch_same_on_any_threads(void **state)
{
    each_batch_type(big_batch_threads);
}

#define N_SAMPLES 37
#define BATCH 8
#define EPOCHS 4

static void test_shuffle_visits_every_sample_once_per_epoch(void **state)
{
    size_t scratch[N_SAMPLES + BATCH], first[EPOCHS][N_SAMPLES];
    gd_sampler s;
    gd_sampler_init(&s, gd_rng_key_make(1, "shuffle", NULL, 0, 0), N_SAMPLES, BATCH,
                    GD_SAMPLING_SHUFFLE, scratch);
    uint64_t per = gd_sampler_per_epoch(&s);
    assert_int_equal(per, 5);
    for (uint64_t e = 0; e < EPOCHS; e++) {
        int seen[N_SAMPLES] = {0};
        size_t at = 0;
        for (uint64_t k = 0; k < per; k++) {
            size_t m = gd_sampler_rows(&s, e * per + k);
            assert_int_equal(m, k + 1 < per ? BATCH : N_SAMPLES - 4 * BATCH);
            for (size_t q = 0; q < m; q++) {
                assert_true(s.rows[q] < N_SAMPLES);
                seen[s.rows[q]]++;
                first[e][at++] = s.rows[q];
            }
        }
        assert_int_equal(at, N_SAMPLES);
        for (size_t i = 0; i < N_SAMPLES; i++)
            assert_int_equal(seen[i], 1);
    }
    for (uint64_t e = 1; e < EPOCHS; e++)
        assert_true(memcmp(first[0], first[e], sizeof first[0]) != 0);
}

/* The rows of iteration t with a fresh sampler (nothing drawn before), into out. */
static size_t fresh_rows(gd_rng_key key, int sampling, uint64_t t, size_t *out)
{
    size_t scratch[N_SAMPLES + BATCH];
    gd_sampler s;
    gd_sampler_init(&s, key, N_SAMPLES, BATCH, sampling, scratch);
    size_t m = gd_sampler_rows(&s, t);
    memcpy(out, s.rows, m * sizeof *out);
    return m;
}

static void test_rows_depend_on_key_and_t_only(void **state)
{
    gd_rng_key key = gd_rng_key_make(5, "pure", NULL, 0, 2);
    gd_rng_key other = gd_rng_key_make(5, "pure", NULL, 0, 3);
    for (int sampling = 0; sampling < 2; sampling++) {
        size_t scratch[N_SAMPLES + BATCH], seq[30][BATCH], ms[30];
        gd_sampler s;
        gd_sampler_init(&s, key, N_SAMPLES, BATCH, sampling, scratch);
        for (uint64_t t = 0; t < 30; t++) {
            ms[t] = gd_sampler_rows(&s, t);
            memcpy(seq[t], s.rows, ms[t] * sizeof *s.rows);
        }
        int differs = 0;
        for (uint64_t t = 30; t-- > 0;) {
            size_t rows[BATCH];
            assert_int_equal(fresh_rows(key, sampling, t, rows), ms[t]);
            assert_memory_equal(rows, seq[t], ms[t] * sizeof *rows);
            size_t m = fresh_rows(other, sampling, t, rows);
            differs |= m != ms[t] || memcmp(rows, seq[t], m * sizeof *rows) != 0;
        }
        assert_true(differs);
    }
}

/* Gradient noise over 100,000 components (threaded): the same bits on 1 and 2 threads,
 * and component i of iteration t is the normal of counter t n + i (minibatch.h). */
static void test_grad_noise_same_on_any_threads(void **state)
{
    enum { N = 100000 };
    gd_rng_key key = gd_rng_key_make(3, "noise", NULL, 0, 0);
    double *a = calloc(N, sizeof *a), *b = calloc(N, sizeof *b);
    omp_set_num_threads(1);
    gd_grad_noise_add(key, 7, 0.5, a, N);
    omp_set_num_threads(2);
    gd_grad_noise_add(key, 7, 0.5, b, N);
    assert_memory_equal(a, b, N * sizeof *a);
    assert_true(a[12] == 0.5 * gd_rng_normal(key, GD_STREAM_GRAD_NOISE, 7 * (uint64_t)N + 12));
    free(a);
    free(b);
}

static void test_below_stays_below(void **state)
{
    gd_rng_key key = gd_rng_key_make(9, "below", NULL, 0, 0);
    for (uint64_t i = 0; i < 10000; i++) {
        size_t n = 1 + (size_t)(i % 17);
        assert_true(gd_rng_below(key, 1, i, n) < n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_gradient_central_differences),
        cmocka_unit_test(test_every_row_in_order_is_the_full_batch),
        cmocka_unit_test(test_big_batch_same_on_any_threads),
        cmocka_unit_test(test_shuffle_visits_every_sample_once_per_epoch),
        cmocka_unit_test(test_rows_depend_on_key_and_t_only),
        cmocka_unit_test(test_grad_noise_same_on_any_threads),
        cmocka_unit_test(test_below_stays_below),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
