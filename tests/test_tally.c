/* test_tally.c - the tally per (problem setting, optimizer): counts, the ranking rules,
 * groups, swept values, the tables.
 *
 * Synthetic results are fed to gd_tally_add in an order chosen to exercise each clause of
 * the default rule (a converged run beats any other, by fewest steps; a known gap beats
 * any loss, the lowest gap wins whatever the loss, gaps at rounding level tie, diverged
 * runs never win, ties go to the fewest steps, then the lowest id, a NaN loss comes last,
 * unrecorded statuses are not counted) and of ranking by a column (min and max, NaN
 * last); runs of different problem settings never meet; the swept-value text is checked
 * on decoded runs of a small grid; the CSV and terminal tables are compared with lines
 * written out here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdsweep/tally.h"
#include "test_files.h"

static const char grid_text[] =
    "[sweep]\nname = tallytest\n\n"
    "[problem q]\ntype = quadratic\na = 1, 2\n\n"
    "[problem img]\ntype = denoise\nsize = 4\n\n"
    "[optimizer gd]\nlr = 0.1, 0.123456789\nschedule = constant, step\ngamma = 0.5\n\n"
    "[optimizer adam]\nlr = 0.01\nproblems = q\n";

typedef struct fixture {
    gd_sweep s;
    gd_tally t;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    gd_error err = {{0}, 0};
    if (!f || gd_sweep_parse(&f->s, "t.ini", grid_text, strlen(grid_text), 0, &err) != 0 ||
        gd_tally_init(&f->t, &f->s, NULL, &err) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    gd_tally_free(&f->t);
    gd_sweep_free(&f->s);
    free(f);
    return 0;
}

/* A run of section p's first problem setting (first instance), ranked value `value`. */
static void add_valued(gd_tally *t, uint32_t p, uint32_t o, uint64_t id, int status,
                       double gap, double loss, long steps, double value)
{
    gd_run_desc d, first;
    gd_run_result r;
    gd_sweep_decode(t->sweep, gd_space_group_first(t->sweep, p, GD_SPACE_SECTION, 0), &first);
    memset(&d, 0, sizeof d);
    memset(&r, 0, sizeof r);
    d.id = id;
    d.problem = p;
    d.optimizer = o;
    d.instance = first.instance;
    r.status = status;
    r.gap = gap;
    r.loss_final = loss;
    r.iterations = steps;
    r.metric = NAN;
    for (size_t k = 0; k < GD_TARGETS; k++)
        r.steps_to[k] = -1;
    gd_tally_add(t, &d, &r, value, NULL, 0);
}

static void add_steps(gd_tally *t, uint32_t p, uint32_t o, uint64_t id, int status,
                      double gap, double loss, long steps)
{
    add_valued(t, p, o, id, status, gap, loss, steps, NAN);
}

/* A run of 10 + id steps. */
static void add(gd_tally *t, uint32_t p, uint32_t o, uint64_t id, int status, double gap,
                double loss)
{
    add_steps(t, p, o, id, status, gap, loss, 10 + (long)id);
}

static void test_best_by_gap(void **state)
{
    fixture *f = *state;
    gd_tally_cell *c = gd_tally_at(&f->t, 0, 0);
    add(&f->t, 0, 0, 5, GD_STATUS_MAX_ITER, 0.5, 1.0);
    assert_true(c->has_best && c->best.id == 5);
    add(&f->t, 0, 0, 6, GD_STATUS_MAX_ITER, 0.1, 5.0);      /* lower gap, higher loss */
    assert_int_equal(c->best.id, 6);
    add(&f->t, 0, 0, 2, GD_STATUS_MAX_ITER, NAN, -100.0);   /* no gap: after known gaps */
    assert_int_equal(c->best.id, 6);
    add(&f->t, 0, 0, 7, GD_STATUS_DIVERGED, 0.0, 0.0);      /* diverged: never best */
    assert_int_equal(c->best.id, 6);
    add_steps(&f->t, 0, 0, 4, GD_STATUS_MAX_ITER, 0.1, 9.0, 16);   /* same gap and steps, */
    assert_int_equal(c->best.id, 4);                                 /* lower id */
    add_steps(&f->t, 0, 0, 9, GD_STATUS_MAX_ITER, 0.1, 9.0, 15);   /* same gap, fewer steps */
    assert_int_equal(c->best.id, 9);
    add(&f->t, 0, 0, 3, GD_STATUS_ABANDONED, 0.0, 0.0);     /* not a recorded status */
    assert_int_equal(c->best.id, 9);
    assert_true(c->best.gap == 0.1 && c->best.loss == 9.0 && c->best.steps == 15);
    assert_int_equal(c->runs, 6);
    assert_int_equal(c->converged, 0);
    assert_int_equal(c->max_iter, 5);
    assert_int_equal(c->diverged, 1);
}

