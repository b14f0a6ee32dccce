"""test_curvefit_data.py - curvefit fits the user's CSV (`data = FILE`), checked against numpy.

- 300 noisy samples of a cubic, written here as CSV (columns y, t, x: chosen by name, the
  extra one ignored): each instance holds the file's x and y exactly, and points, noise,
  x_min, x_max and c0..c3 are ignored; f_opt is numpy.linalg.lstsq's optimum of the
  degree-3 fit to 1e-10 (relative), gap = loss_final - that optimum, and the loss at the
  start point is numpy's mean squared error there; test_mse is NaN (no held-out data).
- The same file gzip-compressed gives the same results; so do --threads 1 and 2 and two
  ranks (mpirun -n 2).
- Bad files (no y column, a ragged row, a cell that is not a number, fewer rows than the
  largest degree of the sweep + 1) stop the sweep before anything is created: exit 2, one
  line naming grid:line and the file.
- The name keys x and y choose the columns (x = t, y = the two response columns, swept):
  each instance holds the chosen columns and numpy's optimum for them; the runs table read
  through analysis.reader names the columns; a column the file lacks stops the sweep (exit
  2, one line naming the column and listing the file's).
- The sweep's identity covers the file: --resume is refused after one value changed.
"""
import sys
import gzip
import os
import shutil

import h5py
import numpy as np

import gdtest
from gdtest import check, text

RNG = np.random.default_rng(13)
TRUE = [0.8, 0.5, -2.0, 1.5]  # highest power first


def write_samples(d):
    """samples.csv (and .gz): columns y, t, x; returns x, y as numpy reads the text."""
    x = RNG.uniform(-2.0, 3.0, 300)
    y = np.polyval(TRUE, x) + RNG.normal(0.0, 0.3, 300)
    lines = ["y,t,x"] + [f"{b!r},{i},{a!r}" for i, (a, b) in enumerate(zip(x, y))]
    body = "\r\n".join(lines) + "\r\n"
    with open(os.path.join(d, "samples.csv"), "w", newline="") as fh:
        fh.write(body)
    with gzip.open(os.path.join(d, "samples.csv.gz"), "wt", newline="") as fh:
        fh.write(body)
    return np.array([float(v) for v in x]), np.array([float(v) for v in y])


def grid_text(data, degree="3", repeats=1):
    return f"""[sweep]
repeats = {repeats}
[problem fit]
type = curvefit
data = {data}
degree = {degree}
points = 7
noise = 100
x_min = 5
iterations = 40
save_final = true
[optimizer gd]
lr = 0.001
[optimizer adam]
lr = 0.01
"""


def instances(path):
    with h5py.File(path, "r") as f:
        return {int(k): {"x": g["x"][...], "y": g["y"][...], "x0": g["x0"][...],
                         "f_opt": float(g.attrs["f_opt"]), "data": text(g.attrs["data"]),
                         "names": sorted(g.keys())}
                for k, g in f["instances"].items()}


def check_fit(out, x, y):
    inst = instances(out)
    runs = gdtest.runs_table(out)
    A = np.vander(x, 4)
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    f_ref = np.mean((A @ coef - y) ** 2)
    check(all(np.array_equal(e["x"], x) and np.array_equal(e["y"], y) and
              e["data"] == "samples.csv" for e in inst.values()),
          "every instance holds the file's x and y exactly (points = 7 and x_min ignored)")
    check(all("y_test" not in e["names"] and "true_coef" not in e["names"]
              for e in inst.values()), "no held-out targets and no true polynomial stored")
    worst = max(abs(e["f_opt"] - f_ref) / f_ref for e in inst.values())
    check(worst <= 1e-10, f"f_opt is numpy.linalg.lstsq's optimum {f_ref:.15g} "
          f"(worst relative difference {worst:.2e})")
    worst_gap = worst_start = 0.0
    for i in range(len(runs["run_id"])):
        e = inst[int(runs["instance"][i])]
        start = np.mean((A @ e["x0"] - y) ** 2)
        worst_start = max(worst_start, abs(runs["loss_initial"][i] - start) / start)
        worst_gap = max(worst_gap, abs(runs["gap"][i] - (runs["loss_final"][i] - f_ref)) /
                        f_ref)
    check(worst_start <= 1e-12, f"the loss at the start point is numpy's mean squared error "
          f"(worst relative difference {worst_start:.2e})")
    check(worst_gap <= 1e-10, f"gap = loss_final - numpy's optimum (worst {worst_gap:.2e})")
    check(np.all(np.isnan(runs["test_mse"])), "test_mse is NaN: a file has no held-out data")
    check(np.all(runs["gap"] >= -1e-10 * f_ref) and np.all(runs["status"] != "diverged"),
          "gd and adam run on the file's data, never below the optimum")


