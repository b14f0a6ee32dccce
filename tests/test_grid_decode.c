/* test_grid_decode.c - run counts, the documented run order (checked against nested
 * loops written out here), instances, a 10^8-run grid, overflow and --allow-huge. */
#include "test_grid_util.h"

#include <stdlib.h>
#include <time.h>

/* Two problem sections, three optimizer sections (one restricted), repeats 2. */
static const char order_grid[] =
    "[sweep]\n"
    "repeats = 2\n"
    "seed = 7\n"
    "[problem q]\n"
    "type = quadratic\n"
    "a = 1, 2\n"
    "x0 = 5, -5, 0.5\n"
    "iterations = 10, 20\n"
    "[optimizer g]\n"
    "type = gd\n"
    "lr = 0.1, 0.2\n"
    "schedule = constant, inverse_time\n"
    "decay_steps = 10, 20\n"
    "[problem r]\n"
    "type = rosenbrock\n"
    "b = 50, 100\n"
    "gradient = numeric, analytic\n"
    "[optimizer m]\n"
    "type = momentum\n"
    "momentum = 0.5, 0.9\n"
    "problems = q\n"
    "[optimizer a]\n"
    "type = adam\n"
    "lr = 0.01\n"
    "beta1 = 0.8, 0.9\n"
    "problems = r, q\n";

static void test_counts(void **state)
{
    gd_sweep s;
    grid_ok(&s, order_grid, 0);
    assert_int_equal(s.n_problems, 2);
    assert_int_equal(s.n_optimizers, 3);
    /* optimizer combos: g 2 lr * 2 schedules * 2 decay_steps; m 2; a 2; each meets the
     * 2 * 3 * 2 * 2 configurations (settings, repeats, iterations) of q */
    assert_int_equal(gd_sweep_pair_runs(&s, 0, 0), 24 * 8);
    assert_int_equal(gd_sweep_pair_runs(&s, 0, 1), 24 * 2);
    assert_int_equal(gd_sweep_pair_runs(&s, 0, 2), 24 * 2);
    /* q: 2 a * 3 x0 = 6 instances per repeat, 2 iterations, span 8 + 2 + 2 */
    const uint64_t q = 2 * 3 * 2 * 2 * (8 + 2 + 2);
    /* r: 2 b, 2 gradient, span 8 + 2 (m does not apply) */
    const uint64_t r = 2 * 2 * 2 * (8 + 2);
    assert_int_equal(gd_space_section_runs(&s, 0), q);
    assert_int_equal(gd_space_section_runs(&s, 1), r);
    assert_int_equal(s.n_runs, q + r);
    assert_int_equal(s.n_instances, 2 * 3 * 2 + 2 * 2);
    assert_int_equal(gd_sweep_pair_runs(&s, 0, 0), 2 * 3 * 2 * 2 * 8);
    assert_int_equal(gd_sweep_pair_runs(&s, 1, 1), 0);
    assert_int_equal(gd_sweep_pair_runs(&s, 1, 2), 2 * 2 * 2 * 2);
    uint64_t sum = 0;
    for (size_t p = 0; p < s.n_problems; p++)
        for (size_t o = 0; o < s.n_optimizers; o++)
            sum += gd_sweep_pair_runs(&s, p, o);
    assert_int_equal(sum, s.n_runs);
    gd_sweep_free(&s);
}

static void test_counts_more_grids(void **state)
{
    gd_sweep s;
    grid_ok(&s, "[problem q]\ntype = quadratic\n[optimizer gd]\n", 0);
    assert_int_equal(s.n_runs, 1);
    gd_sweep_free(&s);
    grid_ok(&s, "[sweep]\nrepeats = 5\niterations = 1, 2, 3\n[problem c]\ntype = curvefit\n"
                "degree = range(1, 4, 1)\nnoise = 0, 1\n[optimizer adam]\nlr = logspace(-3, -1, 3)\n"
                "[optimizer rmsprop]\nschedule = constant, step\ngamma = 0.1, 0.5\n", 0);
    /* (3 degree * 2 noise) * 5 repeats * 3 iterations * (3 + 2 * 2) */
    assert_int_equal(s.n_runs, 3 * 2 * 5 * 3 * (3 + 4));
    assert_int_equal(s.n_instances, 3 * 2 * 5);
    gd_sweep_free(&s);
}

