"""bench_numpy.py - benchmark 2: gdsweep against the seed article's NumPy loops and fairer peers.

Usage: /usr/bin/python3 bench/bench_numpy.py [GDSWEEP] [--threads 1,2] [--rounds R]
GDSWEEP defaults to build/gdsweep. Writes small grid files to a temporary directory, runs
the real gdsweep binary on them with --threads 1 and 2, and times the same problems in
peers, each in its own process (bench/time_peer.py): the article's NumPy loops
(numpy_baseline.py), and the fairer ones of fair_peers.py: curvefit with a Vandermonde
matrix and BLAS, PyTorch with in-place buffers (denoise and curvefit); denoise 512x512
and 2048x2048 and curvefit 10^6 points of degree 2, plain GD.

Peers run with a warm allocator (bench/warm_malloc.env: glibc keeps freed arrays for
reuse instead of returning them to the kernel; PEER_MALLOC=default for glibc's
defaults, where every large temporary page-faults anew) and one thread (torch set to
1, OPENBLAS_NUM_THREADS and OMP_NUM_THREADS 1 unless set); gdsweep runs as it is.

gdsweep's time per iteration is (wall(2 + N) - wall(2)) / N from the wall_seconds of its
runs (measured inside the run loop: no setup, no file I/O), best of 3 instances each.
A peer's is its loop over N iterations after one discarded iteration, best of a few;
gdsweep's iteration also evaluates the loss and the gradient norm and records them.
R rounds (default 1) repeat every timing, interleaved; with R > 1 the ratios' best and
median follow. First, every peer runs a few iterations from the same instance as
gdsweep (read back from gdsweep's HDF5 file) and the final losses are compared.
"""
import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fair_peers as fp  # noqa: E402
import numpy_baseline as nb  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

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

# (label, problem section body, N, size, peers (time_peer.py names), peer repeats)
DENOISE = "type = denoise\nsize = {}\nnoise = 0.5\nlambda = 0.1\ntv_eps = 0.1"
CASES = [
    ("denoise 512x512", DENOISE.format(512), 50, 512,
     ["article-denoise", "torch-denoise"], 3),
    ("denoise 2048x2048", DENOISE.format(2048), 10, 2048,
     ["article-denoise", "torch-denoise"], 2),
    ("curvefit 10^6 pts deg 2", "type = curvefit\ndegree = 2\npoints = 1000000", 50, 10**6,
     ["article-curvefit", "vander-curvefit", "torch-curvefit"], 3),
]


def timing_grid():
    text = f"[sweep]\nname = bench-numpy\nrepeats = {REPEATS}\n\n"
    for k, (_, body, n, _, _, _) in enumerate(CASES):
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


def torch_or_none():
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch


def peer_losses(r, inst, n, lr):
    """(peer, final loss) of every peer loop run n iterations from gdsweep's instance."""
    torch = torch_or_none()
    if r["problem"] == "dn":
        f = inst["noisy"][:]
        finals = [("article-denoise", nb.denoise_gd(f, f, lr, n, 0.1, 0.1))]
        if torch:
            finals.append(("torch-denoise", fp.torch_denoise_loop(torch, f, lr, 0.1, 0.1)(n)))
        return [(peer, nb.denoise_cost(u, f, 0.1, 0.1)) for peer, u in finals]
    x, y, p0 = inst["x"][:], inst["y"][:], inst["x0"][:]
    finals = [("article-curvefit", nb.fit_curve(p0, x, y, lr, n)),
              ("vander-curvefit", fp.vander_fit(p0, x, y, lr, n))]
    if torch:
        finals.append(("torch-curvefit", fp.torch_curvefit_loop(torch, p0, x, y, lr)(n)))
    return [(peer, nb.cost(p, x, y)) for peer, p in finals]


def check(gdsweep, tmp):
    """Final loss of gdsweep and of every peer loop from the same instance."""
    print("check: 10 GD iterations from the same instance (read from gdsweep's file)")
    with run_gdsweep(gdsweep, tmp, "check", CHECK_GRID, 1) as h5:
        ok = True
        for r in rows(h5):
            inst = h5["instances"][str(r["instance"])]
            for peer, ours in peer_losses(r, inst, int(r["iterations"]), float(r["lr"])):
                rel = abs(ours - r["loss_final"]) / abs(r["loss_final"])
                ok &= rel < 1e-10
                print(f"  {peer:18s} gdsweep {r['loss_final']:.15g}  peer {ours:.15g}  "
                      f"rel. diff {rel:.1e}")
    print(f"  same loss to 1e-10: {'yes' if ok else 'NO'}")
    return ok


def peer_environment():
    """The environment of a peer process: one thread, and the warm allocator unless
    PEER_MALLOC=default. Returns (env, a line saying how)."""
    env = dict(os.environ)
    for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        env.setdefault(k, "1")
    if os.environ.get("PEER_MALLOC", "warm") == "default":
        return env, "peers' allocator: glibc defaults (PEER_MALLOC=default)"
    with open(os.path.join(HERE, "warm_malloc.env")) as f:
        warm = dict(line.strip().split("=", 1) for line in f
                    if line.strip() and not line.startswith("#"))
    env.update(warm)
    return env, ("peers' allocator: warm (" + " ".join(f"{k}={v}" for k, v in warm.items())
                 + ", bench/warm_malloc.env), after one discarded iteration")


