/* test_design.c - sampled designs: point k of each sampler against values computed here or
 * by scipy (a table), the mapping to key values, a fast decode of point 10^8 - 1, and the
 * grammar's errors (file:line, the key, exit 2). */
#include "test_grid_util.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "../src/grid/design.h"
#include "gdsweep/rng.h"

/* Generated once by /usr/bin/python3 with scipy 1.10 (qmc.Sobol(d=32, scramble=False),
 * fast_forward(k), random(1), times 2^30): an independent implementation of the Joe-Kuo
 * new-joe-kuo-6.21201 directions in Gray-code order. */
static const uint64_t sobol_k[] = {0, 1, 2, 3, 5, 8, 13, 100, 1023, 65537, 1000003, 99999999};
/* scipy.stats.qmc.Sobol(d=32, scramble=False) point k, times 2^30. */
static const uint32_t sobol_x30[][32] = {
    {0x0, 0x0, 0x0, 0x0, 0x0, 0x0,
     0x0, 0x0, 0x0, 0x0, 0x0, 0x0,
     0x0, 0x0, 0x0, 0x0, 0x0, 0x0,
     0x0, 0x0, 0x0, 0x0, 0x0, 0x0,
     0x0, 0x0, 0x0, 0x0, 0x0, 0x0,
     0x0, 0x0},
    {0x20000000, 0x20000000, 0x20000000, 0x20000000, 0x20000000, 0x20000000,
     0x20000000, 0x20000000, 0x20000000, 0x20000000, 0x20000000, 0x20000000,
     0x20000000, 0x20000000, 0x20000000, 0x20000000, 0x20000000, 0x20000000,
     0x20000000, 0x20000000, 0x20000000, 0x20000000, 0x20000000, 0x20000000,
     0x20000000, 0x20000000, 0x20000000, 0x20000000, 0x20000000, 0x20000000,
     0x20000000, 0x20000000},
    {0x30000000, 0x10000000, 0x10000000, 0x10000000, 0x30000000, 0x30000000,
     0x10000000, 0x30000000, 0x30000000, 0x30000000, 0x30000000, 0x30000000,
     0x10000000, 0x10000000, 0x30000000, 0x10000000, 0x30000000, 0x10000000,
     0x30000000, 0x10000000, 0x10000000, 0x30000000, 0x10000000, 0x10000000,
     0x10000000, 0x30000000, 0x10000000, 0x30000000, 0x10000000, 0x30000000,
     0x10000000, 0x10000000},
    {0x10000000, 0x30000000, 0x30000000, 0x30000000, 0x10000000, 0x10000000,
     0x30000000, 0x10000000, 0x10000000, 0x10000000, 0x10000000, 0x10000000,
     0x30000000, 0x30000000, 0x10000000, 0x30000000, 0x10000000, 0x30000000,
     0x10000000, 0x30000000, 0x30000000, 0x10000000, 0x30000000, 0x30000000,
     0x30000000, 0x10000000, 0x30000000, 0x10000000, 0x30000000, 0x10000000,
     0x30000000, 0x30000000},
    {0x38000000, 0x38000000, 0x8000000, 0x18000000, 0x38000000, 0x28000000,
     0x38000000, 0x18000000, 0x18000000, 0x8000000, 0x18000000, 0x38000000,
     0x38000000, 0x8000000, 0x38000000, 0x18000000, 0x38000000, 0x18000000,
     0x18000000, 0x28000000, 0x28000000, 0x28000000, 0x38000000, 0x18000000,
     0x18000000, 0x18000000, 0x38000000, 0x8000000, 0x28000000, 0x28000000,
     0x38000000, 0x28000000},
    {0xc000000, 0x14000000, 0x3c000000, 0x1c000000, 0x24000000, 0x14000000,
     0x1c000000, 0x3c000000, 0x3c000000, 0x14000000, 0x2c000000, 0x4000000,
     0x3c000000, 0x3c000000, 0x34000000, 0x3c000000, 0x34000000, 0x34000000,
     0x3c000000, 0x14000000, 0xc000000, 0x2c000000, 0xc000000, 0x3c000000,
     0x1c000000, 0x4000000, 0x24000000, 0xc000000, 0x2c000000, 0x3c000000,
     0x1c000000, 0x34000000},
    {0x34000000, 0x2c000000, 0x34000000, 0x4000000, 0x1c000000, 0x3c000000,
     0x24000000, 0x24000000, 0x24000000, 0x1c000000, 0x34000000, 0x3c000000,
     0x4000000, 0x34000000, 0xc000000, 0x24000000, 0xc000000, 0x2c000000,
     0x24000000, 0x3c000000, 0x24000000, 0x4000000, 0x34000000, 0x24000000,
     0x4000000, 0x1c000000, 0x1c000000, 0x4000000, 0x4000000, 0x14000000,
     0x24000000, 0x1c000000},
    {0x1a800000, 0x10800000, 0x31800000, 0x2e800000, 0x38800000, 0x2f800000,
     0x1800000, 0x1e800000, 0x28800000, 0x2c800000, 0x1d800000, 0x2b800000,
     0x1e800000, 0x36800000, 0x14800000, 0x1f800000, 0x2b800000, 0x2f800000,
     0x35800000, 0x15800000, 0x30800000, 0x19800000, 0x800000, 0x1f800000,
     0x1800000, 0x800000, 0x3c800000, 0x2a800000, 0xf800000, 0x2e800000,
     0x2d800000, 0x1a800000},
    {0x100000, 0x30300000, 0x27300000, 0x9500000, 0xbf00000, 0x1c100000,
     0x8f00000, 0x27900000, 0x16100000, 0x36700000, 0x2b700000, 0x2500000,
     0x8500000, 0x2a900000, 0x17300000, 0x1db00000, 0x14100000, 0x38100000,
     0x25700000, 0x14700000, 0x37700000, 0x1300000, 0x32d00000, 0xc900000,
     0xf500000, 0x18100000, 0x20900000, 0x30b00000, 0x35d00000, 0x1bd00000,
     0x3b700000, 0x27500000},
    {0x20006000, 0x3fffe000, 0x3e356000, 0x18e2a000, 0x388f2000, 0x10eee000,
     0x3087e000, 0x81b6000, 0x25e5e000, 0x28f3e000, 0x2480a000, 0x3f1d2000,
     0x1eac6000, 0x2b82a000, 0x279f6000, 0xbc5a000, 0x574a000, 0x3efe000,
     0x2cf8a000, 0x2a002000, 0x16202000, 0xe02000, 0xcd86000, 0x1598e000,
     0x284ee000, 0x26f6e000, 0xa666000, 0x3ff2a000, 0x15bba000, 0x2719a000,
     0x13a7e000, 0xe41a000},
    {0x11b1c400, 0x23f67c00, 0x4fde400, 0x1ac48c00, 0x383bf400, 0x22e24c00,
     0xe20b400, 0x11132400, 0x33a0400, 0x481c00, 0x38da6c00, 0x2b986400,
     0x217c6400, 0x12224c00, 0x398af400, 0x1dd48400, 0xc5a4c00, 0x207aa400,
     0x35f1fc00, 0x28777c00, 0x32917c00, 0xd134c00, 0x3a802400, 0xf54cc00,
     0x196b7400, 0x12652400, 0x3894b400, 0x239ccc00, 0x3c4b9c00, 0x12256400,
     0x29c25400, 0x12a65c00},
    {0x423c38, 0x21da3c38, 0x26b62288, 0x3434f418, 0x1e8eb438, 0x1ed4aa28,
     0x201fe858, 0x1913fef8, 0x30b6c658, 0x367d5e18, 0x3109ae68, 0x13071e08,
     0x266badd8, 0x1eb27408, 0x112d3438, 0x3adf2598, 0x1cada3b8, 0x6cca298,
     0x37f26f98, 0x3bd2a68, 0xda8cb88, 0x26714648, 0x3da0c038, 0x1914ed68,
     0x33798098, 0x3ec71438, 0x4769bd8, 0x11db08, 0x54d94d8, 0x2e7f8128,
     0x216a6708, 0x2e1d53d8},
};

