/* test_close_later.c - holding a file across its replacement and closing it on a thread
 * (close_later.c), and gd_store_move_into_place through them: only a regular file is
 * held (a FIFO is not opened, a symlink is not followed), the descriptor is
 * closed by the thread, a replaced file stays held (unlinked) until then, a failed rename
 * leaks no descriptor, and a replaced file's place holds the new contents. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gdsweep/close_later.h"
#include "gdsweep/store.h"

typedef struct place {
    char dir[64], path[96], tmp[112], other[96];
} place;

static int setup(void **state)
{
    place *p = calloc(1, sizeof *p);
    if (!p)
        return -1;
    snprintf(p->dir, sizeof p->dir, "/tmp/gd_close_later_XXXXXX");
    if (!mkdtemp(p->dir))
        return -1;
    snprintf(p->path, sizeof p->path, "%s/out.h5", p->dir);
    snprintf(p->tmp, sizeof p->tmp, "%s/out.h5.creating", p->dir);
    snprintf(p->other, sizeof p->other, "%s/target", p->dir);
    *state = p;
    return 0;
}

static int teardown(void **state)
{
    place *p = *state;
    unlink(p->path);
    unlink(p->tmp);
    unlink(p->other);
    rmdir(p->dir);
    free(p);
    return 0;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void assert_contents(const char *path, const char *text)
{
    char buf[64] = "";
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, text);
}

/* Waits up to 5 s for fd to be closed by another thread. */
static int closed_soon(int fd)
{
    for (int i = 0; i < 500; i++) {
        if (fcntl(fd, F_GETFD) == -1 && errno == EBADF)
            return 1;
        struct timespec ts = {0, 10000000L};
        nanosleep(&ts, NULL);
    }
    return 0;
}

static void test_holds_only_a_regular_file(void **state)
{
    place *p = *state;
    assert_int_equal(gd_hold_for_replacing(p->path), -1); /* none there */
    assert_int_equal(gd_hold_for_replacing(p->dir), -1);  /* a directory */
    write_file(p->other, "target\n");
    assert_int_equal(symlink(p->other, p->path), 0);
    assert_int_equal(gd_hold_for_replacing(p->path), -1); /* a link is not followed */
    assert_int_equal(unlink(p->path), 0);
    assert_int_equal(mkfifo(p->path, 0600), 0);
    assert_int_equal(gd_hold_for_replacing(p->path), -1); /* returns: no writer waited for */
    assert_int_equal(unlink(p->path), 0);
    write_file(p->path, "old\n");
    int fd = gd_hold_for_replacing(p->path);
    assert_true(fd >= 0);
    gd_close_later(fd);
    assert_true(closed_soon(fd));
    gd_close_later(-1); /* nothing to do */
}

static void test_move_into_place_replaces_a_file(void **state)
{
    place *p = *state;
    write_file(p->path, "old\n");
    write_file(p->tmp, "new\n");
    assert_int_equal(gd_store_move_into_place(p->tmp, p->path), 0);
    assert_contents(p->path, "new\n");
    assert_int_equal(access(p->tmp, F_OK), -1);
}

static void test_move_into_place_over_a_fifo_and_a_link(void **state)
{
    place *p = *state;
    assert_int_equal(mkfifo(p->path, 0600), 0);
    write_file(p->tmp, "new\n");
    assert_int_equal(gd_store_move_into_place(p->tmp, p->path), 0);
    assert_contents(p->path, "new\n");
    assert_int_equal(unlink(p->path), 0);
    write_file(p->other, "target\n");
    assert_int_equal(symlink(p->other, p->path), 0);
    write_file(p->tmp, "new\n");
    assert_int_equal(gd_store_move_into_place(p->tmp, p->path), 0);
    assert_contents(p->path, "new\n");
    assert_contents(p->other, "target\n"); /* the link's target untouched */
}

/* Descriptors of this process that refer to path (a descriptor another test's thread
 * is closing refers to that test's own directory). */
static int refs_to(const char *path)
{
    int n = 0;
    for (int fd = 0; fd < 1024; fd++) {
        char link[64], target[256];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t len = readlink(link, target, sizeof target - 1);
        if (len > 0) {
            target[len] = 0;
            n += strcmp(target, path) == 0;
        }
    }
    return n;
}

static void test_failed_rename_keeps_the_old_file(void **state)
{
    place *p = *state;
    write_file(p->path, "old\n");
    int held = gd_hold_for_replacing(p->path);
    assert_int_equal(refs_to(p->path), 1); /* the count sees a held reference */
    close(held);
    errno = 0;
    assert_int_equal(gd_store_move_into_place(p->tmp, p->path), -1); /* no tmp */
    assert_int_equal(errno, ENOENT);
    assert_int_equal(refs_to(p->path), 0); /* the held reference let go */
    assert_contents(p->path, "old\n");
}

/* The replaced file is held until the thread lets go of it: its inode outlives the
 * rename (seen through a second reference taken before) at least until then. */
static void test_replaced_file_is_held_then_let_go(void **state)
{
    place *p = *state;
    write_file(p->path, "old\n");
    int fd = gd_hold_for_replacing(p->path);
    assert_true(fd >= 0);
    struct stat held, now;
    assert_int_equal(fstat(fd, &held), 0);
    write_file(p->tmp, "new\n");
    assert_int_equal(rename(p->tmp, p->path), 0);
    assert_int_equal(stat(p->path, &now), 0);
    assert_true(now.st_ino != held.st_ino);
    assert_int_equal(fstat(fd, &held), 0);
    assert_int_equal(held.st_nlink, 0); /* gone from the directory, still held */
    gd_close_later(fd);
    assert_true(closed_soon(fd));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_holds_only_a_regular_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_move_into_place_replaces_a_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_move_into_place_over_a_fifo_and_a_link, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_failed_rename_keeps_the_old_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replaced_file_is_held_then_let_go, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
