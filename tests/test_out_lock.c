/* test_out_lock.c - OUT.lock: one holder, refusals naming it, stale locks taken over
 * (after an exit without release, a reused pid), other hosts' locks never, and many
 * processes racing to take over one stale lock: exactly one wins. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gdsweep/out_lock.h"

#define RACERS 6
#define RACE_ROUNDS 15

typedef struct {
    char dir[64], out[128], lock[160];
} lock_files;

static int setup(void **state)
{
    lock_files *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/gd_lock_XXXXXX");
    if (!f || !mkdtemp(f->dir))
        return -1;
    snprintf(f->out, sizeof f->out, "%s/r.h5", f->dir);
    snprintf(f->lock, sizeof f->lock, "%s.lock", f->out);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    lock_files *f = *state;
    char cmd[128];
    gd_out_lock_release();
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    int rc = system(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

static char *slurp(const char *path)
{
    static char text[2048];
    FILE *fp = fopen(path, "r");
    size_t n = fp ? fread(text, 1, sizeof text - 1, fp) : 0;
    if (fp)
        fclose(fp);
    text[n] = '\0';
    return fp ? text : NULL;
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static int take(const char *out, char *note, gd_error *err)
{
    memset(err, 0, sizeof *err);
    return gd_out_lock_take(out, "gdsweep test.ini", note, 256, err);
}

/* The "pid N" line of a lock file, or -1. */
static long lock_pid(const char *lock)
{
    const char *text = slurp(lock);
    const char *at = text ? strstr(text, "\npid ") : NULL;
    return at ? strtol(at + 5, NULL, 10) : -1;
}

/* Leaves a stale lock: a child takes it and ends without releasing (like SIGKILL). */
static long leave_stale_lock(const char *out)
{
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        char note[256];
        gd_error err;
        _exit(take(out, note, &err) == 0 ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return (long)child;
}

static void test_take_and_release(void **state)
{
    lock_files *f = *state;
    char note[256], desc[256];
    gd_error err;
    assert_int_equal(take(f->out, note, &err), 0);
    assert_string_equal(note, "");
    assert_int_equal(lock_pid(f->lock), (long)getpid());
    assert_non_null(strstr(slurp(f->lock), "\ncommand gdsweep test.ini\n"));
    assert_int_equal(gd_out_lock_holder(f->out, desc, sizeof desc), 1);
    char want[64];
    snprintf(want, sizeof want, "pid %ld on host ", (long)getpid());
    assert_non_null(strstr(desc, want));
    gd_out_lock_release();
    assert_int_equal(access(f->lock, F_OK), -1);
    assert_int_equal(gd_out_lock_holder(f->out, desc, sizeof desc), 0);
}

static void test_second_writer_refused(void **state)
{
    lock_files *f = *state;
    char note[256];
    gd_error err;
    assert_int_equal(take(f->out, note, &err), 0);
    char before[2048];
    snprintf(before, sizeof before, "%s", slurp(f->lock));
    pid_t child = fork();
    if (child == 0) {
        char want[64];
        snprintf(want, sizeof want, "is being written by pid %ld on this host", (long)getppid());
        int refused = take(f->out, note, &err) < 0 && err.exit_code == GD_EXIT_USAGE &&
                      strstr(err.msg, want) && strstr(err.msg, "gdsweep test.ini");
        _exit(refused ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_string_equal(slurp(f->lock), before);
}

static void test_stale_lock_taken_over(void **state)
{
    lock_files *f = *state;
    char note[256];
    gd_error err;
    long dead = leave_stale_lock(f->out);
    assert_int_equal(lock_pid(f->lock), dead);
    char desc[256];
    assert_int_equal(gd_out_lock_holder(f->out, desc, sizeof desc), 0); /* readers: stale */
    assert_int_equal(take(f->out, note, &err), 0);
    char want[256];
    snprintf(want, sizeof want, "took over the stale lock %s of pid %ld", f->lock, dead);
    assert_non_null(strstr(note, want));
    assert_int_equal(lock_pid(f->lock), (long)getpid());
}

static void test_zombie_holder_is_stale(void **state)
{
    /* A writer killed while nobody reaps it (its parent gone, a container whose init does
     * not reap) stays a zombie: its pid and start time live on, but it holds no file. */
    lock_files *f = *state;
    int ready[2];
    assert_int_equal(pipe(ready), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        char note[256];
        gd_error err;
        int ok = take(f->out, note, &err) == 0;
        (void)!write(ready[1], &ok, sizeof ok);
        _exit(0); /* no release: the lock stays, and no waitpid yet: a zombie */
    }
    int ok = 0;
    assert_int_equal(read(ready[0], &ok, sizeof ok), (ssize_t)sizeof ok);
    assert_true(ok);
    char path[64], stat_text[256] = "";
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)child);
    for (int tries = 0; tries < 400 && !strstr(stat_text, ") Z "); tries++) {
        nanosleep(&(struct timespec){0, 5000000}, NULL);
        FILE *fp = fopen(path, "r");
        assert_non_null(fp);
        stat_text[fread(stat_text, 1, sizeof stat_text - 1, fp)] = '\0';
        fclose(fp);
    }
    assert_non_null(strstr(stat_text, ") Z ")); /* the holder is a zombie now */
    char note[256];
    gd_error err;
    assert_int_equal(take(f->out, note, &err), 0);
    assert_non_null(strstr(note, "took over the stale lock"));
    assert_int_equal(lock_pid(f->lock), (long)getpid());
    waitpid(child, NULL, 0);
    close(ready[0]);
    close(ready[1]);
}

static void test_reused_pid_is_stale(void **state)
{
    /* This host, a live pid (ours), but another start time: the pid was reused. */
    lock_files *f = *state;
    char host[256], text[512], note[256];
    gd_error err;
    assert_int_equal(gethostname(host, sizeof host), 0);
    snprintf(text, sizeof text, "gdsweep lock\nhost %s\npid %ld\nstart 1\nsince "
             "2026-01-01T00:00:00Z\ncommand old\n", host, (long)getpid());
    write_text(f->lock, text);
    assert_int_equal(take(f->out, note, &err), 0);
    assert_non_null(strstr(note, "took over the stale lock"));
    assert_string_not_equal(slurp(f->lock), text);
}

static void test_other_host_never_taken(void **state)
{
    lock_files *f = *state;
    const char *text = "gdsweep lock\nhost elsewhere.example\npid 1\nstart 5\nsince "
                       "2026-01-01T00:00:00Z\ncommand gdsweep g.ini\n";
    char note[256], desc[256];
    gd_error err;
    write_text(f->lock, text);
    assert_int_equal(take(f->out, note, &err), -1);
    assert_int_equal(err.exit_code, GD_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "is being written by pid 1 on host elsewhere.example"));
    assert_non_null(strstr(err.msg, "if it is dead, remove"));
    assert_string_equal(slurp(f->lock), text);
    assert_int_equal(gd_out_lock_holder(f->out, desc, sizeof desc), 1);
}

