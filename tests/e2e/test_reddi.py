"""test_reddi.py - Adam's non-convergence (Reddi, Kale & Kumar, ICLR 2018), experiments/reddi.ini.

The online problem f_t(x) = 1010 x (t mod 101 = 1), else -10 x, on the box [-1, 1],
beta1 = 0.9, beta2 = 0.99, step size 1/sqrt(t):
- Adam (bias-corrected) ends near x = +1 (above 0.9), AMSGrad (bias_correction = false, the
  paper's Algorithm 2) at the optimum x = -1: the paper's finding.
- Both final points equal a replay of the two algorithms written here (plain Python floats,
  projection by clipping) to 1e-12, and the gap is the average loss's, (10/101) (x + 1).
- The loss recorded at record points is the average loss F(x) = (10/101) x at the recorded
  path, and traj/batch_loss the mean of the online losses f_(t+1)(x_t) the steps used over
  the 1000 iterations up to each record (from the replay).
- The section-3 example (c = 3, d = 1, period = 3, beta1 = 0, beta2 = 1/(1 + c^2), constant
  step size 0.5/sqrt(t), the setting of the paper's Theorem 1) sends Adam near +1 as well
  (0.99 after 3001 steps), AMSGrad to -1.
- reddi with c <= (period - 1) d, batch_size > 0, or lower >= upper: exit 2, one line naming
  the grid line, nothing created.
"""
import math
import os

import h5py
import numpy as np

import gdtest
from gdtest import check, text


def replay(kind, iterations, lr, c, d, period, b1, b2, eps=1e-8, x=0.0, schedule="sqrt",
           losses=None):
    m = v = vmax = 0.0
    for t in range(1, iterations + 1):
        g = c if t % period == 1 else -d
        if losses is not None:
            losses.append(g * x)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        rate = lr / math.sqrt(t) if schedule == "sqrt" else lr
        if kind == "adam":
            x = x - rate * (m / (1 - b1 ** t)) / (math.sqrt(v / (1 - b2 ** t)) + eps)
        else:
            vmax = max(vmax, v)
            x = x - rate * m / (math.sqrt(vmax) + eps)
        x = min(max(x, -1.0), 1.0)
    return x


def finals(path):
    runs = gdtest.runs_table(path)
    with h5py.File(path, "r") as f:
        fin = f["final/x"][:]
        out = {}
        for i, name in enumerate(runs["optimizer"]):
            o = int(runs["final_offset"][i])
            out[name] = (fin[o], runs["gap"][i], i)
        return out, runs


def check_experiment(d):
    grid = os.path.join(gdtest.SOURCE, "experiments", "reddi.ini")
    out = os.path.join(d, "reddi.h5")
    gdtest.sweep(grid, out)
    res, runs = finals(out)
    s = 10.0 / 101.0
    xa, gap_a, ia = res["adam"]
    xm, gap_m, im = res["amsgrad"]
    check(xa > 0.9, f"Adam drifts to +1: final x = {xa}")
    check(xm == -1.0, f"AMSGrad reaches -1: final x = {xm}")
    online = {}
    for name, kind in (("adam", "adam"), ("amsgrad", "ams")):
        online[name] = []
        want = replay(kind, 200000, 1.0, 1010.0, 10.0, 101, 0.9, 0.99, losses=online[name])
        check(abs(res[name][0] - want) <= 1e-12, f"{name}: final x {res[name][0]} = replay {want}")
        check(abs(res[name][1] - s * (res[name][0] + 1)) <= 1e-12,
              f"{name}: gap {res[name][1]} = (10/101)(x + 1)")
    with h5py.File(out, "r") as f:
        for i, name in ((ia, "adam"), (im, "amsgrad")):
            o, n = int(runs["traj_offset"][i]), int(runs["traj_count"][i])
            po = int(runs["path_offset"][i])
            it = gdtest.trajectory(f, runs, i, "iteration")
            xs = f["path/x"][po:po + n]
            loss = f["traj/loss"][o:o + n]
            bl = gdtest.trajectory(f, runs, i, "batch_loss")
            check(np.allclose(loss, s * xs, rtol=1e-12, atol=1e-15),
                  "recorded loss = average loss at the recorded x")
            f_t = np.array(online[name])
            want = [f_t[0]] + [f_t[t - 999:t + 1].mean() for t in it[1:-1]]
            check(np.allclose(bl[:-1], want, rtol=1e-9, atol=1e-12) and np.isnan(bl[-1]),
                  f"{name}: batch_loss = the mean of f_(t'+1)(x_t') over the 1000 iterations "
                  "up to each record, NaN at the last")
            check(int(runs["monitor_loss_evals"][i]) == n,
                  f"one monitoring evaluation per record ({runs['monitor_loss_evals'][i]} vs {n})")


SECTION3 = """[sweep]
iterations = 3001
record_every = 100
[problem r]
type = reddi
c = 3
d = 1
period = 3
lower = -1
upper = 1
[optimizer adam]
lr = 0.5
beta1 = 0
beta2 = 0.1
schedule = inverse_sqrt
[optimizer amsgrad]
lr = 0.5
beta1 = 0
beta2 = 0.1
bias_correction = false
schedule = inverse_sqrt
"""


def check_section3(d):
    grid = gdtest.write_grid(d, "s3", SECTION3)
    out = os.path.join(d, "s3.h5")
    gdtest.sweep(grid, out)
    res, _ = finals(out)
    for name, kind in (("adam", "adam"), ("amsgrad", "ams")):
        want = replay(kind, 3001, 0.5, 3.0, 1.0, 3, 0.0, 0.1)
        check(abs(res[name][0] - want) <= 1e-12, f"section 3 {name}: {res[name][0]} = {want}")
    check(res["adam"][0] > 0.9, f"section 3: Adam near +1 ({res['adam'][0]})")
    check(res["amsgrad"][0] == -1.0, f"section 3: AMSGrad at -1 ({res['amsgrad'][0]})")


BAD = [("c = 900\n", 3, "c = 900", "larger c"), ("batch_size = 4\n", 6, "batch_size = 4",
                                                      "batch_size = 0"),
       ("lower = 1\n", 6, "lower = 1", "below every upper")]


def check_bad(d):
    for extra, line, name, words in BAD:
        grid = gdtest.write_grid(d, "bad", "[sweep]\niterations = 5\n[problem r]\ntype = reddi\n"
                                 "upper = 1\n" + extra + "[optimizer adam]\nlr = 0.1\n")
        gdtest.check_bad_file(grid, line, name, words)


def main():
    d = gdtest.workdir()
    check_experiment(d)
    check_section3(d)
    check_bad(d)
    gdtest.finish()


if __name__ == "__main__":
    main()
