/* test_schedules.c - the learning-rate schedules, their registry and the "schedule" key.
 *
 * Expected rates were computed with /usr/bin/python3 from the formulas written out in each
 * test's comment (lr0 = 0.3; math.floor, math.cos, math.pi), printed with repr. Schedule
 * parameters are set by key, so the tests do not depend on spec order. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gdsweep/optimizer.h"
#include "gdsweep/schedule.h"

static const double LR0 = 0.3;

/* One schedule setting: up to two keys overriding the defaults (NULL key: unused). */
typedef struct setting {
    const char *key[2];
    double value[2];
} setting;

static const setting DEFAULTS = {{NULL, NULL}, {0, 0}};

/* A step and its expected rate. */
typedef struct point {
    long t;
    double rate;
} point;

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void fill_params(const gd_schedule_type *type, const setting *s, double *sp)
{
    gd_param_defaults(type->params, sp);
    for (size_t k = 0; k < 2 && s->key[k]; k++) {
        const int i = gd_param_find(type->params, s->key[k]);
        if (i < 0)
            fail_msg("%s has no key %s", type->name, s->key[k]);
        sp[i] = s->value[k];
    }
}

/* Compares the rates of schedule `name` at the steps of want[0..n), bit for bit. */
static void check_rates(const char *name, const setting *s, long iterations, const point *want,
                        size_t n)
{
    const gd_schedule_type *type = gd_schedule_find(name);
    assert_non_null(type);
    double sp[GD_MAX_PARAMS];
    fill_params(type, s, sp);
    for (size_t k = 0; k < n; k++) {
        const double got = type->rate(sp, LR0, want[k].t, iterations);
        if (memcmp(&got, &want[k].rate, sizeof got) != 0)
            fail_msg("%s at t = %ld: got %.17g, want %.17g", name, want[k].t, got, want[k].rate);
    }
}

static void test_constant(void **unused)
{
    static const point want[] = {{0, 0.3}, {1, 0.3}, {50, 0.3}, {99, 0.3}};
    check_rates("constant", &DEFAULTS, 100, want, COUNT(want));
}

/* lr0 / sqrt(1 + t): Reddi et al.'s alpha / sqrt(t) with their t = ours + 1 (LR0 = 0.3). */
static void test_inverse_sqrt(void **unused)
{
    static const point want[] = {{0, 0.3}, {3, 0.15}, {15, 0.075}, {99, 0.03}};
    check_rates("inverse_sqrt", &DEFAULTS, 100, want, COUNT(want));
}

/* lr0 / (1 + t / ds)    (ds = 50, the default; then ds = 7.5) */
static void test_inverse_time(void **unused)
{
    static const point want50[] = {{0, 0.3}, {1, 0.29411764705882354}, {37, 0.17241379310344826},
                                   {50, 0.15}, {99, 0.10067114093959731}};
    static const point want7[] = {{0, 0.3}, {1, 0.2647058823529412}, {37, 0.05056179775280899},
                                  {50, 0.03913043478260869}, {99, 0.02112676056338028}};
    static const setting ds7 = {{"decay_steps", NULL}, {7.5, 0}};
    check_rates("inverse_time", &DEFAULTS, 100, want50, COUNT(want50));
    check_rates("inverse_time", &ds7, 100, want7, COUNT(want7));
}

/* lr0 * gamma ** (t / ds)    (gamma = 0.5, ds = 50, the defaults; then 0.9, 7.5) */
static void test_exponential(void **unused)
{
    static const point want_default[] = {{0, 0.3}, {1, 0.29586981134800777},
                                         {37, 0.17962180569283928}, {50, 0.15},
                                         {99, 0.07604696098425218}};
    static const point want[] = {{0, 0.3}, {1, 0.2958150434764314}, {37, 0.17839566682337082},
                                 {50, 0.14861796751769624}, {99, 0.07466591289449007}};
    static const setting custom = {{"gamma", "decay_steps"}, {0.9, 7.5}};
    check_rates("exponential", &DEFAULTS, 100, want_default, COUNT(want_default));
    check_rates("exponential", &custom, 100, want, COUNT(want));
}

/* lr0 * gamma ** math.floor(t / ds)    (gamma = 0.5, ds = 50; then 0.9, 7.5) */
static void test_step(void **unused)
{
    static const point want_default[] = {{0, 0.3},   {49, 0.3},   {50, 0.15},
                                         {99, 0.15}, {100, 0.075}, {150, 0.0375}};
    static const point want[] = {{0, 0.3}, {7, 0.3}, {8, 0.27}, {15, 0.243}, {37, 0.19683}};
    static const setting custom = {{"decay_steps", "gamma"}, {7.5, 0.9}};
    check_rates("step", &DEFAULTS, 200, want_default, COUNT(want_default));
    check_rates("step", &custom, 200, want, COUNT(want));
}

/* lr_min + 0.5 * (lr0 - lr_min) * (1 + math.cos(math.pi * t / T))
 * (lr_min = 0, the default, T = 100; then lr_min = 0.01, T = 80; at t = 21 and 22
 * math.pi * (t / T) would round differently) */