def peer_seconds(peer, size, n, repeats, env):
    """Seconds per iteration of one peer, timed in its own process."""
    res = subprocess.run([sys.executable, os.path.join(HERE, "time_peer.py"), peer, str(size),
                          str(n), str(repeats)], env=env, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"bench_numpy: {peer} failed:\n{res.stdout}{res.stderr}")
    return float(res.stdout.split()[-1])


def gdsweep_times(gdsweep, tmp, threads):
    """Seconds per iteration per case label, for one thread count."""
    with run_gdsweep(gdsweep, tmp, f"time{threads}", timing_grid(), threads) as h5:
        best = {}
        for r in rows(h5):
            key = (r["problem"], int(r["iterations"]))
            best[key] = min(best.get(key, float("inf")), r["wall_seconds"])
    return {label: (best[(f"case{k}", SHORT + n)] - best[(f"case{k}", SHORT)]) / n
            for k, (label, _, n, _, _, _) in enumerate(CASES)}


def cpu_name():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def available(peers):
    """The peers that can run here (torch ones only where torch imports)."""
    have_torch = torch_or_none() is not None
    return [p for p in peers if have_torch or not p.startswith("torch")]


def one_round(gdsweep, tmp, threads, env):
    """{(label, peer, threads): (peer s, gdsweep s)} for every case, interleaved."""
    ours = {t: gdsweep_times(gdsweep, tmp, t) for t in threads}
    out = {}
    for label, _, n, size, peers, reps in CASES:
        for peer in available(peers):
            t_peer = peer_seconds(peer, size, n, reps, env)
            for t in threads:
                out[(label, peer, t)] = (t_peer, ours[t][label])
    return out


def print_round(k, result):
    print(f"\nround {k}: time per GD iteration (gdsweep: best of {REPEATS} instances; peers: "
          "one thread)")
    print(f"  {'case':24s} {'peer':17s} {'peer ms':>8s} {'threads':>7s} {'gdsweep ms':>10s} "
          f"{'speedup':>8s} {'per thread':>10s}")
    for (label, peer, t), (t_peer, t_ours) in result.items():
        s = t_peer / t_ours
        print(f"  {label:24s} {peer:17s} {t_peer * 1e3:8.2f} {t:7d} {t_ours * 1e3:10.2f} "
              f"{s:7.1f}x {s / t:9.1f}x")


def print_summary(results):
    """Per-thread speedups over the rounds, and the ratio of each side's best time (on a
    loaded machine each side's least disturbed figure)."""
    print(f"\nper-thread speedup over {len(results)} rounds: best, median (min-max); "
          "ratio of the bests (best peer ms / best gdsweep ms)")
    for key in results[0]:
        label, peer, t = key
        per = sorted(r[key][0] / r[key][1] / t for r in results)
        peer_best, ours_best = (min(r[key][k] for r in results) for k in (0, 1))
        print(f"  {label:24s} {peer:17s} {t} thread(s)  {per[-1]:5.1f}x, "
              f"{statistics.median(per):5.1f}x ({per[0]:.1f}-{per[-1]:.1f}); bests "
              f"{peer_best * 1e3:.2f} / {ours_best * 1e3:.2f} ms = "
              f"{peer_best / ours_best / t:.1f}x per thread")


def main(argv):
    ap = argparse.ArgumentParser(description="gdsweep against the article's NumPy loops")
    ap.add_argument("gdsweep", nargs="?", default="build/gdsweep", help="the gdsweep binary")
    ap.add_argument("--threads", default="1,2", help="gdsweep thread counts, e.g. 1,2,4")
    ap.add_argument("--rounds", type=int, default=1, help="interleaved rounds of timings")
    a = ap.parse_args(argv)
    gdsweep = os.path.abspath(a.gdsweep)
    threads = [int(t) for t in a.threads.split(",")]
    env, how = peer_environment()
    blas = {k: env[k] for k in env if "OPENBLAS" in k or k == "OMP_NUM_THREADS"}
    print(f"CPU: {cpu_name()}, {os.cpu_count()} logical CPUs; load average "
          f"{os.getloadavg()[0]:.2f}")
    print(f"Python {platform.python_version()}, NumPy {np.__version__}; peers' BLAS-related "
          f"environment: {blas}; {how}")
    results = []
    with tempfile.TemporaryDirectory(prefix="gd-bench-") as tmp:
        ok = check(gdsweep, tmp)
        for k in range(1, a.rounds + 1):
            results.append(one_round(gdsweep, tmp, threads, env))
            print_round(k, results[-1])
            print(f"  load average {os.getloadavg()[0]:.2f}")
    if a.rounds > 1:
        print_summary(results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
