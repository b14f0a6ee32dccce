/* test_norm.c - the gradient norm (norm.c) against sums computed here another way, bit for bit.
 *
 * The run loop records and tests gd_blocked_norm; its short-vector path (a tiny run's n = 1
 * or 2) keeps the four lanes in scalars. The reference below keeps them in an array and adds
 * every value to its lane i % 4 in index order, then (lane0 + lane1) + (lane2 + lane3), as
 * norm.h defines; blocks are summed in block order. */
#include <math.h>
#include <omp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gdsweep/norm.h"
#include "gdsweep/run.h"

static double lanes_reference(const double *v, size_t n)
{
    double lane[4] = {0.0, 0.0, 0.0, 0.0};
    for (size_t i = 0; i < n; i++)
        lane[i % 4] = lane[i % 4] + v[i] * v[i];
    return (lane[0] + lane[1]) + (lane[2] + lane[3]);
}

/* Values of very different sizes, so that the order of the additions shows in the bits. */
static double value(size_t i)
{
    static const double scale[] = {1.0, 1e-9, 3e8, 0.1, 7.0, 1e-300, 2.5e150};
    return sin(1.7 * (double)i + 0.3) * scale[i % 7];
}

static void assert_same_bits(double a, double b, size_t n)
{
    if (memcmp(&a, &b, sizeof a) != 0)
        fail_msg("n = %zu: %.17g differs from the reference %.17g", n, a, b);
}

static void test_short_and_medium_vectors_match_the_lanes(void **unused)
{
    double v[67];
    for (size_t i = 0; i < 67; i++)
        v[i] = value(i);
    for (size_t n = 0; n <= 67; n++)
        for (size_t start = 0; start + n <= 67 && start < 4; start++)
            assert_same_bits(gd_sum_squares(v + start, n), lanes_reference(v + start, n), n);
}

/* Closed forms of the tiny cases: v^2 for one value, v0^2 + v1^2 for two. */
static void test_one_and_two_values(void **unused)
{
    const double xs[] = {0.0, -0.0, 1e-200, 3.0, -7.25, 1e200, INFINITY, 0.1};
    for (size_t i = 0; i < sizeof xs / sizeof *xs; i++) {
        assert_same_bits(gd_sum_squares(&xs[i], 1), xs[i] * xs[i], 1);
        double two[2] = {xs[i], xs[(i + 3) % 8]};
        assert_same_bits(gd_sum_squares(two, 2), two[0] * two[0] + two[1] * two[1], 2);
        assert_same_bits(gd_blocked_norm(&xs[i], 1, NULL), sqrt(xs[i] * xs[i]), 1);
    }
    double nan = NAN;
    assert_true(isnan(gd_sum_squares(&nan, 1)));
}

/* A vector long enough to be split in blocks: the blocks' lane sums added in block order,
 * the same on 1 and 2 threads. */
static void test_blocked_vectors_match_block_order_sums(void **unused)
{
    size_t n = GD_PARALLEL_MIN + 3 * GD_BLOCK / 2 + 5;
    size_t blocks = (n + GD_BLOCK - 1) / GD_BLOCK;
    double *v = malloc(n * sizeof *v), *partial = malloc(blocks * sizeof *partial);
    assert_non_null(v);
    assert_non_null(partial);
    for (size_t i = 0; i < n; i++)
        v[i] = value(i);
    double s = 0.0;
    for (size_t b = 0; b < blocks; b++) {
        size_t len = n - b * GD_BLOCK < GD_BLOCK ? n - b * GD_BLOCK : GD_BLOCK;
        s += lanes_reference(v + b * GD_BLOCK, len);
    }
    for (int threads = 1; threads <= 2; threads++) {
        omp_set_num_threads(threads);
        assert_same_bits(gd_blocked_norm(v, n, partial), sqrt(s), n);
    }
    free(v);
    free(partial);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_and_medium_vectors_match_the_lanes),
        cmocka_unit_test(test_one_and_two_values),
        cmocka_unit_test(test_blocked_vectors_match_block_order_sums),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
