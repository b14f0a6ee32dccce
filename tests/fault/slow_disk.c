/* slow_disk.c - an LD_PRELOAD library that makes one file's disk slow (its fsyncs, its
 * writes) or its fsyncs fail, and tells how much the program computed meanwhile.
 *
 * The file is GD_SYNC_FILE (recognised by what /proc/self/fd/N links to). Each fsync of it
 * sleeps GD_FSYNC_SLEEP_MS milliseconds first, each pwrite GD_PWRITE_SLEEP_MS; with
 * GD_FSYNC_EIO_AFTER=N every fsync of it after the first N fails with EIO (after the
 * sleep, like a disk that gives up). At exit, "fsyncs F overlapped W cpu_ms C
 * cpu_total_ms T" is written to GD_SYNC_LOG: F fsyncs of the file, W writes (pwrite) to it
 * that started while an fsync slept, C milliseconds of CPU the process used while its
 * fsyncs or writes slept (a sleeping thread uses none), T of CPU in all: the tests of a commit whose syncs, or whose writing,
 * run in the background while the program goes on computing. */
#define _GNU_SOURCE
/* The settings are asserted in every build type (NDEBUG lifted): a test that misspells
 * one must fail, not run on a healthy disk. */
#undef NDEBUG
#include <assert.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "fd_path.h"

static atomic_long fsyncs, in_fsync, overlapped, cpu_ns;

static int is_target(int fd)
{
    const char *want = getenv("GD_SYNC_FILE");
    if (!want || !*want)
        return 0;
    char path[4096];
    return fd_path(fd, path, sizeof path) == 0 && strcmp(path, want) == 0;
}

/* A setting's value; a malformed one is a broken test, not a healthy disk: it aborts. */
static long env_long(const char *name, long def)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return def;
    char *end = NULL;
    long n = strtol(v, &end, 10);
    assert(*end == '\0' && n >= 0 && "a slow_disk setting is a non-negative integer");
    return n;
}

static long process_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

/* Sleeps the milliseconds the variable `name` says, counting the process's CPU meanwhile. */
static void slow_down(const char *name)
{
    long ms = env_long(name, 0);
    if (ms <= 0)
        return;
    long cpu0 = process_cpu_ns();
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
    atomic_fetch_add(&cpu_ns, process_cpu_ns() - cpu0);
}

/* The real function after this library (POSIX's way to turn dlsym's pointer into one). */
#define REAL(var, name) (*(void **)(&(var)) = dlsym(RTLD_NEXT, name))

int fsync(int fd)
{
    int (*real)(int);
    if (!REAL(real, "fsync"))
        return -1;
    if (!is_target(fd))
        return real(fd);
    long k = atomic_fetch_add(&fsyncs, 1);
    atomic_fetch_add(&in_fsync, 1);
    slow_down("GD_FSYNC_SLEEP_MS");
    int rc = k >= env_long("GD_FSYNC_EIO_AFTER", -1) && env_long("GD_FSYNC_EIO_AFTER", -1) >= 0
                 ? (errno = EIO, -1)
                 : real(fd);
    atomic_fetch_sub(&in_fsync, 1);
    return rc;
}

/* A write to the file: counted when an fsync of it sleeps, slowed down. */
static void note_write(int fd)
{
    if (!is_target(fd))
        return;
    if (atomic_load(&in_fsync) > 0)
        atomic_fetch_add(&overlapped, 1);
    slow_down("GD_PWRITE_SLEEP_MS");
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t at)
{
    ssize_t (*real)(int, const void *, size_t, off_t);
    note_write(fd);
    return REAL(real, "pwrite") ? real(fd, buf, n, at) : -1;
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t at)
{
    ssize_t (*real)(int, const void *, size_t, off_t);
    note_write(fd);
    return REAL(real, "pwrite64") ? real(fd, buf, n, at) : -1;
}

__attribute__((destructor)) static void report(void)
{
    const char *log = getenv("GD_SYNC_LOG");
    FILE *f = log && *log ? fopen(log, "a") : NULL;
    assert((!log || !*log || f) && "GD_SYNC_LOG can be written");
    if (!f)
        return;
    fprintf(f, "fsyncs %ld overlapped %ld cpu_ms %ld cpu_total_ms %ld\n",
            atomic_load(&fsyncs), atomic_load(&overlapped), atomic_load(&cpu_ns) / 1000000,
            process_cpu_ns() / 1000000);
    fclose(f);
}
