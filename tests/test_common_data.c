/* test_common_data.c - common random numbers: model parameters never change an instance's data.
 *
 * A sweep over denoise's lambda must judge every lambda on the same noisy image, and a
 * sweep over curvefit's degree must fit every degree to the same points; a data parameter
 * (noise) must still draw other data. Runs go through the worker, as in a sweep, and the
 * instance inputs the batch carries (what the file stores) are compared. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "gdsweep/batch.h"
#include "gdsweep/grid.h"
#include "gdsweep/worker.h"
#include "test_run_grid.h"

/* Input `name` of the batch's instance i: its values, *count of them. */
static const double *input(const gd_batch *b, size_t i, const char *name, size_t *count)
{
    const gd_batch_instance *inst = &b->instances[i];
    *count = 0;
    for (size_t k = 0; k < inst->n_inputs; k++)
        if (strcmp(inst->inputs[k].name, name) == 0) {
            *count = inst->inputs[k].count;
            return gd_batch_input_values(b, i, k);
        }
    fail_msg("instance %zu has no input %s", i, name);
    return NULL;
}

static int same_values(const double *a, const double *b, size_t n)
{
    return memcmp(a, b, n * sizeof *a) == 0;
}

/* Whether input `name` of instances i and j holds the same bits (over the first
 * min(count) values when only_prefix). */
static int same_input(const gd_batch *b, size_t i, size_t j, const char *name, int only_prefix)
{
    size_t ni, nj;
    const double *vi = input(b, i, name, &ni), *vj = input(b, j, name, &nj);
    if (ni != nj && !only_prefix)
        return 0;
    return same_values(vi, vj, ni < nj ? ni : nj);
}

/* Instances in grid order: noise slowest, then lambda (problem keys, first slowest). */
static void test_lambda_sweep_meets_one_image(void **state)
{
    gd_sweep s;
    gd_batch b;
    run_grid("[sweep]\nname = c\niterations = 2\n[problem d]\ntype = denoise\nsize = 12\n"
             "noise = 0.3, 0.5\nlambda = 0.1, 1\ntv_eps = 0.1, 0.01\n[optimizer gd]\n",
             &s, &b);
    assert_int_equal(b.n_instances, 8);
    for (size_t i = 1; i < 4; i++) { /* noise 0.3: every lambda and tv_eps, one image */
        assert_true(same_input(&b, 0, i, "noisy", 0));
        assert_true(same_input(&b, 4, 4 + i, "noisy", 0));
    }
    assert_false(same_input(&b, 0, 4, "noisy", 0)); /* noise is data: another draw */
    assert_true(same_input(&b, 0, 4, "clean", 0));
    assert_true(b.result[0].loss_initial != b.result[2].loss_initial); /* other objectives */
    free_grid_run(&s, &b);
}

/* Degrees 1..3 fit the same x and y; their random starts are one stream's first values. */
static void test_degree_sweep_meets_one_sample(void **state)
{
    gd_sweep s;
    gd_batch b;
    run_grid("[sweep]\nname = c\niterations = 2\nrepeats = 2\n[problem f]\ntype = curvefit\n"
             "degree = 1, 2, 3\npoints = 30\n[optimizer gd]\nlr = 1e-4\n", &s, &b);
    assert_int_equal(b.n_instances, 6); /* degree slowest, then repeat */
    for (size_t i = 2; i < 6; i++) {
        size_t same_repeat = i % 2;
        assert_true(same_input(&b, same_repeat, i, "x", 0));
        assert_true(same_input(&b, same_repeat, i, "y", 0));
        assert_true(same_input(&b, same_repeat, i, "x0", 1));
        assert_false(same_input(&b, 1 - same_repeat, i, "y", 0)); /* repeats differ */
    }
    free_grid_run(&s, &b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lambda_sweep_meets_one_image),
        cmocka_unit_test(test_degree_sweep_meets_one_sample),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
