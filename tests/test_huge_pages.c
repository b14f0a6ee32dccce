/* test_huge_pages.c - gd_huge_realloc asks the kernel for transparent huge pages on a
 * large buffer (its mapping carries the "hg" flag in /proc/self/smaps), not on a small
 * one, gets them for a buffer grown by doubling as the batches grow (AnonHugePages in
 * smaps, where the kernel's mode allows them), keeps the bytes its owner says it keeps
 * (of its own blocks and of a plain malloc's), and keeps a block that already holds the
 * request. */
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

/* The first line of file that starts with prefix (the whole first line when prefix is
 * empty) into line; 1, or 0 when there is none. */
static int file_line(const char *file, const char *prefix, char *line, size_t size)
{
    FILE *f = fopen(file, "r");
    int found = 0;
    while (f && !found && fgets(line, (int)size, f))
        found = strncmp(line, prefix, strlen(prefix)) == 0;
    if (f)
        fclose(f);
    return found;
}

/* Whether the kernel gives huge pages to a buffer that asks: its mode "always" or
 * "madvise", and this process not opted out (prctl PR_SET_THP_DISABLE: "THP_enabled: 0"
 * in /proc/self/status). */
static int huge_pages_on_ask(void)
{
    char mode[128] = "", status[128];
    (void)file_line("/sys/kernel/mm/transparent_hugepage/enabled", "", mode, sizeof mode);
    int opted_out = file_line("/proc/self/status", "THP_enabled:", status, sizeof status) &&
                    strstr(status, "0") != NULL;
    return !opted_out && (strstr(mode, "[always]") || strstr(mode, "[madvise]"));
}

static void test_large_buffer_asks_for_huge_pages(void **state)
{
    (void)state;
    size_t bytes = 6 * GD_HUGE_PAGE_BYTES;
    unsigned char *p = gd_huge_realloc(NULL, 0, GD_HUGE_GROW_BYTES / 4);
    assert_non_null(p);
    memset(p, 7, GD_HUGE_GROW_BYTES / 4);
    assert_int_equal(mapping_has_flag(p, "hg"), 0); /* small: no hint */
    p = gd_huge_realloc(p, GD_HUGE_GROW_BYTES / 4, bytes);
    assert_non_null(p);
    assert_int_equal(p[0], 7); /* the kept bytes */
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
        p = gd_huge_realloc(p, filled, bytes);
        assert_non_null(p);
        for (size_t i = 0; i < filled; i++) /* every kept byte */
            assert_int_equal(p[i], (unsigned char)(i * 7));
        for (size_t i = filled; i < bytes; i++)
            p[i] = (unsigned char)(i * 7);
        filled = bytes;
    }
    assert_true(huge_kb(p) >= 2048);
    free(p);
}

/* A block from plain malloc, grown: the bytes its owner keeps survive whole, however
 * the block was laid out (a grow once cut them to whole 2 MiB pages). */
static void test_foreign_block_keeps_its_bytes(void **state)
{
    (void)state;
    size_t old = 3 * GD_HUGE_PAGE_BYTES / 2, bytes = 5 * GD_HUGE_PAGE_BYTES / 2;
    unsigned char *p = malloc(old);
    assert_non_null(p);
    for (size_t i = 0; i < old; i++)
        p[i] = (unsigned char)(i * 13);
    p = gd_huge_realloc(p, old, bytes);
    assert_non_null(p);
    for (size_t i = 0; i < old; i++)
        assert_int_equal(p[i], (unsigned char)(i * 13));
    memset(p + old, 0, bytes - old); /* the rest is there to write */
    free(p);
}

/* A block of whole huge pages that holds the next request already is kept as it is. */
static void test_block_that_holds_the_request_is_kept(void **state)
{
    (void)state;
    unsigned char *p = gd_huge_realloc(NULL, 0, GD_HUGE_PAGE_BYTES / 2);
    assert_non_null(p);
    memset(p, 5, GD_HUGE_PAGE_BYTES / 2);
    unsigned char *q = gd_huge_realloc(p, GD_HUGE_PAGE_BYTES / 2, GD_HUGE_PAGE_BYTES);
    assert_ptr_equal(q, p); /* its 2 MiB page holds 2 MiB */
    assert_int_equal(q[GD_HUGE_PAGE_BYTES / 2 - 1], 5);
    memset(q, 6, GD_HUGE_PAGE_BYTES);
    free(q);
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
        cmocka_unit_test(test_foreign_block_keeps_its_bytes),
        cmocka_unit_test(test_block_that_holds_the_request_is_kept),
        cmocka_unit_test(test_nothing_for_null_or_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
