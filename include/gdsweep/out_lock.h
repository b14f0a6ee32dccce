/* out_lock.h - one writer per output file: the lock file OUT.lock beside it.
 *
 * A sweep, a resume and a merge take OUT's lock before they create, open or remove
 * anything of OUT for writing, and release it on every way out; under mpirun rank 0 (the
 * writer) alone takes it. It does not depend on HDF5's file locking, which users switch
 * off on NFS and Lustre (HDF5_USE_FILE_LOCKING=FALSE).
 *
 * The lock is a small text file (the holder's host, pid, process start time, start date
 * and command) written complete under a name of its own and linked into place with
 * link(2), which fails when OUT.lock exists: exactly one process holds it, on any POSIX
 * file system. A lock left by a process that is gone (SIGKILL, a crashed node) is stale
 * when it names this host and its pid is not running, or runs with another start time
 * (field 22 of /proc/PID/stat: the pid was reused), or is a zombie (ended, not yet
 * reaped: a container whose init does not reap orphans keeps one). A stale lock is taken over: the
 * taker first claims the dead lock's inode with a hard link named after it (one claimer
 * wins), checks that the claim is still that lock, removes it and links its own. A lock
 * naming another host is never taken over: the message says how to remove it.
 *
 * Readers (status, summary, the Python package) never take the lock.
 *
 * Process-wide state, by necessity (like the signal flags): the lock this process
 * holds, so that an abort path and exit() remove it too. */
#ifndef GDSWEEP_OUT_LOCK_H
#define GDSWEEP_OUT_LOCK_H

#include <stddef.h>

#include "gdsweep/error.h"

/* Takes OUT's lock for this process. Returns 0; note gets one line when a stale lock was
 * taken over (else ""). Fails with a usage error (exit 2, one line naming the holder's
 * host and pid and what to do) when another process holds it, or a runtime error when
 * the lock file cannot be made (read-only directory, ...). */
int gd_out_lock_take(const char *out, const char *command_line, char *note, size_t note_size,
                     gd_error *err);

/* Removes the lock this process holds, if any (also registered with atexit). */
void gd_out_lock_release(void);

/* For readers: 1 and "pid P on host H since T" in desc when OUT.lock names a writer that
 * may be running (this host's live process, or another host's), 0 otherwise. */
int gd_out_lock_holder(const char *out, char *desc, size_t size);

#endif
