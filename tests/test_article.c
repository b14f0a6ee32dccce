/* test_article.c - experiments/seed.ini reproduces the seed article's numbers.
 *
 * The expected final x of each quadratic example is what the article's own Python code
 * prints (tests/reference/article_quadratic.py, run with /usr/bin/python3 and pasted here
 * with 17 digits). gdsweep follows the same floating-point operations except one: Python's
 * x**2 calls libm pow(), which is not always the correctly rounded x*x gdsweep uses; the
 * central difference (epsilon 1e-7) magnifies that last-bit difference to ~1e-9 in x after
 * 100 momentum steps. So the bar is 1e-8 relative, still far inside the (GD ends
 * within 1e-6 of -2.5); most runs match to the last bit. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gdsweep/batch.h"
#include "gdsweep/grid.h"
#include "gdsweep/worker.h"

typedef struct expected_run {
    const char *problem, *optimizer;
    double x;
} expected_run;

static const expected_run article[] = {
    {"quad", "gd", -2.4999999961633534},
    {"quad_path", "gd", -2.4998929537883896},
    {"quad", "adaptive", -2.5000000012693748},
    {"quad", "momentum", -2.5213855813287633},
    {"quad", "nag", -2.5000002297158455},
    {"quad", "adagrad", -1.4109185305068039},
    {"quad", "rmsprop", 3.9204370126472603},
    {"quad", "adam", 4.0234895783319944},
};

typedef struct fixture {
    gd_sweep sweep;
    gd_batch batch;
} fixture;

static int load_seed(void **state)
{
    static fixture fx;
    char path[GD_PATH_MAX];
    const char *src = getenv("GD_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/experiments/seed.ini", src ? src : ".");
    gd_error err = {0};
    memset(&fx, 0, sizeof fx);
    if (gd_sweep_load(&fx.sweep, path, 0, &err) != 0) {
        fprintf(stderr, "%s (run through ctest, or set GD_SOURCE_DIR)\n", err.msg);
        return -1;
    }
    gd_worker w;
    gd_worker_init(&w, &fx.sweep, 0);
    for (uint64_t id = 0; id < fx.sweep.n_runs; id++)
        if (gd_worker_run(&w, id, &fx.batch, &err) != 0)
            return -1;
    gd_worker_free(&w);
    *state = &fx;
    return 0;
}

static int free_seed(void **state)
{
    fixture *fx = *state;
    if (!fx) /* load_seed failed (it said why) */
        return 0;
    gd_batch_free(&fx->batch);
    gd_sweep_free(&fx->sweep);
    return 0;
}

/* Index in the batch of the run of (problem, optimizer) labels; fails if not exactly one. */
static size_t find_run(const fixture *fx, const char *problem, const char *optimizer)
{
    size_t found = 0, at = 0;
    for (size_t i = 0; i < fx->batch.count; i++) {
        const gd_run_desc *d = &fx->batch.desc[i];
        if (!strcmp(fx->sweep.problems[d->problem].label, problem) &&
            !strcmp(fx->sweep.optimizers[d->optimizer].label, optimizer)) {
            found++;
            at = i;
        }
    }
    assert_int_equal(found, 1);
    return at;
}

static void test_quadratic_examples_match_article(void **state)
{
    fixture *fx = *state;
    for (size_t k = 0; k < sizeof article / sizeof article[0]; k++) {
        size_t i = find_run(fx, article[k].problem, article[k].optimizer);
        double x = fx->batch.final[fx->batch.final_start[i]];
        if (fabs(x - article[k].x) > 1e-8 * fmax(1.0, fabs(article[k].x)))
            fail_msg("%s/%s: x = %.17g, article %.17g", article[k].problem,
                     article[k].optimizer, x, article[k].x);
    }
}

static void test_gd_reaches_minimum(void **state)
{
    fixture *fx = *state;
    size_t i = find_run(fx, "quad", "gd");
    assert_true(fabs(fx->batch.final[fx->batch.final_start[i]] + 2.5) < 1e-6);
    assert_int_equal(fx->batch.result[i].iterations, 100);
    assert_true(fabs(fx->batch.result[i].gap) < 1e-12);
}

static void test_denoise_and_curvefit(void **state)
{
    fixture *fx = *state;
    size_t i = find_run(fx, "denoise", "denoise_gd");
    assert_int_equal(fx->batch.final_count[i], 100 * 100);
    assert_true(fx->batch.result[i].loss_final < fx->batch.result[i].loss_initial);
    assert_true(isfinite(fx->batch.result[i].metric));
    i = find_run(fx, "curvefit", "fit_gd");
    assert_int_equal(fx->batch.result[i].iterations, 1000);
    assert_true(fx->batch.result[i].gap > 0);
    assert_true(fx->batch.result[i].loss_final < fx->batch.result[i].loss_initial);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quadratic_examples_match_article),
        cmocka_unit_test(test_gd_reaches_minimum),
        cmocka_unit_test(test_denoise_and_curvefit),
    };
    return cmocka_run_group_tests(tests, load_seed, free_seed);
}