#define N_SOBOL_K (sizeof sobol_k / sizeof sobol_k[0])

static void test_sobol_matches_scipy(void **state)
{
    (void)state;
    gd_design d;
    gd_design_init(&d, GD_SAMPLER_SOBOL_UNSCRAMBLED, 1ULL << 32, 32, 0, "t");
    for (size_t i = 0; i < N_SOBOL_K; i++)
        for (size_t j = 0; j < 32; j++) {
            double want = sobol_x30[i][j] * 0x1p-30;
            if (gd_design_unit(&d, sobol_k[i], j) != want)
                print_error("sobol k=%llu dim %zu: %.17g, scipy %.17g\n",
                            (unsigned long long)sobol_k[i], j, gd_design_unit(&d, sobol_k[i], j),
                            want);
            assert_true(gd_design_unit(&d, sobol_k[i], j) == want);
        }
}

/* The design's key, as docs/GRID.md defines it. */
static gd_rng_key design_key(uint64_t seed, const char *what)
{
    return gd_rng_key_make(seed, what, NULL, 0, 0);
}

static void test_sobol_scrambled_is_shifted(void **state)
{
    (void)state;
    gd_design d;
    gd_design_init(&d, GD_SAMPLER_SOBOL, 100, 5, 42, "design/optimizer/adam");
    gd_rng_key key = design_key(42, "design/optimizer/adam");
    for (size_t j = 0; j < 5; j++) {
        uint32_t shift =
            (uint32_t)(gd_rng_uniform(key, GD_DESIGN_SHIFT_STREAM + (uint32_t)j, 0) * 0x1p32);
        assert_true(shift != 0);
        for (size_t i = 0; i < N_SOBOL_K; i++) {
            uint32_t x = (sobol_x30[i][j] << 2) ^ shift;
            assert_true(gd_design_unit(&d, sobol_k[i], j) == x * 0x1p-32);
        }
    }
}

