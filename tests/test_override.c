/* test_override.c - command-line overrides LABEL.KEY=VALUE: the folded grid text byte for
 * byte (written out here by hand), where each of its lines came from, the refusals that
 * name the argument, and loading: the sweep equals the grid written out, and the grid's
 * own messages name the argument or the file's line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "gdsweep/override.h"

#define MAX_OV 8

/* Folds the overrides (argument numbers 2, 3, ...) into text. */
static int fold(const char *text, const char *const *args, size_t n, gd_folded *f,
                gd_error *err)
{
    gd_override ov[MAX_OV];
    for (size_t i = 0; i < n; i++)
        ov[i] = (gd_override){args[i], (int)i + 2};
    memset(err, 0, sizeof *err);
    return gd_override_fold("g.ini", text, strlen(text), ov, n, f, err);
}

static void folds_to(const char *text, const char *const *args, size_t n, const char *want,
                     const int *origins)
{
    gd_folded f;
    gd_error err;
    if (fold(text, args, n, &f, &err) != 0)
        fail_msg("refused: %s", err.msg);
    assert_string_equal(f.text, want);
    assert_int_equal(f.len, strlen(want));
    for (size_t k = 1; k <= f.n_lines; k++)
        assert_int_equal(f.origin[k], origins[k - 1]);
    assert_int_equal(origins[f.n_lines], 0); /* the list ends with 0 */
    gd_folded_free(&f);
}

static void refused(const char *text, const char *const *args, size_t n, const char *want)
{
    gd_folded f;
    gd_error err;
    assert_int_equal(fold(text, args, n, &f, &err), -1);
    assert_int_equal(err.exit_code, GD_EXIT_USAGE);
    assert_string_equal(err.msg, want);
    assert_null(f.text);
}

static const char grid[] = "[sweep]\n"          /* 1 */
                           "seed = 3\n"         /* 2 */
                           "\n"                 /* 3 */
                           "[problem quad]\n"   /* 4 */
                           "type = quadratic\n" /* 5 */
                           "x0 = 5, -5\n"       /* 6 */
                           "\n"                 /* 7 */
                           "[optimizer adam]\n" /* 8 */
                           "lr = 0.01,\n"       /* 9 */
                           "  ; a comment\n"    /* 10 */
                           "     0.1\n"         /* 11 */
                           "; after\n"          /* 12 */
                           "[optimizer gd]\n";  /* 13 */

static void test_replace_in_place(void **state)
{
    (void)state;
    const char *args[] = {"quad.x0=1", "sweep.seed= 7 "};
    folds_to(grid, args, 2,
             "[sweep]\nseed = 7\n\n[problem quad]\ntype = quadratic\nx0 = 1\n\n"
             "[optimizer adam]\nlr = 0.01,\n  ; a comment\n     0.1\n; after\n[optimizer gd]\n",
             (const int[]){1, -2, 3, 4, 5, -1, 7, 8, 9, 10, 11, 12, 13, 0});
    const char *tabs[] = {"q.x0=\t1,\t2 "}; /* blanks trimmed, a tab inside kept */
    folds_to("[problem q]\nx0 = 0\n", tabs, 1, "[problem q]\nx0 = 1,\t2\n",
             (const int[]){1, -1, 0});
}

/* A continued value (comment lines inside it too) becomes one line; later lines move up. */
static void test_replace_a_continued_value(void **state)
{
    (void)state;
    const char *args[] = {"adam.lr=logspace(-4, -1, 7)"};
    folds_to(grid, args, 1,
             "[sweep]\nseed = 3\n\n[problem quad]\ntype = quadratic\nx0 = 5, -5\n\n"
             "[optimizer adam]\nlr = logspace(-4, -1, 7)\n; after\n[optimizer gd]\n",
             (const int[]){1, 2, 3, 4, 5, 6, 7, 8, -1, 12, 13, 0});
}

