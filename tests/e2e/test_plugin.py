"""test_plugin.py - compiled problem plugins through the real binary (type = plugin).

- The example plugin (experiments/plugins/example_problems.c, built here with the README's
  cc command) on an experiments/plugin.ini-like grid: bit-identical results under mpirun
  1, 2 and 3 ranks and --threads 1 and 2; the plugin's keys (n, cond, start_range, ...) are
  columns of the runs table with the swept values; each Rastrigin start point stored in
  /instances gives loss_initial as numpy computes it from the formula, and gap = loss_final
  (the known minimum 0); its metric `distance` is numpy's |x| of the stored final point.
- --check-problems prints one ok line per section, exit 0; with a plugin whose gradient
  is wrong, one line naming the plugin, the point, the component and the difference,
  exit 2, and no output.
- A library rebuilt with another constant (a copy at the same path) is refused by
  --resume, naming the library, and by merge of shards made with the old one.
- A plugin that crashes (SIGSEGV in loss_grad at the instance k = 2, chosen by the
  environment variable GD_TEST_CRASH_K that tests/plugins/test_plugin.c reads) under
  mpirun -n 2: exit non-zero within the timeout, one line naming the run and the plugin;
  --resume then completes the sweep with results identical to an uninterrupted sweep.
"""
import os
import shutil
import subprocess

import h5py
import numpy as np

import gdtest
from gdtest import check

CC = shutil.which("cc") or "cc"


def build(source, out, *defines):
    """Builds a plugin with the README's command; returns its path."""
    subprocess.run([CC, "-shared", "-fPIC", "-O2", "-I", os.path.join(gdtest.SOURCE, "include"),
                    *defines, source, "-o", out, "-lm"], check=True)
    return out


EXAMPLE_GRID = """[sweep]
seed = 5
repeats = 2
record_every = 10
[problem ill]
type = plugin
library = example.so
name = ill_quadratic
n = 12
cond = 1e2, 1e5
iterations = 300
[problem rastrigin]
type = plugin
library = example.so
name = rastrigin
n = 5, 8
start_range = 2
iterations = 200
save_final = true
[optimizer gd]
lr = 1e-5, 1e-3
[optimizer adam]
lr = 0.01, 0.1
"""


def rastrigin(x, a=10.0):
    return a * len(x) + np.sum(x * x - a * np.cos(2 * np.pi * x))


def check_example(d):
    build(os.path.join(gdtest.SOURCE, "experiments", "plugins", "example_problems.c"),
          os.path.join(d, "example.so"))
    grid = gdtest.write_grid(d, "example", EXAMPLE_GRID)
    ref = os.path.join(d, "ref.h5")
    gdtest.sweep(grid, ref, "--threads", "1")
    for ranks, threads in ((1, 2), (2, 1), (3, 2)):
        out = os.path.join(d, f"r{ranks}t{threads}.h5")
        gdtest.sweep(grid, out, "--threads", str(threads), mpi_ranks=ranks)
        diff = gdtest.sweep_differences(ref, out)
        check(not diff, f"{ranks} ranks x {threads} threads: bit-identical to 1 x 1 ({diff[:3]})")
    runs = gdtest.runs_table(ref)
    ill = runs["problem"] == "ill"
    check(set(runs["cond"][ill]) == {1e2, 1e5} and set(runs["n"][ill]) == {12},
          "the plugin's keys cond and n are columns with the swept values")
    ras = runs["problem"] == "rastrigin"
    check(set(runs["n"][ras]) == {5, 8} and set(runs["start_range"][ras]) == {2},
          "rastrigin's n and start_range are columns")
    check(set(runs["problem_type"]) == {"plugin:ill_quadratic", "plugin:rastrigin"},
          "problem_type names the plugin's problem")
    with h5py.File(ref, "r") as f:
        names = dict(line.split("\t") for line in gdtest.text(f.attrs["names"]).splitlines())
        name_columns = gdtest.text(f.attrs["name_columns"]).split(",")
    named = [names.get(str(int(v)), "") for v in runs["name"]]
    check("name" in name_columns and {named[i] for i in np.flatnonzero(ill)} == {"ill_quadratic"}
          and {named[i] for i in np.flatnonzero(ras)} == {"rastrigin"},
          "the name key is a name column (its index in the file's `names`)")
    check(np.array_equal(runs["gap"], runs["loss_final"]),
          "gap = loss_final: the plugin's known minimum 0 is recorded")
    with h5py.File(ref, "r") as f:
        worst, inside = 0.0, True
        for i in np.flatnonzero(ras):
            x0 = f["instances"][str(runs["instance"][i])]["x0"][...]
            want = rastrigin(x0)
            worst = max(worst, abs(runs["loss_initial"][i] - want) / want)
            inside &= bool(np.all(np.abs(x0) <= 2)) and len(x0) == runs["n"][i]
        check(worst < 1e-13, f"loss_initial = Rastrigin's formula at the stored x0 (rel {worst:.1e})")
        check(inside, "each stored x0 has n coordinates in [-start_range, start_range]")
        dist = [np.linalg.norm(f["final/x"][int(runs["final_offset"][i]):
                                            int(runs["final_offset"][i] + runs["final_count"][i])])
                - runs["distance"][i] for i in np.flatnonzero(ras)]
        check(np.max(np.abs(dist)) < 1e-12 and np.all(np.isnan(runs["distance"][ill])),
              "the plugin's metric `distance` = |final x| (numpy), NaN for the other problem")
    return grid


