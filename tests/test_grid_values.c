/* test_grid_values.c - value syntax of grid keys: numbers, lists, linspace, logspace,
 * range, choices, continuation lines and inline comments (as libinih reads them).
 * White-box: reads the dims of src/grid/grid_internal.h. */
#include "test_grid_util.h"

#include <math.h>
#include <stdlib.h>

#include "../src/grid/grid_internal.h" /* white-box: the dims a key's values land in */

/* The dim named key among dims[0..n), or NULL. */
static inline const gd_dim *grid_dim(const gd_dim *dims, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(dims[i].spec->key, key) == 0)
            return &dims[i];
    return NULL;
}

/* The dim of key in the first optimizer (problem) section of s, or NULL. */
static const gd_dim *optimizer_dim(const gd_sweep *s, const char *key)
{
    return grid_dim(s->optimizers[0].layout->dims, s->optimizers[0].layout->n_dims, key);
}

static const gd_dim *problem_dim(const gd_sweep *s, const char *key)
{
    return grid_dim(s->problems[0].layout->dims, s->problems[0].layout->n_dims, key);
}

/* Parses a one-problem, one-optimizer grid with `key = value` in the optimizer section
 * and returns the values of that key (caller frees the sweep). */
static const gd_dim *optimizer_values(gd_sweep *s, const char *key, const char *value)
{
    char text[4096];
    snprintf(text, sizeof text, "[problem q]\ntype = quadratic\n[optimizer o]\ntype = adam\n"
             "%s = %s\n", key, value);
    grid_ok(s, text, 0);
    const gd_dim *d = optimizer_dim(s, key);
    assert_non_null(d);
    return d;
}

static void expect_values(const char *key, const char *value, const double *want, size_t n,
                          double rel)
{
    gd_sweep s;
    const gd_dim *d = optimizer_values(&s, key, value);
    assert_int_equal(d->count, n);
    for (size_t i = 0; i < n; i++) {
        double tol = rel * fabs(want[i]);
        if (!(fabs(d->values[i] - want[i]) <= tol))
            print_error("%s = %s: value %zu is %.17g, want %.17g\n", key, value, i,
                        d->values[i], want[i]);
        assert_true(fabs(d->values[i] - want[i]) <= tol);
    }
    assert_int_equal(d->line, 5);
    gd_sweep_free(&s);
}

static void test_numbers_and_lists(void **state)
{
    const double one[] = {0.5};
    expect_values("lr", "0.5", one, 1, 0);
    const double list[] = {0.001, 0.02, 3e-1, 4};
    expect_values("lr", "0.001, 0.02,3e-1 ,  4", list, 4, 0);
    const double hex[] = {0.5};
    expect_values("lr", "0x1p-1", hex, 1, 0);
}

static void test_linspace(void **state)
{
    const double five[] = {0.1, 0.2, 0.3, 0.4, 0.5};
    expect_values("lr", "linspace(0.1, 0.5, 5)", five, 5, 1e-15);
    const double single[] = {0.25};
    expect_values("lr", "linspace(0.25, 9, 1)", single, 1, 0);
    const double down[] = {0.9, 0.6, 0.3};
    expect_values("beta1", "linspace(0.9, 0.3, 3)", down, 3, 1e-15);
    /* endpoints exact, like numpy */
    gd_sweep s;
    const gd_dim *d = optimizer_values(&s, "lr", "linspace(0.1, 0.7, 7)");
    assert_true(d->values[0] == 0.1 && d->values[6] == 0.7);
    gd_sweep_free(&s);
}

static void test_logspace(void **state)
{
    const double three[] = {1e-3, 1e-2, 1e-1};
    expect_values("lr", "logspace(-3, -1, 3)", three, 3, 1e-14);
    const double half[] = {1, 3.1622776601683795, 10};
    expect_values("lr", "logspace(0, 1, 3)", half, 3, 1e-14);
}