/* The expected run: filled by the nested loops below. */
typedef struct expect {
    uint32_t problem, optimizer;
    uint64_t repeat;
    double p0, p1;      /* q: a, x0; r: b, - */
    long iterations;
    int numeric;
    double o0, o1;      /* g: lr, decay_steps; m: momentum; a: beta1 */
    const char *schedule;
} expect;

static void check_run(const gd_sweep *s, uint64_t id, const expect *e)
{
    gd_run_desc d;
    gd_sweep_decode(s, id, &d);
    assert_int_equal(d.id, id);
    assert_int_equal(d.problem, e->problem);
    assert_int_equal(d.optimizer, e->optimizer);
    assert_int_equal(d.repeat, e->repeat);
    assert_int_equal(d.control.iterations, e->iterations);
    assert_int_equal(d.control.numeric_gradient, e->numeric);
    assert_string_equal(d.schedule->name, e->schedule);
    if (e->problem == 0) {
        assert_true(d.problem_params[0] == e->p0 && d.problem_params[3] == e->p1);
    } else {
        assert_true(d.problem_params[1] == e->p0);
    }
    if (e->optimizer == 0) {
        assert_true(d.optimizer_params[0] == e->o0);
        if (d.schedule == gd_schedule_find("inverse_time"))
            assert_true(d.schedule_params[0] == e->o1);
    } else {
        assert_true(d.optimizer_params[1] == e->o0);
    }
}

/* Optimizer sections applying to problem p, in file order, with their own loops. */
static void optimizer_loops(const gd_sweep *s, uint64_t *id, expect *e)
{
    static const double lr[] = {0.1, 0.2}, decay[] = {10, 20}, mom[] = {0.5, 0.9},
                        beta1[] = {0.8, 0.9};
    static const char *const sched[] = {"constant", "inverse_time"};
    e->optimizer = 0;
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            for (int k = 0; k < 2; k++) {
                e->o0 = lr[i];
                e->schedule = sched[j];
                e->o1 = decay[k];
                check_run(s, (*id)++, e);
            }
    e->schedule = "constant";
    if (e->problem == 0) {
        e->optimizer = 1;
        for (int i = 0; i < 2; i++) {
            e->o0 = mom[i];
            check_run(s, (*id)++, e);
        }
    }
    e->optimizer = 2;
    for (int i = 0; i < 2; i++) {
        e->o0 = beta1[i];
        check_run(s, (*id)++, e);
    }
}

static void test_order_matches_nested_loops(void **state)
{
    gd_sweep s;
    grid_ok(&s, order_grid, 0);
    uint64_t id = 0;
    expect e = {0};
    static const double a[] = {1, 2}, x0[] = {5, -5, 0.5}, b[] = {50, 100};
    static const long iters[] = {10, 20};
    e.problem = 0;
    e.numeric = 0;
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (uint64_t rep = 0; rep < 2; rep++)
                for (int it = 0; it < 2; it++) {
                    e.p0 = a[i];
                    e.p1 = x0[j];
                    e.repeat = rep;
                    e.iterations = iters[it];
                    optimizer_loops(&s, &id, &e);
                }
    e.problem = 1;
    e.iterations = 100;
    for (int i = 0; i < 2; i++)
        for (uint64_t rep = 0; rep < 2; rep++)
            for (int g = 0; g < 2; g++) {
                e.p0 = b[i];
                e.repeat = rep;
                e.numeric = g == 0;
                optimizer_loops(&s, &id, &e);
            }
    assert_int_equal(id, s.n_runs);
    gd_sweep_free(&s);
}

