"""test_compact_layout.py - format 3 leaves out the per-record series the runs table implies.

A file of format 3 (docs/FORMAT.md, "Trajectories") stores no traj/iteration; no traj/lr
when every run has the constant schedule; no traj/batch_loss when no run is stochastic;
the root attribute traj_implicit names what is left out. The readers rebuild them.
- Values: on grids with early stops (grad_tol met, divergence, met at the start), budgets
  off and on the record stride, constant and other schedules, full-batch and minibatch
  runs, the iterations, lr and batch_loss analysis.reader gives (and analysis.api's
  trajectories) equal independent values: the stop iteration of a numpy replay of gd on
  the quadratic f = a x^2 + b x + c with docs/GRID.md's stop rules, the schedules of
  tests/reference/optimizer_rules.py, NaN batch_loss in full-batch runs.
- Layout: the absent datasets are absent, the attribute names them, and bytes per run of
  bench/tiny_runs.ini (10,000 of its runs here) are below format 2's raw records (4,848).
- Format 2: a file of format 2 (gdtest.to_format_2: every series stored) reads its stored
  values, `summary` reads it, and `merge` of format-2 shards writes a file of format 3
  equal to the one-go sweep; so does merge of format-3 shards, and of one of each.
"""
import os
import re
import shutil
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "reference"))
import gdtest  # noqa: E402
from gdtest import check, text  # noqa: E402
import optimizer_rules as rules  # noqa: E402
from analysis import api, reader  # noqa: E402

EVERY = 5
STOPS = """[sweep]
name = compact-stops
record_every = 5
[problem q]
type = quadratic
iterations = 20, 23
grad_tol = 0, 0.05, 20
divergence = 1000
[optimizer gd]
lr = 0.05, 0.3, 1.2
"""
SCHEDULES = """[sweep]
name = compact-schedules
record_every = 5
[problem q]
type = quadratic
iterations = 23
grad_tol = 0, 0.05
[optimizer decaying]
type = gd
lr = 0.3, 0.45
schedule = inverse_time, exponential, step
decay_steps = 4
gamma = 0.5
[optimizer annealed]
type = gd
lr = 0.3
schedule = cosine
lr_min = 0.01
[optimizer plain]
type = gd
lr = 0.3
"""
STOCHASTIC = """[sweep]
name = compact-minibatch
record_every = 5
[problem c]
type = curvefit
iterations = 23
batch_size = 0, 10
[optimizer gd]
lr = 0.0001
"""


def replay_stop(row, rates):
    """The iteration at which gd on row's quadratic stops by docs/GRID.md's rules (diverged:
    loss > f0 + divergence (|f0| + 1); converged: |gradient| <= grad_tol; budget: t =
    iterations), stepping with rates[t]."""
    a, b, c, x = (float(row[k]) for k in ("a", "b", "c", "x0"))
    f0 = a * x * x + b * x + c
    t = 0
    while True:
        f, g = a * x * x + b * x + c, 2 * a * x + b
        if not np.isfinite(f) or f > f0 + float(row["divergence"]) * (abs(f0) + 1):
            return t, "diverged"
        if float(row["grad_tol"]) > 0 and abs(g) <= float(row["grad_tol"]):
            return t, "converged"
        if t >= int(row["iterations"]):
            return t, "max_iter"
        x -= rates[t] * g
        t += 1


def rates_of(row):
    """The rates lr_0 .. lr_(iterations - 1) of row's schedule (reference formulas)."""
    name, lr0, budget = text(row["schedule"]), float(row["lr"]), int(row["iterations"])
    keys = {"inverse_time": {"decay_steps": row["decay_steps"]},
            "exponential": {"gamma": row["gamma"], "decay_steps": row["decay_steps"]},
            "step": {"gamma": row["gamma"], "decay_steps": row["decay_steps"]},
            "cosine": {"iterations": budget, "lr_min": row["lr_min"]}}.get(name, {})
    return rules.rates(name, lr0, budget, **{k: float(v) for k, v in keys.items()})


