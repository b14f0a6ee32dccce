"""test_sgd_showcase.py - the report's samples to target by optimizer and batch size, against numpy.

A small logistic regression written here (60 rows, 3 features, every row for training),
batch_size = 7 (9 batches an epoch, the last of 4 rows), 16 and the full batch, sampling =
shuffle and replacement, and a quadratic (no data: no samples table), gd and adam with two
rates each, 5 repeats, record_every = 4. From
the file (h5py) the test computes independently: per run the first record where the full
loss minus f* (loss_final - gap) is at most 10^-K of the initial gap (K = samples.LEVEL; a
full-batch run tests
every iteration: its steps_to_1e-K, checked against the records), the samples read until
then by counting the rows of the batches tests/tools/batch_rows.c prints (t N for the full
batch), the best setting per (optimizer, batch size) (lowest median with never = inf, then
most repeats reaching, then the lowest first run id), its median (numpy) and the bootstrap
interval (numpy percentiles of the documented resampling). `analysis.report` must write the
same numbers into samples_to_target_p.csv, the figure, and a finding naming the winner; a
full-batch sweep's report has neither.
"""
import os
import re
import subprocess
import sys

import h5py
import numpy as np
import pandas as pd

import gdtest
from gdtest import check, text

sys.path.insert(0, gdtest.SOURCE)
from analysis import samples, stats  # noqa: E402
from analysis.sweep import Sweep  # noqa: E402

N_ROWS, T, EVERY, REPEATS = 60, 240, 4, 5
K = samples.LEVEL  # the report's target, 10^-K of the initial gap
GRID = f"""[sweep]
seed = 21
repeats = {REPEATS}
record_every = {EVERY}
[problem p]
type = logreg
data = lr.csv
test_fraction = 0
l2 = 0.01
batch_size = {{batches}}
sampling = shuffle, replacement
iterations = {T}
[problem q]
type = quadratic
iterations = 20
[optimizer gd]
lr = 0.5, 2
[optimizer adam]
lr = 0.05, 0.2
"""


def write_table(d):
    rng = np.random.default_rng(14)
    x = rng.normal(size=(N_ROWS, 3))
    y = (rng.random(N_ROWS) < 1 / (1 + np.exp(-(x @ [1.5, -1.0, 0.5])))).astype(int)
    with open(os.path.join(d, "lr.csv"), "w") as fh:
        fh.write("a,b,c,target\n")
        fh.writelines(",".join(repr(float(v)) for v in row) + f",{t}\n" for row, t in zip(x, y))


def batch_sizes(grid, run_id, steps):
    """The row counts of the first `steps` batches of a run (tests/tools/batch_rows.c)."""
    p = subprocess.run([os.environ["GD_BATCH_ROWS"], grid, str(run_id), str(steps)],
                       capture_output=True, text=True, check=True)
    lines = p.stdout.strip().splitlines()
    n, m = map(int, lines[0].split())
    return [n] * steps if m == 0 else [len(line.split()) for line in lines[1:]]


def full_batch_steps(r, it, hit):
    """A full-batch run tests every iteration (docs/FORMAT.md): its in-loop steps_to_1e-K, checked to lie
    between the record before the first record that reaches the target and that record."""
    t = int(r[f"steps_to_1e-{K}"])
    ok = t == -1 if not len(hit) else (hit[0] == 0 and t == 0) or it[hit[0] - 1] < t <= it[hit[0]]
    check(ok, f"run {r['run_id']}: full-batch steps_to_1e-{K} = {t} agrees with the records")
    return t


def samples_by_hand(path, grid):
    """Per run: (optimizer, batch_size, lr, sampling, repeat, run_id, samples to 10^-K or inf)."""
    rows = []
    with h5py.File(path, "r") as f:
        runs = f["runs"][:]
        mine = runs[runs["problem"] == b"p"]
        for j, r in enumerate(mine):
            loss, it = gdtest.trajectory(f, mine, j, "loss"), gdtest.trajectory(f, mine, j, "iteration")
            fstar = r["loss_final"] - r["gap"]
            hit = np.flatnonzero(loss - fstar <= 10.0 ** -K * (r["loss_initial"] - fstar))
            t = full_batch_steps(r, it, hit) if r["batch_size"] == 0 else (int(it[hit[0]]) if len(hit) else -1)
            samples = float(sum(batch_sizes(grid, int(r["run_id"]), t))) if t >= 0 else np.inf
            rows.append((text(r["optimizer"]), int(r["batch_size"]), float(r["lr"]), text(r["sampling"]),
                         int(r["repeat"]), int(r["run_id"]), samples))
    return pd.DataFrame(rows, columns=["optimizer", "batch", "lr", "sampling", "repeat", "run_id", "samples"])


def numpy_interval(values, first_run):
    n = len(values)
    u = stats.uniform(stats.key_of(first_run), 0, np.arange(stats.RESAMPLES * n, dtype=np.uint64))
    index = np.floor(u.reshape(stats.RESAMPLES, n) * n).astype(int)
    medians = np.sort(np.median(np.asarray(values)[index], axis=1))
    with np.errstate(invalid="ignore"):
        return np.percentile(medians, [2.5, 97.5])


