"""curves.py - many runs' recorded curves put on one common x grid, step-wise, and their quantiles.

A run records iterations 0, record_every, 2 record_every, ... and its last iteration, which
is off the stride when it stopped early (docs/FORMAT.md). Runs are put on the union of
their recorded x values (thinned to at most max_points, keeping the ends): at a grid point
x a run takes the value of its last record at or before x (before its first record, its
first value). After its last record a run either holds its final value (after="hold": a
run that converged stays converged) or drops out (after="drop": NaN, so later quantiles
are over the runs still going). Every run counts at every grid point it covers, so a
quantile never jumps at one run's off-stride last record.
"""
import warnings

import numpy as np

AFTER = ("hold", "drop")


def common_grid(x, max_points=None):
    """The sorted distinct values of x, thinned evenly to at most max_points (first and last kept)."""
    grid = np.unique(x)
    if max_points is None or len(grid) <= max_points:
        return grid
    keep = np.unique(np.round(np.linspace(0, len(grid) - 1, max_points)).astype(np.int64))
    return grid[keep]


def aligned_matrix(x, values, owner, n_runs, grid, after="hold"):
    """Matrix runs x grid of the records (x, values, owner run 0..n_runs-1; records grouped by run,
    each run's x increasing).

    Step-wise: a run's value at a grid point is that of its last record at or before it
    (its first value before its first record); after its last record, held or NaN (after)."""
    if after not in AFTER:
        raise ValueError(f"after must be one of {', '.join(AFTER)}, not {after!r}")
    owner = np.asarray(owner, np.int64)
    pos = np.searchsorted(grid, x, side="right") - 1
    starts, ends = _run_bounds(owner)
    pos[starts] = 0                        # a run's first record covers the grid before it too
    # One record per (run, grid cell): the last, so the cell holds the latest value.
    last_in_cell = np.ones(len(owner), bool)
    last_in_cell[:-1] = (owner[1:] != owner[:-1]) | (pos[1:] != pos[:-1])
    keep = last_in_cell & (pos >= 0)
    index = np.full((n_runs, len(grid)), -1, np.int64)
    index[owner[keep], pos[keep]] = np.flatnonzero(keep)
    index = np.maximum.accumulate(index, axis=1)
    out = np.where(index >= 0, np.asarray(values, float)[np.maximum(index, 0)], np.nan)
    if after == "drop":
        end_x = np.full(n_runs, -np.inf)
        end_x[owner[ends]] = np.asarray(x)[ends]
        out[grid[None, :] > end_x[:, None]] = np.nan
    return out


def _run_bounds(owner):
    """Boolean masks of the records that are the first, and the last, of their run."""
    change = owner[1:] != owner[:-1]
    starts, ends = np.ones(len(owner), bool), np.ones(len(owner), bool)
    starts[1:], ends[:-1] = change, change
    return starts, ends


def quantiles(matrix, stat="median", band=(25, 75)):
    """{n, stat, lo, hi}: per grid column, the number of runs with a value, the statistic (median or
    mean) and the band's percentiles, NaN ignored (band None: no lo, hi)."""
    if stat not in ("median", "mean"):
        raise ValueError(f"stat must be median or mean, not {stat!r}")
    out = {"n": np.isfinite(matrix).sum(axis=0)}
    gaps = np.isnan(matrix).any()  # numpy's nan-quantiles go column by column: only when needed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a column no run covers gives NaN
        if stat == "median":
            out[stat] = (np.nanmedian if gaps else np.median)(matrix, axis=0)
        else:
            out[stat] = (np.nanmean if gaps else np.mean)(matrix, axis=0)
        if band is not None:
            out["lo"], out["hi"] = (np.nanpercentile if gaps else np.percentile)(matrix, band, axis=0)
    return out
