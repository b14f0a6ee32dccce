"""stats.py - statistics over repeats: medians with seeded bootstrap intervals, paired Wilcoxon tests, Holm.

The same numbers as `gdsweep summary` (src/results/stats.c, src/commands/summary_repeats.c),
operation for operation: the bootstrap draws come from the same counter-based generator
(Philox4x32-10, keyed as gd_rng_key_make does, src/util/rng.c), so the report and the
summary print the same interval on every machine. Definitions: docs/STATISTICS.md.
"""
import math

import numpy as np
import pandas as pd

from . import best

RESAMPLES = 2000
LEVEL = 0.95
SEED = 0x67647374617473  # "gdstats", GD_STATS_SEED
EXACT_MAX = 50
ALPHA = 0.05
MASK = (1 << 64) - 1

# ---- Philox4x32-10 and keys (rng.c) ----------------------------------------------------


def _mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def _absorb(h, w):
    return _mix64(h ^ _mix64((w + 0x9E3779B97F4A7C15) & MASK))


def _absorb_string(h, text):
    data = text.encode()
    h = _absorb(h, len(data))
    for i in range(0, len(data), 8):
        h = _absorb(h, int.from_bytes(data[i:i + 8], "little"))
    return h


def rng_key(seed, label, repeat):
    """gd_rng_key_make(seed, label, NULL, 0, repeat): the two 32-bit key words."""
    h = _absorb(0x6764737765657021, seed)
    h = _absorb(_absorb_string(h, label), 0)
    h = _absorb(h, repeat)
    return h & 0xFFFFFFFF, h >> 32


def key_of(first_run):
    """The resampling key of the setting whose lowest committed run id is first_run (gd_stats_key)."""
    return rng_key(SEED, "bootstrap", int(first_run))


def philox(counter_lo, counter_hi, stream, key):
    """Philox4x32-10 blocks for counters (lo, hi, stream, 0): four uint64 arrays of 32-bit words."""
    m32 = np.uint64(0xFFFFFFFF)
    c = [np.asarray(counter_lo, np.uint64), np.asarray(counter_hi, np.uint64),
         np.full(np.shape(counter_lo), stream, np.uint64), np.zeros(np.shape(counter_lo), np.uint64)]
    k0, k1 = key
    for r in range(10):
        if r:
            k0, k1 = (k0 + 0x9E3779B9) & 0xFFFFFFFF, (k1 + 0xBB67AE85) & 0xFFFFFFFF
        p0 = np.uint64(0xD2511F53) * c[0]
        p1 = np.uint64(0xCD9E8D57) * c[2]
        c = [(p1 >> np.uint64(32)) ^ c[1] ^ np.uint64(k0), p1 & m32,
             (p0 >> np.uint64(32)) ^ c[3] ^ np.uint64(k1), p0 & m32]
    return c


def uniform(key, stream, index):
    """gd_rng_uniform for the elements `index` (an int array): k / 2^53 in (0, 1), k = 0 as 2^-54."""
    index = np.asarray(index, np.uint64)
    w = philox(index & np.uint64(0xFFFFFFFF), index >> np.uint64(32), stream, key)
    k = (w[0] << np.uint64(21)) | (w[1] >> np.uint64(11))
    return np.where(k == 0, 2.0 ** -54, k.astype(float) * 2.0 ** -53)


# ---- medians, quantiles, bootstrap -----------------------------------------------------