def best_by_hand(runs):
    """{(optimizer, batch): (median, reached, first run, low, high, lr)} of the best setting."""
    out = {}
    for (opt, batch), g in runs.groupby(["optimizer", "batch"], sort=False):
        scored = []
        for (lr, sampling), s in g.groupby(["lr", "sampling"], sort=False):
            v = s.sort_values("repeat")["samples"].to_numpy()
            scored.append(((np.median(v), -np.isfinite(v).sum(), s["run_id"].min()), v, lr))
        (med, neg_reached, first), v, lr = min(scored, key=lambda e: e[0])
        out[(opt, batch)] = (med, -neg_reached, first, *numpy_interval(v, first), lr)
    return out


def same(a, b):
    return (np.isinf(a) and np.isinf(b) and np.sign(a) == np.sign(b)) or abs(a - b) <= 1e-9 * max(1, abs(b))


def check_table(csv, expected):
    table = pd.read_csv(csv)
    check(len(table) == len(expected), f"one row per (optimizer, batch size): {len(table)} of {len(expected)}")
    for _, row in table.iterrows():
        batch = 0 if row["batch"] == "full" else int(row["batch"])
        med, reached, first, lo, hi, lr = expected[(row["optimizer"], batch)]
        got = (row[f"median_samples_to_1e-{K}"], row["reached"], row["first_run"], row["ci_low"], row["ci_high"])
        ok = all(same(float(a), float(b)) for a, b in zip(got, (med, reached, first, lo, hi)))
        check(ok and f"lr={lr:g}" in row["setting"],
              f"{row['optimizer']} batch {row['batch']}: median {got[0]} reached {got[1]} first {got[2]} "
              f"ci [{got[3]}, {got[4]}] {row['setting']} (numpy: {med} {reached} {first} [{lo}, {hi}] lr={lr:g})")
    return table


def check_every_run(path, by_hand):
    """analysis.samples.samples_to_target of every run (shuffle and replacement) equals the count by hand."""
    with Sweep(path) as sweep:
        got = samples.samples_to_target(sweep, sweep.of("p")).fillna(np.inf)
    want = by_hand.set_index("run_id")["samples"]
    bad = [i for i in want.index if not same(float(got[i]), float(want[i]))]
    check(not bad and len(got) == len(want), f"samples to target of all {len(want)} runs as counted by hand "
                                             f"(differ: {bad[:5]})")


def check_finding(directory, expected):
    page = open(os.path.join(directory, "index.html"), encoding="utf-8").read()
    (opt, batch), (med, *_rest) = min(expected.items(), key=lambda e: (e[1][0], e[1][2]))
    label = "full" if batch == 0 else str(batch)
    pattern = rf"{opt} at batch size {label} \(.*?\) reaches 1e-{K} of the initial gap in the fewest samples: median {med:.0f}"
    check(np.isfinite(med) and re.search(pattern, page) is not None,
          f"the finding names {opt} at batch size {label}, median {med:.0f}")
    check(os.path.exists(os.path.join(directory, "samples_to_target.png")), "the figure samples_to_target.png")


def report(path, directory):
    p = subprocess.run(["/usr/bin/python3", "-m", "analysis.report", path, "-o", directory],
                       capture_output=True, text=True, cwd=gdtest.SOURCE)
    check(p.returncode == 0, f"analysis.report {os.path.basename(path)} exits 0 ({p.returncode}: {p.stderr.strip()})")


def main():
    d = gdtest.workdir()
    write_table(d)
    grid = gdtest.write_grid(d, "show", GRID.format(batches="7, 16, 0"))
    out = os.path.join(d, "show.h5")
    gdtest.sweep(grid, out)
    runs = samples_by_hand(out, grid)
    expected = best_by_hand(runs)
    check_every_run(out, runs)
    check(all(np.isfinite(v[0]) for v in expected.values()) and np.isinf(runs["samples"]).any(),
          "every (optimizer, batch) has a best setting reaching the target, and some run never does")
    report(out, os.path.join(d, "report"))
    check_table(os.path.join(d, "report", "samples_to_target_p.csv"), expected)
    check(not os.path.exists(os.path.join(d, "report", "samples_to_target_q.csv")),
          "no samples table for the quadratic (no data) of the same sweep")
    check_finding(os.path.join(d, "report"), expected)

    full = gdtest.write_grid(d, "full", GRID.format(batches="0"))
    gdtest.sweep(full, os.path.join(d, "full.h5"))
    report(os.path.join(d, "full.h5"), os.path.join(d, "full-report"))
    files = os.listdir(os.path.join(d, "full-report"))
    check(not any(f.startswith("samples_to") for f in files), f"a full-batch sweep has no samples table ({files})")
    gdtest.finish()


if __name__ == "__main__":
    main()
