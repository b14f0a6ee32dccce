/* test_huge_pages.c - gd_huge_realloc asks the kernel for transparent huge pages on a
 * large buffer (its mapping carries the "hg" flag in /proc/self/smaps), not on a small
 * one, and keeps realloc's contract: the contents survive a grow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdsweep/huge_pages.h"

/* 1 when the mapping that holds address p has VmFlags flag `flag`, 0 when not, -1 when
 * /proc/self/smaps does not say. */
static int mapping_has_flag(const void *p, const char *flag)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return -1;
    char line[512];
    int inside = 0, found = -1;
    uintptr_t a = (uintptr_t)p;
    while (found < 0 && fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
            inside = a >= lo && a < hi;
        else if (inside && strncmp(line, "VmFlags:", 8) == 0) {
            char want[8];
            snprintf(want, sizeof want, " %s", flag);
            found = strstr(line, want) != NULL;
        }
    }
    fclose(f);
    return found;
}

static void test_large_buffer_asks_for_huge_pages(void **state)
{
    (void)state;
    size_t bytes = 6 * GD_HUGE_PAGE_BYTES;
    unsigned char *p = gd_huge_realloc(NULL, GD_HUGE_PAGE_BYTES / 4);
    assert_non_null(p);
    memset(p, 7, GD_HUGE_PAGE_BYTES / 4);
    assert_int_equal(mapping_has_flag(p, "hg"), 0); /* small: no hint */
    p = gd_huge_realloc(p, bytes);
    assert_non_null(p);
    assert_int_equal(p[0], 7); /* realloc's contract */
    assert_int_equal(p[GD_HUGE_PAGE_BYTES / 4 - 1], 7);
    memset(p, 1, bytes);
    /* the hint covers the whole 2 MiB pages inside the buffer: the middle one is such */
    assert_int_equal(mapping_has_flag(p + bytes / 2, "hg"), 1);
    free(p);
}

static void test_nothing_for_null_or_small(void **state)
{
    (void)state;
    gd_huge_pages_advise(NULL, 8 * GD_HUGE_PAGE_BYTES); /* no crash */
    char small[64];
    gd_huge_pages_advise(small, sizeof small);
    assert_int_equal(mapping_has_flag(small, "hg"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_large_buffer_asks_for_huge_pages),
        cmocka_unit_test(test_nothing_for_null_or_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
