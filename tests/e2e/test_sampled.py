#!/usr/bin/python3
"""test_sampled.py - sampled designs end to end: the runs table's sampled values equal an
independent computation (scipy.stats.qmc for unscrambled Sobol and Halton, the scrambles and
Philox written out here in numpy), for every sampler; a sampled sweep is bit-identical on
1, 2 and 3 ranks and after kill/resume; its shards merge to the one-job file; the output
names the design; bad distributions exit 2 naming the grid's file:line; dry-run prints it.

The key of a section's design is gd_rng_key_make(seed, "design/KIND/LABEL", NULL, 0, 0)
(docs/GRID.md); analysis/stats.py transcribes Philox and the key independently of C."""
import math
import os
import sys
import time
import warnings

import h5py
import numpy as np
from scipy.stats import qmc

import gdtest
from gdtest import check, runs_table, sweep, sweep_differences, write_grid

sys.path.insert(0, gdtest.SOURCE)
from analysis import stats  # noqa: E402

warnings.simplefilter("ignore")  # scipy: "balance properties of Sobol' points require n = 2^m"

SEED = 11
N = 40
GRID = """
[sweep]
seed = {seed}
samples = {n}
sampler = {sampler}
iterations = {iterations}
[problem q]
type = quadratic
[problem p]
type = quadratic
x0 = uniform(-5, 5)
[optimizer adam]
problems = q
lr = loguniform(1e-4, 0.5)
beta1 = uniform(0.5, 0.99)
schedule = choice(constant, cosine)
lr_min = 0, 0.001
[optimizer gd]
problems = p
lr = 0.1
"""
SAMPLERS = ["sobol", "halton", "random", "sobol-unscrambled", "halton-unscrambled"]
PRIMES = [2, 3, 5, 7, 11]


def key(kind, label):
    return stats.rng_key(SEED, f"design/{kind}/{label}", 0)


def shift_uniform(k, j, index):
    return stats.uniform(k, 256 + j, np.asarray(index, np.uint64))


def sobol_units(sampler, kind, label, d):
    """The N x d unit points: scipy's unscrambled Sobol (30 bits), XOR a 32-bit shift."""
    x = np.rint(qmc.Sobol(d, scramble=False).random(N) * 2.0 ** 30).astype(np.uint64) << 2
    if sampler == "sobol":
        shift = [int(shift_uniform(key(kind, label), j, [0])[0] * 2.0 ** 32) for j in range(d)]
        x = x ^ np.array(shift, np.uint64)
    return x.astype(float) * 2.0 ** -32


def halton_exact(kind, label, d, scrambled):
    """Each base-p digit of k (plus a random digit mod p when scrambled), L digits
    (p^L <= 2^53), mirrored: an integer over p^L, divided once (correctly rounded)."""
    out = np.zeros((N, d))
    for j in range(d):
        p = PRIMES[j]
        digits = max(L for L in range(1, 60) if p ** L <= 2 ** 53)
        shift = (shift_uniform(key(kind, label), j, range(digits)) * p).astype(int)
        shift = shift if scrambled else 0 * shift
        for k in range(N):
            r, kk = 0, k
            for level in range(digits):
                r = r * p + (kk % p + int(shift[level])) % p
                kk //= p
            out[k, j] = r / p ** digits
    return out


def units(sampler, kind, label, d):
    if sampler.startswith("sobol"):
        return sobol_units(sampler, kind, label, d)
    if sampler.startswith("halton"):
        exact = halton_exact(kind, label, d, sampler == "halton")
        if sampler == "halton-unscrambled":  # scipy's float digits agree to rounding
            scipy_points = qmc.Halton(d, scramble=False).random(N)
            check(np.allclose(scipy_points, exact, rtol=0, atol=1e-15),
                  f"{kind} {label}: exact radical inverses = scipy's Halton (atol 1e-15)")
        return exact
    return np.stack([stats.uniform(key(kind, label), j, np.arange(N)) for j in range(d)], 1)


def clamp(v, a, b):
    return np.minimum(np.maximum(v, a), b)


def check_values(sampler, out):
    t = runs_table(out)
    adam = np.flatnonzero(t["optimizer"] == "adam")
    u = units(sampler, "optimizer", "adam", 3)
    k = np.arange(len(adam)) // 2  # the design stands at lr; lr_min (2 values) is faster
    lr = clamp(np.exp(math.log(1e-4) + u[k, 0] * (math.log(0.5) - math.log(1e-4))), 1e-4, 0.5)
    beta1 = clamp(0.5 + u[k, 1] * (0.99 - 0.5), 0.5, 0.99)
    schedule = np.where(u[k, 2] < 0.5, "constant", "cosine")
    check(len(adam) == 2 * N and np.allclose(t["lr"][adam], lr, rtol=1e-13, atol=0),
          f"{sampler}: adam's lr = loguniform(1e-4, 0.5) at every point (rtol 1e-13)")
    check(np.array_equal(t["beta1"][adam], beta1),
          f"{sampler}: adam's beta1 = uniform(0.5, 0.99), bit for bit")
    check(np.array_equal(t["schedule"][adam], schedule),
          f"{sampler}: adam's schedule = choice(constant, cosine) at every point")
    cosine = schedule == "cosine"
    check(np.array_equal(t["lr_min"][adam][cosine], np.tile([0, 0.001], N)[cosine]),
          f"{sampler}: lr_min's grid crosses the design")
    gd = np.flatnonzero(t["optimizer"] == "gd")
    x0 = clamp(-5 + units(sampler, "problem", "p", 1)[:, 0] * 10, -5, 5)
    check(len(gd) == N and np.array_equal(t["x0"][gd], x0),
          f"{sampler}: [problem p]'s x0 = uniform(-5, 5), one instance per point")
    check(len(np.unique(t["instance"][gd])) == N, f"{sampler}: {N} instances of [problem p]")


