/* test_halving.c - successive halving's promotion rule (halving.h) against hand-worked
 * groups, and the keys' effect on the decoded budget (grid.h). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gdsweep/halving.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void test_keep_is_ceiling(void **state)
{
    (void)state;
    assert_int_equal(gd_halving_keep(1, 3), 1);
    assert_int_equal(gd_halving_keep(3, 3), 1);
    assert_int_equal(gd_halving_keep(4, 3), 2);
    assert_int_equal(gd_halving_keep(9, 3), 3);
    assert_int_equal(gd_halving_keep(10, 3), 4);
    assert_int_equal(gd_halving_keep(7, 2), 4);
    assert_int_equal(gd_halving_keep(0, 2), 0);
}

/* Seven runs, ETA 3: ceil(7/3) = 3 go on. By hand: -1 (id 14), then the tie at 0.2 goes
 * to the lower id (12 before 16); 0.5, 0.5, inf and NaN (last) stop. */
static const gd_halving_run seven[] = {{10, 0.5, 0}, {11, NAN, 0},      {12, 0.2, 0},
                                       {13, 0.5, 0}, {14, -1.0, 0},     {15, INFINITY, 0},
                                       {16, 0.2, 0}};

static void test_best_third_by_loss_then_id(void **state)
{
    (void)state;
    gd_halving_run g[N_OF(seven)];
    memcpy(g, seven, sizeof g);
    size_t keep = gd_halving_choose(g, N_OF(g), 3);
    static const uint64_t order[] = {14, 12, 16, 10, 13, 15, 11};
    assert_int_equal(keep, 3);
    for (size_t i = 0; i < N_OF(order); i++)
        assert_int_equal(g[i].id, order[i]);
}

/* The input order does not matter: reversed, the same runs go on. */
static void test_order_of_input_does_not_matter(void **state)
{
    (void)state;
    gd_halving_run g[N_OF(seven)];
    for (size_t i = 0; i < N_OF(g); i++)
        g[i] = seven[N_OF(g) - 1 - i];
    assert_int_equal(gd_halving_choose(g, N_OF(g), 3), 3);
    assert_int_equal(g[0].id, 14);
    assert_int_equal(g[1].id, 12);
    assert_int_equal(g[2].id, 16);
}

/* After a kill: runs 13 and 15, whose rows are already past the rung, keep their places
 * (they were promoted before); the one place left goes to the best of the rest (14). */
static void test_runs_ahead_keep_their_places(void **state)
{
    (void)state;
    gd_halving_run g[N_OF(seven)];
    memcpy(g, seven, sizeof g);
    g[3].ahead = g[5].ahead = 1;
    assert_int_equal(gd_halving_choose(g, N_OF(g), 3), 3);
    assert_int_equal(g[0].id, 13);
    assert_int_equal(g[1].id, 15);
    assert_int_equal(g[2].id, 14);
}

/* ETA 2 on two runs: one goes on; a group of one always goes on. */
static void test_small_groups(void **state)
{
    (void)state;
    gd_halving_run two[] = {{5, 2.0, 0}, {4, 3.0, 0}};
    assert_int_equal(gd_halving_choose(two, 2, 2), 1);
    assert_int_equal(two[0].id, 5);
    gd_halving_run one[] = {{9, NAN, 0}};
    assert_int_equal(gd_halving_choose(one, 1, 4), 1);
}

static void parse(gd_sweep *s, const char *text)
{
    gd_error err = {0};
    assert_int_equal(gd_sweep_parse(s, "t.ini", text, strlen(text), 0, &err), 0);
}

static const char grid_text[] = "[sweep]\nhalving = 3\nrungs = 30, 90,270\n"
                                "[problem q]\ntype = quadratic\n"
                                "[optimizer gd]\nlr = 0.1, 0.2\n";

/* Every run decodes with the phase's budget: the last rung's outside a phase. */
static void test_rungs_set_the_budget(void **state)
{
    (void)state;
    gd_sweep s;
    gd_run_desc d;
    parse(&s, grid_text);
    assert_int_equal(s.halving, 3);
    assert_int_equal(s.n_rungs, 3);
    assert_int_equal(s.rungs[0], 30);
    assert_int_equal(s.rungs[1], 90);
    assert_int_equal(s.rungs[2], 270);
    gd_sweep_decode(&s, 1, &d);
    assert_int_equal(d.control.iterations, 270);
    s.rung_budget = 30;
    gd_sweep_decode(&s, 1, &d);
    assert_int_equal(d.control.iterations, 30);
    gd_sweep_free(&s);
}

/* Two rosenbrock settings x (gd with 9 rates, adam with 5), ETA 3: by hand, rung 0 runs
 * 2 (9 + 5) = 28, rung 1 2 (3 + 2) = 10, rung 2 2 (1 + 1) = 4. */
static const char plan_text[] = "[sweep]\nhalving = 3\nrungs = 20, 60, 180\n"
                                "[problem rosen]\ntype = rosenbrock\nx0 = -1.5, 0\n"
                                "[optimizer gd]\nlr = logspace(-4, -0.5, 9)\n"
                                "[optimizer adam]\nlr = 0.003, 0.01, 0.03, 0.1, 0.3\n";

static void test_plan_counts_each_rung(void **state)
{
    (void)state;
    gd_sweep s;
    uint64_t per_rung[GD_RUNGS_MAX];
    parse(&s, plan_text);
    gd_halving_plan(&s, per_rung);
    assert_int_equal(per_rung[0], 28);
    assert_int_equal(per_rung[1], 10);
    assert_int_equal(per_rung[2], 4);
    gd_sweep_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keep_is_ceiling),
        cmocka_unit_test(test_best_third_by_loss_then_id),
        cmocka_unit_test(test_order_of_input_does_not_matter),
        cmocka_unit_test(test_runs_ahead_keep_their_places),
        cmocka_unit_test(test_small_groups),
        cmocka_unit_test(test_rungs_set_the_budget),
        cmocka_unit_test(test_plan_counts_each_rung),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
