/* test_columns_row.c - every run and result cell of a runs-table row, read back by name.
 *
 * The row fill walks a compact list of cells built with the columns (columns_row.c); each
 * cell is checked here against the value the run put in its description, result and
 * storage, distinct per cell, so a cell left out, filled twice or swapped shows. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gdsweep/columns.h"

static void expect_number(const gd_columns *c, const void *row, const char *name, double want)
{
    int i = gd_columns_find(c, name);
    if (i < 0)
        fail_msg("no column %s", name);
    double got = gd_columns_number(c, (size_t)i, row);
    if (memcmp(&got, &want, sizeof got) != 0)
        fail_msg("%s: %.17g, want %.17g", name, got, want);
}

static void expect_text(const gd_columns *c, const void *row, const char *name,
                        const char *want)
{
    char text[128];
    int i = gd_columns_find(c, name);
    if (i < 0)
        fail_msg("no column %s", name);
    gd_columns_text(c, (size_t)i, row, text, sizeof text);
    assert_string_equal(text, want);
}

static gd_run_result distinct_result(void)
{
    gd_run_result r = {.status = -1, .iterations = 17, .loss_initial = 1.25,
                       .loss_final = 2.5, .loss_best = 0.375, .grad_norm_final = 4.5,
                       .gap = 5.5, .metric = 6.5, .loss_evals = 18, .grad_evals = 19,
                       .monitor_loss_evals = 20, .monitor_grad_evals = 21,
                       .wall_seconds = 7.5, .samples_seen = 22, .epochs = 8.5, .rank = 3,
                       .threads = 4};
    for (int k = 0; k < GD_TARGETS; k++) {
        r.steps_to[k] = 100 + k;
        r.grad_evals_to[k] = 200 + k;
        r.seconds_to[k] = 300.5 + k;
    }
    return r;
}

static void expect_targets(const gd_columns *c, const void *row, const gd_run_result *r)
{
    for (size_t k = 0; k < GD_TARGETS; k++) {
        expect_number(c, row, gd_target_column_name(GD_TARGET_STEPS, k),
                      (double)r->steps_to[k]);
        expect_number(c, row, gd_target_column_name(GD_TARGET_GRAD_EVALS, k),
                      (double)r->grad_evals_to[k]);
        expect_number(c, row, gd_target_column_name(GD_TARGET_SECONDS, k), r->seconds_to[k]);
    }
}

static void test_every_run_and_result_cell(void **unused)
{
    gd_columns c;
    gd_error err;
    assert_int_equal(gd_columns_build(&c, &err), 0);
    gd_problem_section ps = {.label = "quad_one", .type = &gd_problem_quadratic};
    gd_optimizer_section os = {.label = "adam_fast", .type = &gd_optimizer_adam};
    gd_sweep s = {.problems = &ps, .n_problems = 1, .optimizers = &os, .n_optimizers = 1};
    gd_run_desc d = {.id = 41, .instance = 42, .repeat = 43, .schedule = gd_schedules[0]};
    gd_run_result r = distinct_result();
    gd_row_storage st = {31, 32, 33, 34, 35, 36, 37};
    unsigned char *row = malloc(c.row_size);
    assert_non_null(row);
    memset(row, 0xab, c.row_size);
    gd_columns_fill_row(&c, &s, &d, &r, &st, row);
    expect_number(&c, row, "run_id", 41);
    expect_number(&c, row, "instance", 42);
    expect_number(&c, row, "repeat", 43);
    expect_text(&c, row, "problem", "quad_one");
    expect_text(&c, row, "problem_type", "quadratic");
    expect_text(&c, row, "optimizer", "adam_fast");
    expect_text(&c, row, "optimizer_type", "adam");
    expect_text(&c, row, "schedule", gd_schedules[0]->name);
    expect_text(&c, row, "status", "diverged");
    expect_number(&c, row, "status_code", -1);
    expect_number(&c, row, "steps", 17);
    expect_number(&c, row, "loss_initial", 1.25);
    expect_number(&c, row, "loss_final", 2.5);
    expect_number(&c, row, "loss_best", 0.375);
    expect_number(&c, row, "grad_norm_final", 4.5);
    expect_number(&c, row, "gap", 5.5);
    expect_number(&c, row, "loss_evals", 18);
    expect_number(&c, row, "grad_evals", 19);
    expect_number(&c, row, "monitor_loss_evals", 20);
    expect_number(&c, row, "monitor_grad_evals", 21);
    expect_number(&c, row, "wall_seconds", 7.5);
    expect_number(&c, row, "samples_seen", 22);
    expect_number(&c, row, "epochs", 8.5);
    expect_number(&c, row, "rank", 3);
    expect_number(&c, row, "threads", 4);
    expect_targets(&c, row, &r);
    const char *storage[] = {"traj_offset", "traj_count", "path_offset", "path_count",
                             "path_dim", "final_offset", "final_count"};
    for (size_t i = 0; i < 7; i++)
        expect_number(&c, row, storage[i], 31 + (double)i);
    expect_number(&c, row, "written", 0);
    free(row);
    gd_columns_free(&c);
}

/* Cells the run does not fill keep the blank row's values (NaN, "", 0), whatever the
 * buffer held before. */
static void test_unfilled_cells_are_blank(void **unused)
{
    gd_columns c;
    gd_error err;
    assert_int_equal(gd_columns_build(&c, &err), 0);
    gd_problem_section ps = {.label = "q", .type = &gd_problem_quadratic};
    gd_optimizer_section os = {.label = "g", .type = &gd_optimizer_gd};
    gd_sweep s = {.problems = &ps, .n_problems = 1, .optimizers = &os, .n_optimizers = 1};
    gd_run_desc d = {.id = 1};
    gd_run_result r = distinct_result();
    gd_row_storage st = {0};
    unsigned char *row = malloc(c.row_size);
    assert_non_null(row);
    memset(row, 0x5c, c.row_size);
    gd_columns_fill_row(&c, &s, &d, &r, &st, row);
    expect_number(&c, row, "beta1", NAN);
    expect_text(&c, row, "schedule", "");
    expect_number(&c, row, "written", 0);
    free(row);
    gd_columns_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_run_and_result_cell),
        cmocka_unit_test(test_unfilled_cells_are_blank),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
