"""test_minibatch.py - minibatches and gradient noise: the same random numbers for every
optimizer, learning rate, layout and resume, checked against numpy and scipy.

leastsq on a table written here (50 rows, 3 features, l2 = 0.01, no split), batch_size = 8,
sampling = shuffle and replacement, 2 repeats; gd (2 rates), adam (2 rates), nag:
- The batch sequence of every run (tests/tools/batch_rows.c prints it) is the same for
  every optimizer and rate of an instance, and differs between repeats.
- shuffle: each epoch (7 batches, the last of 2 rows) holds every row once. replacement
  (a run of 5000 iterations, 40000 draws): the row counts pass scipy.stats.chisquare at
  p > 0.001 (a false alarm once in a thousand seeds; the seed is fixed, so the test is
  deterministic).
- gd and adam replayed in numpy over those batches from the stored x0: the recorded path
  to 1e-10 relative; traj/batch_loss is numpy's minibatch loss at x_t (NaN at the last
  record; nag's is at its look-ahead point), traj/loss numpy's full loss; samples_seen the batches' rows, epochs that / 50;
  monitoring evaluations one per record, the optimizer's one per step.
- The output of 1 process with 1 and 2 threads, `mpirun -n 2` and `-n 3`, and a sweep
  killed (SIGKILL) and resumed is bit-identical.
- grad_noise = 0.5 on rosenbrock (gd, lr 1e-4 and 2e-4, 4000 steps): the noise recovered
  from the path, (x_t - x_{t+1}) / lr - grad f(x_t), is the same for both rates (1e-6), has
  mean within 4 standard errors of 0 and variance within 4 standard errors (sqrt(2/n)
  relative) of 0.25, and passes a Kolmogorov-Smirnov test against N(0, 0.25) at p > 0.001.
- record_every = 3: traj/batch_loss is the mean minibatch loss of the 3 iterations up to
  each record (from the replay).
- batch_size = 0, 50 (every row) and 1000 give the same runs bit for bit (a full batch),
  with samples_seen = 50 per gradient and traj/batch_loss NaN.
- Bad input: batch_size on rosenbrock, exit 2, one line naming the grid line.
"""
import os

import h5py
import numpy as np
from scipy import stats

import gdtest
from gdtest import check, text

N_ROWS, BATCH, T = 50, 8, 25
RNG = np.random.default_rng(14)
L2 = 0.01


def write_table(d):
    x = RNG.normal(size=(N_ROWS, 3))
    y = x @ [1.0, -2.0, 0.5] + 0.3 * RNG.normal(size=N_ROWS)
    with open(os.path.join(d, "ls.csv"), "w") as fh:
        fh.write("a,b,c,target\n")
        for row, t in zip(x, y):
            fh.write(",".join(repr(float(v)) for v in [*row, t]) + "\n")
    return x, y


def grid_text(iterations=T, lrs="0.05, 0.1", repeats=2):
    return f"""[sweep]
seed = 3
repeats = {repeats}
record_every = 1
[problem p]
type = leastsq
data = ls.csv
intercept = false
test_fraction = 0
l2 = {L2}
batch_size = {BATCH}
sampling = shuffle, replacement
iterations = {iterations}
save_final = true
[optimizer gd]
lr = {lrs}
[optimizer adam]
lr = 0.02, 0.05
[optimizer nag]
lr = 0.05
"""


def loss_grad(x, y, w, rows=None):
    xb, yb = (x, y) if rows is None else (x[rows], y[rows])
    r = xb @ w - yb
    return r @ r / len(yb) + L2 * w @ w, 2 * xb.T @ r / len(yb) + 2 * L2 * w


def replay(kind, lr, x, y, w0, batches):
    w, m, v, path = w0.copy(), np.zeros(3), np.zeros(3), [w0.copy()]
    for t, rows in enumerate(batches, start=1):
        _, g = loss_grad(x, y, w, rows)
        if kind == "gd":
            w = w - lr * g
        else:
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g * g
            w = w - lr * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        path.append(w.copy())
    return np.array(path)


