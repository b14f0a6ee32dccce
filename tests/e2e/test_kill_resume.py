#!/usr/bin/python3
"""test_kill_resume.py - SIGKILL at random moments, 20 times; every file resumes to the
uninterrupted sweep's results, bit for bit, and h5py opens it.

Kills, in turn: the single process; the whole MPI job (mpirun and its ranks); one rank
of an MPI job (Open MPI then ends the job). Each killed file is resumed (one process)
until complete and compared with a reference sweep. Prints, per kill, the runs committed
when it died, the runs redone and the time the resume took."""
import os
import random
import signal
import subprocess
import sys
import time

import h5py

sys.path.insert(0, os.path.dirname(__file__))
from gdtest import (check, finish, gdsweep, runs_table, start, sweep,  # noqa: E402
                    sweep_differences, workdir, write_grid)

GRID = """
[sweep]
name = kills
seed = 5
iterations = 300
record_every = 9
[problem quadratic]
x0 = linspace(-5, 5, 400)
[problem denoise]
size = 200
lambda = 0.5, 1, 2, 4
[problem fit]
type = curvefit
points = 30000
degree = 3
x_min = -1
x_max = 1
[optimizer gd]
lr = 0.001, 0.01, 0.3
[optimizer adam]
lr = 0.01, 0.1
"""
TRIALS = 20
MODES = ["process", "job", "rank"]
random.seed(int(os.environ.get("GD_KILL_SEED", "20261126")))

os.environ["GD_COMMIT_SECONDS"] = "0.05"  # many commits, so kills land between them
ONE_THREAD = ("--threads", "1")
d = workdir()
grid = write_grid(d, "kills", GRID)
ref = os.path.join(d, "ref.h5")
t0 = time.time()
sweep(grid, ref, *ONE_THREAD)
full = time.time() - t0
n_runs = len(runs_table(ref)["run_id"])


def children(pid):
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def command_of(pid):
    """The command line of pid, or "" when it has already ended (a race with the job)."""
    try:
        with open(f"/proc/{pid}/cmdline") as f:
            return f.read()
    except OSError:
        return ""


def state_of(pid):
    """The state letter of pid ("Z": a zombie), or "Z" when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


def writers_of(out):
    """The processes whose command line names out (the sweep's ranks), not this one."""
    found = subprocess.run(["pgrep", "-f", out], capture_output=True, text=True).stdout
    return [int(p) for p in found.split() if int(p) != os.getpid()]


def alive_in_group(pgid):
    """True while a process other than a zombie is left in process group pgid."""
    out = subprocess.run(["pgrep", "-g", str(pgid)], capture_output=True, text=True).stdout
    return any(state_of(int(p)) != "Z" for p in out.split())


def writers_gone(out, pgid, seconds, kill_left=False):
    """True once no live process names out or is left in process group pgid (waits up to
    SECONDS; with KILL_LEFT, SIGKILLs those that name out meanwhile)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        left = [p for p in writers_of(out) if state_of(p) != "Z"]
        if not left and not alive_in_group(pgid):
            return True
        for pid in left if kill_left else []:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.05)
    return False


def kill(mode, proc, out):
    if mode == "rank":
        ranks = [c for c in children(proc.pid) if "gdsweep" in command_of(c)]
        if ranks:
            os.kill(random.choice(ranks), signal.SIGKILL)
            try:
                proc.wait(timeout=30)
                # the other rank may still be ending (Open MPI's abort) and hold the lock
                if writers_gone(out, proc.pid, 10):
                    return
            except subprocess.TimeoutExpired:
                pass
    # The process, or mpirun and every rank: the whole session (a rank that mpirun forked
    # after a listing of its children would live on and keep writing), then any listed
    # child that left it.
    victims = [proc.pid] + children(proc.pid)
    for kill_one in [lambda: os.killpg(proc.pid, signal.SIGKILL)] + \
                    [lambda pid=pid: os.kill(pid, signal.SIGKILL) for pid in victims]:
        try:
            kill_one()
        except ProcessLookupError:
            pass
    proc.wait()
    # A rank that mpirun started in a process group of its own after the listing above
    # would live on, keep the file open and hold the lock: end whatever still names OUT.
    if not writers_gone(out, proc.pid, 30, kill_left=True):
        check(False, f"processes writing {out} still alive 30 s after SIGKILL")


def committed(out):
    if not os.path.exists(out):
        return 0
    p = gdsweep("status", out, check_rc=False)
    for line in p.stdout.splitlines():
        if line.startswith("runs:"):
            return int(line.split()[1])
    return -1  # status could not read it


rows = []
for trial in range(TRIALS):
    mode = MODES[trial % len(MODES)]
    out = os.path.join(d, f"k{trial}.h5")
    proc = start(grid, out, *ONE_THREAD, mpi_ranks=None if mode == "process" else 2)
    time.sleep(random.uniform(0.2, 0.4 + (full if mode == "process" else full / 2)))
    kill(mode, proc, out)
    before = committed(out)
    t0 = time.time()
    resumed = 0
    while True:
        resume = ["--resume"] if os.path.exists(out) else []
        p = sweep(grid, out, *ONE_THREAD, *resume, check_rc=False)
        resumed += 1
        if p.returncode == 0 or resumed > 3:
            break
        time.sleep(0.5)  # e.g. exit 2: a writer still ending holds the lock
    took = time.time() - t0
    ok = p.returncode == 0
    diffs = sweep_differences(ref, out) if ok else ["resume failed: " + p.stderr.strip()]
    try:
        with h5py.File(out, "r") as f:
            readable = int(f.attrs["complete"]) == 1
    except OSError as e:
        readable = False
        diffs.append(f"h5py cannot open: {e}")
    rows.append((trial, mode, before, n_runs - max(before, 0), took, not diffs and readable))
    check(not diffs and readable, f"kill {trial + 1} ({mode}): {before} of {n_runs} committed, "
          f"resumed in {took:.2f} s, identical to the uninterrupted sweep {diffs[:3]}")
    os.remove(out)

print(f"\nuninterrupted sweep: {n_runs} runs in {full:.2f} s")
print(f"{'kill':>4} {'what':>8} {'committed':>10} {'redone':>7} {'resume s':>9} {'match':>6}")
for t, mode, before, redone, took, ok in rows:
    print(f"{t + 1:>4} {mode:>8} {before:>10} {redone:>7} {took:>9.2f} {str(ok):>6}")
finish()