/* A key the section lacks follows its last key (in argument order); in a section without
 * keys, its header; a last line without its newline gets one. */
static void test_add_keys(void **state)
{
    (void)state;
    const char *args[] = {"adam.schedule=constant", "quad.iterations=7", "adam.beta1=0.8",
                          "gd.lr=0.5"};
    folds_to(grid, args, 4,
             "[sweep]\nseed = 3\n\n[problem quad]\ntype = quadratic\nx0 = 5, -5\n"
             "iterations = 7\n\n[optimizer adam]\nlr = 0.01,\n  ; a comment\n     0.1\n"
             "schedule = constant\nbeta1 = 0.8\n; after\n[optimizer gd]\nlr = 0.5\n",
             (const int[]){1, 2, 3, 4, 5, 6, -2, 7, 8, 9, 10, 11, -1, -3, 12, 13, -4, 0});
    const char *one[] = {"o.lr=2"};
    folds_to("[problem q]\n[optimizer o]", one, 1, "[problem q]\n[optimizer o]\nlr = 2\n",
             (const int[]){1, 2, -1, 0});
}

/* Without a [sweep] section, one is added at the end; CRLF lines keep CRLF. */
static void test_new_sweep_section_and_crlf(void **state)
{
    (void)state;
    const char *args[] = {"sweep.repeats=5", "q.x0=2", "sweep.seed=1"};
    folds_to("[problem q]\r\nx0 = 1\r\n[optimizer o]", args, 3,
             "[problem q]\r\nx0 = 2\r\n[optimizer o]\n[sweep]\nrepeats = 5\nseed = 1\n",
             (const int[]){1, -2, 3, -1, -1, -3, 0});
}

static void test_refusals_name_the_argument(void **state)
{
    (void)state;
    const char *form[] = {"lr=0.1"};
    refused(grid, form, 1, "argument 2 'lr=0.1': an override is LABEL.KEY=VALUE (a "
            "section's label, one of its keys, its value), e.g. adam.lr=0.01 or "
            "sweep.repeats=5");
    const char *no_key[] = {"adam.=0.1"};
    refused(grid, no_key, 1, "argument 2 'adam.=0.1': an override is LABEL.KEY=VALUE (a "
            "section's label, one of its keys, its value), e.g. adam.lr=0.01 or "
            "sweep.repeats=5");
    const char *label[] = {"quad.x0=1", "adm.lr=0.1"};
    refused(grid, label, 2, "argument 3 'adm.lr=0.1': no section is labelled 'adm'; the "
            "labels are: sweep, quad ([problem quad]), adam ([optimizer adam]), gd "
            "([optimizer gd])");
    const char *twice[] = {"adam.lr=0.1", "quad.x0=1", "adam.lr=0.2"};
    refused(grid, twice, 3, "argument 4 'adam.lr=0.2': adam.lr is given again (first in "
            "argument 2); give each key once");
    const char *comment[] = {"adam.lr=0.1 ;0.2"};
    refused(grid, comment, 1, "argument 2 'adam.lr=0.1 ;0.2': a ';' after a blank starts a "
            "comment in a grid; remove it (or the blank before it)");
    const char *newline[] = {"adam.lr=0.1\n[sweep]"};
    refused(grid, newline, 1, "argument 2 'adam.lr=0.1\\n[sweep]': its value holds a control "
            "character (a line break?); give the value on one line");
    const char *shared[] = {"x.lr=1"};
    refused("[problem x]\n[optimizer x]\n", shared, 1, "argument 2 'x.lr=1': 'x' labels both a "
            "problem and an optimizer section; give them different labels to override their "
            "keys");
    const char *any[] = {"adam.lr=1"};
    refused("[problem q]\nthis is not ini\n", any, 1, "g.ini:2: cannot read 'this is not "
            "ini': expected [section], key = value or a ; comment");
}

/* ---- loading ---------------------------------------------------------------------------- */

static char dir[] = "/tmp/gdoverrideXXXXXX";
static char path[sizeof dir + 16];

