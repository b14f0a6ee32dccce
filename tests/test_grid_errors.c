/* test_grid_errors.c - every kind of bad grid gives exit code 2 and one line
 * "PATH:LINE: what; fix" with the right line; gd_sweep_load on real files. */
#include "test_grid_util.h"

#include <stdlib.h>
#include <unistd.h>

#define PQ "[problem q]\ntype = quadratic\n"   /* lines 1-2 */
#define OG "[optimizer o]\ntype = gd\n"        /* 2 lines */

static void test_ini_syntax(void **state)
{
    grid_bad(PQ "this is not ini\n" OG, "t.ini:3: ", "cannot read 'this is not ini'");
    grid_bad(PQ "[optimizer o\n", "t.ini:3: ", "cannot read");
    grid_bad("lr = 1\n" PQ OG, "t.ini:1: ", "outside any section");
    grid_bad(PQ OG "lr = 0.1\nlr = 0.2\n", "t.ini:6: ", "given twice");
    grid_bad(PQ OG "lr = 0.1\n  beta = 2\n", "t.ini:6: ", "continuation of 'lr'");
    grid_bad(PQ OG "lr = 0.1\n  [sweep]\n", "t.ini:6: ", "indented section header");
    grid_bad(PQ "[optimizer o] x\n", "t.ini:3: ", "text after ']'");
    static const char nul[] = PQ "\n\n" OG "lr = 1\0 2\n";
    grid_bad_len(nul, sizeof nul - 1, "t.ini:7: ", "NUL byte");
}

static void test_stray_cr(void **state)
{
    /* A CR that is not part of a CRLF used to drop the rest of its line (lr = 50 ran
     * as lr = 0.1); a CR-only file read as one line. */
    grid_bad(PQ "[optimizer o]\rlr = 50\ntype = gd\n", "t.ini:3: ",
             "carriage return (CR) inside the line, at byte 14");
    grid_bad("[problem q]\rtype = quadratic\r[optimizer o]\rtype = gd\r", "t.ini:1: ",
             "carriage return (CR)");
    grid_bad(PQ OG "lr = 0.1\r\r\n", "t.ini:5: ", "carriage return (CR)");
    grid_bad(PQ OG "lr = 0.1\r", "t.ini:5: ", "carriage return (CR)");
    grid_bad(PQ OG "; a comment\r with a CR\n", "t.ini:5: ", "carriage return (CR)");
}

static void test_sections(void **state)
{
    grid_bad(PQ "[optimiser o]\n", "t.ini:3: ", "unknown section kind 'optimiser'");
    grid_bad("[problem]\ntype = quadratic\n" OG, "t.ini:1: ", "has no label");
    grid_bad(PQ "[optimizer a b]\n", "t.ini:3: ", "more than one label");
    grid_bad(PQ "[optimizer a/b]\n", "t.ini:3: ", "label 'a/b' is not valid");
    grid_bad(PQ OG "[problem q]\n", "t.ini:5: ", "appears twice (first at line 1)");
    grid_bad("[sweep]\n" PQ OG "[sweep]\n", "t.ini:6: ", "appears twice (first at line 1)");
    grid_bad("[sweep x]\n" PQ OG, "t.ini:1: ", "takes no label");
    grid_bad("[sweep]\nseed = 1\n" OG, "t.ini: ", "no [problem LABEL] section");
    grid_bad(PQ, "t.ini: ", "no [optimizer LABEL] section");
}

static void test_types_and_keys(void **state)
{
    grid_bad("[problem q]\ntype = quadratc\n" OG, "t.ini:2: ", "known types: quadratic");
    grid_bad("[problem quad]\n" OG, "t.ini:1: ", "unknown problem type 'quad'");
    grid_bad(PQ "[optimizer o]\ntype = sgd\n", "t.ini:4: ", "unknown optimizer type 'sgd'");
    grid_bad(PQ "[optimizer o]\ntype = gd, adam\n", "t.ini:4: ", "type takes one name");
    grid_bad(PQ OG "momentum = 0.9\n", "t.ini:5: ", "unknown key 'momentum' in [optimizer o]");
    grid_bad(PQ OG "momentum = 0.9\n", "t.ini:5: ", "known keys: type, problems, lr, schedule");
    grid_bad("[problem q]\ntype = quadratic\nlr = 1\n" OG, "t.ini:3: ", "known keys: type, a");
    grid_bad("[sweep]\nseeds = 3\n" PQ OG, "t.ini:2: ", "known keys: name, output, seed");
}

