"""bench_numpy.py - benchmark 2: gdsweep against the seed article's NumPy loops.

Usage: /usr/bin/python3 bench/bench_numpy.py [GDSWEEP] [--threads 1,2]
GDSWEEP defaults to build/gdsweep. Writes small grid files to a temporary directory, runs
the real gdsweep binary on them with --threads 1 and 2, and times the same problems with
numpy_baseline.py (one thread: NumPy's element-wise operations do not use BLAS):
denoise 512x512 and 2048x2048 and curvefit 10^6 points of degree 2, plain GD.

gdsweep's time per iteration is (wall(2 + N) - wall(2)) / N from the wall_seconds of its
runs (measured inside the run loop: no setup, no file I/O), best of 3 instances each.
NumPy's is the article's loop (gradient + update) over N iterations, best of a few;
gdsweep's iteration also evaluates the loss and the gradient norm and records them.
First, both versions run a few iterations from the same instance (read back from
gdsweep's HDF5 file) and their final losses are compared.
"""
import argparse
import os
import platform
import subprocess
import sys
import tempfile

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy_baseline as nb  # noqa: E402

SHORT = 2  # iterations of the short run whose time is subtracted
REPEATS = 3

CHECK_GRID = """[sweep]
name = bench-numpy-check
iterations = 10

[problem dn]
type = denoise
size = 64
noise = 0.5
lambda = 0.1
tv_eps = 0.1

[problem cf]
type = curvefit
degree = 2
points = 1000

[optimizer gd]
lr = 0.1
problems = dn

[optimizer gd_cf]
type = gd
lr = 1e-4
problems = cf
"""

# (label, problem section body, N, NumPy timing, NumPy repeats)
CASES = [
    ("denoise 512x512", "type = denoise\nsize = 512\nnoise = 0.5\nlambda = 0.1\ntv_eps = 0.1",
     50, lambda n, r: nb.time_denoise(512, n, r), 3),
    ("denoise 2048x2048", "type = denoise\nsize = 2048\nnoise = 0.5\nlambda = 0.1\n"
     "tv_eps = 0.1", 10, lambda n, r: nb.time_denoise(2048, n, r), 2),
    ("curvefit 10^6 pts deg 2", "type = curvefit\ndegree = 2\npoints = 1000000",
     50, lambda n, r: nb.time_curvefit(10**6, n, r), 3),
]


def timing_grid():
    text = f"[sweep]\nname = bench-numpy\nrepeats = {REPEATS}\n\n"
    for k, (_, body, n, _, _) in enumerate(CASES):
        text += (f"[problem case{k}]\n{body}\niterations = {SHORT}, {SHORT + n}\n"
                 "save_final = false\n\n")
    denoise = ", ".join(f"case{k}" for k, c in enumerate(CASES) if "denoise" in c[1])
    curvefit = ", ".join(f"case{k}" for k, c in enumerate(CASES) if "curvefit" in c[1])
    return (text + f"[optimizer gd]\nlr = 0.1\nproblems = {denoise}\n\n"
            f"[optimizer gd_cf]\ntype = gd\nlr = 1e-4\nproblems = {curvefit}\n")


def run_gdsweep(gdsweep, tmp, name, text, threads):
    """Runs gdsweep on grid text; returns the open HDF5 file."""
    grid, out = os.path.join(tmp, name + ".ini"), os.path.join(tmp, name + ".h5")
    with open(grid, "w") as f:
        f.write(text)
    res = subprocess.run([gdsweep, grid, "-o", out, "--threads", str(threads), "--quiet",
                          "--overwrite"], capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"bench_numpy: {gdsweep} failed on {grid}:\n{res.stdout}{res.stderr}")
    return h5py.File(out, "r")


def rows(h5):
    runs = h5["runs"][:]
    return [{k: (runs[k][i].decode() if runs.dtype[k].kind == "S" else runs[k][i])
             for k in ("problem", "iterations", "instance", "wall_seconds", "loss_final",
                       "lr")} for i in range(len(runs))]