def recorded_iterations(stop):
    """0, EVERY, 2 EVERY, ... below the stop, then the stop (run.c's recording rule)."""
    return np.append(np.arange(0, stop, EVERY), stop)


def check_stops(path, label):
    """Every run's rebuilt iterations and lr (and NaN batch_loss) against the replay."""
    runs = gdtest.runs_table(path)
    with h5py.File(path, "r") as f:
        cols = reader.traj_columns(f, runs)
    at, bad = 0, []
    for i in range(len(runs["run_id"])):
        n = int(runs["traj_count"][i])
        rates = rates_of({k: runs[k][i] for k in runs})
        stop, status = replay_stop({k: runs[k][i] for k in runs}, rates)
        got = {k: v[at:at + n] for k, v in cols.items()}
        at += n
        want_it = recorded_iterations(stop)
        want_lr = np.append([rates[t] for t in want_it[:-1]], np.nan)
        if text(runs["status"][i]) != status or not np.array_equal(got["iteration"], want_it):
            bad.append(f"run {i}: {text(runs['status'][i])} {got['iteration']}, replay {status} "
                       f"{want_it}")
        elif not np.allclose(got["lr"], want_lr, rtol=1e-15, atol=0, equal_nan=True):
            bad.append(f"run {i}: lr {got['lr']}, reference {want_lr}")
        elif not np.all(np.isnan(got["batch_loss"])):
            bad.append(f"run {i}: batch_loss {got['batch_loss']} in a full-batch run")
    statuses = sorted(set(text(s) for s in runs["status"]))
    check(not bad, f"{label}: iteration, lr and batch_loss of {len(runs['run_id'])} runs "
          f"({', '.join(statuses)}) equal the numpy replay ({bad[:3]})")
    return runs, cols


def check_layout(path, label, absent, present):
    with h5py.File(path, "r") as f:
        names = set(f["traj"])
        attr = text(f.attrs.get("traj_implicit", b""))
        version = int(f.attrs["format_version"])
    check(version == 3 and names.isdisjoint(absent) and set(present) <= names and
          set(filter(None, attr.split(","))) == set(absent),
          f"{label}: format 3, traj/ holds {sorted(names)}, traj_implicit = '{attr}'")


def check_api(path, cols, label):
    """analysis.api's trajectories give the reader's iterations (every reader rebuilds)."""
    res = api.open(path)
    frame = res.trajectories(select=res.runs.run_id.to_numpy())
    check(np.array_equal(frame["iteration"].to_numpy(), cols["iteration"]),
          f"{label}: analysis.api.trajectories has the rebuilt iterations")


def stops(d):
    grid = gdtest.write_grid(d, "stops", STOPS)
    out = os.path.join(d, "stops.h5")
    gdtest.sweep(grid, out)
    check_layout(out, "constant, full batch", {"iteration", "lr", "batch_loss"},
                 {"loss", "grad_norm"})
    runs, cols = check_stops(out, "early stops, off-stride budgets")
    statuses = set(text(s) for s in runs["status"])
    check({"converged", "diverged", "max_iter"} <= statuses and 1 in runs["traj_count"],
          f"the grid stops every way, once at the start ({sorted(statuses)})")
    check_api(out, cols, "stops")
    return grid, out


def schedules(d):
    grid = gdtest.write_grid(d, "schedules", SCHEDULES)
    out = os.path.join(d, "schedules.h5")
    gdtest.sweep(grid, out)
    check_layout(out, "schedules", {"iteration", "batch_loss"}, {"loss", "lr"})
    check_stops(out, "schedules (lr stored)")


