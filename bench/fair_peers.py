"""fair_peers.py - benchmark 2's fairer peers: the same GD loops written as a careful user would.

Next to the seed article's NumPy code (numpy_baseline.py), for the same problems and
instances:
  - curvefit in NumPy with a Vandermonde matrix built once, (x^2, x, 1) per row, and BLAS
    matrix-vector products into a preallocated residual: r = V p - y, g = (2/n) V^T r;
  - denoise and curvefit in PyTorch (float64, the caller sets its threads) with every
    buffer allocated once and every operation in place (`out=`, `sub_`, `addcmul_`, ...):
    the same forward differences, flux, divergence and update as numpy_baseline.py, and
    the same Vandermonde products for curvefit.
Each *_loop returns a loop(n) for numpy_baseline.seconds_per_iteration that runs n steps
from the start and returns the final parameters (or image) as a NumPy array; vander_fit
runs one such loop.
"""
import numpy as np


# ---- curvefit: Vandermonde matrix and BLAS --------------------------------------------

def vander_loop(initial_params, x, y, learning_rate):
    """loop(n): n GD steps from initial_params with V built once; returns the params."""
    v = np.vander(x, 3)
    r = np.empty_like(y)
    scale = learning_rate * 2.0 / len(y)

    def loop(n):
        params = np.array(initial_params, dtype=float)
        for _ in range(n):
            np.dot(v, params, out=r)
            np.subtract(r, y, out=r)
            params -= scale * np.dot(v.T, r)
        return params
    return loop


def vander_fit(initial_params, x, y, learning_rate, num_iterations):
    return vander_loop(initial_params, x, y, learning_rate)(num_iterations)


# ---- PyTorch with in-place buffers ----------------------------------------------------

def torch_denoise_loop(torch, noisy, learning_rate, lam, eps):
    """loop(n): n GD steps of the TV energy from the noisy image, in place."""
    f = torch.from_numpy(np.ascontiguousarray(noisy))
    u, dx, dy, s, div, g = (torch.zeros_like(f) for _ in range(6))

    def step():
        torch.sub(u[:, 1:], u[:, :-1], out=dx[:, :-1])  # dx[:, -1] stays 0
        torch.sub(u[1:], u[:-1], out=dy[:-1])           # dy[-1] stays 0
        torch.mul(dx, dx, out=s).addcmul_(dy, dy).add_(eps * eps).sqrt_()
        dx.div_(s)
        dy.div_(s)
        div.copy_(dx).add_(dy)
        div[:, 1:].sub_(dx[:, :-1])
        div[1:].sub_(dy[:-1])
        torch.sub(u, f, out=g).mul_(2).add_(div, alpha=-lam)
        u.add_(g, alpha=-learning_rate)

    def loop(n):
        u.copy_(f)
        for _ in range(n):
            step()
        return u.numpy().copy()
    return loop


def torch_curvefit_loop(torch, initial_params, x, y, learning_rate):
    """loop(n): n GD steps of the degree-2 fit, Vandermonde products into fixed buffers."""
    v = torch.from_numpy(np.vander(x, 3))
    ty = torch.from_numpy(np.ascontiguousarray(y))
    r, g = torch.empty_like(ty), torch.empty(3, dtype=torch.float64)
    p = torch.empty(3, dtype=torch.float64)
    scale = learning_rate * 2.0 / len(y)

    def loop(n):
        p.copy_(torch.as_tensor(np.asarray(initial_params, dtype=float)))
        for _ in range(n):
            torch.mv(v, p, out=r).sub_(ty)
            torch.mv(v.t(), r, out=g)
            p.add_(g, alpha=-scale)
        return p.numpy().copy()
    return loop
