#!/usr/bin/python3
"""test_python_api.py - the notebook API (analysis.open, docs/PYTHON.md) against h5py reads of the same file.

One sweep made here with the real binary: a quadratic whose repeats start apart, some runs
stopped early by loss_tol at iterations off the record stride (ragged runs, off-stride last
records), and a curve fit (a problem on data: epochs). Every expected value is computed here
with h5py and numpy from the documented layout (docs/FORMAT.md), not through analysis/. The
package is imported under the name it is installed as (gdsweep, a copy of analysis/), and
the README's notebook example is run as written.
"""
import csv
import os
import re
import shutil
import sys
import traceback

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from gdtest import (SOURCE, check, finish, runs_table, sweep, traj_columns, workdir,  # noqa: E402
                    write_grid)

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STRIDE, BUDGET = 5, 47  # the budget is off the stride: every run's last record is off-stride
GRID = f"""
[sweep]
name = api-test
seed = 3
repeats = 5
iterations = {BUDGET}
record_every = {STRIDE}

[problem quad]
type = quadratic
x0 = 5, -3
start_spread = 0.5
loss_tol = 1e-6

[problem fit]
type = curvefit
degree = 2
points = 30
noise = 0.3
x_min = -1
x_max = 1

[optimizer gd]
lr = 0.05, 0.2, 0.4

[optimizer adam]
lr = 0.01, 0.1
"""
WORK = workdir()
H5 = os.path.join(WORK, "sweep.h5")
sweep(write_grid(WORK, "api", GRID), H5)
README_H5 = os.path.join(WORK, "out.h5")  # the README example's file: its problems sweep nothing of their own
sweep(write_grid(WORK, "readme", GRID.replace("x0 = 5, -3", "x0 = 5")), README_H5)

# The package under its installed name: a copy of analysis/ named gdsweep (relative imports only).
shutil.copytree(os.path.join(SOURCE, "analysis"), os.path.join(WORK, "pkg", "gdsweep"),
                ignore=shutil.ignore_patterns("__pycache__"))
sys.path.insert(0, os.path.join(WORK, "pkg"))
import gdsweep  # noqa: E402



class Reads:
    """One file as h5py reads it: runs (columns), committed ids, trajectories, instances."""

    def __init__(self, path):
        self.runs = runs_table(path)
        self.ids = np.flatnonzero(self.runs["written"] == 1)
        with h5py.File(path, "r") as f:
            self.traj = traj_columns(f, self.runs)  # every row's records, in row order
            self.instances = {k: {n: d[()] for n, d in g.items()} for k, g in f["instances"].items()}

    def records(self, i, name):
        """Run i's recorded series `name` (every run's records, in row order, sliced)."""
        o = int(np.sum(self.runs["traj_count"][:i]))
        return self.traj[name][o:o + int(self.runs["traj_count"][i])]

    def quad_group(self, optimizer, lr, x0=5.0):
        """Ids of the quadratic's runs of one setting (its repeats)."""
        runs, ids = self.runs, self.ids
        return ids[(runs["problem"][ids] == "quad") & (runs["optimizer"][ids] == optimizer)
                   & np.isclose(runs["lr"][ids], lr) & (runs["x0"][ids] == x0)]

    def curve(self, ids, after="hold"):
        """(grid, median, p25, p75, n): the runs' loss, step-wise on the union of their iterations."""
        grid = np.unique(np.concatenate([self.records(i, "iteration") for i in ids]))
        m = np.full((len(ids), len(grid)), np.nan)
        for k, i in enumerate(ids):
            it, loss = self.records(i, "iteration"), self.records(i, "loss")
            for j, g in enumerate(grid):
                if after == "drop" and g > it[-1]:
                    continue
                m[k, j] = loss[max(np.searchsorted(it, g, side="right") - 1, 0)]
        with np.errstate(all="ignore"):
            return grid, np.nanmedian(m, 0), np.nanpercentile(m, 25, 0), np.nanpercentile(m, 75, 0), \
                np.isfinite(m).sum(0)


A = Reads(H5)
RUNS, IDS, records = A.runs, A.ids, A.records
S = gdsweep.open(H5)


def missing(col):
    return np.all(col == "") if col.dtype.kind == "U" else np.all(np.isnan(col.astype(float)))


