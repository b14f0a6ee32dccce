/* test_corrupt_util.h - a real sweep file and the three ways gdsweep reads its own files,
 * for the corruption tests (test_corrupt_*.c). Header-only (static inline); needs
 * <cmocka.h> and test_files.h (its test_dir_create done) included before it.
 *
 * corrupt_fixture_make runs the gdsweep binary (GD_BINARY, set by ctest) on a small grid
 * that stores trajectories, paths, final parameters and a denoise instance, and keeps the
 * file's bytes and the loaded grid. corrupt_read_all reads a file as the reader, status
 * and resume do, in a child process: each way must work or refuse with one line that
 * names the file, and the child must come back. A crash (a signal, or a sanitizer
 * report, which aborts) is printed with the variant that caused it and classified by
 * where it happened: in gdsweep's code, or inside libhdf5, which does not validate
 * everything it reads (HDF5 1.10 crashes on some corrupt global heaps and datatypes,
 * docs/HARDENING.md). The caller decides what each kind means. */
#ifndef GDSWEEP_TEST_CORRUPT_UTIL_H
#define GDSWEEP_TEST_CORRUPT_UTIL_H

#ifndef _GNU_SOURCE
#error "define _GNU_SOURCE before the first include (dladdr)"
#endif

#include <dlfcn.h>
#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gdsweep/columns.h"
#include "gdsweep/grid.h"
#include "gdsweep/status.h"
#include "gdsweep/store.h"
#include "gdsweep/store_read.h"

#define CORRUPT_PATH_MAX 256
#define CORRUPT_BLOCK 4096

static const char corrupt_grid_text[] =
    "[sweep]\nname = corrupt\niterations = 20\nrecord_every = 5\n"
    "[problem q]\ntype = quadratic\nx0 = 1, 2\n"
    "[problem d]\ntype = denoise\nsize = 4\n"
    "[optimizer gd]\nlr = 0.1, 0.2\n[optimizer adam]\nschedule = step\n";

/* Root attributes the writer sets (docs/FORMAT.md), and the 1-D datasets. */
static const char *const corrupt_attrs[] = {
    "format_version", "gdsweep_version", "name", "grid_text", "grid_hash", "grid_path",
    "command_line", "created", "seed", "n_runs", "n_instances", "record_every", "complete",
    "runs_written", "wall_seconds", "shard_index", "shard_count", "resumed", "traj_implicit",
    NULL};
/* The grid's adam has the step schedule, so traj/lr is stored; traj/iteration and
 * traj/batch_loss are not (format 3, docs/FORMAT.md). */
static const char *const corrupt_series[] = {
    "traj/loss", "traj/grad_norm", "traj/lr", "path/x", "final/x", "instances/2/noisy", NULL};

typedef struct corrupt_fixture {
    char grid[CORRUPT_PATH_MAX], good[CORRUPT_PATH_MAX], variant[CORRUPT_PATH_MAX];
    char out[CORRUPT_PATH_MAX];  /* where status's output goes */
    char report[CORRUPT_PATH_MAX]; /* a sanitizer's report from a child: report.PID */
    char what[128];              /* the variant being read, for messages */
    unsigned char *bytes;        /* the good file */
    size_t size;
    gd_sweep sweep;
    gd_columns cols;
} corrupt_fixture;

/* What each way of reading returned: 0 read, else refused (status: its exit code). */
typedef struct corrupt_expect {
    int reader_rc, status_rc, resume_rc;
    int broken;      /* 1: gdsweep crashed or hung, or a refusal broke the rule (printed) */
    int hdf5_crash;  /* 1: the child crashed inside libhdf5 (printed) */
} corrupt_expect;

/* The child's exit code: CORRUPT_EXIT_BASE + these bits; anything else is a crash. */
enum {
    CORRUPT_READER_REFUSED = 1, CORRUPT_STATUS_REFUSED = 2, CORRUPT_RESUME_REFUSED = 4,
    CORRUPT_STATUS_RESUMABLE = 8, CORRUPT_BAD_MESSAGE = 16, CORRUPT_EXIT_BASE = 64,
    CORRUPT_EXIT_HDF5 = 63  /* the child crashed inside libhdf5 */
};