static void test_not_a_lock_refused(void **state)
{
    lock_files *f = *state;
    char note[256];
    gd_error err;
    write_text(f->lock, "my notes\n");
    assert_int_equal(take(f->out, note, &err), -1);
    assert_non_null(strstr(err.msg, "exists but is not a gdsweep lock"));
    assert_string_equal(slurp(f->lock), "my notes\n");
}

/* One racer: waits at the start line, tries, reports 'W' (won) or 'L' (refused, naming a
 * live holder) or 'X' (anything else); a winner holds the lock until `hold` closes. */
static void racer(const char *out, int start, int result, int hold)
{
    char go, note[256];
    gd_error err;
    if (read(start, &go, 1) != 0)
        _exit(2);
    int rc = take(out, note, &err);
    char r = rc == 0 ? 'W' : strstr(err.msg, "is being written by pid") ? 'L' : 'X';
    if (write(result, &r, 1) != 1)
        _exit(2);
    if (rc == 0)
        while (read(hold, &go, 1) > 0) {
        }
    _exit(0);
}

static int race_once(const char *out)
{
    int start[2], result[2], hold[2];
    assert_int_equal(pipe(start), 0);
    assert_int_equal(pipe(result), 0);
    assert_int_equal(pipe(hold), 0);
    pid_t kids[RACERS];
    for (int i = 0; i < RACERS; i++)
        if ((kids[i] = fork()) == 0) {
            close(start[1]);
            close(result[0]);
            close(hold[1]);
            racer(out, start[0], result[1], hold[0]);
        }
    close(start[0]);
    close(result[1]);
    close(hold[0]);
    close(start[1]); /* everyone goes at once */
    int winners = 0, others = 0;
    char r;
    for (int i = 0; i < RACERS; i++) {
        assert_int_equal(read(result[0], &r, 1), 1);
        winners += r == 'W';
        others += r == 'X';
    }
    close(hold[1]);
    for (int i = 0; i < RACERS; i++)
        waitpid(kids[i], NULL, 0);
    close(result[0]);
    assert_int_equal(others, 0);
    return winners;
}

static void test_racing_takeovers(void **state)
{
    /* Each round: a stale lock, then RACERS processes take it over at once. */
    lock_files *f = *state;
    for (int round = 0; round < RACE_ROUNDS; round++) {
        leave_stale_lock(f->out);
        assert_int_equal(race_once(f->out), 1);
        unlink(f->lock); /* the winner's, left as it exited */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_take_and_release, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_writer_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_lock_taken_over, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zombie_holder_is_stale, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reused_pid_is_stale, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_host_never_taken, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_lock_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_racing_takeovers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
