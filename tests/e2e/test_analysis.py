#!/usr/bin/python3
"""test_analysis.py - `python3 -m analysis.report` on sweeps made here with the real binary.

A small sweep (1-D quadratic, curve fit, denoise; three optimizers; a diverging learning
rate; two repeats) must give every figure as a sensible PNG, an index.html that links
them, and a best-configuration table whose numbers agree with the file read here with
h5py. Then the bad inputs: missing file, not HDF5, HDF5 but not gdsweep's, no committed
run, a file held open by a writer (exit 2, one line); partial file, single run, every run
diverged (exit 0, noted)."""
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from gdtest import SOURCE, check, finish, runs_table, sweep, workdir, write_grid  # noqa: E402

GRID = """
[sweep]
name = analysis-test
seed = 5
repeats = 2
iterations = 60
loss_tol = 1e-12

[problem quad]
type = quadratic
x0 = 5

[problem fit]
type = curvefit
degree = 2
points = 40
noise = 0.5
x_min = -1
x_max = 1
iterations = 150

[problem img]
type = denoise
size = 24
noise = 0.3
lambda = 0.2
iterations = 30

[optimizer gd]
lr = 0.01, 0.1, 1.5

[optimizer momentum]
lr = 0.01, 0.1
momentum = 0.9

[optimizer adam]
lr = 0.01, 0.1
"""
FIGURES = ["cost_paths", "cost_comparison", "denoise", "curvefit", "convergence", "sensitivity",
           "status_quad", "status_fit", "status_img", "performance_profile", "data_profile"]
WORK = workdir()


def make_sweep(name, grid):
    """Runs gdsweep on the grid text; returns the HDF5 path."""
    out = os.path.join(WORK, name + ".h5")
    sweep(write_grid(WORK, name, grid), out)
    return out


def report(h5, *extra):
    """Runs the report into WORK/<name>-report; returns (CompletedProcess, directory)."""
    out = os.path.join(WORK, os.path.basename(h5) + "-report")
    env = dict(os.environ, PYTHONPATH=SOURCE)
    p = subprocess.run(["/usr/bin/python3", "-m", "analysis.report", h5, "-o", out, *extra],
                       capture_output=True, text=True, env=env)
    print(f"report {os.path.basename(h5)}: exit {p.returncode}; stderr: {p.stderr.strip()!r}")
    return p, out


class BestTable(HTMLParser):
    """Collects the rows (dicts by header) of <table id='best'>."""

    def __init__(self):
        super().__init__()
        self.inside, self.cell, self.header, self.row, self.rows = False, None, [], None, []

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("id", "best") in attrs:
            self.inside = True
        elif self.inside and tag in ("td", "th"):
            self.cell = ""
        elif self.inside and tag == "tr":
            self.row = []

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag in ("td", "th"):
            self.row.append(self.cell)
            self.cell = None
        elif tag == "tr":
            if self.header:
                self.rows.append(dict(zip(self.header, self.row)))
            else:
                self.header = self.row
        elif tag == "table":
            self.inside = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def read_best(index):
    parser = BestTable()
    parser.feed(open(index, encoding="utf-8").read())
    return parser.rows


def one_line_error(p, what, needle):
    lines = p.stderr.strip().splitlines()
    check(p.returncode == 2, f"{what}: exit status 2 (got {p.returncode})")
    check(len(lines) == 1 and needle in p.stderr and "Traceback" not in p.stderr,
          f"{what}: one line on stderr naming the problem ({needle!r})")


def close(text, value, rel=1e-5):
    """A table cell (6 significant digits, or n/a for NaN) agrees with a value read with h5py."""
    if text == "n/a":
        return bool(np.isnan(value))
    v = float(text)
    return v == value or abs(v - value) <= rel * abs(value)


def check_png(path):
    img = mpimg.imread(path)
    ok = img.ndim == 3 and img.shape[0] >= 300 and img.shape[1] >= 300 and float(img.var()) > 0
    check(ok, f"{os.path.basename(path)} is a non-blank PNG of at least 300x300 px (shape {img.shape})")


def check_figures(out):
    index = open(os.path.join(out, "index.html"), encoding="utf-8").read()
    for name in FIGURES:
        png = os.path.join(out, name + ".png")
        check(os.path.exists(png), f"figure {name}.png written")
        if os.path.exists(png):
            check_png(png)
        check(f"src='{name}.png'" in index, f"index.html shows {name}.png")
        check(f"href='{name}.svg'" in index and os.path.exists(os.path.join(out, name + ".svg")),
              f"{name}.svg written and linked (--formats svg)")


def expected_best(runs):
    """Independently: per (problem, optimizer) (no problem sweeps its own values here) the runs, the
    best by the default ranking (converged runs first by steps, then the lowest gap, else final
    loss, then steps), status counts."""
    out = {}
    written = runs["written"] == 1
    for prob in np.unique(runs["problem"][written]):
        sel_p = (runs["problem"] == prob) & written
        use_gap = bool(np.isfinite(runs["gap"][sel_p]).any())
        for opt in np.unique(runs["optimizer"][sel_p]):
            idx = np.where(sel_p & (runs["optimizer"] == opt))[0]
            m = runs["gap" if use_gap else "loss_final"][idx].astype(float)
            m[runs["status"][idx] == "diverged"] = np.inf
            fstar = runs["loss_final"][idx] - runs["gap"][idx]
            tol = 4 * np.finfo(float).eps * max(1.0, float(np.nanmax(np.abs(fstar)))) if use_gap else 0
            converged = runs["status"][idx] == "converged"
            fewest = int(runs["steps"][idx][converged].min()) if converged.any() else None
            counts = {s: int(np.sum(runs["status"][idx] == s)) for s in ("converged", "max_iter", "diverged")}
            out[(prob, opt)] = dict(idx=idx, best=float(m[~converged].min()) if fewest is None else np.nan,
                                    fewest=fewest, tol=tol, use_gap=use_gap, counts=counts)
    return out


