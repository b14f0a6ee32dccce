"""live.py - reading a file that a sweep is still writing: who writes it, and a consistent snapshot.

A running sweep holds OUT.lock (its host, pid, process start time and start date:
src/store/out_lock.c) and commits its runs in all-or-nothing steps (the rollback journal,
docs/FORMAT.md). Between commits the committed bytes of the file do not change; during
one they mix old and new. The writer holds an exclusive POSIX record lock on one byte of
the file (at 2**62) while a commit writes, and a reader holds it shared: `commit_lock`
here, src/store/commit_lock.c in C. POSIX drops a process's record locks on a file when it
closes any descriptor of that file, so a snapshot is taken whole under the lock: the file
is read into memory (HDF5's core driver) and nothing reads the disk afterwards.
"""
import contextlib
import errno
import fcntl
import os
import socket
import time

COMMIT_LOCK_AT = 1 << 62
COMMIT_WAIT_SECONDS = 30


def writer_of(path):
    """dict(host, pid, since) of the sweep writing path now (per PATH.lock), else None.

    On this host a writer is live when its pid runs with the recorded start time (field 22 of
    /proc/PID/stat) and is not a zombie; a lock naming another host is taken as live, as
    gdsweep does.
    """
    try:
        with open(path + ".lock", "r", encoding="utf-8", errors="replace") as f:
            fields = dict(line.split(" ", 1) for line in f.read().splitlines()[1:] if " " in line)
        host, pid, start = fields["host"], int(fields["pid"]), int(fields["start"])
    except (OSError, KeyError, ValueError):
        return None
    if host == socket.gethostname() and not _running(pid, start):
        return None
    return {"host": host, "pid": pid, "since": fields.get("since", "?")}


def _running(pid, start):
    try:
        with open(f"/proc/{pid}/stat", "r") as f:
            stat = f.read()
    except OSError:
        return False
    after = stat[stat.rfind(")") + 2:].split()  # fields 3.. (the name may hold spaces)
    return after[0] != "Z" and (start == 0 or int(after[19]) == start)


class ForeignWriter(OSError):
    """A process that is not a gdsweep sweep holds the file open for writing."""


def _foreign_writer(fd, path):
    """True when a process holds HDF5's own lock on path for writing (flock, exclusive) and it is
    not a gdsweep sweep: it keeps no commit lock, so what is read may be torn. Asked on the
    commit lock's own descriptor: closing any other one would drop that lock."""
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    except BlockingIOError:
        return writer_of(path) is None
    except OSError:
        return False


def describe(writer):
    return f"pid {writer['pid']} on host {writer['host']} since {writer['since']}"


@contextlib.contextmanager
def commit_lock(path, wait=COMMIT_WAIT_SECONDS):
    """Holds path's commit lock shared: no commit writes while the block runs. Raises
    ForeignWriter when a program other than gdsweep has the file open for writing."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        if _foreign_writer(fd, path):
            raise ForeignWriter(f"{path} is open for writing by another process that is not a "
                                "gdsweep sweep: read it once that writer has closed it")
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB, 1, COMMIT_LOCK_AT, os.SEEK_SET)
                break
            except OSError as e:
                if e.errno in (errno.ENOLCK, errno.EOPNOTSUPP):
                    break  # no record locks here: no live writer to wait for
                if e.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() > deadline:
                    raise
                time.sleep(0.002)
        yield
    finally:
        os.close(fd)