def check_attribute(out):
    with h5py.File(out, "r") as f:
        lines = gdtest.text(f.attrs["design"]).splitlines()
    check(lines[:2] == ["sampler\tsobol", f"samples\t{N}"] and
          "optimizer\tadam\tlr\tloguniform(0.0001, 0.5)\t0" in lines and
          "problem\tp\tx0\tuniform(-5, 5)\t0" in lines,
          f"the output's design attribute names the sampler, N and each key: {lines}")


def grid_text(sampler="sobol", iterations=30):
    return GRID.format(seed=SEED, n=N, sampler=sampler, iterations=iterations)


def check_ranks(d, ref):
    grid = write_grid(d, "ranks", grid_text())
    for ranks in (2, 3):
        out = os.path.join(d, f"ranks{ranks}.h5")
        sweep(grid, out, "--threads", "1", mpi_ranks=ranks)
        diffs = sweep_differences(ref, out)
        check(not diffs, f"{ranks} ranks: bit-identical to one process {diffs[:3]}")


def check_shards(d, ref, grid):
    shards = []
    for k in (1, 2, 3):
        shards.append(os.path.join(d, f"shard{k}.h5"))
        sweep(grid, shards[-1], "--shard", f"{k}/3")
    merged = os.path.join(d, "merged.h5")
    gdtest.gdsweep("merge", merged, *shards)
    diffs = sweep_differences(ref, merged)
    check(not diffs, f"3 shards merge to the one-job file {diffs[:3]}")
    check_attribute(merged)


def check_kill_resume(d):
    grid = write_grid(d, "kill", grid_text(iterations=20000))
    ref = os.path.join(d, "kill_ref.h5")
    t0 = time.time()
    sweep(grid, ref, "--threads", "1")
    full = time.time() - t0
    out = os.path.join(d, "killed.h5")
    committed, total = gdtest.kill_mid_sweep(grid, out, "--threads", "1", after=0.05,
                                             commit_seconds=0.02, need_some=True)
    p = sweep(grid, out, "--threads", "1", "--resume")
    diffs = sweep_differences(ref, out)
    check(p.returncode == 0 and 0 < committed < total == 3 * N and not diffs,
          f"killed after {committed} of {total} runs ({full:.1f} s in all), resumed: "
          f"bit-identical {diffs[:3]}")


def check_errors(d):
    bad = [("lr = loguniform(1e-4, 0.5)", "lr = uniform(1)", "lr", "2 arguments"),
           ("lr = loguniform(1e-4, 0.5)", "lr = loguniform(0, 1)", "lr", "out of range"),
           ("x0 = uniform(-5, 5)", "x0 = loguniform(-1, 1)", "x0", "a must be > 0"),
           ("lr = loguniform(1e-4, 0.5)", "lr = uniform(0.5, 0.1)", "lr", "less than b"),
           ("x0 = uniform(-5, 5)", "x0 = intuniform(-5, 5)", "x0", "does not fit")]
    for old, new, name, words in bad:
        text = grid_text().replace(old, new)
        grid = write_grid(d, "bad", text)
        line = text[:text.index(new)].count("\n") + 1
        gdtest.check_bad_file(grid, line, name, words)


def check_dry_run(d):
    grid = write_grid(d, "dry", grid_text("sobol-unscrambled"))
    p = gdtest.gdsweep(grid, "--dry-run")
    lines = p.stdout.splitlines()
    at = [i for i, s in enumerate(lines) if s.startswith("design of [optimizer adam]")]
    ok = len(at) == 1 and "sobol-unscrambled, 40 points" in lines[at[0]]
    rows = lines[at[0] + 5:at[0] + 10] if ok else []
    first = [r.split() for r in rows]
    ok = ok and len(first) == 5 and first[0] == ["0", "0.0001", "0.5", "constant"] and \
        first[1][3] == "cosine"
    check(ok, f"dry-run prints adam's design and its first 5 points: {lines[at[0]:] if at else lines}")
    verbose = gdtest.gdsweep(grid, "--dry-run", "-v").stdout.splitlines()
    want = {"  lr = loguniform(0.0001, 0.5)", "  beta1 = uniform(0.5, 0.99)",
            "  schedule = choice(constant, cosine)", "  x0 = uniform(-5, 5)"}
    got = {s.split("   (sampled")[0] for s in verbose if "(sampled: " in s}
    check(got == want and "  lr_min = 0, 0.001   (2 values)" in verbose,
          f"dry-run -v names each sampled key's distribution (not its arguments as values) and "
          f"lists the grid keys: {got}")


def main():
    d = gdtest.workdir()
    for sampler in SAMPLERS:
        out = os.path.join(d, f"{sampler}.h5")
        sweep(write_grid(d, sampler, grid_text(sampler)), out)
        check_values(sampler, out)
    ref = os.path.join(d, "sobol.h5")
    check_attribute(ref)
    check_ranks(d, ref)
    check_shards(d, ref, os.path.join(d, "sobol.ini"))
    check_kill_resume(d)
    check_errors(d)
    check_dry_run(d)
    gdtest.finish()


main()
