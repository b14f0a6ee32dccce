"""test_model_selection.py - experiments/model_selection.ini answers "which lambda, which degree" correctly.

Runs the shipped experiment and its report, then works the answers out another way from
the inputs the file stores: for each lambda and repeat, the TV energy's minimiser by scipy's
L-BFGS (its own numpy energy and gradient) and its PSNR against the clean image; for each
degree and repeat, numpy's least-squares polynomial and its mean squared error on the
held-out targets y_test. The report's findings must name the same best lambda (highest
median PSNR) and best degree (lowest median test error), and the metric of each setting's
lowest-loss run must be the minimiser's (the budgets let them converge). Also: every
lambda met the same noisy image, every degree the same samples (common random numbers).
"""
import os
import re
import subprocess

import h5py
import numpy as np
from scipy.optimize import minimize

import gdtest
from gdtest import check

EXPERIMENT = os.path.join(gdtest.SOURCE, "experiments", "model_selection.ini")


def psnr(u, clean):
    peak = clean.max() - clean.min()
    return 10 * np.log10(peak * peak / np.mean((u - clean) ** 2))


def denoise_optimum(f, lam, eps):
    shape = f.shape
    fun = lambda v: tuple(a.ravel() if np.ndim(a) else a  # noqa: E731
                          for a in gdtest.tv_energy(v.reshape(shape), f, lam, eps))
    res = minimize(fun, f.ravel(), jac=True, method="L-BFGS-B",
                   options={"maxiter": 5000, "gtol": 1e-10, "ftol": 1e-15})
    return res.x.reshape(shape)


def instance_inputs(f, runs, problem, key):
    """{(value of key, repeat): the /instances group} for a problem label."""
    out = {}
    for row in runs[runs["problem"] == problem.encode()]:
        out.setdefault((float(row[key]), int(row["repeat"])), f["instances"][str(row["instance"])])
    return out


def lowest_loss(runs, problem, key, value, repeat):
    """The row of the lowest final loss among a setting's runs of one repeat."""
    rows = np.flatnonzero((runs["problem"] == problem.encode()) & (runs[key] == value) &
                          (runs["repeat"] == repeat))
    return rows[np.argmin(runs["loss_final"][rows])]


def best_by_median(scores, better):
    """The key whose median over repeats is best (better: np.argmax or np.argmin)."""
    keys = sorted({k for k, _ in scores})
    medians = [np.median([v for (k2, _), v in scores.items() if k2 == k]) for k in keys]
    return keys[int(better(medians))], dict(zip(keys, medians))


def check_denoise(f, runs):
    inst = instance_inputs(f, runs, "denoise", "lambda")
    noisy = {r: g["noisy"][...] for (lam, r), g in inst.items()}
    check(all(np.array_equal(g["noisy"][...], noisy[r]) for (lam, r), g in inst.items()),
          "every lambda met the same noisy image (per repeat)")
    scores = {}
    for (lam, r), g in inst.items():
        u = denoise_optimum(g["noisy"][...], lam, 0.1)
        scores[(lam, r)] = psnr(u, g["clean"][...])
    best, medians = best_by_median(scores, np.argmax)
    for (lam, r), want in scores.items():
        got = runs["psnr"][lowest_loss(runs, "denoise", "lambda", lam, r)]
        check(abs(got - want) < 0.01, f"lambda {lam} repeat {r}: PSNR {got:.4f} dB at the "
              f"lowest energy found, {want:.4f} dB at the minimiser")
    return best, medians


def check_fit(f, runs):
    inst = instance_inputs(f, runs, "fit", "degree")
    y = {r: g["y"][...] for (deg, r), g in inst.items()}
    check(all(np.array_equal(g["y"][...], y[r]) for (deg, r), g in inst.items()),
          "every degree met the same samples (per repeat)")
    scores = {}
    for (deg, r), g in inst.items():
        x = g["x"][...]
        coef = np.polyfit(x, g["y"][...], int(deg))
        scores[(deg, r)] = np.mean((np.polyval(coef, x) - g["y_test"][...]) ** 2)
        got = runs["test_mse"][lowest_loss(runs, "fit", "degree", deg, r)]
        check(abs(got - scores[(deg, r)]) <= 1e-4 * scores[(deg, r)],
              f"degree {deg:.0f} repeat {r}: test_mse {got:.7f} at the lowest loss found, "
              f"{scores[(deg, r)]:.7f} at the least-squares fit")
    return best_by_median(scores, np.argmin)


def main():
    d = gdtest.workdir()
    out = os.path.join(d, "model_selection.h5")
    gdtest.sweep(EXPERIMENT, out)
    report = os.path.join(d, "report")
    p = subprocess.run(["/usr/bin/python3", "-m", "analysis.report", out, "-o", report],
                       cwd=gdtest.SOURCE, capture_output=True, text=True)
    check(p.returncode == 0, f"report: exit {p.returncode} {p.stderr[-300:]}")
    page = re.sub(r"<[^>]+>", " ", open(os.path.join(report, "index.html")).read())
    runs = h5py.File(out, "r")["runs"][:]
    with h5py.File(out, "r") as f:
        lam, lam_medians = check_denoise(f, runs)
        deg, deg_medians = check_fit(f, runs)
    print(f"minimisers: median PSNR by lambda {lam_medians}; median test MSE by degree "
          f"{deg_medians}")
    check(f"best lambda by psnr (max): {lam:g} " in page,
          f"the report finds lambda = {lam:g} best, as the minimisers do")
    check(f"best degree by test_mse (min): {deg:g} " in page,
          f"the report finds degree = {deg:g} best, as least squares does")
    gdtest.finish()


if __name__ == "__main__":
    main()
