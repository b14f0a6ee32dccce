"""numpy_baseline.py - the seed article's denoising and curve-fitting loops in NumPy.

The article's own code (../shared/seed/000_*.txt) with the errata of NOTES.md fixed, so
that it computes what gdsweep computes:
  - denoise: E(u) = sum (u - f)^2 + lam * sum sqrt(dx^2 + dy^2 + eps^2), forward
    differences, zero on the last column / row (Neumann), and its exact gradient
    2 (u - f) - lam * div(p), p = (dx, dy) / sqrt(...), in vectorised NumPy. The loop is
    the article's denoise_gd (image = initial_image.copy(); image -= lr * grad).
  - curvefit: the article's polynomial / cost / gradient / fit_curve (degree 2), with the
    data and the start point passed in instead of module globals.
Timing helpers return seconds per iteration of the article's loop (gradient + update;
the loss is not evaluated inside the loop, as in the article). Run with /usr/bin/python3.
"""
import time

import numpy as np


# ---- denoising ------------------------------------------------------------------------

def tv_flux(image, eps):
    """Forward differences (zero on the last column / row), s = sqrt(|grad|^2 + eps^2)."""
    dx = np.diff(image, axis=1, append=image[:, -1:])
    dy = np.diff(image, axis=0, append=image[-1:, :])
    s = np.sqrt(dx**2 + dy**2 + eps**2)
    return dx / s, dy / s, s


def denoise_cost(image, noisy_image, lam, eps):
    _, _, s = tv_flux(image, eps)
    return np.sum((image - noisy_image) ** 2) + lam * np.sum(s)


def denoise_gradient(image, noisy_image, lam, eps):
    px, py, _ = tv_flux(image, eps)
    div = np.diff(px, axis=1, prepend=0) + np.diff(py, axis=0, prepend=0)
    return 2 * (image - noisy_image) - lam * div


def denoise_gd(initial_image, noisy_image, learning_rate, num_iterations, lam, eps):
    image = initial_image.copy()
    for _ in range(num_iterations):
        grad = denoise_gradient(image, noisy_image, lam, eps)
        image -= learning_rate * grad
    return image


def denoise_instance(size, noise=0.5, seed=0):
    """The article's image: sin(5x) cos(5y) on a size x size grid, plus Gaussian noise."""
    x, y = np.meshgrid(np.linspace(-1, 1, size), np.linspace(-1, 1, size))
    original_image = np.sin(5 * x) * np.cos(5 * y)
    rng = np.random.default_rng(seed)
    return original_image + noise * rng.standard_normal(original_image.shape)


# ---- curve fitting --------------------------------------------------------------------

def polynomial(x, params):
    return params[0] * x**2 + params[1] * x + params[2]


def cost(params, x, y):
    return np.mean((polynomial(x, params) - y) ** 2)


def gradient(params, x, y):
    y_pred = polynomial(x, params)
    grad = np.zeros(3)
    grad[0] = np.mean(2 * (y_pred - y) * x**2)
    grad[1] = np.mean(2 * (y_pred - y) * x)
    grad[2] = np.mean(2 * (y_pred - y))
    return grad


def fit_curve(initial_params, x, y, learning_rate, num_iterations):
    params = np.array(initial_params, dtype=float)
    for _ in range(num_iterations):
        params -= learning_rate * gradient(params, x, y)
    return params


def curvefit_instance(points, seed=0):
    """The article's data: 2x^2 - 5x + 3 + 10 N(0,1) on linspace(0, 10, points)."""
    x = np.linspace(0, 10, points)
    rng = np.random.default_rng(seed)
    y = 2 * x**2 - 5 * x + 3 + rng.standard_normal(points) * 10
    return x, y, rng.standard_normal(3)


# ---- timing ---------------------------------------------------------------------------

def seconds_per_iteration(loop, iterations, repeats):
    """Best over repeats of (time of loop(iterations)) / iterations, after one warm-up
    iteration."""
    loop(1)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        loop(iterations)
        best = min(best, time.perf_counter() - t0)
    return best / iterations


def time_denoise(size, iterations, repeats=1, lr=0.1, lam=0.1, eps=0.1):
    noisy = denoise_instance(size)
    return seconds_per_iteration(
        lambda n: denoise_gd(noisy, noisy, lr, n, lam, eps), iterations, repeats)


def time_curvefit(points, iterations, repeats=1, lr=1e-4):
    x, y, p0 = curvefit_instance(points)
    return seconds_per_iteration(lambda n: fit_curve(p0, x, y, lr, n), iterations, repeats)