def stochastic(d):
    grid = gdtest.write_grid(d, "minibatch", STOCHASTIC)
    out = os.path.join(d, "minibatch.h5")
    gdtest.sweep(grid, out)
    check_layout(out, "minibatch", {"iteration", "lr"}, {"loss", "batch_loss"})
    runs = gdtest.runs_table(out)
    with h5py.File(out, "r") as f:
        cols = reader.traj_columns(f, runs)
    at, ok = 0, True
    for i in range(len(runs["run_id"])):
        n = int(runs["traj_count"][i])
        it, lr, bl = (cols[k][at:at + n] for k in ("iteration", "lr", "batch_loss"))
        at += n
        mini = int(runs["batch_size"][i]) > 0
        ok &= text(runs["status"][i]) == "max_iter"
        ok &= np.array_equal(it, recorded_iterations(23))
        ok &= np.array_equal(lr, np.append(np.full(n - 1, 1e-4), np.nan), equal_nan=True)
        ok &= bool(np.all(np.isfinite(bl[:-1])) if mini else np.all(np.isnan(bl[:-1])))
        ok &= bool(np.isnan(bl[-1]))
    check(ok, "minibatch and full-batch runs: iterations 0, 5, .. 20, 23; lr the run's, NaN "
          "last; batch_loss stored for minibatches, NaN in full batches")


def tiny_bytes(d):
    """Bytes per run of bench/tiny_runs.ini (x0 on 1,000 points: 10,000 runs)."""
    with open(os.path.join(gdtest.SOURCE, "bench", "tiny_runs.ini")) as f:
        grid_text = re.sub(r"linspace\(-10, 10, 10000\)", "linspace(-10, 10, 1000)", f.read())
    grid = gdtest.write_grid(d, "tiny", grid_text)
    out = os.path.join(d, "tiny.h5")
    gdtest.sweep(grid, out)
    per_run = os.path.getsize(out) / 10000
    check_layout(out, "tiny grid", {"iteration", "lr", "batch_loss"}, {"loss", "grad_norm"})
    check(per_run < 4848, f"tiny grid: {per_run:.0f} bytes per run, below format 2's 4,848 of "
          "raw records (its files: 5,885)")
    os.remove(out)


def older(d, grid, one_go):
    """Format 2 reads; merge of format-2 shards and of format-3 shards."""
    v2 = os.path.join(d, "v2.h5")
    shutil.copyfile(one_go, v2)
    gdtest.to_format_2(v2)
    with h5py.File(v2, "r+") as f:  # stored values the rule would not give: read, not rebuilt
        f["traj/lr"][...] = f["traj/lr"][...] + 1
        runs = f["runs"][:]
        cols = reader.traj_columns(f, runs)
        want = {k: np.concatenate([f["traj"][k][int(o):int(o) + int(n)] for o, n in
                                   zip(runs["traj_offset"], runs["traj_count"])])
                for k in ("iteration", "lr", "batch_loss")}
    check(all(np.array_equal(cols[k], want[k], equal_nan=True) for k in want),
          "format 2: the reader gives the stored iteration, lr and batch_loss")
    p = gdtest.gdsweep("summary", v2, check_rc=False)
    check(p.returncode == 0, f"format 2: summary reads it (exit {p.returncode})")
    for fmt in (2, 3, "2+3"):
        shards = []
        for k, shard_fmt in zip((1, 2), str(fmt).split("+") * 2):
            s = os.path.join(d, f"s{k}-v{shard_fmt}.h5")
            if not os.path.exists(s):
                gdtest.sweep(grid, s, "--shard", f"{k}/2")
                if shard_fmt == "2":
                    gdtest.to_format_2(s)
            shards.append(s)
        merged = os.path.join(d, f"merged-v{fmt}.h5")
        p = gdtest.gdsweep("merge", merged, *shards, check_rc=False)
        diff = gdtest.sweep_differences(merged, one_go) if p.returncode == 0 else ["not merged"]
        check(p.returncode == 0 and not diff,
              f"merge of format-{fmt} shards equals the one-go sweep ({p.stderr.strip()} {diff[:3]})")
        if p.returncode == 0:
            check_layout(merged, f"merged format-{fmt} shards", {"iteration", "lr", "batch_loss"},
                         {"loss"})


def main():
    d = gdtest.workdir()
    grid, one_go = stops(d)
    schedules(d)
    stochastic(d)
    tiny_bytes(d)
    older(d, grid, one_go)
    shutil.rmtree(d)
    gdtest.finish()


main()