/* The radical inverse by a different route: digits times b^-(l+1) summed in long double
 * from the most significant digit. */
static double radical_inverse(uint64_t k, unsigned b, const unsigned char *shift,
                              unsigned digits)
{
    unsigned d[64];
    for (unsigned l = 0; l < digits; l++, k /= b)
        d[l] = (unsigned)(k % b + (shift ? shift[l] : 0)) % b;
    long double u = 0;
    for (unsigned l = digits; l-- > 0;)
        u = (u + d[l]) / b;
    return (double)u;
}

static void test_halton(void **state)
{
    (void)state;
    static const unsigned primes[8] = {2, 3, 5, 7, 11, 13, 17, 19};
    gd_design plain, scrambled;
    gd_design_init(&plain, GD_SAMPLER_HALTON_UNSCRAMBLED, 1000, 8, 0, "t");
    gd_design_init(&scrambled, GD_SAMPLER_HALTON, 1000, 8, 5, "design/problem/q");
    gd_rng_key key = design_key(5, "design/problem/q");
    for (size_t j = 0; j < 8; j++) {
        unsigned b = primes[j], digits = 0;
        unsigned char shift[64];
        for (long double p = b; p <= 0x1p53L; p *= b)
            digits++;
        for (unsigned l = 0; l < digits; l++)
            shift[l] = (unsigned char)(gd_rng_uniform(key, GD_DESIGN_SHIFT_STREAM +
                                                                (uint32_t)j, l) * b);
        for (size_t i = 0; i < N_SOBOL_K; i++) {
            uint64_t k = sobol_k[i];
            assert_true(fabs(gd_design_unit(&plain, k, j) -
                             radical_inverse(k, b, NULL, digits)) < 1e-15);
            assert_true(fabs(gd_design_unit(&scrambled, k, j) -
                             radical_inverse(k, b, shift, digits)) < 1e-15);
        }
    }
    /* Base 2's first points: 0, 1/2, 1/4, 3/4, 1/8. */
    assert_true(gd_design_unit(&plain, 3, 0) == 0.75 && gd_design_unit(&plain, 4, 0) == 0.125);
    assert_true(gd_design_unit(&plain, 5, 1) == 7.0 / 9);
}

static void test_random(void **state)
{
    (void)state;
    gd_design d;
    gd_design_init(&d, GD_SAMPLER_RANDOM, 1000, 3, 9, "design/optimizer/o");
    gd_rng_key key = design_key(9, "design/optimizer/o");
    for (size_t i = 0; i < N_SOBOL_K; i++)
        for (uint32_t j = 0; j < 3; j++)
            assert_true(gd_design_unit(&d, sobol_k[i], j) == gd_rng_uniform(key, j, sobol_k[i]));
}

/* A grid of one quadratic and one adam section whose keys are the lines given. */
static void sampled_grid(char *buf, size_t size, const char *sweep, const char *adam)
{
    snprintf(buf, size, "[sweep]\n%s\n[problem q]\ntype = quadratic\n[optimizer a]\n"
                        "type = adam\n%s\n", sweep, adam);
}

/* Unscrambled Sobol through the grid: the design stands at lr, its first sampled key,
 * so run id is point id / 2 crossed with lr_min's two values. */
