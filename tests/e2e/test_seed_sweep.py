#!/usr/bin/python3
"""test_seed_sweep.py - runs experiments/seed.ini with the real binary and checks the file.

Expected values come from tests/reference/article_quadratic.py (the article's own code),
run here independently, and from the article's settings."""
import os
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from gdtest import SOURCE, check, finish, gdsweep, runs_table, trajectory, workdir  # noqa: E402

grid = os.path.join(SOURCE, "experiments", "seed.ini")
out = os.path.join(workdir(), "seed.h5")
p = gdsweep(grid, "-o", out)
check("wrote " in p.stdout and out in p.stdout, "the run says where the file is")

ref = subprocess.run(["/usr/bin/python3", os.path.join(SOURCE, "tests/reference/article_quadratic.py")],
                     capture_output=True, text=True, check=True).stdout
expected = {line.split()[0]: float(line.split()[3]) for line in ref.splitlines()}

runs = runs_table(out)
with h5py.File(out, "r") as f:
    check(f.attrs["grid_text"].decode() == open(grid).read(), "grid text stored verbatim")
    check(len(f.attrs["grid_hash"]) == 64, "grid hash is a sha256 hex digest")
    check(int(f.attrs["format_version"]) >= 1, "format version stored")
    n = len(runs["run_id"])
    check(n == 10, f"seed.ini has 10 runs (got {n})")
    check(bool(np.all(runs["written"] == 1)), "every run written")
    check(list(runs["run_id"]) == list(range(n)), "row i is run i")

    def row(problem, optimizer):
        idx = np.where((runs["problem"] == problem) & (runs["optimizer"] == optimizer))[0]
        check(len(idx) == 1, f"one run of {problem} x {optimizer}")
        return int(idx[0])

    for opt, key in [("gd", "gd"), ("adaptive", "adaptive"), ("momentum", "momentum"),
                     ("nag", "nag"), ("adagrad", "adagrad"), ("rmsprop", "rmsprop"), ("adam", "adam")]:
        i = row("quad", opt)
        o, c = int(runs["final_offset"][i]), int(runs["final_count"][i])
        x = f["final/x"][o:o + c][0]
        check(abs(x - expected[key]) <= 1e-8 * max(1, abs(expected[key])),
              f"quad/{opt}: final x {x!r} matches the article's {expected[key]!r}")
        check(int(runs["steps"][i]) == 100, f"quad/{opt}: 100 steps")
        check(len(trajectory(f, runs, i)) == 101, f"quad/{opt}: 101 recorded points")
    i = row("quad", "gd")
    o = int(runs["final_offset"][i])
    check(abs(f["final/x"][o] + 2.5) < 1e-6, "GD from 5, lr 0.1, 100 steps ends within 1e-6 of -2.5")
    i = row("quad_path", "gd")
    o = int(runs["final_offset"][i])
    check(abs(f["final/x"][o] - expected["gd_50"]) < 1e-9, "the 50-step path run matches the article")
    po, pc = int(runs["path_offset"][i]), int(runs["path_count"][i])
    check(pc == 51 and f["path/x"][po] == 5.0, "the path starts at x0 = 5 and has 51 points")

    i = row("denoise", "denoise_gd")
    inst = f["instances/%d" % runs["instance"][i]]
    noisy, clean = inst["noisy"][:], inst["clean"][:]
    mse0 = np.mean((noisy - clean) ** 2)
    psnr0 = 10 * np.log10((clean.max() - clean.min()) ** 2 / mse0)
    check(noisy.shape == (100, 100), "denoise instance stores the 100x100 noisy image")
    check(runs["psnr"][i] > psnr0, f"denoising raises PSNR ({psnr0:.3f} -> {runs['psnr'][i]:.3f} dB)")
    fo, fc = int(runs["final_offset"][i]), int(runs["final_count"][i])
    u = f["final/x"][fo:fo + fc]
    psnr = 10 * np.log10((clean.max() - clean.min()) ** 2 / np.mean((u - clean.ravel()) ** 2))
    check(abs(psnr - runs["psnr"][i]) < 1e-9, "stored PSNR agrees with the stored final image")

    i = row("curvefit", "fit_gd")
    inst = f["instances/%d" % runs["instance"][i]]
    xs, ys = inst["x"][:], inst["y"][:]
    opt = np.polyfit(xs, ys, 2)
    check(np.allclose(inst["x_opt"][:], opt, rtol=1e-8), "stored least-squares optimum equals numpy.polyfit")
    check(runs["gap"][i] > 0, "lr 1e-4 x 1000 does not reach the least-squares fit (NOTES.md)")
    check(int(runs["steps"][i]) == 1000, "curve fit took 1000 steps")
finish()