/* Set in the child when a refusal breaks the rule. */
static int corrupt_bad_message;

/* Seconds a child may take: a loop over a corrupt size must not hang the test. */
#define CORRUPT_CHILD_SECONDS 30

/* The signals a crash raises (a sanitizer report aborts: abort_on_error, below). */
static const int corrupt_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};

/* Under ASan: a report aborts (a crash, not an exit status a child could return) and
 * HDF5's absurd sizes from corrupt headers get NULL from malloc, as from glibc. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "abort_on_error=1:allocator_may_return_null=1";
}

/* Sanitizer builds: a child's crash is the sanitizer's report (its handlers, saved at
 * load time, are put back in the child: cmocka's replaced them), written to the child's
 * own file and classified from its stack; the CI's report logs never see it. */
void __sanitizer_set_report_path(const char *path) __attribute__((weak));
static struct sigaction corrupt_saved[sizeof corrupt_signals / sizeof corrupt_signals[0]];

__attribute__((constructor)) static void corrupt_save_handlers(void)
{
    for (size_t i = 0; i < sizeof corrupt_signals / sizeof corrupt_signals[0]; i++)
        sigaction(corrupt_signals[i], NULL, &corrupt_saved[i]);
}

/* A child's sanitizer report, if it left one with an error: 0 none (a file of warnings
 * only is dropped), 1 the error is in gdsweep (the report is printed), 2 in libhdf5 (the
 * innermost frame of the first stack that is not the sanitizer's or libc's). The file is
 * removed. */
