"""test_ml_data.py - leastsq, logreg and softmax on CSV files, checked against numpy.

- Generated tables (written here): the f_opt of every instance equals numpy's own
  solution on the instance's training rows (the rows its test_rows input leaves out,
  standardised here when standardize = true) to 1e-9 relative: leastsq by
  numpy.linalg.lstsq of the ridge-augmented system, logreg and softmax by a Newton solve
  written here (numpy.linalg.lstsq for each step). x_opt is numpy's minimiser to 1e-6
  (softmax's intercept row, unique only up to a shift, centred in both).
- test_mse / test_accuracy of each run are numpy's on the test rows at the run's final
  point; the start loss is numpy's loss at w = 0.
- Bit-identical tables, trajectories and instances for --threads 1 and 2 and for 1, 2
  and 3 ranks (mpirun).
- Bad input (a missing target or feature column, labels not 0/1 or not whole, no data
  row, a non-numeric cell, too few training rows, no data file): exit 2, one line naming
  the file, no output file.
- --resume is refused after one cell of the CSV changed.
- The same table as an HDF5 file (datasets /X and /y, or others named by features = /PATH
  and target = /PATH) gives the CSV's f_opt and x_opt bit for bit; an HDF5 file whose y
  has another length, or a label 2 for logreg (named as FILE:/y[i]), is refused.
"""
import os
import shutil

import h5py
import numpy as np

import gdtest
from gdtest import check
from ml_reference import (centred_last_row, design, finals, instances, leastsq_ref,
                          metric_ref, newton_ref)

RNG = np.random.default_rng(21)


def write_tables(d):
    """ls.csv, lr.csv, sm.csv: 240 rows of 3 features and a target (the last column)."""
    x = RNG.normal(size=(240, 3)) * [1.0, 3.0, 0.5] + [0.0, 2.0, -1.0]
    z = x @ [1.0, -0.4, 2.0] + 0.5 + RNG.normal(size=240)
    targets = {"ls": z, "lr": (z > 0.8).astype(float),
               "sm": (z > -1.0).astype(float) + (z > 2.0).astype(float)}
    for name, y in targets.items():
        lines = ["u,v,w,label"] + [",".join(repr(float(c)) for c in [*row, t])
                                   for row, t in zip(x, y)]
        with open(os.path.join(d, name + ".csv"), "w") as fh:
            fh.write("\n".join(lines) + "\n")
    return x, targets


def grid_text(kind, data, extra="", repeats=2):
    return f"""[sweep]
repeats = {repeats}
[problem p]
type = {kind}
data = {data}
{extra}
iterations = 60
save_final = true
[optimizer gd]
lr = 0.05
[optimizer adam]
lr = 0.05
"""


def check_optima(d, x, targets):
    cases = [("leastsq", "ls", "l2 = 0, 0.1\nstandardize = false, true\ntest_fraction = 0.25"),
             ("logreg", "lr", "l2 = 0, 0.01\nstandardize = true\ntest_fraction = 0.2"),
             ("softmax", "sm", "l2 = 0.001\nintercept = true, false\ntest_fraction = 0.3")]
    for kind, name, extra in cases:
        y = targets[name]
        grid = gdtest.write_grid(d, kind, grid_text(kind, name + ".csv", extra))
        out = os.path.join(d, kind + ".h5")
        gdtest.sweep(grid, out, "--threads", "2")
        inst = instances(out)
        worst_f = worst_w = 0.0
        k = int(y.max()) + 1
        refs = {}
        for key, e in inst.items():
            a, at, train, test = design(x, e, e["standardize"], e["intercept"])
            if kind == "leastsq":
                w, f = leastsq_ref(a, y[train], e["l2"], e["intercept"])
            else:
                w, f = newton_ref(a, y[train], k, e["l2"], e["intercept"])
            got = e["x_opt"]
            if kind == "softmax" and e["intercept"]:  # the intercept row is unique up to a
                got, w = centred_last_row(got, k), centred_last_row(w, k)  # shift: centre it
            wd = np.max(np.abs(got - w)) / max(1.0, np.max(np.abs(w)))
            worst_f = max(worst_f, abs(e["f_opt"] - f) / abs(f))
            worst_w = max(worst_w, wd)
            refs[key] = (at, y[test], a, y[train], e)
        check(worst_f <= 1e-9, f"{kind}: f_opt is numpy's optimum on the training rows "
              f"(worst relative difference {worst_f:.2e}, {len(inst)} instances)")
        check(worst_w <= 1e-6, f"{kind}: x_opt is numpy's minimiser (worst {worst_w:.2e})")
        runs, xs = finals(out)
        metric = "test_mse" if kind == "leastsq" else "test_accuracy"
        worst_m = 0.0
        for i in range(len(runs["run_id"])):
            at, yt, a, ytr, e = refs[int(runs["instance"][i])]
            ref = metric_ref(kind, at, yt, xs[i], k)
            worst_m = max(worst_m, abs(runs[metric][i] - ref) / max(ref, 1e-300))
        check(worst_m <= 1e-12, f"{kind}: {metric} is numpy's on the test rows at the final "
              f"point (worst {worst_m:.2e})")
        check(np.all(np.isfinite(runs["gap"])) and np.all(runs["gap"] >= -1e-12),
              f"{kind}: every run reports a gap >= 0")