def check_table(rows, h5):
    runs = runs_table(h5)  # read with h5py, not through analysis/
    want = expected_best(runs)
    check(len(rows) == len(want), f"one table row per (problem, optimizer): {len(rows)} of {len(want)}")
    for r in rows:
        w = want.get((r["problem"], r["optimizer"]))
        if w is None:
            check(False, f"table row {r['problem']}/{r['optimizer']} exists in the file")
            continue
        i = int(r["run_id"])
        what = f"{r['problem']}/{r['optimizer']} (run {i})"
        check(i in w["idx"], f"{what}: the best run is a run of that pair")
        if w["fewest"] is not None:
            check(runs["status"][i] == "converged" and runs["steps"][i] == w["fewest"],
                  f"{what}: a converged run with the fewest steps ({w['fewest']})")
        else:
            m = runs["gap" if w["use_gap"] else "loss_final"][i]
            check(m <= w["best"] + w["tol"], f"{what}: its measure {m:.6g} is the lowest ({w['best']:.6g})")
        for col in ("loss_final", "gap", "psnr"):
            check(close(r[col], runs[col][i]), f"{what}: {col} {r[col]} = {runs[col][i]!r} from h5py")
        check(int(r["steps"]) == runs["steps"][i] and r["status"] == runs["status"][i],
              f"{what}: steps and status agree with h5py")
        check(all(int(r[s]) == n for s, n in w["counts"].items()),
              f"{what}: counts {w['counts']} agree with h5py")


def test_full_report():
    h5 = make_sweep("full", GRID)
    p, out = report(h5, "--formats", "svg")
    check(p.returncode == 0 and p.stderr == "", "report of a complete sweep: exit 0, nothing on stderr")
    check_figures(out)
    check_table(read_best(os.path.join(out, "index.html")), h5)
    check(os.path.exists(os.path.join(out, "best_configurations.csv")), "CSV of the table written")
    return h5


def test_partial(h5):
    part = os.path.join(WORK, "partial.h5")
    shutil.copy(h5, part)
    with h5py.File(part, "r+") as f:
        rows = f["runs"][:]
        rows["written"][::3] = 0
        f["runs"][...] = rows
        f.attrs["complete"] = 0
        kept, total = int(np.sum(rows["written"] == 1)), len(rows)
    p, out = report(part)
    note = f"partial: {kept} of {total} runs committed"
    check(p.returncode == 0 and note in p.stderr, f"partial file: exit 0, stderr says {note!r}")
    check(note in open(os.path.join(out, "index.html"), encoding="utf-8").read(), "index.html says it too")
    table = read_best(os.path.join(out, "index.html"))
    check(sum(int(r["runs"]) for r in table) == kept, "the table counts only committed runs")
    check_table(table, part)
    with h5py.File(part, "r+") as f:
        rows = f["runs"][:]
        rows["written"][:] = 0
        f["runs"][...] = rows
    one_line_error(report(part)[0], "no committed run", "no committed run")


def test_bad_files():
    one_line_error(report(os.path.join(WORK, "missing.h5"))[0], "missing file", "no such file")
    text = os.path.join(WORK, "text.h5")
    with open(text, "w") as f:
        f.write("not hdf5\n")
    one_line_error(report(text)[0], "a text file", "not a readable HDF5 file")
    other = os.path.join(WORK, "other.h5")
    with h5py.File(other, "w") as f:
        f["x"] = np.arange(3)
    one_line_error(report(other)[0], "HDF5 not from gdsweep", "not a gdsweep output file")


def test_locked(h5):
    """A file another process holds open for writing (a running sweep) is refused, not misread."""
    held = os.path.join(WORK, "held.h5")
    shutil.copy(h5, held)
    hold = "import h5py, sys; f = h5py.File(sys.argv[1], 'r+'); print('open', flush=True); sys.stdin.read()"
    writer = subprocess.Popen(["/usr/bin/python3", "-c", hold, held], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    writer.stdout.readline()
    one_line_error(report(held)[0], "file held by a writer", "open for writing by another process")
    writer.stdin.close()
    writer.wait()


def test_single_and_diverged():
    single = make_sweep("single", "[sweep]\niterations = 20\n[problem quadratic]\n[optimizer gd]\nlr = 0.1\n")
    p, out = report(single)
    check(p.returncode == 0 and "single run" in p.stderr, "single run: exit 0 with a note on stderr")
    html = open(os.path.join(out, "index.html"), encoding="utf-8").read()
    check("single run" in html and "performance profile: not drawn" in html,
          "single run: index.html notes it and the skipped profile")
    check_png(os.path.join(out, "cost_paths.png"))
    bad = make_sweep("diverged", "[sweep]\niterations = 30\n[problem quadratic]\n[optimizer gd]\nlr = 2, 5\n"
                                 "[optimizer adam]\nlr = 40\nproblems = rosenbrock\n[problem rosenbrock]\n")
    p, out = report(bad)
    check(p.returncode == 0 and "every run diverged" in p.stderr, "all diverged: exit 0 with a note")
    html = open(os.path.join(out, "index.html"), encoding="utf-8").read()
    check("every run diverged" in html, "all diverged: index.html notes it")
    check_png(os.path.join(out, "sensitivity.png"))
    check_png(os.path.join(out, "status_quadratic.png"))


h5_full = test_full_report()
test_partial(h5_full)
test_bad_files()
test_locked(h5_full)
test_single_and_diverged()
finish()