static void test_cosine(void **unused)
{
    static const point want100[] = {
        {0, 0.3}, {1, 0.2999259840548597}, {21, 0.2685232518563535}, {25, 0.2560660171779821},
        {50, 0.15}, {99, 7.401594514025999e-05},
    };
    static const point want80[] = {
        {0, 0.3}, {1, 0.2998882102549048}, {20, 0.25753048327204936}, {22, 0.24916996700787666},
        {40, 0.155}, {79, 0.01011178974509518},
    };
    static const setting floor01 = {{"lr_min", NULL}, {0.01, 0}};
    check_rates("cosine", &DEFAULTS, 100, want100, COUNT(want100));
    check_rates("cosine", &floor01, 80, want80, COUNT(want80));
}

/* The article's "adaptive" rate, lr = initial_lr / (1 + i / 50) for i = 0..99, and its run
 * adaptive_gradient_descent(cost_function, 5, 0.5, 100) with the exact gradient 2x + 5,
 * which python3 ends at -2.5 exactly. */
static void test_article_inverse_time(void **unused)
{
    const gd_schedule_type *type = gd_schedule_find("inverse_time");
    assert_non_null(type);
    double sp[GD_MAX_PARAMS], hp[GD_MAX_PARAMS];
    gd_param_defaults(type->params, sp);
    gd_param_defaults(gd_optimizer_gd.params, hp);
    double x = 5;
    for (long i = 0; i < 100; i++) {
        const double lr = type->rate(sp, 0.5, i, 100);
        assert_true(lr == 0.5 / (1 + (double)i / 50));
        const double g = 2 * x + 5;
        gd_optimizer_gd.step(hp, lr, i + 1, 1, 1, &x, &g, NULL);
    }
    assert_true(x == -2.5);
}

/* Every schedule starts at the base rate. */
static void test_first_step_is_base_rate(void **unused)
{
    for (size_t i = 0; gd_schedules[i]; i++) {
        double sp[GD_MAX_PARAMS];
        gd_param_defaults(gd_schedules[i]->params, sp);
        assert_true(gd_schedules[i]->rate(sp, LR0, 0, 100) == LR0);
    }
}

static void check_type(const gd_schedule_type *type)
{
    gd_error err = {0};
    assert_true(type->doc && type->doc[0]);
    assert_non_null(type->params);
    assert_non_null(type->rate);
    const size_t count = gd_param_count(type->params);
    assert_true(count <= GD_MAX_PARAMS);
    for (size_t p = 0; p < count; p++) {
        const gd_param_spec *spec = &type->params[p];
        assert_true(spec->doc && spec->doc[0]);
        if (gd_param_check(spec, spec->def, &err) != 0)
            fail_msg("%s: default of %s: %s", type->name, spec->key, err.msg);
    }
}

static void test_registry(void **unused)
{
    static const char *const names[] = {"constant", "inverse_time", "exponential", "step",
                                        "cosine", "inverse_sqrt", NULL};
    size_t i = 0;
    for (; names[i]; i++) {
        assert_non_null(gd_schedules[i]);
        check_type(gd_schedules[i]);
        assert_string_equal(gd_schedules[i]->name, names[i]);
        assert_string_equal(gd_schedule_names[i], names[i]);
        assert_ptr_equal(gd_schedule_find(names[i]), gd_schedules[i]);
        assert_int_equal(gd_schedule_index(names[i]), (int)i);
    }
    assert_null(gd_schedules[i]);
    assert_null(gd_schedule_names[i]);
    assert_null(gd_schedule_find("linear"));
    assert_int_equal(gd_schedule_index("linear"), -1);
    assert_int_equal(gd_schedule_index(""), -1);
}

/* The grid takes the union of the schedules' keys by name: a key two schedules share
 * must be one spec object, so it has one default, range and doc. */
static void test_shared_keys_are_one_object(void **unused)
{
    size_t shared = 0;
    for (size_t a = 0; gd_schedules[a]; a++)
        for (size_t b = 0; gd_schedules[b]; b++)
            for (const gd_param_spec *p = gd_schedules[a]->params; p->key; p++) {
                const int j = gd_param_find(gd_schedules[b]->params, p->key);
                if (j < 0)
                    continue;
                assert_ptr_equal(p, &gd_schedules[b]->params[j]);
                shared += a != b;
            }
    assert_true(shared >= 2); /* decay_steps and gamma are shared */
}

static void test_schedule_spec(void **unused)
{
    gd_error err = {0};
    const gd_param_spec *spec = &gd_schedule_spec;
    assert_string_equal(spec->key, "schedule");
    assert_int_equal(spec->kind, GD_CHOICE);
    assert_true(spec->def == 0);
    assert_ptr_equal(spec->choices, gd_schedule_names);
    assert_string_equal(spec->doc, "learning-rate schedule");
    size_t n = 0;
    for (; gd_schedules[n]; n++) {
        assert_int_equal(gd_param_check(spec, (double)n, &err), 0);
        assert_int_equal(gd_param_choice(spec, gd_schedules[n]->name), (int)n);
    }
    assert_int_equal(gd_param_check(spec, (double)n, &err), -1);
    assert_int_equal(gd_param_check(spec, 0.5, &err), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant),
        cmocka_unit_test(test_inverse_sqrt),
        cmocka_unit_test(test_inverse_time),
        cmocka_unit_test(test_exponential),
        cmocka_unit_test(test_step),
        cmocka_unit_test(test_cosine),
        cmocka_unit_test(test_article_inverse_time),
        cmocka_unit_test(test_first_step_is_base_rate),
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_shared_keys_are_one_object),
        cmocka_unit_test(test_schedule_spec),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