static void test_range(void **state)
{
    const double up[] = {1, 4, 7};
    expect_values("lr", "range(1, 10, 3)", up, 3, 0);
    const double exact_end[] = {1, 4, 7};
    expect_values("lr", "range(1, 7.5, 3)", exact_end, 3, 0);
    const double excl[] = {1, 4};
    expect_values("lr", "range(1, 7, 3)", excl, 2, 0);
    const double down[] = {0.9, 0.6, 0.3};
    expect_values("beta1", "range(0.9, 0.1, -0.3)", down, 3, 1e-15);
    const double quarter[] = {0, 0.25, 0.5, 0.75};
    expect_values("beta1", "range(0, 1, 0.25)", quarter, 4, 0);
    /* b excluded whatever the float drift: (0.4 - 0.1) / 0.1 = 2.9999999999999996 */
    const double drift[] = {0.1, 0.2, 0.30000000000000004};
    expect_values("lr", "range(0.1, 0.4, 0.1)", drift, 3, 1e-15);
    const double drift_up[] = {0.7, 0.8, 0.9};
    expect_values("beta1", "range(0.7, 1.0, 0.1)", drift_up, 3, 1e-15);
}

static void test_mixed_list(void **state)
{
    const double mixed[] = {0.05, 1, 1.5, 2, 0.001, 0.01, 3, 5};
    expect_values("lr", "0.05, linspace(1, 2, 3), logspace(-3, -2, 2), range(3, 6, 2)", mixed,
                  8, 1e-15);
}

static void test_choices(void **state)
{
    gd_sweep s;
    grid_ok(&s, "[problem q]\ntype = quadratic\ngradient = numeric, analytic\n"
                "save_final = false\n[optimizer o]\ntype = gd\n"
                "schedule = cosine, constant, inverse_time\n", 0);
    const gd_problem_section *ps = &s.problems[0];
    const gd_problem_layout *pl = ps->layout;
    const gd_dim *g = grid_dim(pl->dims, pl->n_dims, "gradient");
    assert_int_equal(g->count, 2);
    assert_true(g->values[0] == 1 && g->values[1] == 0);
    const gd_dim *f = grid_dim(pl->dims, pl->n_dims, "save_final");
    assert_true(f->count == 1 && f->values[0] == 0);
    const gd_optimizer_section *os = &s.optimizers[0];
    const gd_optimizer_layout *ol = os->layout;
    const gd_dim *sch = grid_dim(ol->dims, ol->n_dims, "schedule");
    assert_int_equal(sch->count, 3);
    assert_string_equal(gd_schedules[(size_t)sch->values[0]]->name, "cosine");
    assert_string_equal(gd_schedules[(size_t)sch->values[1]]->name, "constant");
    assert_string_equal(gd_schedules[(size_t)sch->values[2]]->name, "inverse_time");
    gd_sweep_free(&s);
}

static void test_defaults(void **state)
{
    gd_sweep s;
    grid_ok(&s, "[problem q]\ntype = quadratic\n[optimizer gd]\n", 0);
    const gd_problem_section *ps = &s.problems[0];
    const gd_problem_layout *pl = ps->layout;
    assert_int_equal(pl->n_dims, gd_param_count(gd_problem_quadratic.params) + GD_CONTROL_COUNT);
    for (size_t i = 0; i < pl->n_dims; i++) {
        assert_int_equal(pl->dims[i].count, 1);
        assert_int_equal(pl->dims[i].line, 0);
        assert_true(pl->dims[i].values[0] == pl->dims[i].spec->def ||
                    (isinf(pl->dims[i].spec->def) && isinf(pl->dims[i].values[0])));
    }
    const gd_dim *it = grid_dim(pl->dims, pl->n_dims, "iterations");
    assert_true(it->values[0] == 100);
    assert_true(s.seed == 0 && s.repeats == 1 && s.record_every == 1);
    assert_string_equal(s.name, "t");
    assert_string_equal(s.output, "t.h5");
    assert_string_equal(s.optimizers[0].type->name, "gd"); /* type defaults to the label */
    gd_sweep_free(&s);
}

