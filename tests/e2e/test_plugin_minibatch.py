"""test_plugin_minibatch.py - plugins on minibatches and with gradient noise, through the
real binary, checked against numpy.

The test plugin's `cloud` (tests/plugins/test_plugin.c, variant data: a sum over N = 30
points, f(x) = (1/N) sum_i log(1 + |x - a_i|^2) + l2 |x|^2 with a_ij = ((7i + 3j) mod 11
- 5) / 5, recomputed here) with batch_size = 0, 7 and sampling = shuffle, replacement, 2
repeats, gd (2 rates), momentum, adam; next to it the example plugin's robust_regression
(experiments/plugins/example_problems.c) with batch_size = 0, 16:
- the batch rows of every run (tests/tools/batch_rows.c prints them) are the same for
  every optimizer and rate of an instance and differ between repeats; traj/batch_loss is
  numpy's minibatch loss of those rows at the recorded x_t (NaN at the last record) for
  every optimizer, so each met that batch sequence; traj/loss is numpy's full loss;
  samples_seen the batches' rows; gd's path is numpy's replay over the batches from the
  stored x0; batch_size = 0 runs are full-batch (batch_loss NaN, N samples per gradient);
- the output of 1 process x 1 thread, 1 x 2 threads, `mpirun -n 2` and `-n 3` is
  bit-identical.
- `--check-problems` says of both sections that their minibatch loss and gradient match;
  a plugin built for ABI 1, one that sets only samples, and ones whose batch gradient is
  wrong (over all rows; on a small batch only) are refused before anything runs: exit 2,
  one line naming the library or problem and what differs, no output file.
- grad_noise = 0.3 on the test plugin's bowl (f = |x - k|^2 / 2, gd at two rates): the
  noise recovered from the path, (x_t - x_{t+1}) / lr - (x_t - k), is the same at both
  rates, has mean within 4 standard errors of 0 and variance within 4 standard errors of
  0.09, and passes a Kolmogorov-Smirnov test against N(0, 0.09) at p > 0.001.
"""
import os
import shutil

import h5py
import numpy as np

import gdtest
from gdtest import check, text

N_POINTS, DIM, L2, BATCH, T = 30, 3, 0.01, 7, 20
PLUGINS = os.environ.get("GD_TEST_PLUGIN_DIR")
EXAMPLE = os.environ.get("GD_EXAMPLE_PLUGIN")

GRID = f"""[sweep]
seed = 9
repeats = 2
record_every = 1
[problem c]
type = plugin
library = {PLUGINS}/gd_plugin_data.so
n = {DIM}
points = {N_POINTS}
l2 = {L2}
batch_size = 0, {BATCH}
sampling = shuffle, replacement
iterations = {T}
save_final = true
[problem robust]
type = plugin
library = {EXAMPLE}
name = robust_regression
n = 4
points = 200
batch_size = 0, 16
iterations = 30
[optimizer gd]
lr = 0.1, 0.3
[optimizer momentum]
lr = 0.1
momentum = 0.9
[optimizer adam]
lr = 0.05
"""

CENTERS = (((7 * np.arange(N_POINTS)[:, None] + 3 * np.arange(DIM)[None, :]) % 11) - 5) / 5.0


def loss_grad(x, rows=None):
    """cloud's loss over rows (None: all) and its gradient, in numpy."""
    d = x - CENTERS[np.arange(N_POINTS) if rows is None else rows]
    s = np.sum(d * d, axis=1)
    g = np.mean(2 * d / (1 + s)[:, None], axis=0) + 2 * L2 * x
    return np.mean(np.log1p(s)) + L2 * x @ x, g


def check_full_batch_run(name, runs, i, bl):
    check(np.all(np.isnan(bl)) and int(runs["samples_seen"][i]) ==
          N_POINTS * int(runs["grad_evals"][i]),
          f"{name}: batch_size 0 is a full batch (batch_loss NaN, {N_POINTS} per gradient)")


def check_batch_run(name, runs, i, f, batches):
    cnt = int(runs["traj_count"][i])
    po = int(runs["path_offset"][i])
    path = f["path/x"][po:po + DIM * cnt].reshape(cnt, DIM)
    bl = gdtest.trajectory(f, runs, i, "batch_loss")
    mini = np.array([loss_grad(path[t], batches[t])[0] for t in range(T)])
    check(cnt == T + 1 and np.allclose(bl[:-1], mini, rtol=1e-12, atol=0) and np.isnan(bl[-1]),
          f"{name}: traj/batch_loss = numpy's minibatch loss of its rows at x_t")
    full = np.array([loss_grad(x)[0] for x in path])
    check(np.allclose(gdtest.trajectory(f, runs, i, "loss"), full, rtol=1e-12, atol=0),
          f"{name}: traj/loss = numpy's full loss")
    seen = sum(len(b) for b in batches)
    check(int(runs["samples_seen"][i]) == seen, f"{name}: samples_seen = {seen}")
    if text(runs["optimizer"][i]) == "gd":
        x0 = f["instances"][str(int(runs["instance"][i]))]["x0"][...]
        want = [x0]
        for rows in batches:
            want.append(want[-1] - float(runs["lr"][i]) * loss_grad(want[-1], rows)[1])
        err = np.max(np.abs(np.array(want) - path))
        check(err < 1e-12, f"{name}: path = numpy's gd replay over the batches ({err:.1e})")


