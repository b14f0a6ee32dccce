#!/usr/bin/python3
"""test_summary_h5py.py - `gdsweep summary --csv` agrees with the file read independently
with h5py, within each problem setting (the problem's label and every problem value): counts
by outcome; the best run (converged runs first by fewest steps, then lowest gap where the
optimum is known, else lowest final loss, gaps below rounding level equal; then fewest
steps, then lowest id; diverged runs never) with its steps, final loss, gap and PSNR; each
optimizer's rank in its setting; the fewest steps to 1e-6 of the initial gap. Then
`--metric psnr` (max, from the file's metric_modes) picks each setting's highest PSNR, and
runs of different lambdas never meet in one line."""
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
loss_tol = 1e-9
[problem fit]
type = curvefit
points = 200
x_min = -1
x_max = 1
[problem denoise]
size = 24
lambda = 0.1, 1
[optimizer gd]
lr = 0.001, 0.05, 0.5, 3
[optimizer adam]
lr = 0.01, 0.1
"""
EPS = np.finfo(float).eps


def in_setting(runs, row):
    """The rows of runs in the CSV row's problem setting and optimizer."""
    m = (runs["problem"] == row["problem"]) & (runs["optimizer"] == row["optimizer"])
    for item in filter(None, row["settings"].split(" ")):
        key, value = item.split("=")
        m &= runs[key] == float(value)
    return m


def default_order(runs, ids):
    """ids sorted best first by the default rule."""
    gap, loss = runs["gap"][ids], runs["loss_final"][ids]
    f_opt = loss - gap
    measure = np.where(np.isnan(gap), loss, np.maximum(gap, EPS * np.maximum(1, np.abs(f_opt))))
    converged = runs["status"][ids] == "converged"
    measure = np.where(converged, runs["steps"][ids], measure)
    return ids[np.lexsort((ids, runs["steps"][ids], measure, ~converged))]


def psnr_order(runs, ids):
    return ids[np.lexsort((ids, runs["steps"][ids], -runs["psnr"][ids]))]


def column_order(column):
    """Best first by one column (min), -1 of a time-to-target column (never reached) last."""
    def order(runs, ids):
        v = runs[column][ids].astype(float)
        missing = np.isnan(v) | (column.startswith("steps_to_") & (v < 0))
        return ids[np.lexsort((ids, runs["steps"][ids], np.where(missing, 0, v), missing))]
    return order


def best_of(runs, m, order):
    ids = np.flatnonzero(m & (runs["status"] != "diverged"))
    return order(runs, ids)[0] if len(ids) else None


def check_row(runs, table, row, order):
    m = in_setting(runs, row)
    st = runs["status"][m]
    what = f"{row['problem']} {row['settings']} x {row['optimizer']} ({row['ranked_by']})"
    check(int(row["runs"]) == m.sum() and int(row["converged"]) == (st == "converged").sum()
          and int(row["max_iter"]) == (st == "max_iter").sum()
          and int(row["diverged"]) == (st == "diverged").sum(), f"{what}: counts by outcome")
    best = best_of(runs, m, order)
    check(int(row["best_run"]) == best, f"{what}: best run {row['best_run']} (h5py: {best})")
    same = lambda a, b: (a == "" and np.isnan(b)) or (a != "" and float(a) == b)  # noqa: E731
    check(int(row["steps"]) == runs["steps"][best] and same(row["loss_final"], runs["loss_final"][best])
          and same(row["gap"], runs["gap"][best]) and same(row["psnr"], runs["psnr"][best]),
          f"{what}: steps, final loss, gap and psnr of the best run")
    rivals = [best_of(runs, in_setting(runs, r), order) for r in table
              if r["problem"] == row["problem"] and r["settings"] == row["settings"]]
    rank = 1 + sum(1 for b in rivals if b is not None and b != best and
                   order(runs, np.array([b, best]))[0] == b)
    check(int(row["rank"]) == rank, f"{what}: rank {row['rank']} (h5py: {rank})")
    to = runs["steps_to_1e-6"][m]
    fewest = str(to[to >= 0].min()) if (to >= 0).any() else ""
    check(row["steps_to_1e-6"] == fewest, f"{what}: fewest steps to 1e-6 {row['steps_to_1e-6']!r} "
          f"(h5py: {fewest!r})")


def main():
    d = workdir()
    out = os.path.join(d, "s.h5")
    sweep(write_grid(d, "s", GRID), out)
    runs = runs_table(out)
    table = list(csv.DictReader(io.StringIO(gdsweep("summary", out, "--csv").stdout)))
    check(len(table) == 10, f"one row per (problem setting, optimizer): {len(table)}")
    check(any(r["status"] == "converged" for r in [dict(status=s) for s in runs["status"]]),
          "some runs converged (the rule's first clause is exercised)")
    for row in table:
        check_row(runs, table, row, default_order)
    by_psnr = list(csv.DictReader(io.StringIO(
        gdsweep("summary", out, "--csv", "--metric", "psnr").stdout)))
    denoise = [r for r in by_psnr if r["problem"] == "denoise"]
    check(sorted(r["settings"] for r in denoise) == ["lambda=0.1", "lambda=0.1", "lambda=1", "lambda=1"],
          f"denoise lines by lambda: {[r['settings'] for r in denoise]}")
    for row in denoise:
        check(row["ranked_by"] == "psnr (max)", f"ranked_by says psnr (max): {row['ranked_by']}")
        check_row(runs, by_psnr, row, psnr_order)
    check_columns(out, runs)
    finish()


def check_columns(out, runs):
    """--metric with a column the table reads anyway (loss_final, gap, steps: the summary once
    failed on them), a time-to-target column (-1, never reached, ranks last, not first), and
    gap on denoise, which has no optimum: its sections fall back to the default rule, as the
    Python report does (analysis/ranking.py)."""
    for column in ("loss_final", "gap", "steps", "steps_to_1e-6"):
        res = gdsweep("summary", out, "--csv", "--metric", column)
        table = list(csv.DictReader(io.StringIO(res.stdout)))
        check(res.returncode == 0 and len(table) == 10, f"--metric {column}: exit "
              f"{res.returncode}, {len(table)} rows ({res.stderr.strip()})")
        for row in table:
            v = runs[column][runs["problem"] == row["problem"]].astype(float)
            empty = not (np.isfinite(v) & ~(column.startswith("steps_to_") & (v < 0))).any()
            want = "default" if empty else f"{column} (min)"
            check(row["ranked_by"] == want, f"--metric {column}, {row['problem']}: ranked_by "
                  f"{row['ranked_by']!r}, want {want!r}")
            check_row(runs, table, row, default_order if empty else column_order(column))
    never = runs["steps_to_1e-6"] < 0
    check(never.any() and (~never).any(), "some runs never reach 1e-6 and some do (the -1 "
          "case is exercised)")


if __name__ == "__main__":
    main()