static void test_sweep_section(void **state)
{
    gd_sweep s;
    grid_ok(&s, "[problem q]\ntype = quadratic\n[optimizer gd]\n[sweep]\nname = seed-comparison\n"
                "seed = 18446744073709551615\nrepeats = 3\nrecord_every = 7\n"
                "iterations = 10, 20\n", 0);
    assert_string_equal(s.name, "seed-comparison");
    assert_string_equal(s.output, "seed-comparison.h5");
    assert_true(s.seed == UINT64_MAX);
    assert_true(s.repeats == 3 && s.record_every == 7);
    const gd_dim *it = problem_dim(&s, "iterations");
    assert_true(it->count == 2 && it->values[1] == 20 && it->line == 9);
    gd_sweep_free(&s);
    grid_ok(&s, "[sweep]\noutput = out/x.h5\niterations = 10, 20\n[problem q]\ntype = quadratic\n"
                "iterations = 5\n[optimizer gd]\n", 0);
    assert_string_equal(s.output, "out/x.h5");
    it = problem_dim(&s, "iterations");
    assert_true(it->count == 1 && it->values[0] == 5); /* section overrides [sweep] */
    gd_sweep_free(&s);
}

/* libinih reads "; c" after blanks as a comment, "#" only at line start, and an
 * indented line as more of the previous key's value (joined here with a comma). */
static void test_ini_comments_and_continuations(void **state)
{
    const double two[] = {0.1, 0.2};
    expect_values("lr", "0.1, 0.2 ; the rates", two, 2, 0);
    const double three[] = {0.1, 0.2, 0.3};
    expect_values("lr", "0.1,\n  0.2\n\t0.3", three, 3, 0);
    expect_values("lr", "0.1\n ; a comment between\n  , 0.2,\n  0.3", three, 3, 0);
    gd_sweep s;
    grid_ok(&s, "# hash comment\n; semicolon comment\n[problem q] ; trailing\ntype = quadratic\n"
                "[optimizer o]\n  type = gd\nlr: 0.5\n", 0);
    assert_true(s.optimizers[0].layout->dims[0].values[0] == 0.5);
    gd_sweep_free(&s);
    grid_bad("[problem q]\ntype = quadratic\n[optimizer o]\ntype = gd\nlr = 0.1;0.2\n",
             "t.ini:5: ", "'0.1;0.2' is not a number");
    grid_bad("[problem q]\ntype = quadratic\n[optimizer o]\ntype = gd\nlr = 0.1 # x\n",
             "t.ini:5: ", "'0.1 # x' is not a number");
}

/* "[problem q] ... [optimizer o]\ntype = gd\n" then `lines`, each ended by `ending` (""
 * ends the last one with the end of the file, the others with LF). */
static char *grid_with_lines(const char *const *lines, size_t n, const char *ending)
{
    const char *eol = *ending ? ending : "\n";
    size_t size = 128;
    for (size_t i = 0; i < n; i++)
        size += strlen(lines[i]) + 2;
    char *text = malloc(size);
    assert_non_null(text);
    int at = snprintf(text, size, "[problem q]%stype = quadratic%s[optimizer o]%stype = gd%s",
                      eol, eol, eol, eol);
    for (size_t i = 0; i < n; i++)
        at += snprintf(text + at, size - (size_t)at, "%s%s", lines[i], i + 1 < n ? eol : ending);
    return text;
}

/* "lr = 0.0001, 0.0002, ..." with n values, padded with `pad` blanks, then `tail`. */
static char *long_lr_line(size_t n, size_t pad, const char *tail)
{
    char *line = malloc(16 * n + pad + strlen(tail) + 8);
    assert_non_null(line);
    int at = sprintf(line, "lr = ");
    for (size_t i = 1; i <= n; i++)
        at += sprintf(line + at, "%s%.4f", i > 1 ? ", " : "", 1e-4 * (double)i);
    memset(line + at, ' ', pad);
    strcpy(line + at + pad, tail);
    return line;
}