def check_runs(grid, out):
    runs = gdtest.runs_table(out)
    seqs = {}
    with h5py.File(out, "r") as f:
        for i in np.flatnonzero(runs["problem"] == "c"):
            rid = int(runs["run_id"][i])
            key = (int(runs["instance"][i]), text(runs["sampling"][i]))
            name = f"run {rid} ({runs['optimizer'][i]} lr {runs['lr'][i]}, {key[1]}, " \
                   f"batch {runs['batch_size'][i]})"
            if int(runs["batch_size"][i]) == 0:
                check_full_batch_run(name, runs, i, gdtest.trajectory(f, runs, i, "batch_loss"))
                continue
            batches = gdtest.instance_batches(grid, rid, T, seqs, key, N_POINTS, BATCH, name)
            check_batch_run(name, runs, i, f, batches)
    for s in ("shuffle", "replacement"):
        vs = [v for (_, k), v in seqs.items() if k == s]
        check(len(vs) == 2 and not np.array_equal(vs[0], vs[1]), f"{s}: repeats differ")
    optimizers = set(runs["optimizer"][runs["problem"] == "c"])
    check(optimizers == {"gd", "momentum", "adam"}, f"optimizers checked: {optimizers}")


def check_layouts(d, grid, ref):
    for name, args, ranks in (("1 x 2 threads", ["--threads", "2"], None),
                              ("mpirun -n 2", ["--threads", "1"], 2),
                              ("mpirun -n 3", ["--threads", "2"], 3)):
        out = os.path.join(d, name.replace(" ", "_") + ".h5")
        gdtest.sweep(grid, out, *args, mpi_ranks=ranks)
        diffs = gdtest.sweep_differences(ref, out)
        check(not diffs, f"{name}: bit-identical to 1 x 1 ({diffs[:3]})")
    runs = gdtest.runs_table(ref)
    robust = runs["problem"] == "robust"
    check(set(runs["batch_size"][robust]) == {0, 16} and
          np.all(np.isfinite(runs["weight_error"][robust])),
          "the example's robust_regression ran with batch_size 0 and 16 (its metric recorded)")


REFUSALS = {"abi_one": ["gd_plugin_abi_one.so", "ABI version 1", "rebuild it against"],
            "half_batch": ["problem 'cloud'", "only one of samples and batch_loss_grad"],
            "wrong_batch": [":3: plugin cloud", "over all 30 rows differs from loss_grad"],
            "wrong_small_batch": [":3: plugin cloud", "on a batch of 5 rows",
                                  "central difference"]}


def check_refusals(d, grid):
    p = gdtest.gdsweep("--check-problems", grid)
    lines = p.stdout.strip().splitlines()
    check(len(lines) == 2 and all("minibatch loss and gradient match too" in l for l in lines),
          f"--check-problems checks both sections' minibatches ({lines})")
    for variant, words in REFUSALS.items():
        bad = gdtest.write_grid(d, variant, f"""[problem c]
type = plugin
library = {PLUGINS}/gd_plugin_{variant}.so
points = {N_POINTS}
batch_size = 8
[optimizer gd]
lr = 0.1
""")
        out = os.path.join(d, variant + ".h5")
        p = gdtest.sweep(bad, out, check_rc=False)
        err = p.stderr.strip().splitlines()
        check(p.returncode == 2 and len(err) == 1 and all(w in err[0] for w in words) and
              not os.path.exists(out), f"{variant}: exit 2, one line, no output ({err})")


NOISE = f"""[sweep]
record_every = 1
[problem b]
type = plugin
library = {PLUGINS}/gd_plugin_good.so
n = 3
k = 1
grad_noise = 0.3
iterations = 2000
[optimizer gd]
lr = 0.01, 0.02
"""


def check_noise(d):
    grid = gdtest.write_grid(d, "noise", NOISE)
    out = os.path.join(d, "noise.h5")
    gdtest.sweep(grid, out)
    n = gdtest.check_gradient_noise(out, lambda x: x - 1.0, 3, 0.3, 1e-8)
    check(n == 3 * 2000, f"grad_noise on a plugin: every step noisy ({n} values)")


def main():
    d = gdtest.workdir()
    grid = gdtest.write_grid(d, "pmb", GRID)
    ref = os.path.join(d, "ref.h5")
    gdtest.sweep(grid, ref, "--threads", "1")
    check_runs(grid, ref)
    check_layouts(d, grid, ref)
    check_refusals(d, grid)
    check_noise(d)
    shutil.rmtree(d)
    gdtest.finish()


main()
