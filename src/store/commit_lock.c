/* commit_lock.c - the commit lock: a reader never meets a commit half done (journal.h).
 *
 * Between commits a journaled file's committed bytes do not change (journal_vfd.c: writes
 * over them are held in memory; writes past them are not referenced by anything
 * committed), so a reader that opens the file then sees exactly the last commit. Only
 * while a commit writes does the file mix old and new bytes. The writer holds an
 * exclusive POSIX record lock (fcntl) for that window, and a reader holds a shared one
 * while it has the file open: a commit waits for the readers (at most a minute, then it
 * goes on with a warning), a reader for the commit (at most 30 s, then it fails).
 *
 * The lock is one byte at COMMIT_LOCK_AT, far past any data, on the HDF5 file itself (so
 * it exists whenever the file does; fcntl locks may lie past the end of a file). It is
 * independent of HDF5's own flock, which users switch off on NFS and Lustre. POSIX
 * drops a process's record locks on a file when it closes any descriptor of that file:
 * a reader takes the lock after its last probe that opens and closes the file
 * (H5Fis_hdf5), and loses it at H5Fclose, when it no longer reads. analysis/reader.py
 * takes the same lock the same way. */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <time.h>

/* 2^62: a byte no HDF5 file of ours reaches. */
#define COMMIT_LOCK_AT ((off_t)1 << 62)
/* A reader retries this often while a commit holds the lock, and a commit while a reader
 * holds it. */
#define RETRY_NS 2000000L
/* A commit waits this long for the readers at most: a reader stopped with its lock held
 * (Ctrl-Z) must not stall a sweep. */
#define WRITER_WAIT_SECONDS 60

static int set_lock(int fd, short type, int cmd)
{
    struct flock l = {.l_type = type, .l_whence = SEEK_SET, .l_start = COMMIT_LOCK_AT,
                      .l_len = 1};
    int rc;
    do
        rc = fcntl(fd, cmd, &l);
    while (rc < 0 && errno == EINTR);
    return rc;
}

int gd_commit_lock_writer(int fd)
{
    return gd_commit_lock_writer_wait(fd, WRITER_WAIT_SECONDS);
}

int gd_commit_lock_writer_wait(int fd, double wait_seconds)
{
    struct timespec pause = {0, RETRY_NS};
    for (double waited = 0;; waited += RETRY_NS * 1e-9) {
        if (set_lock(fd, F_WRLCK, F_SETLK) == 0)
            return 1;
        /* A file system without record locks has no live readers to protect. */
        if (errno == ENOLCK || errno == EOPNOTSUPP)
            return 0;
        if (errno != EAGAIN && errno != EACCES)
            return -1;
        if (waited >= wait_seconds) {
            static int warned;
            if (!warned++)
                fprintf(stderr, "gdsweep: warning: a reader has held the commit lock for %.0f "
                        "s (a stopped `gdsweep status` or summary?); committing without it: "
                        "that reader may see a commit half done\n", wait_seconds);
            return 0;
        }
        nanosleep(&pause, NULL);
    }
}

int gd_commit_lock_reader(int fd, double wait_seconds)
{
    struct timespec pause = {0, RETRY_NS};
    for (double waited = 0;; waited += RETRY_NS * 1e-9) {
        if (set_lock(fd, F_RDLCK, F_SETLK) == 0 || errno == ENOLCK || errno == EOPNOTSUPP)
            return 0;
        if ((errno != EAGAIN && errno != EACCES) || waited >= wait_seconds)
            return -1;
        nanosleep(&pause, NULL);
    }
}

void gd_commit_unlock(int fd)
{
    set_lock(fd, F_UNLCK, F_SETLK);
}