static void test_grid_values(void **state)
{
    (void)state;
    char text[1024];
    gd_sweep s;
    gd_run_desc d;
    sampled_grid(text, sizeof text, "samples = 16\nsampler = sobol-unscrambled",
                 "lr = loguniform(1e-4, 1)\nbeta1 = uniform(0.5, 0.9)\n"
                 "schedule = choice(constant, cosine)\nlr_min = 0, 0.001");
    grid_ok(&s, text, 0);
    assert_int_equal(gd_space_runs(&s), 32);
    for (uint64_t id = 0; id < 32; id++) {
        gd_sweep_decode(&s, id, &d);
        uint64_t k = id / 2;
        double x[3];
        for (size_t j = 0; j < 3; j++) {
            gd_design ref;
            gd_design_init(&ref, GD_SAMPLER_SOBOL_UNSCRAMBLED, 16, 3, 0, "t");
            x[j] = gd_design_unit(&ref, k, j);
        }
        int lr = gd_param_find(s.optimizers[0].type->params, "lr");
        int b1 = gd_param_find(s.optimizers[0].type->params, "beta1");
        assert_true(fabs(d.optimizer_params[lr] - pow(10, -4 + 4 * x[0])) <
                    1e-13 * d.optimizer_params[lr]);
        assert_true(d.optimizer_params[b1] == 0.5 + x[1] * (0.9 - 0.5));
        assert_string_equal(d.schedule->name, x[2] < 0.5 ? "constant" : "cosine");
        assert_true(strcmp(d.schedule->name, "constant") == 0 || /* it has no lr_min */
                    d.schedule_params[gd_param_find(d.schedule->params, "lr_min")] ==
                        (id % 2 ? 0.001 : 0));
    }
    gd_sweep_free(&s);
}

/* A sampled problem key: intuniform(0, 3) over 64 base-2 Halton points takes each of
 * 0..3 16 times (floor(4 u), u = i/64 in some order), each run's own instance. */
static void test_problem_intuniform(void **state)
{
    (void)state;
    static const char text[] = "[sweep]\nsamples = 64\nsampler = halton-unscrambled\n"
                               "[problem c]\ntype = curvefit\ndegree = intuniform(0, 3)\n"
                               "points = 20\n[optimizer g]\ntype = gd\nlr = 0.1, 0.2\n";
    gd_sweep s;
    gd_run_desc d;
    int seen[4] = {0};
    grid_ok(&s, text, 0);
    assert_int_equal(gd_space_runs(&s), 128);
    assert_int_equal(gd_space_instances(&s), 64);
    int degree = gd_param_find(s.problems[0].type->params, "degree");
    for (uint64_t id = 0; id < 128; id++) {
        gd_sweep_decode(&s, id, &d);
        assert_int_equal(d.instance, id / 2);
        assert_true(d.problem_params[degree] ==
                    floor(4 * radical_inverse(id / 2, 2, NULL, 53)));
        seen[(int)d.problem_params[degree]]++;
    }
    for (int v = 0; v < 4; v++)
        assert_int_equal(seen[v], 32);
    gd_run_desc first;
    gd_sweep_decode(&s, 0, &first);
    assert_true(gd_space_key_swept(&s, &first, GD_KEYS_PROBLEM, (size_t)degree));
    gd_sweep_free(&s);
}

static void test_fast_decode_of_huge_design(void **state)
{
    (void)state;
    char text[1024];
    gd_sweep s;
    gd_run_desc d;
    sampled_grid(text, sizeof text, "samples = 100000000\nsampler = sobol-unscrambled",
                 "lr = loguniform(1e-5, 1e-1)\nbeta1 = uniform(0, 0.99)\n"
                 "beta2 = uniform(0.9, 0.9999)\neps = loguniform(1e-10, 1e-6)");
    grid_ok(&s, text, 0);
    assert_int_equal(gd_space_runs(&s), 100000000);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int r = 0; r < 100000; r++)
        gd_sweep_decode(&s, 99999999 - (uint64_t)(r % 7), &d);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double per = ((t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9) / 100000;
    printf("decode of point 10^8 - 1 (4 sampled keys): %.3g us\n", per * 1e6);
    gd_sweep_decode(&s, 99999999, &d);
    int b1 = gd_param_find(s.optimizers[0].type->params, "beta1");
    assert_true(d.optimizer_params[b1] ==
                0 + sobol_x30[N_SOBOL_K - 1][1] * 0x1p-30 * (0.99 - 0));
    assert_true(per < 50e-6);
    gd_sweep_free(&s);
}

