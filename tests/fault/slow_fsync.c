/* slow_fsync.c - an LD_PRELOAD library that makes one file's fsync slow or failing, and
 * tells whether the program wrote to the file while an fsync of it was under way.
 *
 * The file is GD_SYNC_FILE (recognised by what /proc/self/fd/N links to). Each fsync of it
 * sleeps GD_FSYNC_SLEEP_MS milliseconds first; with GD_FSYNC_EIO_AFTER=N every fsync of
 * it after the first N fails with EIO (after the sleep, like a disk that gives up). At
 * exit, "fsyncs F overlapped W cpu_ms C" is written to GD_SYNC_LOG: F fsyncs of the file,
 * W writes (pwrite) to it that started while one of them slept, C milliseconds of CPU the
 * process used while they slept (the sleeping thread uses none): the test of a commit
 * whose syncs run in the background while the program goes on computing. */
#define _GNU_SOURCE
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

static long env_long(const char *name, long def)
{
    const char *v = getenv(name);
    return v && *v ? atol(v) : def;
}

static long process_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
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
    long cpu0 = process_cpu_ns();
    nap_ms(env_long("GD_FSYNC_SLEEP_MS", 0));
    atomic_fetch_add(&cpu_ns, process_cpu_ns() - cpu0);
    int rc = k >= env_long("GD_FSYNC_EIO_AFTER", -1) && env_long("GD_FSYNC_EIO_AFTER", -1) >= 0
                 ? (errno = EIO, -1)
                 : real(fd);
    atomic_fetch_sub(&in_fsync, 1);
    return rc;
}

static void note_write(int fd)
{
    if (atomic_load(&in_fsync) > 0 && is_target(fd))
        atomic_fetch_add(&overlapped, 1);
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
    FILE *f = log && *log && atomic_load(&fsyncs) ? fopen(log, "a") : NULL;
    if (!f)
        return;
    fprintf(f, "fsyncs %ld overlapped %ld cpu_ms %ld\n", atomic_load(&fsyncs),
            atomic_load(&overlapped), atomic_load(&cpu_ns) / 1000000);
    fclose(f);
}