def check_runs(d, grid, out, x, y):
    runs = gdtest.runs_table(out)
    seqs = {}
    with h5py.File(out, "r") as f:
        for i in range(len(runs["run_id"])):
            rid, inst = int(runs["run_id"][i]), int(runs["instance"][i])
            key = (inst, text(runs["sampling"][i]))
            batches = gdtest.instance_batches(grid, rid, T, seqs, key, N_ROWS, BATCH,
                                              f"run {rid}")
            cnt = int(runs["traj_count"][i])
            po = int(runs["path_offset"][i])
            path = f["path/x"][po:po + 3 * cnt].reshape(cnt, 3)
            bl = gdtest.trajectory(f, runs, i, "batch_loss")
            loss = gdtest.trajectory(f, runs, i, "loss")
            name = f"run {rid} ({runs['optimizer'][i]}, {key[1]})"
            full = np.array([loss_grad(x, y, w)[0] for w in path])
            mini = np.array([loss_grad(x, y, path[t], batches[t])[0] for t in range(T)])
            check(np.allclose(loss, full, rtol=1e-12), f"{name}: traj/loss is the full loss")
            opt = runs["optimizer"][i]
            if opt != "nag":  # nag's is at its look-ahead point
                check(np.allclose(bl[:-1], mini, rtol=1e-12) and np.isnan(bl[-1]),
                      f"{name}: batch_loss is the minibatch loss")
            if opt in ("gd", "adam"):
                want = replay(opt, float(runs["lr"][i]), x, y, path[0], batches)
                err = np.max(np.abs(want - path)) / np.max(np.abs(want))
                check(err < 1e-10, f"{name}: path = numpy replay (rel {err:.2e})")
            seen = sum(len(b) for b in batches)
            check(int(runs["samples_seen"][i]) == seen and
                  abs(runs["epochs"][i] - seen / N_ROWS) < 1e-15,
                  f"{name}: samples_seen {runs['samples_seen'][i]} = {seen}, epochs")
            check(int(runs["monitor_loss_evals"][i]) == cnt and int(runs["grad_evals"][i]) == T,
                  f"{name}: {cnt} monitoring evaluations, {T} own")
            if key[1] == "shuffle":
                for e in range(3):
                    ep = np.concatenate(batches[7 * e:7 * e + 7])
                    check(sorted(ep.tolist()) == list(range(N_ROWS)),
                          f"{name}: epoch {e} visits every row once")
    reps = {k: v for k, v in seqs.items()}
    by_sampling = {}
    for (inst, s), v in reps.items():
        by_sampling.setdefault(s, []).append(v)
    for s, vs in by_sampling.items():
        check(len(vs) == 2 and not np.array_equal(vs[0], vs[1]), f"{s}: repeats differ")


def check_chi_square(d):
    grid = gdtest.write_grid(d, "chi", grid_text(iterations=5000, repeats=1))
    runs_per = 1
    n, m, batches = gdtest.batch_rows(grid, 5 * runs_per, 5000)  # run 5: sampling = replacement
    counts = np.bincount(np.concatenate(batches), minlength=N_ROWS)
    p = stats.chisquare(counts).pvalue
    check(counts.sum() == 40000 and counts.min() < counts.max() and p > 1e-3,
          f"replacement (counts {counts.min()}..{counts.max()}): chi-square p = {p:.3g}")


def check_layouts(d, grid, ref):
    layouts = {"2 threads": dict(args=["--threads", "2"]),
               "mpirun -n 2": dict(args=["--threads", "1"], mpi_ranks=2),
               "mpirun -n 3": dict(args=["--threads", "1"], mpi_ranks=3)}
    for name, how in layouts.items():
        out = os.path.join(d, name.replace(" ", "_") + ".h5")
        gdtest.sweep(grid, out, *how["args"], mpi_ranks=how.get("mpi_ranks"))
        diffs = gdtest.sweep_differences(ref, out)
        check(not diffs, f"{name}: bit-identical ({diffs[:3]})")


def check_kill_resume(d):
    grid = gdtest.write_grid(d, "kill", grid_text(iterations=12000,
                                                  lrs=", ".join(f"{0.001 * k:g}"
                                                                for k in range(1, 41))))
    ref = os.path.join(d, "kill_ref.h5")
    gdtest.sweep(grid, ref, "--threads", "1")
    out = os.path.join(d, "kill.h5")
    written, total = gdtest.kill_mid_sweep(grid, out, "--threads", "1", need_some=True)
    print(f"killed with {written} of {total} runs committed")
    check(0 < written < total == len(gdtest.runs_table(ref)["run_id"]),
          f"the kill interrupted the sweep ({written} of {total} committed)")
    gdtest.sweep(grid, out, "--resume", "--threads", "2")
    diffs = gdtest.sweep_differences(ref, out)
    check(not diffs, f"killed and resumed: bit-identical ({diffs[:3]})")