def median(values):
    """The middle value, or (a + b) / 2 of the two middle ones (gd_stats_median)."""
    s = np.sort(np.asarray(values, float))
    n = len(s)
    return float(s[n // 2]) if n % 2 else float((s[n // 2 - 1] + s[n // 2]) / 2)


def _row_medians(rows):
    s = np.sort(rows, axis=1)
    n = s.shape[1]
    return s[:, n // 2] if n % 2 else (s[:, n // 2 - 1] + s[:, n // 2]) / 2


def quantile_sorted(s, q):
    """gd_stats_quantile_sorted: linear interpolation between order statistics at (n - 1) q."""
    n = len(s)
    h = (n - 1) * q
    i = math.floor(h)
    if i + 1 >= n:
        return float(s[n - 1])
    if h == i or s[i] == s[i + 1]:
        return float(s[i])
    return float(s[i] + (h - i) * (s[i + 1] - s[i]))


def bootstrap_median(values, key, resamples=RESAMPLES, level=LEVEL):
    """(low, high): the percentile bootstrap interval of the median (gd_stats_bootstrap_median)."""
    v = np.asarray(values, float)
    n = len(v)
    u = uniform(key, 0, np.arange(resamples * n, dtype=np.uint64)).reshape(resamples, n)
    index = np.minimum(np.floor(u * n).astype(np.int64), n - 1)
    medians = np.sort(_row_medians(v[index]))
    return quantile_sorted(medians, (1 - level) / 2), quantile_sorted(medians, (1 + level) / 2)


# ---- Wilcoxon signed-rank and Holm -----------------------------------------------------


def _average_ranks(size):
    order = np.argsort(size, kind="mergesort")
    ranks = np.empty(len(size))
    i = 0
    while i < len(size):
        j = i + 1
        while j < len(size) and size[order[j]] == size[order[i]]:
            j += 1
        ranks[order[i:j]] = (i + 1 + j) / 2
        i = j
    return ranks


def _exact_counts(n):
    counts = np.zeros(n * (n + 1) // 2 + 1)
    counts[0] = 1
    for k in range(1, n + 1):
        counts[k:k * (k + 1) // 2 + 1] += counts[:k * (k + 1) // 2 + 1 - k].copy()
    return counts


def wilcoxon(d):
    """dict(n, zeros, exact, r_plus, r_minus, statistic, pvalue) of the two-sided test (gd_stats_wilcoxon)."""
    d = np.asarray(d, float)
    n, size = len(d), np.abs(d)
    zeros = int((d == 0).sum())
    ranks = _average_ranks(size) if n else np.zeros(0)
    r_plus, r_minus = float(ranks[d > 0].sum()), float(ranks[d < 0].sum())
    tied = n > len(np.unique(size))
    out = {"n": n, "zeros": zeros, "exact": n <= EXACT_MAX and zeros == 0 and not tied,
           "r_plus": r_plus, "r_minus": r_minus, "statistic": min(r_plus, r_minus), "pvalue": 1.0}
    if n == 0 or zeros == n:
        return out
    if out["exact"]:
        top = n * (n + 1) // 2
        r = int(r_plus)
        if r != top // 2:
            c = _exact_counts(n)
            out["pvalue"] = min(1.0, 2 * min(c[:r + 1].sum(), c[r:].sum()) / 2.0 ** n)
        return out
    _, t = np.unique(size[d != 0], return_counts=True)
    ties = float((t.astype(float) ** 3 - t).sum())
    mean = n * (n + 1) * 0.25 - zeros * (zeros + 1) * 0.25
    var = n * (n + 1) * (2 * n + 1) - zeros * (zeros + 1) * (2 * zeros + 1) - 0.5 * ties
    z = (out["statistic"] - mean) / math.sqrt(var / 24)
    out["pvalue"] = math.erfc(abs(z) / math.sqrt(2))
    return out


def holm(p):
    """Holm-adjusted p-values, in the order of p (ties by position)."""
    p = np.asarray(p, float)
    m = len(p)
    adjusted = np.empty(m)
    running = 0.0
    for j, i in enumerate(np.argsort(p, kind="mergesort")):
        running = max(running, min(1.0, (m - j) * p[i]))
        adjusted[i] = running
    return adjusted


# ---- the tables of the report ----------------------------------------------------------


def _worst_measure(runs, rank):
    """The ranking measure of each run, a failed one as the worst infinity (by repeat)."""
    worst = np.inf if rank.mode == "min" else -np.inf
    runs = runs.sort_values("repeat")
    values = runs["measure"].to_numpy(float)
    return pd.Series(np.where(np.isfinite(values), values, worst), index=runs["repeat"].to_numpy())


def _best_settings(sweep, runs):
    """{optimizer: runs of its best setting} within one problem settings group."""
    return {opt: best.best_setting(sweep, runs[runs["optimizer"] == opt])
            for opt in dict.fromkeys(runs["optimizer"])}


def _setting_row(sweep, group, optimizer, runs):
    rank = sweep.rank(runs["problem"].iloc[0])
    values = _worst_measure(runs, rank).to_numpy()
    first = int(runs["run_id"].min())
    lo, hi = bootstrap_median(values, key_of(first))
    row = runs.loc[runs["run_id"].idxmin()]
    return {"problem": row["problem"], "problem_settings": group.values or "-", "optimizer": optimizer,
            "measure": rank.metric, "setting": best.hyperparameters(sweep, row).replace(f"repeat={row['repeat']}", "")
            .strip(", "), "first_run": first, "n": len(values), "median": median(values),
            "ci_low": lo, "ci_high": hi}


def _differences(sweep, a, b):
    rank = sweep.rank(a["problem"].iloc[0])
    x, y = _worst_measure(a, rank), _worst_measure(b, rank)
    both = x.index.intersection(y.index)
    x, y = x[both].to_numpy(), y[both].to_numpy()
    return np.where(x == y, 0.0, x - y), rank


def _verdict(test, rank, a, b, adjusted):
    toward_a = test["r_plus"] - test["r_minus"] if rank.mode == "max" else test["r_minus"] - test["r_plus"]
    if adjusted < ALPHA and toward_a != 0:
        return f"{a} better than {b} at 5%" if toward_a > 0 else f"{b} better than {a} at 5%"
    return "no evidence"


def _pair_rows(sweep, group, chosen):
    names, rows = list(chosen), []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            d, rank = _differences(sweep, chosen[a], chosen[b])
            test = wilcoxon(d)
            rows.append({"problem": chosen[a]["problem"].iloc[0], "problem_settings": group.values or "-",
                         "a": a, "b": b, "n": len(d), "median_difference": median(d) if len(d) else np.nan,
                         "p": test["pvalue"], "method": "exact" if test["exact"] else "approx",
                         "test": test, "rank": rank})
    for row, adjusted in zip(rows, holm([r["p"] for r in rows])):
        row["p_holm"] = adjusted
        row["verdict"] = _verdict(row.pop("test"), row.pop("rank"), row["a"], row["b"], adjusted)
    return rows


def repeat_tables(sweep):
    """(settings, pairs) DataFrames over repeats, or (None, None) when the sweep has one repeat.

    settings: per problem settings group and optimizer, its best setting's median measure over
    repeats and 95% bootstrap interval; pairs: the Wilcoxon test of every two optimizers' best
    settings on the same instances, Holm-adjusted within the group, with a verdict.
    """
    if sweep.runs["repeat"].nunique() < 2:
        return None, None
    settings, pairs = [], []
    for problem in sweep.problems():
        for group in best.settings_groups(sweep, problem):
            chosen = _best_settings(sweep, group.runs)
            settings += [_setting_row(sweep, group, opt, runs) for opt, runs in chosen.items()]
            pairs += _pair_rows(sweep, group, chosen)
    return pd.DataFrame(settings), pd.DataFrame(pairs)