/* Gaps below DBL_EPSILON x max(1, |f_opt|) are rounding: equal, so steps decide. */
static void test_gaps_at_rounding_tie(void **state)
{
    fixture *f = *state;
    gd_tally_cell *c = gd_tally_at(&f->t, 0, 1);
    double f_opt = 3.75, eps = DBL_EPSILON * f_opt;
    add_steps(&f->t, 0, 1, 20, GD_STATUS_MAX_ITER, 0.0, f_opt, 40);
    add_steps(&f->t, 0, 1, 21, GD_STATUS_MAX_ITER, 0.5 * eps, f_opt + 0.5 * eps, 12);
    assert_int_equal(c->best.id, 21);                        /* both at rounding: fewer steps */
    add_steps(&f->t, 0, 1, 22, GD_STATUS_MAX_ITER, -eps, f_opt - eps, 12);
    assert_int_equal(c->best.id, 21);                        /* below f_opt: rounding too */
    add_steps(&f->t, 0, 1, 23, GD_STATUS_MAX_ITER, 4 * eps, f_opt + 4 * eps, 1);
    assert_int_equal(c->best.id, 21);                        /* above rounding: a real gap */
    add_steps(&f->t, 0, 1, 24, GD_STATUS_MAX_ITER, 0.0, 0.0, 12);
    assert_int_equal(c->best.id, 24);                        /* f_opt 0: floor eps < 3.75 eps */
    add_steps(&f->t, 0, 1, 19, GD_STATUS_MAX_ITER, 0.25 * DBL_EPSILON, 0.25 * DBL_EPSILON, 12);
    assert_int_equal(c->best.id, 19);                        /* same floor and steps: id */
}

static void test_best_by_loss_without_optimum(void **state)
{
    fixture *f = *state;
    gd_tally_cell *c = gd_tally_at(&f->t, f->t.first_group[1], 0);
    add(&f->t, 1, 0, 12, GD_STATUS_MAX_ITER, NAN, NAN);      /* neither: last */
    assert_int_equal(c->best.id, 12);
    add(&f->t, 1, 0, 14, GD_STATUS_MAX_ITER, NAN, 3.0);
    assert_int_equal(c->best.id, 14);
    add(&f->t, 1, 0, 15, GD_STATUS_MAX_ITER, NAN, 2.0);
    assert_int_equal(c->best.id, 15);
    add(&f->t, 1, 0, 13, GD_STATUS_MAX_ITER, NAN, 2.0);      /* tie: lower id */
    assert_int_equal(c->best.id, 13);
    add(&f->t, 1, 0, 11, GD_STATUS_MAX_ITER, NAN, NAN);
    assert_int_equal(c->best.id, 13);
    uint64_t by[3];
    gd_tally_status_totals(&f->t, by);
    assert_int_equal(by[0], 0);
    assert_int_equal(by[1], 5);
    assert_int_equal(by[2], 0);
}

/* The case: momentum reached loss_tol in 1620 steps, adam in 1836 with a gap
 * 9e-10 lower; converged runs rank by steps, before any run that did not converge. */
static void test_converged_first_by_steps(void **state)
{
    fixture *f = *state;
    gd_tally_cell *c = gd_tally_at(&f->t, 0, 0);
    add_steps(&f->t, 0, 0, 30, GD_STATUS_MAX_ITER, 1e-12, 1e-12, 5000);
    add_steps(&f->t, 0, 0, 31, GD_STATUS_CONVERGED, 9.983e-7, 9.983e-7, 1836);
    assert_int_equal(c->best.id, 31);                        /* converged beats a lower gap */
    add_steps(&f->t, 0, 0, 32, GD_STATUS_CONVERGED, 9.992e-7, 9.992e-7, 1620);
    assert_int_equal(c->best.id, 32);                        /* fewer steps, higher gap */
    add_steps(&f->t, 0, 0, 29, GD_STATUS_CONVERGED, 1e-9, 1e-9, 1620);
    assert_int_equal(c->best.id, 29);                        /* same steps: lower id */
}