def same(a, b):
    """Equal arrays, NaN equal to NaN (numbers) or equal as strings."""
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind in "fiub" and b.dtype.kind in "fiub":
        return a.shape == b.shape and np.array_equal(a.astype(float), b.astype(float), equal_nan=True)
    return a.shape == b.shape and all(str(x) == str(y) for x, y in zip(a, b))


def check_runs():
    names = list(RUNS)
    params = names[names.index("repeat") + 1:names.index("status")]
    unused = {c for c in params if missing(RUNS[c])}
    check(set(S.runs.columns) == set(names) - unused,
          f"runs: every column but the {len(unused)} unused parameter columns")
    check(len(S.runs) == len(IDS) and same(S.runs.index, IDS), f"runs: the {len(IDS)} committed rows")
    bad = [c for c in S.runs.columns if not same(S.runs[c].to_numpy(), RUNS[c][IDS])]
    check(not bad, f"runs: every value as h5py reads it, strings decoded (differ: {bad})")
    check(S.swept == ["x0", "lr", "repeat"], f"swept keys x0, lr, repeat ({S.swept})")


def check_trajectories():
    t = S.trajectories()
    check(len(t) == int(RUNS["traj_count"][IDS].sum()), f"trajectories: every record ({len(t)})")
    want = ["run_id", "problem", "optimizer", "x0", "lr", "repeat", "iteration", "evals", "seconds",
            "epochs", "loss", "grad_norm", "gap"]
    check(list(t.columns) == want, f"trajectories: columns {list(t.columns)}")
    bad = []
    for i in IDS:
        r = t[t["run_id"] == i]
        it = records(i, "iteration").astype(float)
        steps = max(RUNS["steps"][i], 1)
        expected = {"iteration": it, "loss": records(i, "loss"), "grad_norm": records(i, "grad_norm"),
                    "gap": records(i, "loss") - (RUNS["loss_final"][i] - RUNS["gap"][i]),
                    "evals": (it + 1) * RUNS["grad_evals"][i] / (RUNS["steps"][i] + 1),
                    "seconds": it * RUNS["wall_seconds"][i] / steps, "epochs": it * RUNS["epochs"][i] / steps}
        expected.update({c: np.full(len(it), RUNS[c][i]) for c in ("problem", "optimizer", "lr", "repeat")})
        bad += [f"{i}:{c}" for c, v in expected.items() if not same(r[c].to_numpy(), v)]
    check(not bad, f"trajectories: every record's values as h5py reads them (differ: {bad[:5]})")
    sub = S.trajectories(fields=("suboptimality",))
    bad = []
    for i in IDS:
        fstar = RUNS["loss_final"][i] - RUNS["gap"][i]
        want = np.maximum(records(i, "loss") - fstar, np.finfo(float).eps * max(1.0, abs(fstar)))
        bad += [i] if not same(sub["suboptimality"][sub["run_id"] == i], want) else []
    check(not bad, f"trajectories: suboptimality = f - f* floored at rounding (differ: {bad[:5]})")
    adam = IDS[RUNS["optimizer"][IDS] == "adam"]
    for what, select in (("query", "optimizer == 'adam'"), ("mask", S.runs["optimizer"] == "adam"),
                         ("ids", list(adam[::-1]))):
        got = np.unique(S.trajectories(select)["run_id"])
        check(same(got, adam), f"trajectories(select={what}): the adam runs")


def check_ragged_fixture():
    stopped = IDS[RUNS["steps"][IDS] < BUDGET]
    last = np.array([records(i, "iteration")[-1] for i in stopped])
    check(len(stopped) > 0 and np.array_equal(last, RUNS["steps"][stopped]) and np.any(last % STRIDE),
          f"fixture: {len(stopped)} runs stopped early, last records off-stride at {sorted(set(last))}")


