/* test_stats.c - Wilcoxon signed-rank, Holm, quantiles and the seeded bootstrap (stats.h).
 *
 * The expected statistics, p-values and percentiles are scipy's and numpy's, printed by
 * tests/reference/stats_reference.py (scipy 1.10.1, numpy 1.24.2); the cases here are the
 * same, in the same order. Holm is checked against a hand computation. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gdsweep/stats.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

typedef struct expected {
    double statistic, pvalue;
    int exact;
} expected;

static void check_case(const double *d, size_t n, expected e)
{
    gd_wilcoxon w;
    assert_int_equal(gd_stats_wilcoxon(d, n, &w), 0);
    assert_int_equal(w.exact, e.exact);
    assert_true(w.statistic == e.statistic);
    assert_true(fabs(w.pvalue - e.pvalue) <= 1e-12 * e.pvalue);
}

static void test_wilcoxon_exact(void **state)
{
    (void)state;
    static const double corn[] = {6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75};
    static const double positive[] = {0.5, 1.25, 2.0, 3.5, 0.75, 4.0, 9.0};
    static const double centre[] = {1, -2, -3, 4, 5, -6, -7, 8};
    check_case(corn, N_OF(corn), (expected){24.0, 0.041259765625, 1});
    check_case(positive, N_OF(positive), (expected){0.0, 0.015625, 1});
    check_case(centre, N_OF(centre), (expected){18.0, 1.0, 1});
}

static void test_wilcoxon_approx(void **state)
{
    (void)state;
    static const double ties_zeros[] = {1.5, -0.5, 0, 2, 2, -3, 0, 4.5, 1.5, 2, -1, 5};
    static const double ties_small[] = {1, 1, -1, 2, 3, 3, 4};
    static const double infinite[] = {INFINITY, INFINITY, -INFINITY, 1.0, 2.0, -0.5, 0.0, 3.0};
    double large[60];
    for (size_t i = 0; i < N_OF(large); i++)
        large[i] = sin(1.7 * (double)i) * (double)(i + 1);
    check_case(ties_zeros, N_OF(ties_zeros), (expected){17.0, 0.10576798469395761, 0});
    check_case(ties_small, N_OF(ties_small), (expected){2.0, 0.04068490878074474, 0});
    check_case(large, N_OF(large), (expected){901.0, 0.920834724817299, 0});
    check_case(infinite, N_OF(infinite), (expected){9.0, 0.23049390578587947, 0});
}

static void test_wilcoxon_degenerate(void **state)
{
    (void)state;
    static const double zeros[] = {0, 0, 0};
    gd_wilcoxon w;
    assert_int_equal(gd_stats_wilcoxon(zeros, N_OF(zeros), &w), 0);
    assert_true(w.pvalue == 1.0);
    assert_int_equal(w.zeros, 3);
    assert_int_equal(gd_stats_wilcoxon(zeros, 0, &w), 0);
    assert_true(w.pvalue == 1.0);
}

/* Hand computation: sorted 0.005 (x4 = 0.02), 0.01 (x3 = 0.03), 0.03 (x2 = 0.06),
 * 0.04 (x1 = 0.04, raised to the running maximum 0.06). Second: 0.1 x 5 = 0.5, 0.2 x 4
 * = 0.8 (the tie at 0.2 by index), then 0.6, 0.6, 0.6 all raised to 0.8. Third: 0.6 x 2
 * = 1.2 capped at 1, 0.7 raised to 1. */
static void test_holm(void **state)
{
    (void)state;
    static const double p[] = {0.01, 0.04, 0.03, 0.005};
    static const double want[] = {0.03, 0.06, 0.06, 0.02};
    double adj[4];
    assert_int_equal(gd_stats_holm(p, 4, adj), 0);
    for (size_t i = 0; i < 4; i++)
        assert_true(fabs(adj[i] - want[i]) < 1e-15);
    static const double q[] = {0.6, 0.2, 0.2, 0.1, 0.3};
    static const double want_q[] = {0.8, 0.8, 0.8, 0.5, 0.8};
    double adj_q[5];
    assert_int_equal(gd_stats_holm(q, 5, adj_q), 0);
    for (size_t i = 0; i < 5; i++)
        assert_true(fabs(adj_q[i] - want_q[i]) < 1e-15);
    static const double r[] = {0.6, 0.7};
    double adj_r[2];
    assert_int_equal(gd_stats_holm(r, 2, adj_r), 0);
    assert_true(adj_r[0] == 1.0 && adj_r[1] == 1.0);
}

static void test_median_and_quantiles(void **state)
{
    (void)state;
    double v[] = {3.0, -1.0, 7.5, 2.25, 0.0, 11.0, 4.0, 4.0, -6.0, 1.0};
    assert_true(gd_stats_median(v, N_OF(v)) == 2.625);
    static const double q[] = {0.025, 0.25, 0.5, 0.975};
    static const double numpy[] = {-4.875, 0.25, 2.625, 10.212500000000002};
    for (size_t i = 0; i < N_OF(q); i++)
        assert_true(fabs(gd_stats_quantile_sorted(v, N_OF(v), q[i]) - numpy[i]) < 1e-12);
    double odd[] = {5, INFINITY, 1};
    assert_true(gd_stats_median(odd, 3) == 5);
}

/* Same key: the same interval, bit for bit; another key: other resamples; the interval
 * lies between the sample's extremes and holds its median for this spread sample. */
static void test_bootstrap_reproducible(void **state)
{
    (void)state;
    static const double v[] = {0.31, 0.12, 0.55, 0.48, 0.27, 0.9, 0.05};
    double lo1, hi1, lo2, hi2, lo3, hi3;
    assert_int_equal(gd_stats_bootstrap_median(v, 7, 2000, 0.95, gd_stats_key(42), &lo1, &hi1),
                     0);
    assert_int_equal(gd_stats_bootstrap_median(v, 7, 2000, 0.95, gd_stats_key(42), &lo2, &hi2),
                     0);
    assert_true(lo1 == lo2 && hi1 == hi2);
    assert_true(lo1 >= 0.05 && hi1 <= 0.9 && lo1 <= 0.31 && hi1 >= 0.31 && lo1 < hi1);
    int differs = 0;
    for (unsigned long long k = 43; k < 53; k++) {
        assert_int_equal(
            gd_stats_bootstrap_median(v, 7, 50, 0.95, gd_stats_key(k), &lo3, &hi3), 0);
        differs |= lo3 != lo1 || hi3 != hi1;
    }
    assert_true(differs);
    static const double one[] = {2.5};
    assert_int_equal(gd_stats_bootstrap_median(one, 1, 100, 0.95, gd_stats_key(1), &lo3, &hi3),
                     0);
    assert_true(lo3 == 2.5 && hi3 == 2.5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wilcoxon_exact),
        cmocka_unit_test(test_wilcoxon_approx),
        cmocka_unit_test(test_wilcoxon_degenerate),
        cmocka_unit_test(test_holm),
        cmocka_unit_test(test_median_and_quantiles),
        cmocka_unit_test(test_bootstrap_reproducible),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
