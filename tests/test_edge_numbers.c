/* test_edge_numbers.c - numbers at the edge: each is a clear error or a correct run.
 *
 * Grid sizes past 2^64 runs (10^20) and just under it (10^19, decoded to the last run);
 * NaN and Inf however spelled, and generators whose arithmetic overflows; learning rates
 * that are denormal (accepted, and a run with one leaves x where it was) or that
 * underflow to 0 (refused); iterations at the limit 2^53 (accepted; a run that converges
 * early is correct when record_every keeps its history small, and a clear error when the
 * history cannot be held); the smallest image (size 1 refused, 2 a correct run);
 * degree-0 polynomials (a fit of a constant, reaching the known optimum). Runs go
 * through the gdsweep binary (GD_BINARY) and are read back with the reader. The grid
 * errors of test_grid_errors.c and test_grid_decode.c are not repeated here. */
#include "test_grid_util.h"

#include <math.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "gdsweep/store_read.h"
#include "test_files.h"

#define PQ "[problem q]\ntype = quadratic\n"
#define OG "[optimizer gd]\n"

/* ---- grids ------------------------------------------------------------------------ */

static void parse_bad_huge(const char *text, const char *what)
{
    gd_sweep s;
    gd_error err = {{0}, 0};
    int rc = gd_sweep_parse(&s, TEST_GRID_PATH, text, strlen(text), 1, &err);
    if (rc == 0 || !strstr(err.msg, what))
        print_error("expected '%s', got rc %d: %s\n", what, rc, err.msg);
    assert_int_equal(rc, -1);
    assert_int_equal(err.exit_code, GD_EXIT_USAGE);
    assert_non_null(strstr(err.msg, what));
}

static void test_grid_of_1e20_runs(void **state)
{
    /* 10^18 repeats x 100 learning rates: past 2^64 - 1 even with --allow-huge. */
    parse_bad_huge("[sweep]\nrepeats = 1000000000000000000\n" PQ OG
                   "lr = linspace(0.1, 1, 100)\n", "grid too large");
    /* The product overflows in the middle of a section's keys, not only at the end. */
    parse_bad_huge(PQ "x0 = linspace(0, 1, 4000000)\na = linspace(1, 2, 4000000)\n"
                   "b = linspace(1, 2, 4000000)\n" OG, "grid too large");
}

static void test_values_budget(void **state)
{
    /* A few bytes of linspace() in many sections took 3.9 GB (50 sections of 10^7); all
     * the lists together hold at most 2^24 values, refused before they are made. */
    parse_bad_huge(PQ OG "lr = linspace(0.1, 1, 10000000)\n[optimizer o2]\ntype = gd\n"
                   "lr = linspace(0.1, 1, 10000000)\n",
                   "t.ini:7: lr: the grid's value lists would hold more than 16777216 values");
    gd_sweep s;
    grid_ok(&s, PQ OG "lr = linspace(0.1, 1, 10000000)\n[optimizer o2]\ntype = gd\n"
                "lr = linspace(0.1, 1, 6777216)\n", 1);
    gd_sweep_free(&s);
}

static void test_grid_of_1e19_runs(void **state)
{
    gd_sweep s;
    grid_ok(&s, "[sweep]\nrepeats = 100000000000000000\n" PQ OG "lr = linspace(0.1, 1, 100)\n",
            1);
    assert_true(s.n_runs == 10000000000000000000ULL);
    assert_true(s.n_instances == 100000000000000000ULL);
    gd_run_desc d;
    gd_sweep_decode(&s, s.n_runs - 1, &d);
    assert_true(d.repeat == 100000000000000000ULL - 1);
    assert_true(d.instance == s.n_instances - 1);
    assert_true(d.optimizer_params[0] == 1.0);
    gd_sweep_decode(&s, 5000000000000000049ULL, &d); /* repeat 5e16, the 50th lr */
    assert_true(d.repeat == 50000000000000000ULL);
    assert_true(fabs(d.optimizer_params[0] - (0.1 + 0.9 * 49 / 99)) < 1e-15);
    gd_sweep_free(&s);
}

static void test_nan_and_inf_spellings(void **state)
{
    static const char *const values[] = {"-inf", "NaN", "-nan", "infinity", "1e999", "-1e999",
                                         "0x1p2000", NULL};
    for (size_t i = 0; values[i]; i++) {
        char text[256];
        snprintf(text, sizeof text, PQ "x0 = %s\n" OG, values[i]);
        grid_bad(text, "t.ini:3: ", "NaN and Inf are not allowed");
    }
    grid_bad(PQ "x0 = linspace(0, 1e999, 2)\n" OG, "t.ini:3: ", "'1e999' is not finite");
    /* Finite arguments whose arithmetic overflows: b - a is inf. */
    grid_bad(PQ "x0 = linspace(-1e308, 1e308, 3)\n" OG, "t.ini:3: ", "NaN and Inf");
    grid_bad(PQ "x0 = range(-1e308, 1e308, 1e307)\n" OG, "t.ini:3: ", "more than 10000000");
    grid_bad(PQ OG "lr = logspace(308, 309, 2)\n", "t.ini:4: ", "NaN and Inf");
}

