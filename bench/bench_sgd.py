"""bench_sgd.py - minibatch logistic regression in a PyTorch loop, the counterpart of
`bench_ml -b BATCH` (gdsweep's run loop).

Per iteration, as gdsweep does: the next BATCH rows of a permutation drawn each epoch
(torch.randperm), their rows gathered, the mean log-loss (binary_cross_entropy_with_logits)
plus l2 = 1e-3 on the weights outside the intercept, backward, and one step of
torch.optim.SGD or torch.optim.Adam (lr 0.01), float64, CPU, torch.set_num_threads(THREADS).
Prints "torch-sgd THREADS SECONDS_PER_ITERATION" and "torch-adam ..." (the best of REPEATS
timings of ITERATIONS iterations), or "torch - not installed".
Usage: bench_sgd.py ROWS FEATURES BATCH ITERATIONS REPEATS THREADS
"""
import sys
import time

import numpy as np

rows, features, batch, iterations, repeats, threads = (int(v) for v in sys.argv[1:7])
L2, LR = 1e-3, 0.01
try:
    import torch
except ImportError:
    print("torch - not installed")
    sys.exit(0)

torch.set_num_threads(threads)
rng = np.random.default_rng(1)
x = torch.from_numpy(np.hstack([rng.normal(size=(rows, features)), np.ones((rows, 1))]))
y = torch.from_numpy(rng.integers(0, 2, rows).astype(float))
mask = torch.ones(features + 1, dtype=torch.float64)
mask[-1] = 0
torch.manual_seed(1)


def run(make_optimizer):
    w = torch.zeros(features + 1, dtype=torch.float64, requires_grad=True)
    opt = make_optimizer([w])
    per_epoch = (rows + batch - 1) // batch
    perm = None
    t0 = time.perf_counter()
    for t in range(iterations):
        k = t % per_epoch
        if k == 0:
            perm = torch.randperm(rows)
        idx = perm[k * batch:(k + 1) * batch]
        opt.zero_grad()
        z = x[idx] @ w
        loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y[idx]) + \
            L2 * torch.sum((w * mask) ** 2)
        loss.backward()
        opt.step()
    return (time.perf_counter() - t0) / iterations


for name, make in (("sgd", lambda p: torch.optim.SGD(p, lr=LR)),
                   ("adam", lambda p: torch.optim.Adam(p, lr=LR))):
    print(f"torch-{name} {threads} {min(run(make) for _ in range(repeats)):.6g}")
