"""bench_sgd.py - minibatch logistic (CLASSES = 2) or softmax regression in a PyTorch loop,
the counterpart of `bench_ml -k CLASSES -b BATCH` (gdsweep's run loop).

Per iteration, as gdsweep does: the next BATCH rows of a permutation drawn each epoch
(torch.randperm), their rows gathered (X with a last column of ones, the intercept), the
mean log-loss (binary_cross_entropy_with_logits, weights w of FEATURES + 1) or mean
cross-entropy (cross_entropy, weights W of (FEATURES + 1) x CLASSES), plus l2 = 1e-3 times
the sum of squares of the weights outside the intercept row, backward, and one step of
torch.optim.SGD or torch.optim.Adam (lr 0.01), float64, CPU, torch.set_num_threads(THREADS).
Prints "torch-sgd THREADS SECONDS_PER_ITERATION" and "torch-adam ..." (the best of REPEATS
timings of ITERATIONS iterations, in process CPU seconds as bench_ml's), or "torch - not installed".
Usage: bench_sgd.py ROWS FEATURES CLASSES BATCH ITERATIONS REPEATS THREADS
"""
import sys
import time

import numpy as np

rows, features, classes, batch, iterations, repeats, threads = (int(v) for v in sys.argv[1:8])
L2, LR = 1e-3, 0.01
try:
    import torch
except ImportError:
    print("torch - not installed")
    sys.exit(0)

torch.set_num_threads(threads)
rng = np.random.default_rng(1)
x = torch.from_numpy(np.hstack([rng.normal(size=(rows, features)), np.ones((rows, 1))]))
binary = classes == 2
labels = rng.integers(0, classes, rows)
y = torch.from_numpy(labels.astype(float) if binary else labels)
shape = (features + 1,) if binary else (features + 1, classes)
mask = torch.ones(shape, dtype=torch.float64)
mask[-1] = 0
torch.manual_seed(1)


def data_loss(z, target):
    if binary:
        return torch.nn.functional.binary_cross_entropy_with_logits(z, target)
    return torch.nn.functional.cross_entropy(z, target)


def run(make_optimizer):
    w = torch.zeros(shape, dtype=torch.float64, requires_grad=True)
    opt = make_optimizer([w])
    per_epoch = (rows + batch - 1) // batch
    perm = None
    t0 = time.process_time()
    for t in range(iterations):
        k = t % per_epoch
        if k == 0:
            perm = torch.randperm(rows)
        idx = perm[k * batch:(k + 1) * batch]
        opt.zero_grad()
        loss = data_loss(x[idx] @ w, y[idx]) + L2 * torch.sum((w * mask) ** 2)
        loss.backward()
        opt.step()
    return (time.process_time() - t0) / iterations


for name, make in (("sgd", lambda p: torch.optim.SGD(p, lr=LR)),
                   ("adam", lambda p: torch.optim.Adam(p, lr=LR))):
    print(f"torch-{name} {threads} {min(run(make) for _ in range(repeats)):.6g}")