static void test_values(void **state)
{
    grid_bad(PQ OG "lr = abc\n", "t.ini:5: ", "'abc' is not a number");
    grid_bad(PQ OG "lr = -1\n", "t.ini:5: ", "lr = -1 is out of range: must be in (0, inf");
    grid_bad(PQ OG "lr = 0.1, 0\n", "t.ini:5: ", "out of range");
    grid_bad(PQ "iterations = 1.5\n" OG, "t.ini:3: ", "must be a whole number");
    grid_bad(PQ "gradient = maybe\n" OG, "t.ini:3: ", "use one of analytic|numeric");
    grid_bad(PQ OG "schedule = linear\n", "t.ini:5: ", "'linear' is not a choice");
    grid_bad(PQ OG "lr = 0.1, inf\n", "t.ini:5: ", "NaN and Inf are not allowed");
    grid_bad(PQ OG "lr = nan\n", "t.ini:5: ", "NaN and Inf are not allowed");
    grid_bad(PQ OG "lr = logspace(300, 400, 3)\n", "t.ini:5: ", "NaN and Inf");
    grid_bad(PQ OG "lr = linspace(0.1, inf, 3)\n", "t.ini:5: ", "not finite");
    grid_bad(PQ OG "lr =\n", "t.ini:5: ", "no value given");
    grid_bad(PQ OG "lr = 0.1,,0.2\n", "t.ini:5: ", "empty item");
    grid_bad(PQ OG "lr = 0.1, 0.2,\n", "t.ini:5: ", "empty item");
    grid_bad(PQ OG "lr = 0.1,\n  ,0.2\n", "t.ini:5: ", "empty item");
}

static void test_generators(void **state)
{
    grid_bad(PQ OG "lr = linspace(0.1, 1, 0)\n", "t.ini:5: ", "n must be a whole number >= 1");
    grid_bad(PQ OG "lr = logspace(-3, 1, 2.5)\n", "t.ini:5: ", "n must be a whole number");
    grid_bad(PQ OG "lr = linspace(0.1, 1)\n", "t.ini:5: ", "takes 3 arguments (a, b, n), got 2");
    grid_bad(PQ OG "lr = range(0.1, 1, 0.1, 2)\n", "t.ini:5: ", "got 4");
    grid_bad(PQ OG "lr = range(0.1, 1, 0)\n", "t.ini:5: ", "step = 0");
    grid_bad(PQ OG "lr = range(1, 0.1, 0.1)\n", "t.ini:5: ", "has no values");
    grid_bad(PQ OG "lr = geomspace(1, 2, 3)\n", "t.ini:5: ", "use linspace(a, b, n)");
    grid_bad(PQ OG "lr = linspace(0.1, 1, 3\n", "t.ini:5: ", "missing ')'");
    grid_bad(PQ OG "lr = 0.1)\n", "t.ini:5: ", "unbalanced ')'");
    grid_bad(PQ OG "lr = linspace(0.1, 1, 1e300)\n", "t.ini:5: ", "more than 10000000 values");
    grid_bad(PQ OG "lr = range(0.1, 1e9, 1e-3)\n", "t.ini:5: ", "more than 10000000 values");
    grid_bad(PQ OG "lr = linspace(1, 2, 6000000), linspace(3, 4, 6000000)\n", "t.ini:5: ",
             "more than 10000000 values");
}

static void test_cross_section(void **state)
{
    grid_bad(PQ OG "problems = q, z\n", "t.ini:5: ", "no [problem z] section");
    grid_bad(PQ "[problem r]\ntype = rosenbrock\n" OG "problems = r\n", "t.ini:1: ",
             "no optimizer applies to [problem q]");
    grid_bad("[problem c]\ntype = curvefit\nx_min = 0, 5\nx_max = 3\n" OG, "t.ini:1: ",
             "x_min = 5 must be less than x_max = 3");
    /* The type's message with context added by gd_error_prefix/append, not rebuilt. */
    grid_bad("[problem c]\ntype = curvefit\nx_min = 0, 5\nx_max = 3\n" OG, "t.ini:1: ",
             "t.ini:1: [problem c]: x_min = 5 must be less than x_max = 3; change these "
             "values: ");
    grid_bad("[problem c]\ntype = curvefit\npoints = 2, 3\ndegree = 2\n" OG, "t.ini:1: ",
             "points = 2 must be at least degree + 1");
    grid_bad("[sweep]\ngradient = numeric\n[problem d]\ntype = denoise\nsize = 4, 10\n" OG,
             "t.ini:2: ", "use gradient = analytic");
    grid_bad("[problem d]\ntype = denoise\nsize = 9\ngradient = analytic, numeric\n" OG,
             "t.ini:4: ", "dimension 81 is more than 64");
    /* Setups that would fail at run time for certain (every run and every resume): the
     * fit's x^degree or data overflow a double. Refused at load, at the section. */
    grid_bad("[problem c]\ntype = curvefit\nx_min = -1e300\nx_max = 1e300\n" OG, "t.ini:1: ",
             "overflow a double in the least-squares fit");
    grid_bad("[problem c]\ntype = curvefit\nx_max = 10, 1e30\ndegree = 12\n" OG, "t.ini:1: ",
             "x_max = 1e+30: the data or x^degree (degree = 12) overflow");
}

