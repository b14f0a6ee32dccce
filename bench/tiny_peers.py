"""tiny_peers.py - the tiny-run grid as a NumPy sweep vectorised over all runs, or as a
PyTorch batched sweep, writing the same series as gdsweep with h5py (bench 4b).

Usage: /usr/bin/python3 bench/tiny_peers.py numpy|torch OUT.h5 [numeric|analytic]

The grid is bench/tiny_runs.ini's: f(x) = x^2 + 5x + 10, x0 = linspace(-10, 10, 10000),
gd and adam (beta1 0.9, beta2 0.999, eps 1e-8) at lr 0.01, 0.05, 0.1, 0.2, 0.5:
100,000 runs of 100 iterations. Every iteration is recorded, as gdsweep's format 3 stores
it: the loss, gradient norm and x path, concatenated run after run (the iteration, the
constant learning rate and the full-batch batch_loss follow from the runs table, as in
gdsweep's file), with a runs table (x0, lr, optimizer, traj_offset, traj_count, steps,
loss_final, grad_norm_final, status). A run stops where gdsweep's
stop test stops it (non-finite or diverged; grad_tol = 0 tests nothing). The gradient is gdsweep's
central difference with epsilon 1e-7 (numeric, the default) or 2x + 5 (analytic).
Prints one line: "<peer> <runs> runs in <s> s (loop <s> s, layout and write <s> s)".
"""
import sys
import time

import h5py
import numpy as np

A, B, C, EPS_GRAD, T = 1.0, 5.0, 10.0, 1e-7, 100
LRS = [0.01, 0.05, 0.1, 0.2, 0.5]
X0 = np.linspace(-10, 10, 10000)
B1, B2, EPS_ADAM, DIVERGENCE = 0.9, 0.999, 1e-8, 1e6


def grid(xp):
    """x0 and lr of each run, gd's runs then adam's, in gdsweep's order within each."""
    x0 = np.repeat(X0, len(LRS))
    lr = np.tile(LRS, len(X0))
    return xp(np.concatenate([x0, x0])), xp(np.concatenate([lr, lr])), len(x0)


def loss(x):
    return A * x * x + B * x + C


def loss_grad(x, numeric):
    if numeric:
        return loss(x), (loss(x + EPS_GRAD) - loss(x - EPS_GRAD)) / (2 * EPS_GRAD)
    return loss(x), 2 * A * x + B


def sweep(lib, numeric):
    """Every run for T iterations at once: arrays (T + 1, runs) of x, loss, grad norm,
    and each run's number of records (where the stop test ended it)."""
    xp = np.asarray if lib == "numpy" else lib.as_tensor
    x0, lr, half = grid(xp)
    n = x0.shape[0]
    empty = (lambda *s: np.empty(s)) if lib == "numpy" else lib.empty
    X, F, G = empty(T + 1, n), empty(T + 1, n), empty(T + 1, n)
    X[0] = x0
    m, v = empty(n - half), empty(n - half)
    m[:], v[:] = 0, 0
    for t in range(T + 1):
        x = X[t]
        F[t], g = loss_grad(x, numeric)
        G[t] = abs(g)
        if t == T:
            break
        X[t + 1, :half] = x[:half] - lr[:half] * g[:half]
        ga = g[half:]
        m[:] = B1 * m + (1 - B1) * ga
        v[:] = B2 * v + (1 - B2) * (ga * ga)
        mhat, vhat = m / (1 - B1 ** (t + 1)), v / (1 - B2 ** (t + 1))
        X[t + 1, half:] = x[half:] - lr[half:] * mhat / ((vhat ** 0.5) + EPS_ADAM)
    if lib != "numpy":
        X, F, G = X.numpy(), F.numpy(), G.numpy()
    f0 = F[0]
    stop = ~np.isfinite(F) | ~np.isfinite(G) | (F > f0 + DIVERGENCE * (abs(f0) + 1))
    stop[T] = True
    count = np.argmax(stop, axis=0) + 1
    return np.asarray(x0 if lib == "numpy" else x0.numpy()), np.asarray(
        lr if lib == "numpy" else lr.numpy()), X, F, G, count


def write(path, x0, lr, X, F, G, count):
    """The concatenated series (run after run) and the runs table, with h5py."""
    T1, n = X.shape
    keep = np.arange(T1)[:, None] < count[None, :]
    order = keep.T  # run-major
    offset = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)
    last = (count - 1, np.arange(n))
    with h5py.File(path, "w") as h:
        h["traj/loss"] = F.T[order]
        h["traj/grad_norm"] = G.T[order]
        h["path/x"] = X.T[order]
        h["final/x"] = X[last]
        h["runs/x0"] = x0
        h["runs/lr"] = lr
        h["runs/optimizer"] = np.repeat(np.array([0, 1], np.int8), n // 2)
        h["runs/traj_offset"] = offset
        h["runs/traj_count"] = count.astype(np.int64)
        h["runs/steps"] = (count - 1).astype(np.int64)
        h["runs/loss_final"] = F[last]
        h["runs/grad_norm_final"] = G[last]
        h["runs/status"] = (count <= T).astype(np.int8)


def main():
    peer, out = sys.argv[1], sys.argv[2]
    numeric = (sys.argv[3] if len(sys.argv) > 3 else "numeric") == "numeric"
    lib = "numpy"
    if peer == "torch":
        import torch
        torch.set_num_threads(1)
        torch.set_default_dtype(torch.float64)
        lib = torch
    t0 = time.perf_counter()
    x0, lr, X, F, G, count = sweep(lib, numeric)
    t1 = time.perf_counter()
    write(out, x0, lr, X, F, G, count)
    t2 = time.perf_counter()
    print(f"{peer} {len(x0)} runs in {t2 - t0:.3f} s (loop {t1 - t0:.3f} s, "
          f"layout and write {t2 - t1:.3f} s)")


if __name__ == "__main__":
    main()
