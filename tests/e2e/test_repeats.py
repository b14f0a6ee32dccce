"""test_repeats.py - repeats that mean something: identical repeats are warned about, start_spread draws real ones.

A problem whose instance draws nothing at random (quadratic, rosenbrock without
start_spread; denoise with noise = 0) repeats identical runs: `--dry-run` and the run say so
on stderr, one line per such section, and stay silent for sections whose repeats differ.
With start_spread = s each repeat starts from x0 + s N(0, 1): checked against the normal
distribution with scipy (Kolmogorov-Smirnov), per coordinate, on 300 repeats.
"""
import os

import h5py
import numpy as np
from scipy import stats

import gdtest
from gdtest import check

GRID = """[sweep]
name = rep
iterations = 3
repeats = 300
[problem rb]
type = rosenbrock
[problem q]
type = quadratic
start_spread = 0, 0.5
[problem qs]
type = quadratic
x0 = 2
start_spread = 0.5
[problem rbs]
type = rosenbrock
x0 = -1
y0 = 2
start_spread = 0.25
[problem d]
type = denoise
size = 4
noise = 0, 0.1
[optimizer gd]
lr = 1e-4
"""


def warnings(stderr):
    return [l for l in stderr.splitlines() if l.startswith("gdsweep: warning: repeats")]


def check_warnings(lines, what):
    check(len(lines) == 3, f"{what}: 3 repeat warnings (rb, q, d), got {len(lines)}: {lines}")
    named = {s: any(f"[problem {s}]" in l for l in lines) for s in ("rb", "q", "qs", "rbs", "d")}
    check(named == {"rb": True, "q": True, "qs": False, "rbs": False, "d": True},
          f"{what}: warned sections {named}")
    check(any("repeats = 300 on [problem rb] repeats identical runs" in l for l in lines),
          f"{what}: the line says repeats = 300 on [problem rb] repeats identical runs")
    check(any("[problem q]" in l and "1 of its 2 problem settings" in l for l in lines),
          f"{what}: q warns for 1 of its 2 settings")


def starts(f, runs, label, dim):
    rows = runs[runs["problem"] == label.encode()]
    return np.array([f["path/x"][int(o):int(o) + dim] for o in rows["path_offset"]])


def check_spread(x, centre, spread, what):
    check(len(np.unique(x[:, 0])) == len(x), f"{what}: every repeat starts elsewhere")
    for i, c in enumerate(centre):
        p = stats.kstest((x[:, i] - c) / spread, "norm").pvalue
        check(p > 1e-3, f"{what}: coordinate {i} ~ N({c}, {spread}^2) (KS p = {p:.3g})")


def main():
    d = gdtest.workdir()
    grid = gdtest.write_grid(d, "rep", GRID)
    out = os.path.join(d, "rep.h5")
    check_warnings(warnings(gdtest.gdsweep(grid, "--dry-run").stderr), "--dry-run")
    p = gdtest.sweep(grid, out)
    check_warnings(warnings(p.stderr), "the run")
    with h5py.File(out, "r") as f:
        runs = f["runs"][:]
        rb = starts(f, runs, "rb", 2)
        check(np.all(rb == [-1.2, 1.0]), "rosenbrock without start_spread starts at (x0, y0)")
        check_spread(starts(f, runs, "qs", 1), [2.0], 0.5, "quadratic start_spread 0.5")
        check_spread(starts(f, runs, "rbs", 2), [-1.0, 2.0], 0.25, "rosenbrock start_spread 0.25")
    gdtest.finish()


if __name__ == "__main__":
    main()
