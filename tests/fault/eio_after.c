/* eio_after.c - an LD_PRELOAD library that makes one file's writes fail like a dying disk:
 * after GD_EIO_AFTER successful write calls to the file named GD_EIO_FILE, every later
 * write and pwrite on it fails with EIO (the test of a write failure inside HDF5's
 * own flush, which reserving space ahead cannot prevent). Other files are untouched.
 *
 * The file is recognised by what /proc/self/fd/N links to: GD_EIO_FILE itself, or its
 * ".creating" name while it is made (OUT.lock and other files beside it are not).
 *
 * GD_EIO_OVERWRITES=1 counts and fails only writes over bytes the file already holds
 * (below its size: a commit rewriting its metadata, not an append), and GD_EIO_KILL=1
 * ends the process with SIGKILL at the failing write instead: a commit torn halfway.
 * GD_EIO_LOG names a file that gets, at exit, how many writes were let through. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "fd_path.h"

static long writes_seen;

/* 1 when fd is the file under test (GD_EIO_FILE or GD_EIO_FILE.creating). */
static int is_target(int fd)
{
    const char *want = getenv("GD_EIO_FILE");
    if (!want || !*want)
        return 0;
    char path[4096];
    if (fd_path(fd, path, sizeof path) < 0)
        return 0;
    size_t len = strlen(want);
    return strncmp(path, want, len) == 0 && (!path[len] || !strcmp(path + len, ".creating"));
}

static int env_flag(const char *name)
{
    const char *v = getenv(name);
    return v && !strcmp(v, "1");
}

/* 1 when a write at `at` rewrites bytes the file holds (GD_EIO_OVERWRITES's kind). */
static int is_overwrite(int fd, off_t at)
{
    struct stat sb;
    if (at < 0) /* write(): at the current offset */
        at = lseek(fd, 0, SEEK_CUR);
    return fstat(fd, &sb) == 0 && at < sb.st_size;
}

/* 1 when this call on fd must fail: the target file, past its allowance of writes (of
 * the kind counted); with GD_EIO_KILL the process ends here instead. */
static int must_fail(int fd, off_t at)
{
    if (!is_target(fd) || (env_flag("GD_EIO_OVERWRITES") && !is_overwrite(fd, at)))
        return 0;
    const char *after = getenv("GD_EIO_AFTER");
    long allowed = after ? atol(after) : 0;
    if (writes_seen < allowed) {
        writes_seen++;
        return 0;
    }
    if (env_flag("GD_EIO_KILL"))
        raise(SIGKILL);
    errno = EIO;
    return 1;
}

/* The real function after this library (POSIX's way to turn dlsym's pointer into one). */
#define REAL(var, name) (*(void **)(&(var)) = dlsym(RTLD_NEXT, name))

ssize_t write(int fd, const void *buf, size_t n)
{
    ssize_t (*real)(int, const void *, size_t);
    if (must_fail(fd, -1) || !REAL(real, "write"))
        return -1;
    return real(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t at)
{
    ssize_t (*real)(int, const void *, size_t, off_t);
    if (must_fail(fd, at) || !REAL(real, "pwrite"))
        return -1;
    return real(fd, buf, n, at);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t at)
{
    ssize_t (*real)(int, const void *, size_t, off_t);
    if (must_fail(fd, at) || !REAL(real, "pwrite64"))
        return -1;
    return real(fd, buf, n, at);
}

/* With GD_EIO_LOG set, the count of the file's writes that were let through is written
 * there at exit (a test sizes its GD_EIO_AFTER values to a healthy sweep's count). */
__attribute__((destructor)) static void report_writes(void)
{
    const char *log = getenv("GD_EIO_LOG");
    FILE *f = log && *log ? fopen(log, "w") : NULL;
    if (!f)
        return;
    fprintf(f, "%ld\n", writes_seen);
    fclose(f);
}