NOISE = """[sweep]
record_every = 1
[problem r]
type = rosenbrock
x0 = 0.5
y0 = 0.5
grad_noise = 0.5
iterations = 4000
[optimizer gd]
lr = 1e-4, 2e-4
"""


def rosenbrock_grad(p):
    x, y = p[:, 0], p[:, 1]
    return np.stack([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)], axis=1)


def check_noise(d):
    grid = gdtest.write_grid(d, "noise", NOISE)
    out = os.path.join(d, "noise.h5")
    gdtest.sweep(grid, out)
    gdtest.check_gradient_noise(out, rosenbrock_grad, 2, 0.5, 1e-6)


def check_bad(d):
    grid = gdtest.write_grid(d, "bad", "[problem r]\ntype = rosenbrock\nbatch_size = 4\n"
                             "[optimizer gd]\nlr = 0.1\n")
    gdtest.check_bad_file(grid, 3, "batch_size = 4", "use batch_size = 0")


def check_windows(d, x, y):
    """record_every = 3: batch_loss at record t is the mean of the minibatch losses of
    iterations t - 2 .. t (t = 0: its own), from gd's numpy replay."""
    grid = gdtest.write_grid(d, "win", grid_text(repeats=1).replace("record_every = 1",
                                                                   "record_every = 3"))
    out = os.path.join(d, "win.h5")
    gdtest.sweep(grid, out)
    runs = gdtest.runs_table(out)
    with h5py.File(out, "r") as f:
        i = 0  # gd, lr 0.05, shuffle
        _, _, batches = gdtest.batch_rows(grid, int(runs["run_id"][i]), T)
        po = int(runs["path_offset"][i])
        x0 = f["path/x"][po:po + 3]
        path = replay("gd", float(runs["lr"][i]), x, y, x0, batches)
        mini = np.array([loss_grad(x, y, path[t], batches[t])[0] for t in range(T)])
        it = gdtest.trajectory(f, runs, i, "iteration")
        bl = gdtest.trajectory(f, runs, i, "batch_loss")
    want = [mini[max(t - 2, 0):t + 1].mean() for t in it[:-1]]
    check(text(runs["optimizer"][i]) == "gd" and np.allclose(bl[:-1], want, rtol=1e-12) and
          np.isnan(bl[-1]), f"record_every = 3: batch_loss = window means ({bl[:4]} vs {want[:4]})")


FULL = """[problem p]
type = leastsq
data = ls.csv
intercept = false
test_fraction = 0
batch_size = 0, 50, 1000
iterations = 30
[optimizer adam]
lr = 0.05
"""


def check_full_batch(d):
    grid = gdtest.write_grid(d, "full", FULL)
    out = os.path.join(d, "full.h5")
    gdtest.sweep(grid, out)
    runs = gdtest.runs_table(out)
    with h5py.File(out, "r") as f:
        trajs = [[gdtest.trajectory(f, runs, i, k).tobytes() for k in ("loss", "grad_norm")]
                 for i in range(3)]
        bl = np.concatenate([gdtest.trajectory(f, runs, i, "batch_loss") for i in range(3)])
    same = all(trajs[i] == trajs[0] for i in range(3)) and \
        len(set(runs["loss_final"].tobytes()[8 * i:8 * i + 8] for i in range(3))) == 1
    check(same and np.all(np.isnan(bl)), "batch_size 0, 50, 1000: the same full-batch runs")
    check(list(runs["samples_seen"]) == [50 * int(g) for g in runs["grad_evals"]],
          f"full batch: samples_seen = 50 per gradient ({list(runs['samples_seen'])})")


def main():
    d = gdtest.workdir()
    x, y = write_table(d)
    grid = gdtest.write_grid(d, "mb", grid_text())
    ref = os.path.join(d, "mb.h5")
    gdtest.sweep(grid, ref, "--threads", "1")
    check_runs(d, grid, ref, x, y)
    check_chi_square(d)
    check_layouts(d, grid, ref)
    check_kill_resume(d)
    check_noise(d)
    check_full_batch(d)
    check_windows(d, x, y)
    check_bad(d)
    gdtest.finish()


if __name__ == "__main__":
    main()