def check_layouts(d):
    for kind, name in [("leastsq", "ls"), ("logreg", "lr"), ("softmax", "sm")]:
        text_ = grid_text(kind, name + ".csv", "standardize = true\nstart_spread = 0.5")
        grid = gdtest.write_grid(d, "lay", text_)
        base = os.path.join(d, "lay1.h5")
        for path in [base]:
            if os.path.exists(path):
                os.remove(path)
        gdtest.sweep(grid, base, "--threads", "1")
        for what, args, ranks in [("--threads 2", ["--threads", "2"], None),
                                  ("2 ranks", ["--threads", "1"], 2),
                                  ("3 ranks", ["--threads", "2"], 3)]:
            other = os.path.join(d, "lay2.h5")
            if os.path.exists(other):
                os.remove(other)
            gdtest.sweep(grid, other, *args, mpi_ranks=ranks)
            diff = gdtest.sweep_differences(base, other)
            check(not diff, f"{kind} {what}: bit-identical to --threads 1 ({diff[:3]})")


def check_bad(d):
    cases = [("logreg", "lr.csv", "target = zz", "has no column named 'zz' (its columns: "
              "u, v, w, label)"),
             ("leastsq", "ls.csv", "features = u nope", "has no column named 'nope'"),
             ("logreg", "sm.csv", "", "sm.csv:"),
             ("softmax", "ls.csv", "", "softmax needs whole labels"),
             ("leastsq", "empty.csv", "", "no data row"),
             ("leastsq", "cell.csv", "", "cell.csv:3:2 (b): 'x' is not a number"),
             ("leastsq", "two.csv", "l2 = 0\ntest_fraction = 0.5",
              "this fit needs at least 3 training rows")]
    files = {"empty.csv": "a,b,y\n", "cell.csv": "a,b,y\n1,2,3\n4,x,6\n",
             "two.csv": "a,b,y\n1,2,3\n4,5,7\n2,2,1\n5,1,0\n"}
    for name, body in files.items():
        with open(os.path.join(d, name), "w") as fh:
            fh.write(body)
    for kind, data, extra, words in cases:
        grid = gdtest.write_grid(d, "bad", grid_text(kind, data, extra))
        gdtest.check_bad_file(grid, 5, data, words)
    grid = gdtest.write_grid(d, "bad", grid_text("leastsq", "ls.csv").replace("data = ls.csv",
                                                                              ""))
    out = os.path.join(d, "bad.h5")
    p = gdtest.sweep(grid, out, check_rc=False)
    lines = p.stderr.strip().splitlines()
    check(p.returncode == 2 and len(lines) == 1 and "data = FILE" in lines[0] and
          not os.path.exists(out), f"no data file: exit 2, one line asking for data = FILE "
          f"({p.returncode}: {lines})")


def check_resume(d):
    shutil.copy(os.path.join(d, "lr.csv"), os.path.join(d, "res.csv"))
    grid = gdtest.write_grid(d, "res", grid_text("logreg", "res.csv"))
    out = os.path.join(d, "res.h5")
    gdtest.sweep(grid, out, "--shard", "1/2")
    p = gdtest.sweep(grid, out, "--shard", "1/2", "--resume", check_rc=False)
    check(p.returncode == 0, f"--resume with the same file is accepted: {p.stderr.strip()}")
    path = os.path.join(d, "res.csv")
    with open(path) as fh:
        body = fh.read().split("\n")
    body[1] = "0.25," + body[1].split(",", 1)[1]
    with open(path, "w") as fh:
        fh.write("\n".join(body))
    with open(out, "rb") as fh:
        before = fh.read()
    p = gdtest.sweep(grid, out, "--shard", "1/2", "--resume", check_rc=False)
    with open(out, "rb") as fh:
        after = fh.read()
    check(p.returncode == 2 and "res.csv" in p.stderr and before == after,
          f"--resume after one cell changed: exit 2 naming the file, output untouched "
          f"({p.returncode}: {p.stderr.strip()})")


def check_h5(d, x, targets):
    with h5py.File(os.path.join(d, "lr.h5"), "w") as f:
        f["X"] = x
        f["y"] = targets["lr"].astype(np.int8)
        f["g/features"] = x
        f["g/labels"] = targets["lr"]
        f["short"] = targets["lr"][:10]
        bad = targets["lr"].copy()
        bad[5] = 2
        f["two"] = bad
    results = {}
    for what, extra in [("csv", "data = lr.csv"), ("h5", "data = lr.h5"),
                        ("h5 named", "data = lr.h5\nfeatures = /g/features\n"
                                     "target = /g/labels")]:
        grid = gdtest.write_grid(d, "h5", grid_text("logreg", "X", repeats=1).replace(
            "data = X", extra))
        out = os.path.join(d, "h5.h5")
        if os.path.exists(out):
            os.remove(out)
        gdtest.sweep(grid, out)
        e = instances(out)[0]
        results[what] = (e["f_opt"], e["x_opt"].tobytes())
    check(results["h5"] == results["csv"] == results["h5 named"],
          f"the HDF5 file (default and named datasets) gives the CSV's f_opt and x_opt bit "
          f"for bit ({[r[0] for r in results.values()]})")
    for target, words in [("/short", "/X has 240 rows but /short 10 values"),
                          ("/two", "lr.h5:/two[5] = 2; logreg needs labels 0 or 1")]:
        grid = gdtest.write_grid(d, "bad", grid_text("logreg", "lr.h5", f"target = {target}"))
        gdtest.check_bad_file(grid, 5, "lr.h5", words)


def main():
    d = gdtest.workdir()
    x, targets = write_tables(d)
    check_optima(d, x, targets)
    check_layouts(d)
    check_bad(d)
    check_resume(d)
    check_h5(d, x, targets)
    shutil.rmtree(d)
    gdtest.finish()


main()
