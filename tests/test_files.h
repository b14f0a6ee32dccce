/* test_files.h - a temporary directory per test program, and reading a stream back.
 * Header-only (static inline) for the tests that write files (test_store_read.c,
 * test_summary.c, test_tally.c). Needs <cmocka.h> included before it. */
#ifndef GDSWEEP_TEST_FILES_H
#define GDSWEEP_TEST_FILES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_DIR_MAX 64

/* The program's directory (set by test_dir_create). */
static inline char *test_dir(void)
{
    static char dir[TEST_DIR_MAX];
    return dir;
}

/* Group setup and teardown: creates /tmp/gd_<name>_XXXXXX, removes it with its files. */
static inline int test_dir_create(const char *name)
{
    snprintf(test_dir(), TEST_DIR_MAX, "/tmp/gd_%s_XXXXXX", name);
    return mkdtemp(test_dir()) ? 0 : -1;
}

static inline int test_dir_remove(void)
{
    char cmd[TEST_DIR_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf %s", test_dir());
    return system(cmd) == 0 ? 0 : -1;
}

/* test_dir()/name into buf. */
static inline void test_path(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", test_dir(), name);
}

/* Everything written to f (a tmpfile), as a malloc'd string; closes f. */
static inline char *test_read_all(FILE *f)
{
    assert_int_equal(fflush(f), 0);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    char *text = calloc((size_t)n + 1, 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return text;
}

#endif
