"""gdtest.py - shared helpers for the end-to-end Python tests (run gdsweep, read its file)."""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

BINARY = os.environ.get("GD_BINARY")
SOURCE = os.environ.get("GD_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
if not BINARY:
    sys.exit("run through ctest: GD_BINARY is unset")

FAILURES = []


def check(cond, what):
    """Records a failed check (and goes on, so one run reports every failure)."""
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        FAILURES.append(what)


def finish():
    if FAILURES:
        sys.exit(f"{len(FAILURES)} check(s) failed")
    print("all checks passed")


def workdir():
    return tempfile.mkdtemp(prefix="gdsweep-e2e-")


def gdsweep(*args, mpi_ranks=None, env=None, check_rc=True):
    """Runs gdsweep (under mpirun when mpi_ranks is set); returns CompletedProcess."""
    cmd = [BINARY, *args]
    if mpi_ranks:
        cmd = ["mpirun", "-n", str(mpi_ranks), "--oversubscribe", *cmd]
    full_env = dict(os.environ, **(env or {}))
    p = subprocess.run(cmd, capture_output=True, text=True, env=full_env)
    if check_rc and p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stdout}\n{p.stderr}")
    return p


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def runs_table(path):
    """The runs table as a dict of numpy columns, strings decoded."""
    with h5py.File(path, "r") as f:
        t = f["runs"][:]
    cols = {}
    for name in t.dtype.names:
        col = t[name]
        cols[name] = np.array([text(v).rstrip("\0") for v in col]) if col.dtype.kind == "S" else col
    return cols


def trajectory(f, runs, i, name="loss"):
    o, n = int(runs["traj_offset"][i]), int(runs["traj_count"][i])
    return f["traj/" + name][o:o + n]