static void test_sweep_keys(void **state)
{
    grid_bad("[sweep]\nrepeats = 0\n" PQ OG, "t.ini:2: ", "from 1 to");
    grid_bad("[sweep]\nseed = -1\n" PQ OG, "t.ini:2: ", "seed '-1'");
    grid_bad("[sweep]\nseed = 1, 2\n" PQ OG, "t.ini:2: ", "seed '1, 2'");
    grid_bad("[sweep]\nseed = 18446744073709551616\n" PQ OG, "t.ini:2: ", "whole number");
    grid_bad("[sweep]\nrecord_every = 1.5\n" PQ OG, "t.ini:2: ", "record_every");
    grid_bad("[sweep]\nname =\n" PQ OG, "t.ini:2: ", "non-empty");
    grid_bad("[sweep]\nname = a/b\n" PQ OG, "t.ini:2: ", "no '/'");
    grid_bad("[sweep]\niterations = 0\n" PQ OG, "t.ini:2: ", "iterations = 0");
}

/* A fresh directory with `name` holding text; returns the file's path (static buffer). */
static const char *write_grid(char *dir, const char *name, const char *text)
{
    static char path[512];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void remove_grid(const char *dir, const char *path)
{
    unlink(path);
    rmdir(dir);
}

static void test_load_file(void **state)
{
    char dir[] = "/tmp/gdgridXXXXXX";
    const char *text = PQ OG "lr = 0.1, 0.2\n";
    const char *path = write_grid(dir, "seed.ini", text);
    gd_sweep s;
    gd_error err = {{0}, 0};
    assert_int_equal(gd_sweep_load(&s, path, 0, &err), 0);
    assert_string_equal(s.name, "seed");
    assert_string_equal(s.output, "seed.h5");
    assert_string_equal(s.path, path);
    assert_int_equal(s.text_len, strlen(text));
    assert_memory_equal(s.text, text, strlen(text));
    assert_int_equal(strlen(s.hash), 64);
    assert_int_equal(s.n_runs, 2);
    gd_sweep_free(&s);
    remove_grid(dir, path);
}

static void test_load_errors(void **state)
{
    gd_sweep s;
    gd_error err = {{0}, 0};
    assert_int_equal(gd_sweep_load(&s, "/nonexistent/grid.ini", 0, &err), -1);
    assert_int_equal(err.exit_code, GD_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "/nonexistent/grid.ini: cannot open"));
    assert_int_equal(gd_sweep_load(&s, "/tmp", 0, &err), -1);
    assert_int_equal(err.exit_code, GD_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "/tmp is a directory, not a regular file"));
    char dir[] = "/tmp/gdgridXXXXXX";
    const char *path = write_grid(dir, "bad.ini", PQ OG "lr = -2\n");
    assert_int_equal(gd_sweep_load(&s, path, 0, &err), -1);
    char where[600];
    snprintf(where, sizeof where, "%s:5: lr = -2 is out of range", path);
    assert_non_null(strstr(err.msg, where));
    remove_grid(dir, path);
}

static void test_hash_of_text(void **state)
{
    gd_sweep a, b;
    grid_ok(&a, PQ OG, 0);
    grid_ok(&b, PQ OG "; a comment changes the hash\n", 0);
    assert_int_equal(strlen(a.hash), 64);
    assert_true(strcmp(a.hash, b.hash) != 0);
    gd_sweep_free(&a);
    gd_sweep_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ini_syntax),      cmocka_unit_test(test_sections),
        cmocka_unit_test(test_types_and_keys),  cmocka_unit_test(test_values),
        cmocka_unit_test(test_generators),      cmocka_unit_test(test_cross_section),
        cmocka_unit_test(test_sweep_keys),      cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_load_errors),     cmocka_unit_test(test_hash_of_text),
        cmocka_unit_test(test_stray_cr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
