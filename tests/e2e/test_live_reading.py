#!/usr/bin/python3
"""test_live_reading.py - status, summary and the Python reader on a file a sweep is writing.

A sweep of a few seconds runs in the background, once with HDF5's own file locking (the
default) and once with HDF5_USE_FILE_LOCKING=FALSE, as on NFS. While it runs, the test reads
the file again and again with `gdsweep status`, `gdsweep summary --csv` and the Python
reader (analysis/reader.py, the report's), and checks of every read:
- it succeeds (no "locked by another process", no torn read): status exits 3 and names the
  writer and its pace, summary exits 0 and says it is a snapshot;
- the committed count never goes down, and every committed row read equals, bit for bit,
  that run's row in the finished file (a read mixing two commits would differ or fail).
Then a sweep is killed with SIGKILL half-way: status and the reader read the committed
runs (state resumable, no writer), and a resume completes the file with every row read
earlier unchanged. A file held by a writer that is not gdsweep (h5py r+) is still refused.
"""
import os
import re
import signal
import subprocess
import sys
import time

import h5py

sys.path.insert(0, os.path.dirname(__file__))
from gdtest import BINARY, SOURCE, check, finish, gdsweep, workdir, write_grid  # noqa: E402

sys.path.insert(0, os.path.abspath(SOURCE))
from analysis import reader  # noqa: E402

GRID = """
[sweep]
name = live
iterations = 1200
record_every = 20
[problem d]
type = denoise
size = 96
lambda = linspace(0.2, 2, 12)
[problem q]
type = quadratic
x0 = linspace(-4, 4, 40)
[optimizer gd]
lr = 0.01, 0.05, 0.1
[optimizer adam]
lr = 0.01, 0.1
"""
# No read may take longer than this (a reader waits at most 30 s for a commit), nor a sweep
# under reading longer than SWEEP_LIMIT: a hang fails with what hung, not a ctest timeout.
READ_LIMIT = 120
SWEEP_LIMIT = 400
COMPARED = ("run_id", "status", "steps", "loss_final", "grad_norm_final", "traj_offset", "traj_count")


def read(*args):
    """`gdsweep ARGS` with a time limit; a hang is a failure that says which read hung."""
    try:
        return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=READ_LIMIT)
    except subprocess.TimeoutExpired:
        check(False, f"gdsweep {' '.join(args)} hung for {READ_LIMIT} s on a running sweep")
        finish()


def start(grid, out, env, *args):
    return subprocess.Popen([BINARY, grid, "-o", out, "--quiet", "--threads", "1", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, **env), start_new_session=True)


def committed_rows(path):
    """{run_id: tuple of COMPARED} of the committed rows, through the Python reader."""
    with reader.opened(path) as f:
        runs = reader.load_runs(f)
    return {int(r.run_id): tuple(getattr(r, c) for c in COMPARED) for r in runs.itertuples()}


def read_while_running(proc, out, seen, label, stop_after=None):
    """Reads out until proc ends (or, with stop_after, until that many runs are committed);
    returns the number of reads of each kind that succeeded while the writer lived."""
    last, reads = -1, {"status": 0, "summary": 0, "python": 0}
    while proc.poll() is None and not os.path.exists(out):  # laid out, then moved into place
        time.sleep(0.01)
    deadline = time.monotonic() + SWEEP_LIMIT
    while proc.poll() is None:
        if time.monotonic() > deadline:
            proc.kill()
            check(False, f"{label}: the sweep under reading did not end in {SWEEP_LIMIT} s "
                  f"(its commits starved?): stderr {proc.stderr.read()[-2000:]}")
            finish()
        st = read("status", out)
        if proc.poll() is not None:
            break
        m = re.search(r"runs: (\d+) committed", st.stdout)
        ok = st.returncode in (0, 3) and m is not None
        check(ok, f"{label}: status of a running sweep: exit {st.returncode}: {st.stderr.strip()}")
        if ok:
            n = int(m.group(1))
            check(n >= last, f"{label}: committed count never goes down ({last} -> {n})")
            last = n
            if st.returncode == 3 and "writer: pid" in st.stdout and "pace:" in st.stdout:
                reads["status"] += 1
        sm = read("summary", out, "--csv")
        check(sm.returncode == 0, f"{label}: summary of a running sweep: exit {sm.returncode}: "
              f"{sm.stderr.strip()}")
        reads["summary"] += sm.returncode == 0
        try:
            rows = committed_rows(out)
            reads["python"] += 1
            for k, v in rows.items():
                check(seen.setdefault(k, v) == v, f"{label}: run {k} read twice the same")
        except reader.NotASweep as e:
            check(False, f"{label}: the Python reader refused a running sweep: {e}")
        if stop_after is not None and last >= stop_after:
            break
    return reads