static inline int corrupt_report_of(const char *report, pid_t pid)
{
    char path[CORRUPT_PATH_MAX + 16], line[512];
    snprintf(path, sizeof path, "%s.%d", report, (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int where = 0;
    while (fgets(line, sizeof line, f)) {
        if (!where && (strstr(line, "ERROR: ") || strstr(line, "runtime error: ")))
            where = 1;
        if (!where || !strstr(line, "    #") || strstr(line, "libsanitizer") ||
            strstr(line, "/libasan") || strstr(line, "/libubsan") || strstr(line, "/libc.so"))
            continue;
        where = strstr(line, "/libhdf5") ? 2 : 1;
        break;
    }
    rewind(f);
    for (int n = 0; where == 1 && n < 40 && fgets(line, sizeof line, f); n++)
        fputs(line, stderr);
    fclose(f);
    unlink(path);
    return where;
}

/* libc, the sanitizer runtimes and this handler are not where a crash happened. */
static inline int corrupt_frame_is_plumbing(const char *lib)
{
    return strstr(lib, "/libc.so") || strstr(lib, "/libasan.so") ||
           strstr(lib, "/libubsan.so") || strstr(lib, "linux-vdso");
}

/* In the child: exits CORRUPT_EXIT_HDF5 when the innermost frame that is not plumbing
 * lies in libhdf5, else dies of the signal as it would have. */
static inline void corrupt_on_crash(int sig)
{
    void *frames[64];
    int n = backtrace(frames, 64);
    for (int i = 1; i < n; i++) {   /* frames[0] is this handler */
        Dl_info info;
        if (!dladdr(frames[i], &info) || !info.dli_fname ||
            corrupt_frame_is_plumbing(info.dli_fname))
            continue;
        if (strstr(info.dli_fname, "/libhdf5"))
            _exit(CORRUPT_EXIT_HDF5);
        break;
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static inline void corrupt_catch_crashes(void)
{
    void *warm[2];
    backtrace(warm, 2);   /* loads the unwinder now, not inside the handler */
    for (size_t i = 0; i < sizeof corrupt_signals / sizeof corrupt_signals[0]; i++)
        signal(corrupt_signals[i], corrupt_on_crash);
}

static inline unsigned char *corrupt_slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    unsigned char *b = malloc((size_t)n);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return b;
}

static inline corrupt_fixture *corrupt_fixture_make(void)
{
    const char *bin = getenv("GD_BINARY");
    corrupt_fixture *fx = calloc(1, sizeof *fx);
    if (!bin || !fx)
        return NULL;
    test_path(fx->grid, sizeof fx->grid, "corrupt.ini");
    test_path(fx->good, sizeof fx->good, "good.h5");
    test_path(fx->variant, sizeof fx->variant, "variant.h5");
    test_path(fx->out, sizeof fx->out, "status.txt");
    test_path(fx->report, sizeof fx->report, "sanitizer");
    FILE *f = fopen(fx->grid, "w");
    if (!f)
        return NULL;
    fputs(corrupt_grid_text, f);
    fclose(f);
    char cmd[4 * CORRUPT_PATH_MAX];
    snprintf(cmd, sizeof cmd, "'%s' '%s' -o '%s' --quiet --threads 1", bin, fx->grid,
             fx->good);
    gd_error err = {{0}, 0};
    if (system(cmd) != 0 || gd_sweep_load(&fx->sweep, fx->grid, 0, &err) != 0 ||
        gd_columns_build(&fx->cols, &err) != 0) {
        fprintf(stderr, "corrupt fixture: %s\n", err.msg);
        return NULL;
    }
    fx->bytes = corrupt_slurp(fx->good, &fx->size);
    return fx;
}

static inline void corrupt_fixture_free(corrupt_fixture *fx)
{
    if (!fx)
        return;
    gd_sweep_free(&fx->sweep);
    gd_columns_free(&fx->cols);
    free(fx->bytes);
    free(fx);
}

/* Group setup and teardown for the corruption tests: a directory and the fixture. */
static inline int corrupt_setup(void **state)
{
    if (test_dir_create("corrupt") != 0)
        return -1;
    *state = corrupt_fixture_make();
    return *state ? 0 : -1;
}

static inline int corrupt_teardown(void **state)
{
    corrupt_fixture_free(*state);
    return test_dir_remove();
}

/* Writes bytes[0, size) as the variant file. */
static inline void corrupt_write_variant(corrupt_fixture *fx, const unsigned char *bytes,
                                         size_t size)
{
    FILE *f = fopen(fx->variant, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, size, f), size);
    assert_int_equal(fclose(f), 0);
}

/* A refusal: one line that names the file. */
static inline void corrupt_check_message(const corrupt_fixture *fx, const char *who,
                                         const char *path, const char *msg)
{
    if (strstr(msg, path) && !strchr(msg, '\n') && strlen(msg) > strlen(path) + 4)
        return;
    fprintf(stderr, "%s: %s: the refusal is not one line naming the file: '%s'\n", fx->what,
            who, msg);
    corrupt_bad_message = 1;
}

/* rc < 0: checks the message and returns 1 (refused); else 0. */
static inline int corrupt_refused(const corrupt_fixture *fx, const char *who, const char *path,
                                  int rc, const gd_error *err)
{
    if (rc == 0)
        return 0;
    corrupt_check_message(fx, who, path, err->msg);
    return 1;
}

/* The first and the last block of [0, len): where a corrupt length shows, without
 * reading 2^40 fill values when the length is absurd. first[1] == first[0] when one
 * block covers it. */
static inline size_t corrupt_blocks(uint64_t len, uint64_t first[2], uint64_t count[2])
{
    first[0] = 0;
    count[0] = len < CORRUPT_BLOCK ? len : CORRUPT_BLOCK;
    if (len <= CORRUPT_BLOCK)
        return len ? 1 : 0;
    first[1] = len - CORRUPT_BLOCK;
    count[1] = CORRUPT_BLOCK;
    return 2;
}

/* Every column of the runs table (first and last block), as numbers or text. */
static inline int corrupt_read_columns(corrupt_fixture *fx, gd_reader *r, const char *path)
{
    static double numbers[CORRUPT_BLOCK];
    static char text[CORRUPT_BLOCK * 64];
    uint64_t first[2], count[2];
    size_t blocks = corrupt_blocks(gd_reader_rows(r), first, count);
    int refused = 0;
    for (size_t c = 0; c < fx->cols.count; c++) {
        const char *name = fx->cols.col[c].name;
        if (!gd_reader_has_column(r, name))
            continue;
        size_t width = gd_reader_column_width(r, name);
        for (size_t b = 0; b < blocks; b++) {
            gd_error err = {{0}, 0};
            int rc = width ? gd_reader_column_text(r, name, first[b], count[b], text, 64, &err)
                           : gd_reader_column_f64(r, name, first[b], count[b], numbers, &err);
            if (corrupt_refused(fx, name, path, rc, &err)) {
                refused = 1;
                break;
            }
        }
    }
    return refused;
}

/* Every known attribute as text and as a number, every 1-D dataset (first and last
 * block). */
static inline int corrupt_read_rest(corrupt_fixture *fx, gd_reader *r, const char *path)
{
    static double numbers[CORRUPT_BLOCK];
    for (size_t i = 0; corrupt_attrs[i]; i++) {
        char *text = NULL;
        double v;
        gd_error err = {{0}, 0};
        if (gd_reader_has_attr(r, corrupt_attrs[i]) &&
            gd_reader_attr_text(r, corrupt_attrs[i], &text, &err) != 0 &&
            gd_reader_attr_number(r, corrupt_attrs[i], &v, &err) != 0)
            corrupt_check_message(fx, corrupt_attrs[i], path, err.msg);
        free(text);
    }
    int refused = 0;
    for (size_t i = 0; corrupt_series[i]; i++) {
        uint64_t len = 0, first[2], count[2];
        gd_error err = {{0}, 0};
        int rc = gd_reader_series_length(r, corrupt_series[i], &len, &err);
        size_t blocks = rc == 0 ? corrupt_blocks(len, first, count) : 0;
        for (size_t b = 0; rc == 0 && b < blocks; b++)
            rc = gd_reader_series_f64(r, corrupt_series[i], first[b], count[b], numbers, &err);
        /* instances/2/noisy is 2-D: the reader refuses it even in a good file. */
        refused |= corrupt_refused(fx, corrupt_series[i], path, rc, &err) &&
                   strcmp(corrupt_series[i], "instances/2/noisy") != 0;
    }
    return refused;
}

static inline int corrupt_reader(corrupt_fixture *fx, const char *path)
{
    gd_reader *r = NULL;
    gd_error err = {{0}, 0};
    int rc = gd_reader_open(&r, path, &err);
    if (corrupt_refused(fx, "open", path, rc, &err))
        return -1;
    int refused = corrupt_read_columns(fx, r, path);
    refused |= corrupt_read_rest(fx, r, path);
    gd_reader_close(r);
    return refused ? -1 : 0;
}

/* `gdsweep status path` with its output in fx->out (the child's stdout and stderr from
 * here on): exit 0 or 3, or 1 or 2 with one line. Returns the exit code. */
static inline int corrupt_status(corrupt_fixture *fx, const char *path)
{
    char *argv[] = {"status", (char *)path, NULL};
    int fd = open(fx->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || dup2(fd, 1) < 0)
        _exit(1);
    int saved_err = dup(2);
    dup2(fd, 2);
    close(fd);
    int rc = gd_status_main(2, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_err, 2);
    close(saved_err);
    if (rc == GD_EXIT_OK || rc == GD_EXIT_INTERRUPTED)
        return rc;
    char line[2 * GD_ERROR_MAX] = "(no message)", extra[8];
    FILE *f = fopen(fx->out, "r");
    int more = f && fgets(line, sizeof line, f) && fgets(extra, sizeof extra, f);
    if (f)
        fclose(f);
    line[strcspn(line, "\n")] = '\0';
    if (rc != GD_EXIT_USAGE && rc != GD_EXIT_RUNTIME)
        snprintf(line, sizeof line, "(exit code %d)", rc);
    corrupt_check_message(fx, "status", path, more ? "(more than one line)" : line);
    return rc;
}

/* What --resume does before it runs anything, then a close as when nothing is left. */
static inline int corrupt_resume(corrupt_fixture *fx, const char *path)
{
    gd_store *st = NULL;
    gd_error err = {{0}, 0};
    int rc = gd_store_reopen(&st, path, &fx->sweep, &err);
    if (rc == 0 && gd_store_begin_resume(st, "test --resume", &err) != 0) {
        gd_store_abandon(st);
        rc = -1;
    } else if (rc == 0) {
        rc = gd_store_close(st, 0.0, 0, &err);
    }
    return corrupt_refused(fx, "resume", path, rc, &err) ? -1 : 0;
}

/* The child: reads path all three ways (resume last: it writes to the file). */
static inline void corrupt_child(corrupt_fixture *fx, const char *path)
{
    if (__sanitizer_set_report_path) {
        for (size_t i = 0; i < sizeof corrupt_signals / sizeof corrupt_signals[0]; i++)
            sigaction(corrupt_signals[i], &corrupt_saved[i], NULL);
        __sanitizer_set_report_path(fx->report);
    } else {
        corrupt_catch_crashes();   /* instead of cmocka's, which would go on testing here */
    }
    alarm(CORRUPT_CHILD_SECONDS);
    int bits = 0;
    if (corrupt_reader(fx, path) != 0)
        bits |= CORRUPT_READER_REFUSED;
    int status = corrupt_status(fx, path);
    if (status == GD_EXIT_INTERRUPTED)
        bits |= CORRUPT_STATUS_RESUMABLE;
    else if (status != GD_EXIT_OK)
        bits |= CORRUPT_STATUS_REFUSED;
    if (corrupt_resume(fx, path) != 0)
        bits |= CORRUPT_RESUME_REFUSED;
    if (corrupt_bad_message)
        bits |= CORRUPT_BAD_MESSAGE;
    fflush(NULL);
    _exit(CORRUPT_EXIT_BASE + bits);
}

/* Reads path all three ways in a child process; a crash or a bad refusal is printed with
 * fx->what and sets .broken. GD_CORRUPT_TRACE=1 prints each variant first. */
static inline corrupt_expect corrupt_read_all(corrupt_fixture *fx, const char *path)
{
    if (getenv("GD_CORRUPT_TRACE"))
        fprintf(stderr, "reading %s: %s\n", path, fx->what);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        corrupt_child(fx, path);
    int wstatus = 0;
    assert_int_equal(waitpid(pid, &wstatus, 0), pid);
    int code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
    if (corrupt_report_of(fx->report, pid) == 2)
        code = CORRUPT_EXIT_HDF5;
    if (code == CORRUPT_EXIT_HDF5) {
        print_error("%s: crashed inside libhdf5\n", fx->what);
        return (corrupt_expect){.hdf5_crash = 1};
    }
    if (code < CORRUPT_EXIT_BASE || code >= 2 * CORRUPT_EXIT_BASE) {
        if (WIFSIGNALED(wstatus))
            print_error("%s: CRASH: killed by signal %d (%s)\n", fx->what, WTERMSIG(wstatus),
                        WTERMSIG(wstatus) == SIGALRM ? "took too long: a hang?"
                                                     : strsignal(WTERMSIG(wstatus)));
        else
            print_error("%s: CRASH: exit %d (a sanitizer report?)\n", fx->what, code);
        return (corrupt_expect){.broken = 1};
    }
    code -= CORRUPT_EXIT_BASE;
    corrupt_expect e = {
        .broken = (code & CORRUPT_BAD_MESSAGE) != 0,
        .reader_rc = code & CORRUPT_READER_REFUSED ? -1 : 0,
        .status_rc = code & CORRUPT_STATUS_REFUSED      ? GD_EXIT_USAGE
                     : code & CORRUPT_STATUS_RESUMABLE ? GD_EXIT_INTERRUPTED
                                                        : GD_EXIT_OK,
        .resume_rc = code & CORRUPT_RESUME_REFUSED ? -1 : 0,
    };
    return e;
}

#endif