/* Ranked by a column: its value decides (max or min), NaN last, then steps and id. */
static void test_ranked_by_a_column(void **state)
{
    fixture *f = *state;
    gd_error err = {{0}, 0};
    gd_ranking by_psnr;
    gd_tally t;
    gd_ranking_default(&by_psnr);
    snprintf(by_psnr.column, sizeof by_psnr.column, "psnr");
    by_psnr.maximize = 1;
    assert_int_equal(gd_tally_init(&t, &f->s, &by_psnr, &err), 0);
    gd_tally_cell *c = gd_tally_at(&t, t.first_group[1], 0);
    add_valued(&t, 1, 0, 50, GD_STATUS_CONVERGED, NAN, 1.0, 10, NAN);
    add_valued(&t, 1, 0, 51, GD_STATUS_MAX_ITER, NAN, 9.0, 90, 19.2);
    assert_int_equal(c->best.id, 51);                        /* NaN last, converged or not */
    add_valued(&t, 1, 0, 52, GD_STATUS_MAX_ITER, NAN, 99.0, 90, 26.9);
    assert_int_equal(c->best.id, 52);                        /* higher psnr, higher loss */
    add_valued(&t, 1, 0, 53, GD_STATUS_MAX_ITER, NAN, 99.0, 80, 26.9);
    assert_int_equal(c->best.id, 53);                        /* same value: fewer steps */
    gd_tally_free(&t);
    by_psnr.maximize = 0;
    assert_int_equal(gd_tally_init(&t, &f->s, &by_psnr, &err), 0);
    c = gd_tally_at(&t, t.first_group[1], 0);
    add_valued(&t, 1, 0, 52, GD_STATUS_MAX_ITER, NAN, 99.0, 90, 26.9);
    add_valued(&t, 1, 0, 51, GD_STATUS_MAX_ITER, NAN, 9.0, 90, 19.2);
    assert_int_equal(c->best.id, 51);                        /* min: the lower value */
    gd_tally_free(&t);
}

/* Runs of the two settings of q (a = 1, a = 2) are tallied apart, whatever their losses;
 * the optimizers of one setting are ranked by their best runs. */
static void test_settings_apart_and_ranked(void **state)
{
    fixture *f = *state;
    gd_run_desc d;
    gd_run_result r;
    memset(&r, 0, sizeof r);
    for (size_t k = 0; k < GD_TARGETS; k++)
        r.steps_to[k] = -1;
    r.status = GD_STATUS_MAX_ITER;
    assert_int_equal(f->t.n_groups, 3);                     /* q: a = 1, 2; img: one */
    for (uint64_t id = 0; id < f->s.n_runs; id++) {
        gd_sweep_decode(&f->s, id, &d);
        r.iterations = 10;
        r.loss_final = d.problem_params[0] == 2 ? 1.0 : 5.0 + (double)d.optimizer;
        r.gap = r.loss_final - 3.0;
        r.steps_to[GD_TALLY_TARGET] = (long)(100 - id);
        gd_tally_add(&f->t, &d, &r, NAN, NULL, 0);
        size_t g = gd_tally_group_of(&f->t, &d);
        assert_int_equal(g, d.problem == 1 ? 2 : (size_t)d.problem_params[0] - 1);
    }
    gd_tally_cell *a1 = gd_tally_at(&f->t, 0, 0), *a2 = gd_tally_at(&f->t, 1, 0);
    assert_true(a1->best.loss == 5.0 && a2->best.loss == 1.0); /* never mixed */
    assert_int_equal(gd_tally_rank(&f->t, 0, 0), 1);       /* gd 5 before adam 6 at a = 1 */
    assert_int_equal(gd_tally_rank(&f->t, 0, 1), 2);
    assert_int_equal(gd_tally_rank(&f->t, 2, 1), 0);       /* adam does not run on img */
    uint64_t last_gd_a2 = 0; /* steps to target 100 - id: the fewest is the last id */
    for (uint64_t id = 0; id < f->s.n_runs; id++) {
        gd_sweep_decode(&f->s, id, &d);
        if (d.problem == 0 && d.optimizer == 0 && d.problem_params[0] == 2)
            last_gd_a2 = id;
    }
    assert_int_equal(a2->fewest_to_id, last_gd_a2);
    assert_int_equal(a2->fewest_to, 100 - (long)last_gd_a2);
}

static void test_final_parameters(void **state)
{
    fixture *f = *state;
    gd_run_desc d;
    gd_run_result r;
    double x[5] = {1, 2, 3, 4, 5};
    memset(&d, 0, sizeof d);
    memset(&r, 0, sizeof r);
    r.status = GD_STATUS_MAX_ITER;
    r.gap = 1.0;
    d.id = 3;
    gd_tally_add(&f->t, &d, &r, NAN, x, 2);
    gd_tally_cell *c = gd_tally_at(&f->t, 0, 0);
    assert_int_equal(c->best_dim, 2);
    assert_true(c->best_x[0] == 1 && c->best_x[1] == 2);
    r.gap = 0.5;
    d.id = 1;
    gd_tally_add(&f->t, &d, &r, NAN, x, 5);                 /* too many to keep */
    assert_int_equal(c->best.id, 1);
    assert_int_equal(c->best_dim, 0);
}