def check_final(out, seen, label):
    with h5py.File(out, "r") as f:
        t = f["runs"][:]
    final = {int(r["run_id"]): tuple(r[c].decode().rstrip("\0") if isinstance(r[c], bytes) else r[c]
                                     for c in COMPARED) for r in t if r["written"] == 1}
    check(len(final) == len(t), f"{label}: the finished file has every run committed")
    differ = [k for k, v in seen.items() if tuple(map(str, final.get(k, ()))) != tuple(map(str, v))]
    check(seen and not differ, f"{label}: {len(seen)} rows read live equal the finished file's "
          f"({len(differ)} differ: {differ[:5]})")


def live_sweep(d, grid, env, label):
    out = os.path.join(d, f"{label}.h5")
    seen = {}
    proc = start(grid, out, env)
    reads = read_while_running(proc, out, seen, label)
    check(proc.wait() == 0, f"{label}: the sweep ends well ({proc.stderr.read().strip()})")
    check(reads["status"] > 0 and reads["summary"] > 0 and reads["python"] > 0,
          f"{label}: reads while the writer ran: {reads}")
    st = read("status", out)
    check(st.returncode == 0 and "writer:" not in st.stdout, f"{label}: finished: status exit 0")
    check_final(out, seen, label)


def killed_sweep(d, grid):
    out = os.path.join(d, "killed.h5")
    seen = {}
    proc = start(grid, out, {"GD_COMMIT_SECONDS": "0.05"})  # a first commit well before the end
    read_while_running(proc, out, seen, "killed", stop_after=1)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:  # it ended first: the status check below says so
        pass
    proc.wait()
    st = read("status", out)
    check(st.returncode == 3 and "resumable" in st.stdout and "writer:" not in st.stdout,
          f"killed: status says resumable, no writer: {st.stdout.strip()}")
    try:
        for k, v in committed_rows(out).items():
            check(seen.setdefault(k, v) == v, f"killed: run {k} as read before the kill")
    except reader.NotASweep as e:  # killed inside a commit: the reader says so, status reads it
        check("cut short" in str(e), f"killed: the reader names a cut-short commit: {e}")
    gdsweep(grid, "-o", out, "--resume", "--quiet")
    check_final(out, seen, "killed")


def foreign_writer(d, grid):
    out = os.path.join(d, "held.h5")
    gdsweep(grid, "-o", out, "--quiet")
    hold = "import h5py, sys; f = h5py.File(sys.argv[1], 'r+'); print('open', flush=True); sys.stdin.read()"
    w = subprocess.Popen(["/usr/bin/python3", "-c", hold, out], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    w.stdout.readline()
    st = read("status", out)
    check(st.returncode == 2 and "not a gdsweep sweep" in st.stderr,
          f"a non-gdsweep writer: status refuses ({st.returncode}: {st.stderr.strip()})")
    try:
        committed_rows(out)
        check(False, "a non-gdsweep writer: the Python reader refuses")
    except reader.NotASweep as e:
        check("not a gdsweep sweep" in str(e), f"a non-gdsweep writer: the reader says why: {e}")
    w.stdin.close()
    w.wait()


def main():
    d = workdir()
    grid = write_grid(d, "live", GRID)
    with h5py.File(os.path.join(d, "probe.h5"), "w"):
        pass
    live_sweep(d, grid, {}, "hdf5-locking")
    live_sweep(d, grid, {"HDF5_USE_FILE_LOCKING": "FALSE"}, "no-hdf5-locking")
    killed_sweep(d, grid)
    foreign_writer(d, grid)
    finish()


if __name__ == "__main__":
    main()
