/* test_rng.c - Philox4x32-10 against the published known answers, keys and distributions.
 *
 * The three known-answer vectors are those of Salmon et al. (SC 2011), as distributed with
 * Random123 (kat_vectors, philox4x32 with 10 rounds). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gdsweep/rng.h"

typedef struct kat {
    uint32_t ctr[4], key[2], out[4];
} kat;

static const kat kats[] = {
    {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
    {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
     {0xffffffff, 0xffffffff},
     {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
    {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
     {0xa4093822, 0x299f31d0},
     {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
};

static void test_known_answers(void **state)
{
    for (size_t t = 0; t < sizeof kats / sizeof kats[0]; t++) {
        gd_rng_key key = {{kats[t].key[0], kats[t].key[1]}};
        uint32_t out[4];
        gd_philox4x32(kats[t].ctr, key, out);
        for (int w = 0; w < 4; w++)
            assert_int_equal(out[w], kats[t].out[w]);
    }
}

static const double params[3] = {1.0, 0.5, 100.0};

static gd_rng_key make(uint64_t seed, const char *label, const double *pp, uint64_t repeat)
{
    return gd_rng_key_make(seed, label, pp, 3, repeat);
}

static int same_key(gd_rng_key a, gd_rng_key b)
{
    return a.k[0] == b.k[0] && a.k[1] == b.k[1];
}

static void test_key_determinism_and_sensitivity(void **state)
{
    gd_rng_key base = make(7, "denoise", params, 0);
    assert_true(same_key(base, make(7, "denoise", params, 0)));
    assert_false(same_key(base, make(8, "denoise", params, 0)));
    assert_false(same_key(base, make(7, "denoisf", params, 0)));
    assert_false(same_key(base, make(7, "denoise", params, 1)));
    assert_false(same_key(base, gd_rng_key_make(7, "denoise", params, 2, 0)));
    double tweaked[3] = {1.0, nextafter(0.5, 1.0), 100.0};
    assert_false(same_key(base, make(7, "denoise", tweaked, 0)));
    /* bit patterns, not values: -0.0 is another instance than 0.0 */
    double zero[1] = {0.0}, negzero[1] = {-0.0};
    assert_false(same_key(gd_rng_key_make(1, "q", zero, 1, 0),
                          gd_rng_key_make(1, "q", negzero, 1, 0)));
    /* long labels use every byte */
    assert_false(same_key(make(7, "a_rather_long_label_x", params, 0),
                          make(7, "a_rather_long_label_y", params, 0)));
}

static void test_streams_are_deterministic_and_distinct(void **state)
{
    gd_rng_key a = make(1, "curvefit", params, 0), b = make(1, "curvefit", params, 1);
    size_t differ_key = 0, differ_stream = 0, differ_index = 0;
    for (uint64_t i = 0; i < 1000; i++) {
        double x = gd_rng_normal(a, 0, i);
        assert_true(x == gd_rng_normal(a, 0, i));
        assert_true(gd_rng_uniform(a, 3, i) == gd_rng_uniform(a, 3, i));
        differ_key += x != gd_rng_normal(b, 0, i);
        differ_stream += x != gd_rng_normal(a, 1, i);
        differ_index += x != gd_rng_normal(a, 0, i + 1);
    }
    assert_int_equal(differ_key, 1000);
    assert_int_equal(differ_stream, 1000);
    assert_int_equal(differ_index, 1000);
    /* the high half of the index reaches the counter too */
    assert_true(gd_rng_uniform(a, 0, 5) != gd_rng_uniform(a, 0, 5 + (UINT64_C(1) << 32)));
}

static void test_uniform_open_interval_and_mean(void **state)
{
    gd_rng_key key = make(3, "u", params, 0);
    const size_t n = 100000;
    double sum = 0, lo = 1, hi = 0;
    for (size_t i = 0; i < n; i++) {
        double u = gd_rng_uniform(key, 0, i);
        assert_true(u > 0 && u < 1);
        sum += u;
        lo = fmin(lo, u);
        hi = fmax(hi, u);
    }
    /* sd of the mean of n uniforms is 0.2887 / sqrt(n) = 9.1e-4: allow 5 sd */
    assert_true(fabs(sum / n - 0.5) < 4.6e-3);
    assert_true(lo < 1e-3 && hi > 1 - 1e-3);
}

/* gd_rng_uniform_fill gives gd_rng_uniform's values, from any first index and count. */
static void test_uniform_fill(void **state)
{
    gd_rng_key key = make(4, "fill", params, 0);
    double out[300];
    const uint64_t firsts[] = {0, 7, (UINT64_C(1) << 32) - 5};
    for (size_t f = 0; f < 3; f++) {
        gd_rng_uniform_fill(key, 6, firsts[f], 300, out);
        for (size_t q = 0; q < 300; q++)
            assert_true(out[q] == gd_rng_uniform(key, 6, firsts[f] + q));
    }
}

static void test_normal_moments(void **state)
{
    gd_rng_key key = make(5, "n", params, 0);
    const size_t n = 100000;
    double s1 = 0, s2 = 0;
    size_t within1 = 0;
    for (size_t i = 0; i < n; i++) {
        double z = gd_rng_normal(key, 2, i);
        assert_true(isfinite(z));
        s1 += z;
        s2 += z * z;
        within1 += fabs(z) < 1;
    }
    double mean = s1 / n, var = s2 / n - mean * mean;
    /* sd of the mean 1/sqrt(n) = 3.2e-3, of the variance sqrt(2/n) = 4.5e-3: 5 sd each */
    assert_true(fabs(mean) < 0.016);
    assert_true(fabs(var - 1) < 0.023);
    /* P(|Z| < 1) = 0.682689; binomial sd sqrt(p(1-p)/n) = 1.5e-3 */
    assert_true(fabs((double)within1 / n - 0.682689) < 0.0074);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answers),
        cmocka_unit_test(test_key_determinism_and_sensitivity),
        cmocka_unit_test(test_streams_are_deterministic_and_distinct),
        cmocka_unit_test(test_uniform_open_interval_and_mean),
        cmocka_unit_test(test_uniform_fill),
        cmocka_unit_test(test_normal_moments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