/* The first run id of pair (p, o) whose decoded values satisfy want. */
static uint64_t find_run(const gd_sweep *s, uint32_t p, uint32_t o, double a, double lr,
                         const char *schedule)
{
    gd_run_desc d;
    for (uint64_t id = 0; id < s->n_runs; id++) {
        gd_sweep_decode(s, id, &d);
        if (d.problem == p && d.optimizer == o && d.optimizer_params[0] == lr &&
            strcmp(d.schedule->name, schedule) == 0 && (p != 0 || d.problem_params[0] == a))
            return id;
    }
    fail_msg("no such run");
    return 0;
}

static void test_swept_values(void **state)
{
    fixture *f = *state;
    char buf[128];
    uint64_t id = find_run(&f->s, 0, 0, 2, 0.123456789, "step");
    gd_tally_swept(&f->t, id, 0, 0, buf, sizeof buf);
    assert_string_equal(buf, "lr=0.123456789 schedule=step");   /* gamma: one value */
    gd_tally_swept(&f->t, id, 1, 0, buf, sizeof buf);
    assert_string_equal(buf, "a=2");                             /* the problem setting */
    gd_tally_swept(&f->t, id, 0, 6, buf, sizeof buf);
    assert_string_equal(buf, "lr=0.123457 schedule=step");
    id = find_run(&f->s, 1, 0, 0, 0.1, "constant");
    gd_tally_swept(&f->t, id, 0, 0, buf, sizeof buf);
    assert_string_equal(buf, "lr=0.1 schedule=constant");
    gd_tally_swept(&f->t, id, 1, 0, buf, sizeof buf);
    assert_string_equal(buf, "");
    id = find_run(&f->s, 0, 1, 1, 0.01, "constant");
    gd_tally_swept(&f->t, id, 0, 0, buf, sizeof buf);
    assert_string_equal(buf, "");
    gd_tally_swept(&f->t, find_run(&f->s, 0, 0, 2, 0.123456789, "step"), 0, 0, buf, 12);
    assert_string_equal(buf, "lr=0.123...");
    gd_tally_swept(&f->t, f->s.n_runs, 0, 0, buf, sizeof buf);
    assert_string_equal(buf, "");
}

static char *printed(const gd_tally *t, int csv)
{
    FILE *out = tmpfile();
    assert_non_null(out);
    (csv ? gd_tally_print_csv : gd_tally_print)(t, out);
    return test_read_all(out);
}

static void test_tables(void **state)
{
    fixture *f = *state;
    char expect[2048], params[128];
    uint64_t id = find_run(&f->s, 0, 0, 1, 0.123456789, "constant");
    gd_tally_swept(&f->t, id, 0, 0, params, sizeof params);
    assert_string_equal(params, "lr=0.123456789 schedule=constant");
    add(&f->t, 0, 0, id, GD_STATUS_CONVERGED, 0.1, 1.0 / 3.0);
    add(&f->t, 0, 0, id + 1, GD_STATUS_DIVERGED, 0.0, 0.0);
    add(&f->t, 1, 0, 40, GD_STATUS_DIVERGED, NAN, NAN);
    char *csv = printed(&f->t, 1);
    snprintf(expect, sizeof expect,
             "problem,settings,optimizer,rank,ranked_by,runs,converged,max_iter,diverged,"
             "best_run,steps,loss_final,gap,psnr,steps_to_1e-6,params,final_x\n"
             "q,a=1,gd,1,default,2,1,0,1,%llu,%llu,0.3333333333333333,0.1,,,%s,\n"
             "img,,gd,,default,1,0,0,1,,,,,,,,\n",
             (unsigned long long)id, (unsigned long long)id + 10, params);
    assert_string_equal(csv, expect);
    free(csv);

    char *text = printed(&f->t, 0);
    char *head = strchr(text, '\n') + 1, *second = strchr(head, '\n') + 1;
    char *third = strchr(second, '\n') + 1;
    assert_non_null(strstr(text, "ranked by converged first (fewest steps), then gap"));
    const char *heads = "problem  settings  optimizer  rank  runs  conv  budget  div  best run"
                        "  steps  final loss  gap  psnr  to 1e-6  params";
    assert_int_equal(strncmp(head, heads, strlen(heads)), 0);
    assert_non_null(strstr(second, "  0.333333  0.1     -        -  lr=0.123457 schedule=constant"));
    assert_int_equal(strncmp(second, "q        a=1       gd            1", 34), 0);
    assert_non_null(strstr(third, "(all diverged)\n"));
    assert_int_equal(strncmp(third, "img                gd            -", 34), 0);
    assert_null(strstr(text, " \n"));                        /* no trailing blanks */
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_best_by_gap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gaps_at_rounding_tie, setup, teardown),
        cmocka_unit_test_setup_teardown(test_best_by_loss_without_optimum, setup, teardown),
        cmocka_unit_test_setup_teardown(test_converged_first_by_steps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ranked_by_a_column, setup, teardown),
        cmocka_unit_test_setup_teardown(test_settings_apart_and_ranked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_final_parameters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_swept_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tables, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