/* Every parameter of a run, flattened for comparison. */
typedef struct flat {
    double v[3 * GD_MAX_PARAMS + 8];
} flat;

static void flatten(const gd_run_desc *d, flat *f)
{
    memset(f, 0, sizeof *f);
    size_t n = 0;
    f->v[n++] = d->problem;
    f->v[n++] = d->optimizer;
    f->v[n++] = (double)d->repeat;
    f->v[n++] = (double)d->control.iterations;
    f->v[n++] = d->control.numeric_gradient;
    f->v[n++] = (double)gd_schedule_index(d->schedule->name);
    for (size_t i = 0; i < GD_MAX_PARAMS; i++) {
        f->v[n++] = d->problem_params[i];
        f->v[n++] = d->optimizer_params[i];
        f->v[n++] = d->schedule_params[i];
    }
}

static int flat_cmp(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(flat));
}

static void test_runs_are_distinct(void **state)
{
    /* no union key is swept here, so every combination is a different run */
    gd_sweep s;
    grid_ok(&s, "[sweep]\nrepeats = 2\n[problem q]\ntype = quadratic\nx0 = 1, 2, 3\n"
                "[problem r]\ntype = rosenbrock\n[optimizer gd]\nlr = 0.1, 0.2\n"
                "schedule = constant, cosine, inverse_time\n[optimizer nag]\n"
                "momentum = 0.1, 0.2\nproblems = r\n", 0);
    flat *all = calloc(s.n_runs, sizeof *all);
    assert_non_null(all);
    for (uint64_t id = 0; id < s.n_runs; id++) {
        gd_run_desc d;
        gd_sweep_decode(&s, id, &d);
        flatten(&d, &all[id]);
    }
    qsort(all, s.n_runs, sizeof *all, flat_cmp);
    for (uint64_t i = 1; i < s.n_runs; i++)
        assert_true(flat_cmp(&all[i - 1], &all[i]) != 0);
    free(all);
    gd_sweep_free(&s);
}

static void test_instances_are_consecutive(void **state)
{
    gd_sweep s;
    grid_ok(&s, order_grid, 0);
    gd_run_desc prev, d;
    gd_sweep_decode(&s, 0, &prev);
    assert_int_equal(prev.instance, 0);
    uint64_t changes = 0;
    for (uint64_t id = 1; id < s.n_runs; id++) {
        gd_sweep_decode(&s, id, &d);
        gd_rng_key kp = gd_sweep_instance_key(&s, &prev), kd = gd_sweep_instance_key(&s, &d);
        int same_key = kp.k[0] == kd.k[0] && kp.k[1] == kd.k[1];
        if (d.instance == prev.instance) {
            assert_int_equal(d.problem, prev.problem);
            assert_int_equal(d.repeat, prev.repeat);
            assert_memory_equal(d.problem_params, prev.problem_params,
                                sizeof d.problem_params);
            assert_true(same_key);
        } else {
            assert_int_equal(d.instance, prev.instance + 1);
            assert_false(same_key);
            changes++;
        }
        prev = d;
    }
    assert_int_equal(changes + 1, s.n_instances);
    assert_int_equal(prev.instance, s.n_instances - 1);
    /* gd_space_group_end (instance): the first id of the next instance (or n_runs) */
    for (uint64_t id = 0; id < s.n_runs; id++) {
        uint64_t end = gd_space_group_end(&s, id, GD_SPACE_INSTANCE);
        gd_sweep_decode(&s, id, &prev);
        gd_sweep_decode(&s, end - 1, &d);
        assert_true(end > id && end <= s.n_runs);
        assert_int_equal(d.instance, prev.instance);
        if (end < s.n_runs) {
            gd_sweep_decode(&s, end, &d);
            assert_int_equal(d.instance, prev.instance + 1);
        }
    }
    gd_sweep_free(&s);
}

