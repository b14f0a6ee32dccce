#!/usr/bin/python3
"""bench_trajectories.py - Results.trajectories() on 100,000 runs against a per-run loop of reader.trajectory.

Usage (from the repository root): /usr/bin/python3 bench/bench_trajectories.py [--binary build/gdsweep]
[--file OUT.h5] [--sample 300]. Makes bench/trajectories.ini's sweep (100,000 quadratic runs,
some stopped early by loss_tol) unless --file names one, then times: open(), trajectories()
of every run (one tidy DataFrame), curves() of 1000 groups, and the per-run loop
(reader.trajectory on the open file) over a random sample of runs, extrapolated to all.
Target: trajectories() under 2 s (docs/BENCHMARKS.md).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
import analysis  # noqa: E402
from analysis import reader  # noqa: E402


def timed(call, tries=3):
    """(best seconds over tries, the last result)."""
    best = np.inf
    for _ in range(tries):
        start = time.perf_counter()
        out = call()
        best = min(best, time.perf_counter() - start)
    return best, out


def make_file(binary, directory):
    path = os.path.join(directory, "trajectories.h5")
    grid = os.path.join(ROOT, "bench", "trajectories.ini")
    subprocess.run([binary, grid, "-o", path, "--quiet", "--overwrite"], check=True)
    return path


def per_run_loop(path, ids):
    """Seconds per run of reader.trajectory(f, id) with the file open once."""
    with h5py.File(path, "r") as f:
        start = time.perf_counter()
        for i in ids:
            reader.trajectory(f, int(i))
        return (time.perf_counter() - start) / len(ids)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--binary", default=os.path.join(ROOT, "build", "gdsweep"))
    p.add_argument("--file", help="an existing sweep file (default: make bench/trajectories.ini's)")
    p.add_argument("--sample", type=int, default=300, help="runs timed in the per-run loop")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file or make_file(args.binary, tmp)
        t_open, s = timed(lambda: analysis.open(path))
        n = len(s.runs)
        t_bulk, frame = timed(s.trajectories)
        t_loss, _ = timed(lambda: s.trajectories(fields=("loss",)))
        t_curves, curves = timed(lambda: s.curves(by=["optimizer", "lr"]), tries=1)
        ids = np.random.default_rng(1).choice(s.runs.index.to_numpy(), min(args.sample, n), replace=False)
        per_run = per_run_loop(path, ids)
        s.close()
    print(f"file: {path if args.file else 'bench/trajectories.ini'}: {n} runs, {len(frame)} records")
    print(f"open()                           {t_open:8.3f} s")
    print(f"trajectories() all fields        {t_bulk:8.3f} s  ({len(frame.columns)} columns)")
    print(f"trajectories(fields=('loss',))   {t_loss:8.3f} s")
    print(f"curves(by=[optimizer, lr])       {t_curves:8.3f} s  ({curves.groupby(['optimizer', 'lr']).ngroups} groups)")
    print(f"per-run loop (reader.trajectory) {per_run * n:8.3f} s  ({per_run * 1e3:.2f} ms/run x {n}, "
          f"from {len(ids)} runs)")
    print(f"ratio loop / trajectories()      {per_run * n / t_bulk:8.0f} x")


if __name__ == "__main__":
    main()
