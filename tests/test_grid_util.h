/* test_grid_util.h - helpers shared by the grid tests: parse a grid from a string and
 * assert on success or on the error line. Header-only (static inline) for test_grid*.c. */
#ifndef GDSWEEP_TEST_GRID_UTIL_H
#define GDSWEEP_TEST_GRID_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "gdsweep/grid.h"

#define TEST_GRID_PATH "t.ini"

/* Parses text as t.ini and fails the test (printing the message) if it is refused. */
static inline void grid_ok(gd_sweep *s, const char *text, int allow_huge)
{
    gd_error err = {{0}, 0};
    int rc = gd_sweep_parse(s, TEST_GRID_PATH, text, strlen(text), allow_huge, &err);
    if (rc != 0)
        print_error("unexpected error: %s\n", err.msg);
    assert_int_equal(rc, 0);
}

/* Parses text[0..len), expects a usage error whose message starts with `where` (e.g.
 * "t.ini:3: ") and contains `what`. */
static inline void grid_bad_len(const char *text, size_t len, const char *where,
                                const char *what)
{
    gd_sweep s;
    gd_error err = {{0}, 0};
    int rc = gd_sweep_parse(&s, TEST_GRID_PATH, text, len, 0, &err);
    if (rc == 0 || strncmp(err.msg, where, strlen(where)) != 0 || !strstr(err.msg, what))
        print_error("grid:\n%s\nexpected '%s' ... '%s', got rc %d: %s\n", text, where, what,
                    rc, err.msg);
    assert_int_equal(rc, -1);
    assert_int_equal(err.exit_code, GD_EXIT_USAGE);
    assert_true(strncmp(err.msg, where, strlen(where)) == 0);
    assert_non_null(strstr(err.msg, what));
    assert_null(strchr(err.msg, '\n'));
    assert_null(s.problems);
    assert_null(s.text);
}

static inline void grid_bad(const char *text, const char *where, const char *what)
{
    grid_bad_len(text, strlen(text), where, what);
}

#endif