def check(gdsweep, tmp):
    """Final loss of gdsweep and of the NumPy loop from the same instance."""
    print("check: 10 GD iterations from the same instance (read from gdsweep's file)")
    with run_gdsweep(gdsweep, tmp, "check", CHECK_GRID, 1) as h5:
        ok = True
        for r in rows(h5):
            inst = h5["instances"][str(r["instance"])]
            n, lr = int(r["iterations"]), float(r["lr"])
            if r["problem"] == "dn":
                f = inst["noisy"][:]
                u = nb.denoise_gd(f, f, lr, n, 0.1, 0.1)
                ours, what = nb.denoise_cost(u, f, 0.1, 0.1), "denoise 64x64, lr 0.1"
            else:
                x, y = inst["x"][:], inst["y"][:]
                p = nb.fit_curve(inst["x0"][:], x, y, lr, n)
                ours, what = nb.cost(p, x, y), "curvefit 1000 pts, lr 1e-4"
            rel = abs(ours - r["loss_final"]) / abs(r["loss_final"])
            ok &= rel < 1e-10
            print(f"  {what:28s} gdsweep {r['loss_final']:.15g}  NumPy {ours:.15g}  "
                  f"rel. diff {rel:.1e}")
    print(f"  same loss to 1e-10: {'yes' if ok else 'NO'}")
    return ok


def gdsweep_times(gdsweep, tmp, threads):
    """Seconds per iteration per case label, for one thread count."""
    with run_gdsweep(gdsweep, tmp, f"time{threads}", timing_grid(), threads) as h5:
        best = {}
        for r in rows(h5):
            key = (r["problem"], int(r["iterations"]))
            best[key] = min(best.get(key, float("inf")), r["wall_seconds"])
    return {label: (best[(f"case{k}", SHORT + n)] - best[(f"case{k}", SHORT)]) / n
            for k, (label, _, n, _, _) in enumerate(CASES)}


def cpu_name():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def main(argv):
    ap = argparse.ArgumentParser(description="gdsweep against the article's NumPy loops")
    ap.add_argument("gdsweep", nargs="?", default="build/gdsweep", help="the gdsweep binary")
    ap.add_argument("--threads", default="1,2", help="gdsweep thread counts, e.g. 1,2,4")
    a = ap.parse_args(argv)
    gdsweep = os.path.abspath(a.gdsweep)
    threads = [int(t) for t in a.threads.split(",")]
    blas = {k: v for k, v in os.environ.items() if "OPENBLAS" in k or k == "OMP_NUM_THREADS"}
    print(f"CPU: {cpu_name()}, {os.cpu_count()} logical CPUs; load average "
          f"{os.getloadavg()[0]:.2f}")
    print(f"Python {platform.python_version()}, NumPy {np.__version__}; BLAS-related "
          f"environment: {blas or 'none'}")
    with tempfile.TemporaryDirectory(prefix="gd-bench-") as tmp:
        ok = check(gdsweep, tmp)
        ours = {t: gdsweep_times(gdsweep, tmp, t) for t in threads}
    print(f"\ntime per GD iteration (gdsweep: best of {REPEATS} instances; NumPy: the "
          "article's loop, one thread)")
    print(f"  {'case':26s} {'N':>4s} {'NumPy ms':>9s} {'threads':>7s} {'gdsweep ms':>10s} "
          f"{'speedup':>8s} {'per thread':>10s}")
    for label, _, n, numpy_time, reps in CASES:
        t_np = numpy_time(n, reps)
        for t in threads:
            s = t_np / ours[t][label]
            print(f"  {label:26s} {n:4d} {t_np * 1e3:9.2f} {t:7d} {ours[t][label] * 1e3:10.2f} "
                  f"{s:7.1f}x {s / t:9.1f}x")
    print("target: speedup per thread >= 10x on denoise")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
