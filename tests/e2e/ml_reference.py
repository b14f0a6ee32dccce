"""ml_reference.py - numpy's own solutions of leastsq, logreg and softmax, for the e2e tests.

Used by test_ml_data.py and test_ml_real_data.py: the designs of an instance rebuilt from
the table and the instance's stored inputs (test_rows, standardize, intercept), the optima
by numpy.linalg.lstsq (leastsq) or a Newton solve written here (logreg, softmax: each step
by numpy.linalg.lstsq, least norm along the flat directions of softmax), the metrics.
"""
import h5py
import numpy as np

import gdtest
from gdtest import text


def design(x, inst, standardize, intercept):
    """The training and test designs of an instance, as numpy builds them."""
    test = np.zeros(len(x), bool)
    if "test_rows" in inst:
        test[inst["test_rows"].astype(int)] = True
    xt = x[~test]
    mean, sd = xt.mean(0), xt.std(0)
    sd[sd == 0] = 1
    f = (lambda a: (a - mean) / sd) if standardize else (lambda a: a)
    add = (lambda a: np.hstack([a, np.ones((len(a), 1))])) if intercept else (lambda a: a)
    return add(f(xt)), add(f(x[test])), ~test, test


def penalty_mask(d, k, intercept):
    m = np.ones((d, k))
    if intercept:
        m[-1] = 0
    return m.ravel()


def leastsq_ref(a, y, l2, intercept):
    n, d = a.shape
    ridge = np.sqrt(n * l2) * np.diag(penalty_mask(d, 1, intercept))
    w = np.linalg.lstsq(np.vstack([a, ridge]), np.concatenate([y, np.zeros(d)]), rcond=None)[0]
    return w, np.mean((a @ w - y) ** 2) + l2 * np.sum((w * penalty_mask(d, 1, intercept)) ** 2)


def softmax_loss(a, y, w, k, l2, mask):
    z = a @ w.reshape(a.shape[1], k)
    top = z.max(1, keepdims=True)
    lse = top[:, 0] + np.log(np.exp(z - top).sum(1))
    return np.mean(lse - z[np.arange(len(y)), y.astype(int)]) + l2 * np.sum((w * mask) ** 2)


def newton_ref(a, y, k, l2, intercept):
    """Multinomial (k classes; k = 2 is logreg with one weight column) Newton in numpy."""
    d = a.shape[1]
    kk = 1 if k == 2 else k
    mask = penalty_mask(d, kk, intercept)
    w = np.zeros(d * kk)
    for _ in range(100):
        z = a @ w.reshape(d, kk)
        if k == 2:
            s = 1 / (1 + np.exp(-z[:, 0]))
            g = a.T @ (s - y) / len(y) + 2 * l2 * mask * w
            h = (a * (s * (1 - s))[:, None]).T @ a / len(y) + 2 * l2 * np.diag(mask)
        else:
            p = np.exp(z - z.max(1, keepdims=True))
            p /= p.sum(1, keepdims=True)
            g = (a.T @ (p - np.eye(k)[y.astype(int)])).ravel() / len(y) + 2 * l2 * mask * w
            # H[(j,a),(l,b)] = sum_i x_ij x_il (p_ia [a = b] - p_ia p_ib)
            m = (a[:, :, None] * p[:, None, :]).reshape(len(y), d * k)
            h = -(m.T @ m)
            for c in range(k):
                h[c::k, c::k] += (a * p[:, c:c + 1]).T @ a
            h = h / len(y) + 2 * l2 * np.diag(mask)
        step = np.linalg.lstsq(h, g, rcond=None)[0]  # least norm along flat directions
        w = w - step
        if np.max(np.abs(step)) < 1e-14 * (1 + np.max(np.abs(w))):
            break
    if k == 2:
        z = a @ w
        f = np.mean(np.logaddexp(0, z) - y * z) + l2 * np.sum((w * mask) ** 2)
    else:
        f = softmax_loss(a, y, w, k, l2, mask)
    return w, f


def centred_last_row(w, k):
    m = w.reshape(-1, k).copy()
    m[-1] -= m[-1].mean()
    return m.ravel()


def instances(path):
    with h5py.File(path, "r") as f:
        return {int(k): {**{n: g[n][...] for n in g},
                         **{"f_opt": float(g.attrs["f_opt"]),
                            "standardize": text(g.attrs["standardize"]) == "true",
                            "intercept": text(g.attrs["intercept"]) == "true",
                            "l2": float(g.attrs["l2"])}}
                for k, g in f["instances"].items()}


def finals(path):
    with h5py.File(path, "r") as f:
        runs = gdtest.runs_table(path)
        return runs, [f["final/x"][int(runs["final_offset"][i]):int(runs["final_offset"][i]) +
                                   int(runs["final_count"][i])]
                      if "final_count" in runs else None for i in range(len(runs["run_id"]))]


def metric_ref(kind, a, y, w, k):
    if kind == "leastsq":
        return np.mean((a @ w - y) ** 2)
    if kind == "logreg":
        return np.mean((a @ w > 0) == (y == 1))
    z = a @ w.reshape(a.shape[1], k)
    return np.mean(np.argmax(z, 1) == y)
