"""time_peer.py - seconds per GD iteration of one benchmark-2 peer, in its own process.

Usage: /usr/bin/python3 bench/time_peer.py PEER SIZE ITERATIONS REPEATS
PEER: article-denoise, article-curvefit (numpy_baseline.py), vander-curvefit,
torch-denoise, torch-curvefit (fair_peers.py). SIZE: the image side or the points.
bench_numpy.py runs it with the peer environment of bench/warm_malloc.env (or without,
PEER_MALLOC=default), so that the allocator state is the process's own. Prints the best
seconds per iteration after one discarded warm-up iteration
(numpy_baseline.seconds_per_iteration). Threads: NumPy's element-wise code uses one;
torch is set to one; BLAS follows OPENBLAS_NUM_THREADS / OMP_NUM_THREADS (the caller
sets 1).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fair_peers as fp  # noqa: E402
import numpy_baseline as nb  # noqa: E402

LR_DENOISE, LAM, EPS, LR_CURVEFIT = 0.1, 0.1, 0.1, 1e-4


def torch1():
    import torch
    torch.set_num_threads(1)
    return torch


def loop_of(peer, size):
    if peer == "article-denoise":
        noisy = nb.denoise_instance(size)
        return lambda n: nb.denoise_gd(noisy, noisy, LR_DENOISE, n, LAM, EPS)
    if peer == "torch-denoise":
        return fp.torch_denoise_loop(torch1(), nb.denoise_instance(size), LR_DENOISE, LAM, EPS)
    x, y, p0 = nb.curvefit_instance(size)
    if peer == "article-curvefit":
        return lambda n: nb.fit_curve(p0, x, y, LR_CURVEFIT, n)
    if peer == "vander-curvefit":
        return fp.vander_loop(p0, x, y, LR_CURVEFIT)
    if peer == "torch-curvefit":
        return fp.torch_curvefit_loop(torch1(), p0, x, y, LR_CURVEFIT)
    sys.exit(f"time_peer: unknown peer {peer}")


def main(argv):
    peer, size, iterations, repeats = argv[0], int(argv[1]), int(argv[2]), int(argv[3])
    print(f"{nb.seconds_per_iteration(loop_of(peer, size), iterations, repeats):.9g}")


if __name__ == "__main__":
    main(sys.argv[1:])