def check_curves():
    c = S.curves(by=["problem", "optimizer", "x0", "lr"])
    bad = []
    for opt, lr in (("gd", 0.05), ("gd", 0.2), ("gd", 0.4), ("adam", 0.1)):
        for after in ("hold", "drop"):
            got = S.curves(select="problem == 'quad' and x0 == 5", by=["optimizer", "lr"], after=after)
            got = got[(got["optimizer"] == opt) & np.isclose(got["lr"], lr)]
            grid, med, lo, hi, n = A.curve(A.quad_group(opt, lr), after)
            if not (same(got["iteration"], grid) and np.allclose(got["median"], med, equal_nan=True)
                    and np.allclose(got["lo"], lo, equal_nan=True) and np.allclose(got["hi"], hi, equal_nan=True)
                    and same(got["n"], n)):
                bad.append(f"{opt} lr={lr} {after}")
    check(not bad, f"curves: median, 25-75% band and n per group as numpy computes them (differ: {bad})")
    groups = {(RUNS["problem"][i], RUNS["optimizer"][i], str(RUNS["x0"][i]), RUNS["lr"][i]) for i in IDS}
    got = c.groupby(["problem", "optimizer", "x0", "lr"], dropna=False).ngroups
    check(got == len(groups), f"curves: one curve per group, a key missing in some (x0 of fit) included ({got})")
    # Ragged group: repeats converge at different off-stride iterations.
    ids = A.quad_group("gd", 0.2, x0=-3.0)
    ends = {int(RUNS["steps"][i]) for i in ids}
    naive = {}
    for i in ids:
        for it, v in zip(records(i, "iteration"), records(i, "loss")):
            naive.setdefault(int(it), []).append(v)
    naive = np.array([np.median(naive[k]) for k in sorted(naive)])
    got = c[(c["problem"] == "quad") & (c["optimizer"] == "gd") & np.isclose(c["lr"], 0.2) & (c["x0"] == -3)]
    check(len(ends) > 1 and np.any(np.diff(naive) > 0),
          f"fixture: repeats stop at {sorted(ends)}; a per-iteration median of the records jumps up")
    check(np.all(np.diff(got["median"]) <= 0) and np.all(np.diff(got["hi"]) <= 0),
          "curves: the median and band of gradient descent's losses never rise (no off-stride spike)")
    hold, drop = got["n"].to_numpy(), S.curves(select=list(ids), by=["optimizer"], after="drop")["n"]
    check(np.all(hold == len(ids)) and drop.iloc[0] == len(ids) and drop.iloc[-1] < len(ids)
          and np.all(np.diff(drop) <= 0),
          f"curves: after='hold' counts every run at every point, 'drop' only those still going "
          f"({list(drop)})")
    fit = S.curves(select="problem == 'fit'", by=["optimizer"], x="epochs")
    check(fit["epochs"].max() > 0 and np.isclose(fit["epochs"].max(), np.nanmax(RUNS["epochs"][IDS])),
          "curves(x='epochs'): the grid ends at the runs' epochs")


def expected_best(ids, metric="default", reads=A):
    """(lr, run ids) of the best setting: the report's ranking over each lr's repeats (ranking.py, by hand)."""
    RUNS = reads.runs
    scores = {}
    for lr in np.unique(RUNS["lr"][ids]):
        runs = ids[np.isclose(RUNS["lr"][ids], lr)]
        value = RUNS["gap" if metric == "default" else metric][runs].astype(float)
        if metric == "default" and np.isfinite(value).any():
            fstar = RUNS["loss_final"][runs] - RUNS["gap"][runs]
            value = np.maximum(value, np.finfo(float).eps * np.maximum(1, np.abs(fstar)))
        elif metric == "default":
            value = RUNS["loss_final"][runs].astype(float)
        conv = (RUNS["status_code"][runs] == 1) & (metric == "default")
        cls = np.where(~np.isfinite(value), 2, np.where(conv, 0, 1))
        key = np.where(cls == 0, RUNS["steps"][runs], np.where(cls == 1, value, np.inf))
        scores[lr] = ((np.median(cls), np.median(key), np.median(RUNS["steps"][runs]), runs.min()), runs)
    lr = min(scores, key=lambda k: scores[k][0])
    return lr, list(scores[lr][1])


def check_best():
    for metric in (None, "loss_final"):
        b = S.best(metric=metric)
        bad = []
        for _, row in b.iterrows():
            sel = (RUNS["problem"][IDS] == row["problem"]) & (RUNS["optimizer"][IDS] == row["optimizer"])
            if row["problem"] == "quad":
                sel &= RUNS["x0"][IDS] == row["x0"]
            lr, ids = expected_best(IDS[sel], metric or "default")
            if not (np.isclose(row["lr"], lr) and row["run_ids"] == ids and row["runs"] == len(ids)):
                bad.append(f"{row['problem']} {row['optimizer']}: lr {row['lr']} (want {lr})")
        check(len(b) == 6 and not bad, f"best(metric={metric}): one row per problem settings group and "
              f"optimizer, the best lr over repeats (differ: {bad})")


