"""bench_ml.py - one full-batch gradient step of logreg or softmax in NumPy and PyTorch.

The same step as bench_ml.c (float64, intercept column, l2 = 1e-3 on the other weights,
the loss computed too): w -= 0.1 * grad. Data: Gaussian features and random labels of the
same shape (the values do not change the time of a dense step). Prints
"numpy THREADS SECONDS" and "torch THREADS SECONDS" (best of REPEATS timings of ITERATIONS
steps), or "torch - not installed". Threads: OMP_NUM_THREADS / OPENBLAS_NUM_THREADS set by
bench_ml.sh before Python starts (NumPy), torch.set_num_threads (PyTorch).
Usage: bench_ml.py ROWS FEATURES CLASSES ITERATIONS REPEATS THREADS
"""
import sys
import time

import numpy as np

rows, features, classes, iterations, repeats, threads = (int(v) for v in sys.argv[1:7])
L2, LR = 1e-3, 0.1
rng = np.random.default_rng(1)
x = np.hstack([rng.normal(size=(rows, features)), np.ones((rows, 1))])
k = 1 if classes == 2 else classes
y = rng.integers(0, classes, rows).astype(float)
mask = np.ones((features + 1, k))
mask[-1] = 0


def numpy_step(w):
    z = x @ w
    if classes == 2:
        zz = z[:, 0]
        e = np.exp(-np.abs(zz))
        loss = np.mean(np.maximum(zz, 0) + np.log1p(e) - y * zz)
        r = np.where(zz >= 0, 1, e) / (1 + e) - y
        g = x.T @ r[:, None] / rows
    else:
        top = z.max(1, keepdims=True)
        p = np.exp(z - top)
        s = p.sum(1, keepdims=True)
        loss = np.mean(top[:, 0] + np.log(s[:, 0]) - z[np.arange(rows), y.astype(int)])
        p /= s
        p[np.arange(rows), y.astype(int)] -= 1
        g = x.T @ p / rows
    loss += L2 * np.sum((w * mask) ** 2)
    g += 2 * L2 * mask * w
    w -= LR * g
    return loss


def best_time(step, fresh):
    best = float("inf")
    for _ in range(repeats):
        w = fresh()
        t0 = time.perf_counter()
        for _ in range(iterations):
            step(w)
        best = min(best, (time.perf_counter() - t0) / iterations)
    return best


print(f"numpy {threads} {best_time(numpy_step, lambda: np.zeros((features + 1, k))):.6g}")

try:
    import torch
except ImportError:
    print("torch - not installed")
    sys.exit(0)

torch.set_num_threads(threads)
tx, ty = torch.from_numpy(x), torch.from_numpy(y)
tmask = torch.from_numpy(mask)


def torch_step(w):
    w.requires_grad_(True)
    z = tx @ w
    if classes == 2:
        loss = torch.nn.functional.binary_cross_entropy_with_logits(z[:, 0], ty)
    else:
        loss = torch.nn.functional.cross_entropy(z, ty.long())
    loss = loss + L2 * torch.sum((w * tmask) ** 2)
    (g,) = torch.autograd.grad(loss, w)
    with torch.no_grad():
        w -= LR * g
    w.requires_grad_(False)
    return loss


print(f"torch {threads} "
      f"{best_time(torch_step, lambda: torch.zeros(features + 1, k, dtype=torch.float64)):.6g}")
