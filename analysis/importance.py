"""importance.py - parameter importance: the functional-ANOVA decomposition of a full factorial grid, with bootstrap intervals.

On a full factorial grid (every combination of the swept setting keys' values, the same
number of repeats in each cell) the functional-ANOVA decomposition under the uniform measure
over the grid is exact from marginal means, no surrogate model: with M the cell means (mean
over repeats) and mu their mean, the main effect of key a is f_a(i) = mean of M over every
other key at a = i, minus mu; the pairwise interaction f_ab(i, j) = mean of M over every
other key at (a, b) = (i, j), minus f_a(i), f_b(j) and mu. A term's importance is the
variance of its effect over the variance of M (mean squares over the cells); what the main
effects and pairs leave is the higher-order share. The metric is the run's rank within its
(problem settings group, optimizer) in the report's ranking (1 = best; ties averaged), so a
diverged run counts as the worst and scale does not matter. Intervals: percentile bootstrap
over repeats (each cell's repeats resampled with replacement, RESAMPLES times, fewer for a
pair of more than MAX_DRAWS / RESAMPLES runs, to bound time and memory), drawn from
stats.uniform with a key made from the pair's first run id: the report is reproducible.
A sampled (non-factorial) design or a grid with unequal repeats is not decomposed.
"""
import itertools

import numpy as np
import pandas as pd

from . import stats
from .best import chosen_group, setting_columns

RESAMPLES = 500
MAX_DRAWS = 5_000_000  # a pair with more runs than MAX_DRAWS / RESAMPLES gets fewer resamples (at least MIN_RESAMPLES)
MIN_RESAMPLES = 100
HIGHER = "higher-order"


def decompose(cells):
    """Importance of each main effect and pair of a cell-mean array.

    cells: array of shape (B, n_1, ..., n_K) (B independent grids). Returns {term: array (B,)},
    terms (a,) and (a, b) as axis indices 0..K-1, plus HIGHER when K > 2; NaN where the grid is constant."""
    cells = np.asarray(cells, float)
    k = cells.ndim - 1
    axes = tuple(range(1, k + 1))
    mu = cells.mean(axis=axes, keepdims=True)
    total = ((cells - mu) ** 2).mean(axis=axes)
    main = {a: cells.mean(axis=tuple(x for x in axes if x != a + 1), keepdims=True) - mu for a in range(k)}
    out = {(a,): (main[a] ** 2).mean(axis=axes) for a in range(k)}
    for a, b in itertools.combinations(range(k), 2):
        keep = (a + 1, b + 1)
        pair = cells.mean(axis=tuple(x for x in axes if x not in keep), keepdims=True) - main[a] - main[b] - mu
        out[(a, b)] = (pair ** 2).mean(axis=axes)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = {t: np.where(total > 0, v / total, np.nan) for t, v in out.items()}
    if k > 2:
        shares[HIGHER] = 1 - sum(shares.values())
    return shares


def factorial(runs, keys):
    """(level codes per key, per-cell run lists) when runs form a full factorial grid over keys
    with the same number of repeats per cell, else (None, why)."""
    codes = [pd.factorize(runs[k], sort=True, use_na_sentinel=False) for k in keys]
    shape = tuple(len(levels) for _, levels in codes)
    flat = np.ravel_multi_index([c for c, _ in codes], shape)
    counts = np.bincount(flat, minlength=int(np.prod(shape)))
    if (counts == 0).any():
        return None, f"not a full factorial grid ({int((counts > 0).sum())} of {int(np.prod(shape))} cells have runs)"
    if (counts != counts[0]).any():
        return None, f"unequal repeats per cell ({counts.min()} to {counts.max()})"
    return (shape, np.argsort(flat, kind="stable").reshape(len(counts), counts[0])), ""


def within_ranks(runs):
    """Each run's rank among runs (1 = best) by rank class, rank value, steps; ties averaged."""
    value = np.where(runs["rank_class"] >= 2, 0.0, runs["rank_value"].to_numpy(float))
    keys = np.stack([runs["rank_class"].to_numpy(float), value, runs["steps"].to_numpy(float)])
    order = np.lexsort(keys[::-1])
    ordered = keys[:, order]
    starts = np.flatnonzero(np.r_[True, (np.diff(ordered, axis=1) != 0).any(axis=0)])
    ends = np.r_[starts[1:], len(order)]
    ranks = np.empty(len(order))
    ranks[order] = np.repeat((starts + ends + 1) / 2, ends - starts)
    return ranks


def resampled_means(y, cells, key):
    """(resamples, n_cells) cell means with each cell's repeats resampled with replacement."""
    n_cells, r = cells.shape
    resamples = max(MIN_RESAMPLES, min(RESAMPLES, MAX_DRAWS // cells.size))
    u = stats.uniform(key, 0, np.arange(resamples * n_cells * r, dtype=np.uint64)).reshape(resamples, n_cells, r)
    pick = np.minimum(np.floor(u * r).astype(np.int64), r - 1)
    values = y[cells]  # (n_cells, r)
    return np.take_along_axis(np.broadcast_to(values, pick.shape), pick, axis=2).mean(axis=2)


def term_name(keys, term):
    return term if term == HIGHER else " × ".join(keys[a] for a in term)


def pair_rows(runs, keys, label):
    """The rows of one (group, optimizer): one per term, with its share and interval."""
    grid, why = factorial(runs, keys)
    if grid is None:
        return [dict(label, term="(not computed)", note=why)]
    shape, cells = grid
    y = within_ranks(runs)
    point = decompose(y[cells].mean(axis=1).reshape((1,) + shape))
    key = stats.rng_key(stats.SEED, "importance", int(runs["run_id"].min()))
    boot = decompose(resampled_means(y, cells, key).reshape((-1,) + shape))
    level = (1 - stats.LEVEL) / 2
    return [dict(label, term=term_name(keys, t), share=float(point[t][0]),
                 lo=float(np.nanquantile(boot[t], level)) if np.isfinite(boot[t]).any() else np.nan,
                 hi=float(np.nanquantile(boot[t], 1 - level)) if np.isfinite(boot[t]).any() else np.nan,
                 cells=cells.shape[0], repeats=cells.shape[1], note="")
            for t in point]


def table(sweep):
    """Per problem (its chosen settings group) and optimizer with a swept setting key: the importance rows."""
    rows = []
    for problem in sweep.problems():
        group = chosen_group(sweep, problem)
        for optimizer, runs in group.runs.groupby("optimizer", sort=False):
            keys = setting_columns(sweep, runs)
            if keys:
                label = dict(problem=problem, group=group.values, optimizer=optimizer)
                rows += pair_rows(runs.reset_index(drop=True), keys, label)
    columns = ["problem", "group", "optimizer", "term", "share", "lo", "hi", "cells", "repeats", "note"]
    return pd.DataFrame(rows, columns=columns)
