/* test_huge_pages.c - gd_huge_realloc asks the kernel for transparent huge pages on a
 * large buffer (its mapping carries the "hg" flag in /proc/self/smaps), not on a small
 * one, gets them for a buffer grown by doubling as the batches grow (AnonHugePages in
 * smaps, where the kernel's mode allows them), and keeps realloc's contract: the
 * contents survive a grow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdsweep/huge_pages.h"

/* The line of /proc/self/smaps that starts with `field` in the entry of the mapping that
 * holds address p, into line (size bytes): 1, or 0 when there is none. */
static int mapping_field(const void *p, const char *field, char *line, size_t size)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return 0;
    int inside = 0, found = 0;
    uintptr_t a = (uintptr_t)p;
    while (!found && fgets(line, (int)size, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
            inside = a >= lo && a < hi;
        else if (inside && strncmp(line, field, strlen(field)) == 0)
            found = 1;
    }
    fclose(f);
    return found;
}

/* 1 when the mapping that holds address p has VmFlags flag `flag`, 0 when not, -1 when
 * /proc/self/smaps does not say. */
static int mapping_has_flag(const void *p, const char *flag)
{
    char line[512], want[8];
    if (!mapping_field(p, "VmFlags:", line, sizeof line))
        return -1;
    snprintf(want, sizeof want, " %s", flag);
    return strstr(line, want) != NULL;
}

/* kB of the mapping that holds p backed by transparent huge pages; -1 when unknown. */
static long huge_kb(const void *p)
{
    char line[512];
    long kb = -1;
    if (mapping_field(p, "AnonHugePages:", line, sizeof line))
        (void)sscanf(line, "AnonHugePages: %ld", &kb);
    return kb;
}

/* Whether the kernel gives huge pages to a buffer that asks ("always" or "madvise"). */
static int huge_pages_on_ask(void)
{
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    char mode[128] = "";
    if (f) {
        if (!fgets(mode, sizeof mode, f))
            mode[0] = 0;
        fclose(f);
    }
    return strstr(mode, "[always]") || strstr(mode, "[madvise]");
}

static void test_large_buffer_asks_for_huge_pages(void **state)
{
    (void)state;
    size_t bytes = 6 * GD_HUGE_PAGE_BYTES;
    unsigned char *p = gd_huge_realloc(NULL, GD_HUGE_GROW_BYTES / 4);
    assert_non_null(p);
    memset(p, 7, GD_HUGE_GROW_BYTES / 4);
    assert_int_equal(mapping_has_flag(p, "hg"), 0); /* small: no hint */
    p = gd_huge_realloc(p, bytes);
    assert_non_null(p);
    assert_int_equal(p[0], 7); /* realloc's contract */
    assert_int_equal(p[GD_HUGE_GROW_BYTES / 4 - 1], 7);
    memset(p, 1, bytes);
    /* the hint covers the whole 2 MiB pages inside the buffer: the middle one is such */
    assert_int_equal(mapping_has_flag(p + bytes / 2, "hg"), 1);
    free(p);
}

/* A batch's arrays grow by doubling and are filled as they grow. Advised after realloc
 * had moved and touched them, no 2 MiB range of such a buffer was ever whole and
 * untouched: 0 kB of huge pages. */
static void test_buffer_grown_by_doubling_gets_huge_pages(void **state)
{
    (void)state;
    if (!huge_pages_on_ask())
        skip(); /* the kernel's mode is "never": nothing to measure */
    unsigned char *p = NULL;
    size_t filled = 0;
    for (size_t bytes = GD_HUGE_GROW_BYTES / 16; bytes <= 4 * GD_HUGE_PAGE_BYTES; bytes *= 2) {
        p = gd_huge_realloc(p, bytes);
        assert_non_null(p);
        for (size_t i = 0; i < filled; i++) /* realloc's contract, every byte */
            assert_int_equal(p[i], (unsigned char)(i * 7));
        for (size_t i = filled; i < bytes; i++)
            p[i] = (unsigned char)(i * 7);
        filled = bytes;
    }
    assert_true(huge_kb(p) >= 2048);
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
        cmocka_unit_test(test_buffer_grown_by_doubling_gets_huge_pages),
        cmocka_unit_test(test_nothing_for_null_or_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