static void test_denormal_and_underflow(void **state)
{
    gd_sweep s;
    grid_ok(&s, PQ OG "lr = 1e-310, 4.9e-324\n[optimizer adam]\nlr = 2.2e-308\n", 0);
    assert_int_equal(s.n_runs, 3);
    gd_run_desc d;
    gd_sweep_decode(&s, 1, &d);
    assert_true(d.optimizer_params[0] > 0 && d.optimizer_params[0] < 1e-323);
    gd_sweep_free(&s);
    /* Below the smallest denormal strtod gives 0: refused as an underflow, whatever the
     * range (momentum's mu allows 0), and 0 written as 0 is still 0. */
    grid_bad(PQ OG "lr = 1e-400\n", "t.ini:4: ", "lr = 1e-400 underflows to 0 as a double");
    grid_bad(PQ "[optimizer momentum]\nmomentum = 0, -2.5e-999\n", "t.ini:4: ", "underflows to 0");
    grid_ok(&s, PQ "[optimizer momentum]\nmomentum = 0, 0.0e7, -0.000\n", 0);
    assert_int_equal(s.n_runs, 3);
    gd_sweep_free(&s);
    grid_bad(PQ OG "lr = logspace(-400, -300, 3)\n", "t.ini:4: ", "out of range");
}

static void test_iterations_at_the_limit(void **state)
{
    gd_sweep s;
    grid_ok(&s, PQ "iterations = 9007199254740992\n" OG, 0); /* 2^53: exact in a double */
    gd_run_desc d;
    gd_sweep_decode(&s, 0, &d);
    assert_true(d.control.iterations == 9007199254740992L);
    gd_sweep_free(&s);
    grid_bad(PQ "iterations = 9007199254740994\n" OG, "t.ini:3: ", "out of range");
    /* 2^53 + 1 rounds to 2^53 as a double: refused, not silently run as 2^53. */
    grid_bad(PQ "iterations = 9007199254740993\n" OG, "t.ini:3: ", "not exact as a double");
    grid_bad(PQ "iterations = 10, 9007199254740993\n" OG, "t.ini:3: ", "9007199254740993");
    grid_bad(PQ "iterations = 1e300\n" OG, "t.ini:3: ", "out of range");
    grid_bad(PQ "iterations = 0\n" OG, "t.ini:3: ", "out of range");
    grid_bad("[sweep]\nrecord_every = 9223372036854775808\n" PQ OG, "t.ini:2: ",
             "record_every");
}

static void test_smallest_problems_are_valid_grids(void **state)
{
    grid_bad("[problem d]\ntype = denoise\nsize = 1\n" OG, "t.ini:3: ",
             "size = 1 is out of range: must be in [2, 65536]");
    grid_bad("[problem c]\ntype = curvefit\ndegree = -1\n" OG, "t.ini:3: ", "out of range");
    grid_bad("[problem c]\ntype = curvefit\ndegree = 0.5\n" OG, "t.ini:3: ", "whole number");
    gd_sweep s;
    grid_ok(&s, "[problem c]\ntype = curvefit\ndegree = 0\npoints = 1\n" OG, 0);
    gd_sweep_free(&s);
    grid_ok(&s, "[problem d]\ntype = denoise\nsize = 2\n" OG, 0);
    gd_sweep_free(&s);
}

/* ---- runs through the binary --------------------------------------------------------- */

/* Writes text as test_dir()/name.ini, runs gdsweep on it into name.h5 (stderr kept in
 * name.err); returns the exit status. */