def readme_example():
    """The README's notebook block, as written."""
    text = open(os.path.join(SOURCE, "README.md")).read()
    block = re.search(r"<!-- notebook example -->\s*```python\n(.*?)```", text, re.S).group(1)
    return block.strip().splitlines()


def check_readme_example():
    lines = readme_example()
    check(len(lines) <= 5, f"README: the notebook example is {len(lines)} lines")
    scope = {}
    os.chdir(WORK)
    exec("\n".join(lines), scope)
    best, curves = scope["best"], scope["curves"]
    lines = {ln.get_label(): ln for ln in plt.gca().get_lines()}
    gd = curves[curves["optimizer"] == "gd"]
    check(len(lines) == len(best) and np.array_equal(lines["quad, gd"].get_ydata(), gd[gd["problem"] == "quad"]["median"]),
          f"README example: plot_curves draws one line per group, the median ({sorted(lines)})")
    b = Reads(README_H5)
    for optimizer in ("gd", "adam"):
        ours = b.ids[(b.runs["problem"][b.ids] == "quad") & (b.runs["optimizer"][b.ids] == optimizer)]
        lr, ids = expected_best(ours, reads=b)
        row = best[(best["problem"] == "quad") & (best["optimizer"] == optimizer)]
        got = curves[(curves["problem"] == "quad") & (curves["optimizer"] == optimizer)]
        grid, med, lo, hi, _ = b.curve(np.array(ids))
        check(len(row) == 1 and np.isclose(row["lr"].iloc[0], lr) and same(got["iteration"], grid)
              and np.allclose(got["median"], med) and np.allclose(got["lo"], lo) and np.allclose(got["hi"], hi),
              f"README example: {optimizer}'s best lr ({lr}) and the median loss and band of its repeats")


def check_instance_and_exports():
    k = str(int(RUNS["instance"][IDS[RUNS["problem"][IDS] == "fit"][0]]))
    got, want = S.instance(int(k)), A.instances[k]
    check(want and set(want) <= set(got) and all(np.array_equal(got[n], v) for n, v in want.items()),
          f"instance({k}): the arrays of /instances/{k}")
    path = os.path.join(WORK, "runs.csv")
    S.to_csv(path, select="optimizer == 'gd'")
    with open(path) as f:
        rows = list(csv.DictReader(f))
    gd = IDS[RUNS["optimizer"][IDS] == "gd"]
    check([int(r["run_id"]) for r in rows] == list(gd) and
          np.allclose([float(r["loss_final"]) for r in rows], RUNS["loss_final"][gd]),
          "to_csv: the gd runs' rows")
    S.to_csv(path, select=[0], trajectories=True)
    with open(path) as f:
        rows = list(csv.DictReader(f))
    check(np.allclose([float(r["loss"]) for r in rows], records(0, "loss")), "to_csv(trajectories=True): run 0's records")
    try:
        import xarray  # noqa: F401
    except ImportError:
        try:
            S.to_xarray()
            check(False, "to_xarray without xarray raises ImportError")
        except ImportError as e:
            check("python3-xarray" in str(e), f"to_xarray without xarray names Debian's package: {e}")
        return
    ds = S.to_xarray(select=[0, 1])
    check(np.allclose(ds["loss"].sel(run_id=0, iteration=records(0, "iteration")), records(0, "loss")),
          "to_xarray: run 0's losses at its iterations")


def check_errors():
    for what, call, kind in (("an unknown run id", lambda: S.trajectories([10 ** 6]), KeyError),
                             ("a bad x axis", lambda: S.curves(x="minutes"), ValueError),
                             ("a mask of the wrong length", lambda: S.trajectories([True]), ValueError)):
        try:
            call()
            check(False, f"{what} raises {kind.__name__}")
        except kind as e:
            check(True, f"{what} raises {kind.__name__}: {e}")


for section in (check_runs, check_trajectories, check_ragged_fixture, check_curves, check_best,
                check_readme_example, check_instance_and_exports, check_errors):
    try:
        section()
    except Exception:
        traceback.print_exc()
        check(False, f"{section.__name__} ran")
S.close()
finish()
