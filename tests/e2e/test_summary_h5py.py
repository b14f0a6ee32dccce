#!/usr/bin/python3
"""test_summary_h5py.py - `gdsweep summary --csv` agrees with the file read independently
with h5py: counts by outcome, and the best run (lowest gap where the optimum is known,
else lowest final loss, gaps below rounding level equal; then fewest steps, then lowest
id; diverged runs never) with its steps, final loss, gap and PSNR."""
import csv
import io
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from gdtest import check, finish, gdsweep, runs_table, sweep, workdir, write_grid  # noqa: E402

GRID = """
[sweep]
name = summary
seed = 3
repeats = 2
iterations = 150
[problem quadratic]
x0 = -3, 4
[problem fit]
type = curvefit
points = 200
x_min = -1
x_max = 1
[problem denoise]
size = 24
lambda = 0.5
[optimizer gd]
lr = 0.001, 0.05, 0.5, 3
[optimizer adam]
lr = 0.01, 0.1
"""
d = workdir()
out = os.path.join(d, "s.h5")
sweep(write_grid(d, "s", GRID), out)
table = list(csv.DictReader(io.StringIO(gdsweep("summary", out, "--csv").stdout)))
runs = runs_table(out)
eps = np.finfo(float).eps

for row in table:
    m = (runs["problem"] == row["problem"]) & (runs["optimizer"] == row["optimizer"])
    st = runs["status"][m]
    what = f"{row['problem']} x {row['optimizer']}"
    check(int(row["runs"]) == m.sum() and int(row["converged"]) == (st == "converged").sum()
          and int(row["max_iter"]) == (st == "max_iter").sum()
          and int(row["diverged"]) == (st == "diverged").sum(), f"{what}: counts by outcome")
    ok = m & (runs["status"] != "diverged")
    ids = np.flatnonzero(ok)
    gap, loss = runs["gap"][ids], runs["loss_final"][ids]
    f_opt = loss - gap
    measure = np.where(np.isnan(gap), loss, np.maximum(gap, eps * np.maximum(1, np.abs(f_opt))))
    order = np.lexsort((ids, runs["steps"][ids], measure))
    best = ids[order[0]]
    check(int(row["best_run"]) == best, f"{what}: best run {row['best_run']} (h5py: {best})")
    same = lambda a, b: (a == "" and np.isnan(b)) or (a != "" and float(a) == b)  # noqa: E731
    check(int(row["steps"]) == runs["steps"][best] and same(row["loss_final"], runs["loss_final"][best])
          and same(row["gap"], runs["gap"][best]) and same(row["psnr"], runs["psnr"][best]),
          f"{what}: steps, final loss, gap and psnr of the best run")
check(len(table) == 6, f"one row per (problem, optimizer): {len(table)}")
finish()