static int sweep(const char *name, const char *text)
{
    char grid[128], out[128], errf[128], cmd[1024];
    test_path(grid, sizeof grid, name);
    strcat(grid, ".ini");
    test_path(out, sizeof out, name);
    strcat(out, ".h5");
    test_path(errf, sizeof errf, name);
    strcat(errf, ".err");
    FILE *f = fopen(grid, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    const char *bin = getenv("GD_BINARY");
    assert_non_null(bin);
    snprintf(cmd, sizeof cmd, "'%s' '%s' -o '%s' --quiet --threads 1 2>'%s'", bin, grid, out,
             errf);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static char *stderr_of(const char *name)
{
    char errf[128];
    test_path(errf, sizeof errf, name);
    strcat(errf, ".err");
    return test_read_all(fopen(errf, "r"));
}

#define MAX_ROWS 16

/* Columns of every row of name.h5: out[k * MAX_ROWS + row]. Returns the rows. */
static size_t read_columns(const char *name, const char *const *cols, size_t n, double *out)
{
    char path[128];
    test_path(path, sizeof path, name);
    strcat(path, ".h5");
    gd_reader *r = NULL;
    gd_error err = {{0}, 0};
    if (gd_reader_open(&r, path, &err) != 0)
        fail_msg("%s", err.msg);
    size_t rows = gd_reader_rows(r);
    assert_true(rows > 0 && rows <= MAX_ROWS);
    for (size_t k = 0; k < n; k++)
        if (gd_reader_column_f64(r, cols[k], 0, rows, out + k * MAX_ROWS, &err) != 0)
            fail_msg("%s", err.msg);
    gd_reader_close(r);
    return rows;
}

enum { C_STATUS, C_LOSS0, C_LOSS, C_GAP, C_ITER, C_COUNT };
static const char *const result_cols[] = {"status_code", "loss_initial", "loss_final", "gap",
                                          "steps"};

static void test_denormal_rate_run(void **state)
{
    assert_int_equal(sweep("denormal", PQ "iterations = 10\n" OG "lr = 1e-310, 4.9e-324\n"
                                       "[optimizer adam]\nlr = 1e-310\n"), 0);
    double v[C_COUNT * MAX_ROWS];
    size_t rows = read_columns("denormal", result_cols, C_COUNT, v);
    assert_int_equal(rows, 3);
    for (size_t i = 0; i < rows; i++) {
        /* x = 5 moves by at most 1e-310 * |g|: it stays 5, and so does the loss (60). */
        assert_true(v[C_STATUS * MAX_ROWS + i] == 0);  /* max_iter, never diverged */
        assert_true(v[C_LOSS * MAX_ROWS + i] == 60.0);
        assert_true(v[C_LOSS0 * MAX_ROWS + i] == 60.0);
        assert_true(v[C_ITER * MAX_ROWS + i] == 10);
    }
}

static void test_huge_budget_that_converges(void **state)
{
    /* 2^53 iterations; converges in under 100; the history holds 2 records. */
    assert_int_equal(sweep("budget", "[sweep]\nrecord_every = 4503599627370496\n" PQ
                                     "iterations = 9007199254740992\ngrad_tol = 1e-6\n" OG),
                     0);
    double v[C_COUNT * MAX_ROWS];
    assert_int_equal(read_columns("budget", result_cols, C_COUNT, v), 1);
    assert_true(v[C_STATUS * MAX_ROWS] == 1);          /* converged */
    assert_true(v[C_ITER * MAX_ROWS] < 200);
    assert_true(fabs(v[C_GAP * MAX_ROWS]) < 1e-9);
    /* With a record per iteration the history cannot be held: one clear line, exit 1. */
    assert_int_equal(sweep("budget_all", PQ "iterations = 9007199254740992\ngrad_tol = 1e-6\n"
                                         OG), 1);
    char *msg = stderr_of("budget_all");
    assert_non_null(strstr(msg, "out of memory for 9007199254740993 history records"));
    assert_non_null(strstr(msg, "raise record_every"));
    size_t lines = 0;
    for (const char *p = msg; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 1);
    free(msg);
}

static void test_two_by_two_image(void **state)
{
    assert_int_equal(sweep("image", "[problem d]\ntype = denoise\nsize = 2\niterations = 50\n"
                                    "noise = 0.5, 0\n" OG "[optimizer adam]\n"), 0);
    double v[C_COUNT * MAX_ROWS];
    size_t rows = read_columns("image", result_cols, C_COUNT, v);
    assert_int_equal(rows, 4);
    for (size_t i = 0; i < rows; i++) {
        double l0 = v[C_LOSS0 * MAX_ROWS + i], l = v[C_LOSS * MAX_ROWS + i];
        assert_true(isfinite(l0) && isfinite(l));
        assert_true(l <= l0);        /* descent on the 4-pixel TV energy */
        assert_true(v[C_STATUS * MAX_ROWS + i] >= 0);
    }
}

static void test_degree_zero_fit(void **state)
{
    /* Fitting a constant: the least-squares optimum is the mean of y; gap -> 0. */
    assert_int_equal(sweep("fit0", "[problem c]\ntype = curvefit\ndegree = 0\n"
                                   "points = 1, 2, 100\niterations = 3000\n"
                                   "[optimizer adam]\nlr = 0.5\n"), 0);
    double v[C_COUNT * MAX_ROWS];
    size_t rows = read_columns("fit0", result_cols, C_COUNT, v);
    assert_int_equal(rows, 3);
    for (size_t i = 0; i < rows; i++) {
        double gap = v[C_GAP * MAX_ROWS + i], l0 = v[C_LOSS0 * MAX_ROWS + i];
        assert_true(isfinite(gap) && gap >= -1e-9);
        assert_true(gap <= 1e-8 * (1 + l0));
    }
}

static int setup(void **state) { return test_dir_create("edge"); }
static int teardown(void **state) { return test_dir_remove(); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_of_1e20_runs),
        cmocka_unit_test(test_values_budget),
        cmocka_unit_test(test_grid_of_1e19_runs),
        cmocka_unit_test(test_nan_and_inf_spellings),
        cmocka_unit_test(test_denormal_and_underflow),
        cmocka_unit_test(test_iterations_at_the_limit),
        cmocka_unit_test(test_smallest_problems_are_valid_grids),
        cmocka_unit_test(test_denormal_rate_run),
        cmocka_unit_test(test_huge_budget_that_converges),
        cmocka_unit_test(test_two_by_two_image),
        cmocka_unit_test(test_degree_zero_fit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
