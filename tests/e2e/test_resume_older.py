"""test_resume_older.py - --resume of an output whose runs table an older gdsweep wrote.

The runs table has a column per key of every registered type, so each gdsweep that gains
a type or a key writes another row type. An "older" output is made here from a finished
one: its runs table rewritten without the columns of keys this grid leaves at their
defaults (denoise's image, curvefit's data, x and y: keys added after format 2's first
release) and with every other run marked uncommitted.
  The older file also lacks the columns and the series stochastic runs brought
  (samples_seen, epochs, batch_size, sampling, grad_noise, lower, upper; traj/batch_loss).
  It is of format 2 (gdtest.to_format_2: every per-record series stored).
- --resume completes it: every column it has, every trajectory (traj/batch_loss added, NaN
  for the records it held) and instance equal those of the sweep run in one go (the rows
  are converted to the file's row type by name).
- A file that lacks a column the grid fills (lr, swept here) is refused: exit 2, one line
  naming the column, the file untouched.
"""
import os
import shutil

import h5py
import numpy as np

import gdtest
from gdtest import check

GRID = """[problem d]
type = denoise
size = 24
iterations = 20
[optimizer gd]
lr = 0.05, 0.1, 0.15, 0.2
[optimizer adam]
lr = 0.01, 0.02
"""


def make_older(src, dst, drop):
    """dst: src with the runs table rewritten without the columns `drop`, odd runs
    uncommitted (their cells blank, as a killed sweep leaves them)."""
    shutil.copyfile(src, dst)
    with h5py.File(dst, "r+") as f:
        old = f["runs"]
        rows = old[:]
        keep = [n for n in rows.dtype.names if n not in drop]
        fill = old.fillvalue
        dtype = np.dtype([(n, rows.dtype[n]) for n in keep])
        new = np.zeros(len(rows), dtype=dtype)
        for n in keep:
            new[n] = rows[n]
        blank = np.array([tuple(fill[n] for n in keep)], dtype=dtype)[0]
        for i in range(1, len(rows), 2):
            new[i] = blank
        chunks, maxshape = old.chunks, old.maxshape
        del f["runs"]
        f.create_dataset("runs", data=new, chunks=chunks, maxshape=maxshape,
                         fillvalue=blank)


def check_refused(grid, path, words, what):
    """--resume of path exits 2 with one line holding words, the file untouched."""
    with open(path, "rb") as fh:
        before = fh.read()
    p = gdtest.sweep(grid, path, "--resume", check_rc=False)
    lines = p.stderr.strip().splitlines()
    with open(path, "rb") as fh:
        after = fh.read()
    check(p.returncode == 2 and len(lines) == 1 and words in lines[0] and before == after,
          f"{what}: exit 2, one line, untouched ({lines})")


def main():
    d = gdtest.workdir()
    grid = gdtest.write_grid(d, "older", GRID)
    full = os.path.join(d, "full.h5")
    gdtest.sweep(grid, full)
    with h5py.File(full, "r") as f:
        names = f["runs"].dtype.names
    wanted = ("image", "data", "x", "y", "samples_seen", "epochs", "batch_size", "sampling",
              "grad_noise", "lower", "upper")
    newer = [n for n in wanted if n in names]
    check(len(newer) == len(wanted), f"this gdsweep's table has the newer columns ({newer})")

    v2 = os.path.join(d, "v2.h5")  # the one-go sweep as the gdsweep of format 2 wrote it
    shutil.copyfile(full, v2)
    gdtest.to_format_2(v2)
    older = os.path.join(d, "older.h5")
    make_older(v2, older, newer)
    with h5py.File(older, "r+") as f:
        del f["traj/batch_loss"]
    p = gdtest.sweep(grid, older, "--resume", check_rc=False)
    check(p.returncode == 0, f"--resume of the older table: exit 0 ({p.stderr.strip()})")
    with h5py.File(older, "r") as f:
        rows = f["runs"][:]
        added = f["traj/batch_loss"].shape == f["traj/loss"].shape
        still_2 = int(f.attrs["format_version"]) == 2 and "traj_implicit" not in f.attrs and \
            all(f["traj"][k].shape == f["traj/loss"].shape for k in ("iteration", "lr"))
    check(set(rows.dtype.names) == set(names) - set(newer) and np.all(rows["written"] == 1),
          "the file keeps its own columns, every run committed")
    check(added, "traj/batch_loss added, as long as the other series")
    check(still_2, "the resumed file stays of format 2: traj/iteration and traj/lr appended to")
    diff = gdtest.sweep_differences(older, full)
    check(not diff, f"every column, trajectory and instance equals the one-go sweep ({diff[:4]})")

    lacking = os.path.join(d, "lacking.h5")
    make_older(v2, lacking, newer + ["lr"])
    check_refused(grid, lacking, "no column 'lr'", "a table without lr, which the grid sweeps")
    shutil.rmtree(d)
    gdtest.finish()


main()