/* choice(...) takes what a list takes, a generator included. */
static void test_choice_of_generator(void **state)
{
    (void)state;
    char text[1024];
    gd_sweep s;
    gd_run_desc d;
    sampled_grid(text, sizeof text, "samples = 32\nsampler = random",
                 "lr = choice(linspace(0.1, 0.3, 3), 1)");
    grid_ok(&s, text, 0);
    int seen[4] = {0};
    for (uint64_t id = 0; id < 32; id++) {
        gd_sweep_decode(&s, id, &d);
        double v = d.optimizer_params[gd_param_find(s.optimizers[0].type->params, "lr")];
        int i = v == 0.1 ? 0 : v == 0.2 ? 1 : fabs(v - 0.3) < 1e-15 ? 2 : v == 1 ? 3 : -1;
        assert_true(i >= 0);
        seen[i]++;
    }
    assert_true(seen[0] && seen[1] && seen[2] && seen[3]);
    gd_sweep_free(&s);
}

static void bad_adam(const char *sweep, const char *adam, const char *where, const char *what)
{
    char text[1024];
    sampled_grid(text, sizeof text, sweep, adam);
    grid_bad(text, where, what);
}

static void test_bad_grammar(void **state)
{
    (void)state;
    bad_adam("samples = 8", "lr = uniform(1)", "t.ini:7: ", "lr: uniform takes 2 arguments");
    bad_adam("samples = 8", "lr = uniform(1, 2, 3)", "t.ini:7: ", "takes 2 arguments");
    bad_adam("samples = 8", "lr = uniform(0.1, 0.01)", "t.ini:7: ", "a must be less than b");
    bad_adam("samples = 8", "lr = loguniform(0, 1)", "t.ini:7: ", "lr");
    bad_adam("samples = 8", "lr = loguniform(-1, 1)", "t.ini:7: ", "lr");
    bad_adam("samples = 8", "lr = uniform(a, 1)", "t.ini:7: ", "'a' is not a number");
    bad_adam("samples = 8", "lr = uniform(0.1, 1), 0.5", "t.ini:7: ", "not one distribution");
    bad_adam("samples = 8", "lr = uniform(0.1, 1", "t.ini:7: ", "not one distribution");
    bad_adam("samples = 8", "lr = choice(linspace(0.1, 1, 3)) 2", "t.ini:7: ",
             "not one distribution");
    bad_adam("samples = 8", "lr = intuniform(1, 2)", "t.ini:7: ", "does not fit");
    bad_adam("samples = 8", "schedule = uniform(0, 1)", "t.ini:7: ", "does not fit");
    bad_adam("samples = 8", "schedule = choice(constant, maybe)", "t.ini:7: ", "maybe");
    bad_adam("samples = 8", "beta1 = uniform(0.5, 1.5)", "t.ini:7: ", "beta1");
    bad_adam("", "lr = uniform(0.1, 1)", "t.ini:7: ", "set [sweep] samples");
    bad_adam("samples = 8", "lr = 0.1", "t.ini:2: ", "no key is sampled");
    bad_adam("samples = 0", "lr = uniform(0.1, 1)", "t.ini:2: ", "samples");
    bad_adam("samples = 4294967297", "lr = uniform(0.1, 1)", "t.ini:2: ", "samples");
    bad_adam("samples = 8\nsampler = lhs", "lr = uniform(0.1, 1)", "t.ini:3: ", "sobol");
    bad_adam("samples = 8\niterations = intuniform(1, 9)", "lr = 0.1", "t.ini:3: ",
             "iterations: this key is not sampled here");
    grid_bad("[sweep]\nsamples = 8\n[problem q]\ntype = quadratic\niterations = "
             "intuniform(2, 9)\n[optimizer a]\nlr = uniform(0.1, 1)\n", "t.ini:5: ",
             "iterations: this key is not sampled here");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sobol_matches_scipy),
        cmocka_unit_test(test_sobol_scrambled_is_shifted),
        cmocka_unit_test(test_halton),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_grid_values),
        cmocka_unit_test(test_problem_intuniform),
        cmocka_unit_test(test_fast_decode_of_huge_design),
        cmocka_unit_test(test_choice_of_generator),
        cmocka_unit_test(test_bad_grammar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