def check_problems_command(d, grid, test_dir):
    p = gdtest.gdsweep("--check-problems", grid, check_rc=False)
    lines = p.stdout.strip().splitlines()
    check(p.returncode == 0 and len(lines) == 2 and all(": ok: n = " in l for l in lines)
          and lines[0].startswith("[problem ill] plugin:ill_quadratic"),
          f"--check-problems: one ok line per section ({lines})")
    bad = gdtest.write_grid(d, "bad", f"""[problem b]
type = plugin
library = {os.path.join(test_dir, 'gd_plugin_wrong_gradient.so')}
n = 4
k = 0.5
[optimizer gd]
lr = 0.1
""")
    for args in (("--check-problems", bad), (bad, "-o", os.path.join(d, "bad.h5"))):
        p = gdtest.gdsweep(*args, check_rc=False)
        err = p.stderr.strip().splitlines()
        check(p.returncode == 2 and len(err) == 1 and f"{bad}:3: plugin bowl" in err[0] and
              "component 1" in err[0] and "difference" in err[0] and
              not os.path.exists(os.path.join(d, "bad.h5")),
              f"{args[0]}: a wrong gradient is one line naming the plugin, point, component "
              f"and difference, exit 2, no output ({p.returncode}: {err})")


BOWL_GRID = """[sweep]
record_every = 1
[problem b]
type = plugin
library = bowl.so
n = 3
k = 0, 1, 2, 3
iterations = 400
[optimizer gd]
lr = 0.01, 0.1
[optimizer adam]
lr = 0.05
"""


def check_changed_library(d):
    src = os.path.join(gdtest.SOURCE, "tests", "plugins", "test_plugin.c")
    build(src, os.path.join(d, "bowl.so"))
    grid = gdtest.write_grid(d, "bowl", BOWL_GRID)
    out = os.path.join(d, "bowl.h5")
    gdtest.sweep(grid, out)
    shards = [os.path.join(d, f"shard{k}.h5") for k in (1, 2)]
    for k, shard in enumerate(shards, 1):
        gdtest.sweep(grid, shard, "--shard", f"{k}/2")
    build(src, os.path.join(d, "bowl.so"), "-DPLUGIN_CONSTANT=2.0")
    p = gdtest.sweep(grid, out, "--resume", check_rc=False)
    check(p.returncode == 2 and "bowl.so" in p.stderr,
          f"--resume refused after the library changed, naming it ({p.returncode}: "
          f"{p.stderr.strip()})")
    merged = os.path.join(d, "merged.h5")
    p = gdtest.gdsweep("merge", merged, *shards, check_rc=False)
    check(p.returncode == 2 and "changed" in p.stderr and not os.path.exists(merged),
          f"merge refused after the library changed ({p.returncode}: {p.stderr.strip()})")
    build(src, os.path.join(d, "bowl.so"))  # the original again, for the crash test
    return grid, out


def check_crash(d, grid, full):
    out = os.path.join(d, "crash.h5")
    cmd = gdtest.command(grid, "-o", out, "--quiet", mpi_ranks=2)
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                           env=dict(os.environ, GD_TEST_CRASH_K="2"))
        rc, err = p.returncode, p.stderr
    except subprocess.TimeoutExpired:
        rc, err = None, "timed out"
    # Runs are ordered k slowest, then 3 optimizer settings: k = 2 starts at run 6.
    line = [l for l in err.splitlines() if "crashed with SIGSEGV" in l]
    check(rc not in (None, 0) and len(line) == 1 and "run 6 " in line[0] and
          "plugin:bowl" in line[0] and "bowl.so" in line[0],
          f"a crashing plugin: exit non-zero within 120 s, one line naming run 6 and the "
          f"plugin ({rc}: {line or err[-300:]})")
    p = gdtest.sweep(grid, out, "--resume", check_rc=False)
    check(p.returncode == 0, f"--resume after the crash completes ({p.stderr.strip()})")
    diff = gdtest.sweep_differences(full, out)
    check(not diff, f"resumed results identical to the uninterrupted sweep ({diff[:3]})")


def main():
    d = gdtest.workdir()
    test_dir = os.environ.get("GD_TEST_PLUGIN_DIR")
    grid = check_example(d)
    check_problems_command(d, grid, test_dir)
    bowl_grid, bowl_out = check_changed_library(d)
    check_crash(d, bowl_grid, bowl_out)
    shutil.rmtree(d)
    gdtest.finish()


main()