def check_results(d, x, y):
    grid = gdtest.write_grid(d, "fit", grid_text("samples.csv", "3", 2))
    out = os.path.join(d, "fit.h5")
    gdtest.sweep(grid, out, "--threads", "1")
    check_fit(out, x, y)
    variants = [("--threads 2", "samples.csv", ["--threads", "2"], None),
                ("two ranks", "samples.csv", [], 2),
                ("the gzip file", "samples.csv.gz", [], None)]
    for what, data, args, ranks in variants:
        other = gdtest.write_grid(d, "other", grid_text(data, "3", 2))
        path = os.path.join(d, "other.h5")
        if os.path.exists(path):
            os.remove(path)
        gdtest.sweep(other, path, *args, mpi_ranks=ranks)
        diff = gdtest.sweep_differences(out, path)
        check(not diff, f"{what}: the same results as --threads 1 ({diff[:3]})")


def check_bad_files(d):
    cases = {"nocol.csv": ("x,z\n1,2\n2,3\n3,5\n4,1\n5,0\n", "has no column named y"),
             "ragged.csv": ("x,y\n1,2\n2,3,4\n", "ragged.csv:3: 3 fields, the header has 2"),
             "text.csv": ("x,y\n1,2\n2,abc\n", "text.csv:3:2 (y): 'abc' is not a number"),
             "few.csv": ("x,y\n1,2\n2,3\n3,5\n",
                         "has 3 rows; degree = 3 needs at least 4")}
    for name, (body, words) in cases.items():
        with open(os.path.join(d, name), "w") as fh:
            fh.write(body)
        gdtest.check_bad_file(gdtest.write_grid(d, "bad", grid_text(name, "1, 3")), 5, name,
                              words)


def check_identity(d):
    grid = gdtest.write_grid(d, "ident", grid_text("samples.csv"))
    out = os.path.join(d, "ident.h5")
    gdtest.sweep(grid, out, "--shard", "1/2")
    p = gdtest.sweep(grid, out, "--shard", "1/2", "--resume", check_rc=False)
    check(p.returncode == 0, f"--resume with the same file is accepted: {p.stderr.strip()}")
    path = os.path.join(d, "samples.csv")
    with open(path, newline="") as fh:
        body = fh.read()
    first = body.split("\r\n")[1]
    with open(path, "w", newline="") as fh:
        fh.write(body.replace(first, "0.5," + first.split(",", 1)[1], 1))
    with open(out, "rb") as fh:
        before = fh.read()
    p = gdtest.sweep(grid, out, "--shard", "1/2", "--resume", check_rc=False)
    with open(out, "rb") as fh:
        after = fh.read()
    check(p.returncode == 2 and "other contents of the files" in p.stderr and
          "samples.csv" in p.stderr and before == after,
          f"--resume after one y changed: exit 2 naming the file, output untouched "
          f"({p.returncode}: {p.stderr.strip()})")


def named_grid(ys):
    return f"""[problem fit]
type = curvefit
data = named.csv
x = t
y = {ys}
degree = 2
iterations = 5
[optimizer gd]
lr = 0.001
"""


def check_named_columns(d, x, y):
    """Columns chosen by the name keys x and y (two y columns swept)."""
    y2 = 0.5 * y - x
    with open(os.path.join(d, "named.csv"), "w") as fh:
        fh.write("x,t,resp,other\n" + "".join(f"{-v!r},{a!r},{b!r},{c!r}\n"
                                               for a, b, c, v in zip(x, y, y2, y)))
    out = os.path.join(d, "named.h5")
    gdtest.sweep(gdtest.write_grid(d, "named", named_grid("resp, other")), out)
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    from analysis.reader import load_runs
    runs = load_runs(out)
    check(sorted(runs["y"]) == ["other", "resp"] and set(runs["x"]) == {"t"},
          f"the reader names the columns the runs used ({list(runs['y'])}, {set(runs['x'])})")
    inst = instances(out)
    for i, row in runs.iterrows():
        e = inst[int(row["instance"])]
        want = y if row["y"] == "resp" else y2
        A = np.vander(x, 3)
        coef = np.linalg.lstsq(A, want, rcond=None)[0]
        f_ref = np.mean((A @ coef - want) ** 2)
        check(np.array_equal(e["x"], x) and np.array_equal(e["y"], want) and
              abs(e["f_opt"] - f_ref) <= 1e-10 * f_ref,
              f"y = {row['y']}: the instance holds the columns t and {row['y']}, and "
              f"numpy's optimum ({e['f_opt']!r} vs {f_ref!r})")
    gdtest.check_bad_file(gdtest.write_grid(d, "badname", named_grid("resp, tmp")), 3,
                          "named.csv", "no column named 'tmp' (its columns: x, t, resp, other)")


def main():
    d = gdtest.workdir()
    x, y = write_samples(d)
    check_results(d, x, y)
    check_named_columns(d, x, y)
    check_bad_files(d)
    check_identity(d)
    shutil.rmtree(d)
    gdtest.finish()


main()