static void expect_long_lr(const char *const *lines, size_t n_lines, size_t n_values,
                           const char *ending)
{
    char *text = grid_with_lines(lines, n_lines, ending);
    gd_sweep s;
    grid_ok(&s, text, 0);
    const gd_dim *d = optimizer_dim(&s, "lr");
    assert_non_null(d);
    assert_int_equal(d->count, n_values);
    for (size_t i = 0; i < n_values; i++)
        assert_true(fabs(d->values[i] - 1e-4 * (double)(i + 1)) < 1e-12);
    assert_int_equal(d->line, 5);
    gd_sweep_free(&s);
    free(text);
}

static void test_long_lines(void **state)
{
    /* No length limit on any line ending (inih's buffer is 200 bytes): a 3,000-value list
     * on one line reads as on continuation lines; so do inline comments with commas, long
     * comment lines, a long continuation line and padding past the buffer. */
    static const char *const endings[] = {"\n", "\r\n", ""};
    char *list = long_lr_line(3000, 0, "");
    char *commented = long_lr_line(3000, 3, "; a comment, with, commas");
    char *padded = long_lr_line(1, 300, "; after the padding, 9");
    char *continued = long_lr_line(2, 0, ",");
    char *more = long_lr_line(3000, 0, "");
    char comment[600];
    memset(comment, 'c', sizeof comment - 1);
    comment[0] = ';';
    comment[sizeof comment - 1] = '\0';
    for (int e = 0; e < 3; e++) {
        expect_long_lr((const char *[]){list}, 1, 3000, endings[e]);
        expect_long_lr((const char *[]){commented, comment}, 2, 3000, endings[e]);
        expect_long_lr((const char *[]){padded}, 1, 1, endings[e]);
        more[0] = more[1] = ' '; /* "     0.0001, ..." continues "lr = 0.0001, 0.0002," */
        memcpy(more + 2, "  ", 2);
        char *cont = grid_with_lines((const char *[]){continued, more}, 2, endings[e]);
        gd_sweep s;
        grid_ok(&s, cont, 0);
        const gd_dim *d = optimizer_dim(&s, "lr");
        assert_int_equal(d->count, 2 + 3000);
        gd_sweep_free(&s);
        free(cont);
        memcpy(more, "lr = ", 5);
    }
    free(list);
    free(commented);
    free(padded);
    free(continued);
    free(more);
}

static void test_long_line_errors(void **state)
{
    char key[400], text[1200];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    snprintf(text, sizeof text, "[problem q]\ntype = quadratic\n[optimizer o]\ntype = gd\n"
             "%s = 1\n", key);
    grid_bad(text, "t.ini:5: ", "is 399 bytes long; keys are short names");
    snprintf(text, sizeof text, "[problem q]\ntype = quadratic\n[optimizer o]\ntype = gd\n"
             "%s\n", key);
    grid_bad(text, "t.ini:5: ", "cannot read 'kkkk");
    snprintf(text, sizeof text, "[problem q]\ntype = quadratic\n[optimizer o]\ntype = gd\n"
             "lr = 0.5 %s\n", key);
    grid_bad(text, "t.ini:5: ", "is not a number");
}

static void test_bom_and_crlf(void **state)
{
    gd_sweep s;
    grid_ok(&s, "\xEF\xBB\xBF[problem q]\r\ntype = quadratic\r\n[optimizer o]\r\ntype = gd\r\n"
                "lr = 0.1, 0.2\r\n", 0);
    assert_int_equal(s.optimizers[0].layout->dims[0].count, 2);
    assert_int_equal(s.optimizers[0].layout->dims[0].line, 5);
    gd_sweep_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers_and_lists),
        cmocka_unit_test(test_linspace),
        cmocka_unit_test(test_logspace),
        cmocka_unit_test(test_range),
        cmocka_unit_test(test_mixed_list),
        cmocka_unit_test(test_choices),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_sweep_section),
        cmocka_unit_test(test_ini_comments_and_continuations),
        cmocka_unit_test(test_long_lines),
        cmocka_unit_test(test_long_line_errors),
        cmocka_unit_test(test_bom_and_crlf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