static void test_schedule_params_by_key(void **state)
{
    gd_sweep s;
    grid_ok(&s, "[problem q]\ntype = quadratic\n[optimizer gd]\n"
                "schedule = exponential, inverse_time, cosine\ngamma = 0.25\n"
                "decay_steps = 33\nlr_min = 0.001\n", 0);
    assert_int_equal(s.n_runs, 3);
    for (uint64_t id = 0; id < 3; id++) {
        gd_run_desc d;
        gd_sweep_decode(&s, id, &d);
        const gd_param_spec *p = d.schedule->params;
        for (size_t j = 0; p[j].key; j++) {
            double want = !strcmp(p[j].key, "gamma") ? 0.25
                          : !strcmp(p[j].key, "decay_steps") ? 33 : 0.001;
            assert_true(d.schedule_params[j] == want);
        }
    }
    gd_sweep_free(&s);
}

static void test_hundred_million_runs(void **state)
{
    clock_t t0 = clock();
    gd_sweep s;
    grid_ok(&s, "[problem q]\ntype = quadratic\nx0 = linspace(-1, 1, 100)\n"
                "[optimizer momentum]\nlr = linspace(0.0001, 1, 10000)\n"
                "momentum = linspace(0, 0.99, 100)\n", 0);
    assert_int_equal(s.n_runs, 100000000);
    gd_run_desc d;
    gd_sweep_decode(&s, s.n_runs - 1, &d);
    assert_true(d.problem_params[3] == 1 && d.optimizer_params[0] == 1 &&
                d.optimizer_params[1] == 0.99);
    assert_int_equal(d.instance, 99);
    gd_sweep_decode(&s, 1000000, &d); /* x0 index 1, lr index 0, momentum index 0 */
    assert_true(d.optimizer_params[0] == 0.0001 && d.optimizer_params[1] == 0);
    assert_int_equal(d.instance, 1);
    double seconds = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_true(seconds < 1.0);
    gd_sweep_free(&s);
}

static void test_overflow_and_huge(void **state)
{
    grid_bad("[sweep]\nrepeats = 18446744073709551615\n[problem q]\ntype = quadratic\n"
             "x0 = 1, 2\n[optimizer gd]\n", "t.ini:3: ", "grid too large");
    grid_bad("[problem q]\ntype = quadratic\n[optimizer adam]\nlr = linspace(0.1, 1, 100000)\n"
             "beta1 = linspace(0, 0.9, 100000)\nbeta2 = linspace(0, 0.9, 100000)\n"
             "eps = linspace(1, 2, 100000)\n", "t.ini:3: ", "grid too large");
    const char *huge = "[sweep]\nrepeats = 500000001\n[problem q]\ntype = quadratic\n"
                       "[optimizer gd]\nlr = 0.1, 0.2\n";
    grid_bad(huge, "t.ini:3: ", "pass --allow-huge if you mean it");
    gd_sweep s;
    grid_ok(&s, huge, 1);
    assert_int_equal(s.n_runs, 1000000002ULL);
    gd_run_desc d;
    gd_sweep_decode(&s, s.n_runs - 1, &d);
    assert_int_equal(d.repeat, 500000000);
    assert_true(d.optimizer_params[0] == 0.2);
    gd_sweep_free(&s);
    grid_ok(&s, "[sweep]\nrepeats = 500000000\n[problem q]\ntype = quadratic\n"
                "[optimizer gd]\nlr = 0.1, 0.2\n", 0); /* exactly GD_HUGE_GRID */
    assert_int_equal(s.n_runs, GD_HUGE_GRID);
    gd_sweep_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_counts_more_grids),
        cmocka_unit_test(test_order_matches_nested_loops),
        cmocka_unit_test(test_runs_are_distinct),
        cmocka_unit_test(test_instances_are_consecutive),
        cmocka_unit_test(test_schedule_params_by_key),
        cmocka_unit_test(test_hundred_million_runs),
        cmocka_unit_test(test_overflow_and_huge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
