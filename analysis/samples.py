"""samples.py - samples seen to a target gap, and the best setting per (optimizer, batch size) of a stochastic sweep.

Samples to target 10^-k of a run: the training rows its optimizer read to reach the first
x_t with gap_t <= 10^-k gap_0 (t = steps_to_1e-k, tested at record points in a stochastic
run, docs/GRID.md): the rows of its first t batches. With N training rows (samples_seen /
epochs) and batch m: full batch (m = 0 or m >= N) t N; replacement t m; shuffle (the last
batch of an epoch holds the N - (B - 1) m rows left, B = ceil(N / m)) (t // B) N + (t % B) m.
NaN when the run never reached the target (or the optimum is unknown).

The table: per problem settings group, optimizer and batch size, the best setting of the
other varying keys (learning rate, ...): lowest median samples over repeats (a repeat that
never reached the target counts as infinite), then most repeats that reached it, then the
lowest first run id; its median and the 95% percentile-bootstrap interval of analysis/stats.py
(seeded by the setting's first run id).
"""
import numpy as np
import pandas as pd

from . import best, stats
from .columns import describe, group_keys, varying
from .targets import run_times

LEVEL = 2  # the report's target: 10^-2 of the initial gap


def training_rows(runs):
    """N per run: samples_seen / epochs, rounded (NaN for types that are no sum over data points)."""
    return (runs["samples_seen"].to_numpy(float) / runs["epochs"].to_numpy(float)).round()


def batch_rows(runs):
    """The rows per batch m of each run: batch_size, or N for a full batch (0 or >= N)."""
    n = training_rows(runs)
    m = runs["batch_size"].to_numpy(float)
    return np.where((m > 0) & (m < n), m, n)


def samples_after(steps, m, n, replacement):
    """Rows read by the first `steps` batches of m rows out of n (arrays; see the module text)."""
    full = m >= n
    per_epoch = np.ceil(n / m)
    shuffled = np.floor(steps / per_epoch) * n + np.mod(steps, per_epoch) * m
    return np.where(full | replacement, steps * m, shuffled)


def has_minibatches(sweep):
    """True when some run of the sweep drew minibatches (0 < batch_size < N)."""
    runs = sweep.runs
    if "batch_size" not in runs or "epochs" not in runs:
        return False
    return bool((batch_rows(runs) < training_rows(runs)).any())


def samples_to_target(sweep, runs, k=LEVEL):
    """Samples to target 10^-k per run of runs (a Series, same index; NaN: never)."""
    steps = run_times(sweep, k).loc[runs.index, "steps"].to_numpy(float)
    replacement = (runs["sampling"] == "replacement").to_numpy() if "sampling" in runs else False
    return pd.Series(samples_after(steps, batch_rows(runs), training_rows(runs), replacement), index=runs.index)


def _setting_score(values, runs):
    finite = np.isfinite(values)
    return stats.median(values), -int(finite.sum()), int(runs["run_id"].min())


def _best_setting(sweep, runs, samples):
    """(runs, samples with inf for never) of the best setting among runs (one optimizer and batch size)."""
    names = [c for c in varying(runs, sweep.columns.setting) if c != "batch_size"]
    scored = []
    for _, g in runs.groupby(group_keys(runs, names), sort=False):
        values = samples[g.sort_values("repeat").index].fillna(np.inf).to_numpy()
        scored.append((_setting_score(values, g), g, values))
    _, g, values = min(scored, key=lambda s: s[0])
    return g, values


def _row(sweep, group, optimizer, m, runs, values, k):
    first = int(runs["run_id"].min())
    lo, hi = stats.bootstrap_median(values, stats.key_of(first))
    row = runs.loc[first]
    names = [c for c in varying(sweep.of(row["problem"], optimizer), sweep.columns.setting) if c != "batch_size"]
    n_rows = training_rows(runs)[0]
    return {"problem": row["problem"], "problem_settings": group.values or "-", "optimizer": optimizer,
            "batch": "full" if m >= n_rows else int(m), "batch_rows": int(m), "setting": describe(row, names),
            "first_run": first, "n": len(values), "reached": int(np.isfinite(values).sum()),
            f"median_samples_to_1e-{k}": stats.median(values), "ci_low": lo, "ci_high": hi,
            "median_epochs": stats.median(values) / n_rows}


def table(sweep, k=LEVEL):
    """Per problem settings group, optimizer and batch size: the best setting's samples to 10^-k (DataFrame)."""
    rows = []
    for problem in sweep.problems():
        if not np.isfinite(training_rows(sweep.of(problem))).any():
            continue  # not a sum over data points (quadratic, denoise, ...): no samples
        for group in best.settings_groups(sweep, problem):
            samples = samples_to_target(sweep, group.runs, k)
            m = batch_rows(group.runs)
            for optimizer in dict.fromkeys(group.runs["optimizer"]):
                mine = group.runs["optimizer"].to_numpy() == optimizer
                for size in np.unique(m[mine]):
                    runs, values = _best_setting(sweep, group.runs[mine & (m == size)], samples)
                    rows.append(_row(sweep, group, optimizer, size, runs, values, k))
    return pd.DataFrame(rows)


def winners(frame, k=LEVEL):
    """Per (problem, problem_settings): the row with the fewest median samples (ties: the earlier row)."""
    column = f"median_samples_to_1e-{k}"
    reached = frame[np.isfinite(frame[column].to_numpy(float))]
    return reached.loc[reached.groupby(["problem", "problem_settings"], sort=False)[column].idxmin()]
