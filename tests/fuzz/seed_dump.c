/* seed_dump.c - collects the fuzz seed corpus: every grid the grid unit tests parse.
 *
 * Linked into copies of the grid tests with -Wl,--wrap=gd_sweep_parse (GD_FUZZ builds
 * only): each parse first writes its text to $GD_FUZZ_SEED_DIR/seed-<hash>.ini (named by
 * content, so repeats collapse), then parses as usual, so the tests still check what they
 * check. A seed that cannot be written fails the test that parsed it (a silently thin
 * corpus would only show as weaker fuzzing). tests/fuzz/make_corpus.sh runs them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "gdsweep/grid.h"

int __real_gd_sweep_parse(gd_sweep *s, const char *path, const char *text, size_t len,
                          int allow_huge, gd_error *err);
int __wrap_gd_sweep_parse(gd_sweep *s, const char *path, const char *text, size_t len,
                          int allow_huge, gd_error *err);

static void dump(const char *text, size_t len)
{
    const char *dir = getenv("GD_FUZZ_SEED_DIR");
    if (!dir)
        return;
    unsigned long long h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)text[i]) * 1099511628211ULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/seed-%016llx.ini", dir, h);
    FILE *f = fopen(path, "wb");
    if (!f)
        fail_msg("seed_dump: cannot write %s", path);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

int __wrap_gd_sweep_parse(gd_sweep *s, const char *path, const char *text, size_t len,
                          int allow_huge, gd_error *err)
{
    dump(text, len);
    return __real_gd_sweep_parse(s, path, text, len, allow_huge, err);
}