static void write_file(const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int load(gd_sweep *s, const char *text, const char *const *args, size_t n,
                gd_error *err)
{
    gd_override ov[MAX_OV];
    for (size_t i = 0; i < n; i++)
        ov[i] = (gd_override){args[i], (int)i + 2};
    write_file(text);
    memset(err, 0, sizeof *err);
    return gd_sweep_load_overridden(s, path, ov, n, 0, err);
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/g.ini", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return rmdir(dir);
}

/* The sweep with overrides is the sweep of the grid written out: same text, hash, runs. */
static void test_load_equals_the_grid_written_out(void **state)
{
    (void)state;
    const char *args[] = {"adam.lr=logspace(-4, -1, 7)", "sweep.repeats=2", "gd.lr=0.5, 1"};
    gd_sweep with, written;
    gd_error err;
    if (load(&with, grid, args, 3, &err) != 0)
        fail_msg("refused: %s", err.msg);
    const char *out = "[sweep]\nseed = 3\nrepeats = 2\n\n[problem quad]\ntype = quadratic\n"
                      "x0 = 5, -5\n\n[optimizer adam]\nlr = logspace(-4, -1, 7)\n; after\n"
                      "[optimizer gd]\nlr = 0.5, 1\n";
    if (load(&written, out, NULL, 0, &err) != 0)
        fail_msg("refused: %s", err.msg);
    assert_string_equal(with.text, out);
    assert_string_equal(with.hash, written.hash);
    assert_int_equal(with.n_runs, 2 * 2 * (7 + 2)); /* x0 x repeats x (adam + gd) */
    assert_int_equal(with.n_runs, written.n_runs);
    assert_int_equal(with.repeats, 2);
    gd_sweep_free(&with);
    gd_sweep_free(&written);
}

static void load_refused(const char *text, const char *const *args, size_t n,
                         const char *want)
{
    gd_sweep s;
    gd_error err;
    assert_int_equal(load(&s, text, args, n, &err), -1);
    assert_int_equal(err.exit_code, GD_EXIT_USAGE);
    if (!strstr(err.msg, want))
        fail_msg("expected '%s' in: %s", want, err.msg);
    assert_null(s.text);
}

/* The grid's own checks, on a line an override wrote, name the argument; on a line of the
 * file that overrides moved, the file's line number. */
static void test_load_errors_name_the_argument(void **state)
{
    (void)state;
    const char *bad[] = {"quad.x0=1", "adam.lr=-1"};
    load_refused(grid, bad, 2, "argument 3 'adam.lr=-1': lr = -1 is out of range");
    const char *key[] = {"gd.momentum=0.9"};
    load_refused(grid, key, 1, "argument 2 'gd.momentum=0.9': unknown key 'momentum' in "
                 "[optimizer gd]; known keys: type, problems, lr, schedule");
    const char *sweep[] = {"sweep.repeats=0"};
    load_refused("[problem q]\ntype = quadratic\n[optimizer o]\ntype = gd\n", sweep, 1,
                 "argument 2 'sweep.repeats=0': repeats '0'; write a whole number from 1");
    char where[sizeof path + 32];
    snprintf(where, sizeof where, "%s:14: lr = -2 is out of range", path);
    const char *moved[] = {"adam.lr=0.1"}; /* lines 9-11 become one: file line 14 is 12 */
    char text[sizeof grid + 16];
    snprintf(text, sizeof text, "%slr = -2\n", grid);
    load_refused(text, moved, 1, where);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replace_in_place),
        cmocka_unit_test(test_replace_a_continued_value),
        cmocka_unit_test(test_add_keys),
        cmocka_unit_test(test_new_sweep_section_and_crlf),
        cmocka_unit_test(test_refusals_name_the_argument),
        cmocka_unit_test(test_load_equals_the_grid_written_out),
        cmocka_unit_test(test_load_errors_name_the_argument),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
