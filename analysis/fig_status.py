"""fig_status.py - status maps: per problem, per optimizer, cells over learning rate x another swept value.

Rows are the other values that vary for that optimizer (its other hyperparameters, the
schedule, problem values), or the repeat when nothing else varies. A cell holding several
runs (repeats) is split into one stripe per run, so every run's status shows.
"""
import matplotlib.colors as mcolors
import matplotlib.patches as mpatches
import numpy as np

from .best import status_counts
from .columns import fmt, group_keys, varying
from .palette import STATUS, STATUS_CODES
from .plotting import Made, Skip, panels, safe_name

CMAP = mcolors.ListedColormap([STATUS["diverged"], STATUS["max_iter"], STATUS["converged"]])
MAX_TICKS = 8
MAX_LINES = 30  # white lines between cells only up to this many cells across


def row_keys(sweep, runs):
    """(names of the row columns, a key per run): varying non-lr values, else the repeat."""
    other = [c for c in varying(runs, sweep.columns.setting + sweep.columns.problem) if c != "lr"]
    names = other or ["repeat"]
    return names, group_keys(runs, names)


def status_grid(runs, keys):
    """(row keys, lrs, array rows x (lrs * stripes)) of status codes + 1 (NaN: no run)."""
    rows, lrs = sorted(set(keys)), np.sort(runs["lr"].unique())
    cells = {}
    for (key, lr), group in runs.groupby([keys, runs["lr"]], sort=False):
        cells[(key, lr)] = group.sort_values("repeat")["status_code"].to_numpy() + 1
    stripes = max(len(v) for v in cells.values())
    grid = np.full((len(rows), len(lrs) * stripes), np.nan)
    for (key, lr), codes in cells.items():
        i, j = rows.index(key), int(np.searchsorted(lrs, lr))
        grid[i, j * stripes:(j + 1) * stripes] = codes[np.arange(stripes) * len(codes) // stripes]
    return rows, lrs, grid, stripes


def ticks(n, limit=MAX_TICKS):
    """At most `limit` evenly spread indices of n."""
    return np.unique(np.linspace(0, n - 1, min(n, limit)).round().astype(int))


def label_axes(ax, names, rows, lrs, stripes):
    xt = ticks(len(lrs))
    ax.set_xticks(xt * stripes + (stripes - 1) / 2, [fmt(lrs[j], 3) for j in xt],
                  rotation=45 if len(xt) > 4 else 0)
    yt = ticks(len(rows), 14)
    ax.set_yticks(yt, [", ".join(fmt(v, 3) if v != -np.inf else "-" for v in rows[i]) for i in yt])
    ax.set_xlabel("learning rate lr" + (f" ({stripes} stripes per cell: one per run)" if stripes > 1 else ""))
    ax.set_ylabel(", ".join(names))
    ax.grid(False)


def panel(sweep, ax, runs, optimizer, grid_data):
    names, (rows, lrs, grid, stripes) = grid_data
    ax.imshow(grid, cmap=CMAP, vmin=-0.5, vmax=2.5, aspect="auto", interpolation="nearest")
    if len(lrs) <= MAX_LINES:
        for j in range(1, len(lrs)):
            ax.axvline(j * stripes - 0.5, color="white", lw=2.5 if len(lrs) <= 12 else 1)
    if len(rows) <= MAX_LINES:
        for i in range(1, len(rows)):
            ax.axhline(i - 0.5, color="white", lw=1.5 if len(rows) <= 12 else 0.7)
    label_axes(ax, names, rows, lrs, stripes)
    c = status_counts(runs)
    ax.set_title(f"{optimizer}: {c['converged']} conv. / {c['max_iter']} max_iter / {c['diverged']} div.",
                 fontsize=10, color=sweep.palette.colour(optimizer))


def panel_size(grids):
    """Panel inches from the largest grid: about 0.45 in per lr cell and 0.35 in per row."""
    cols = max(len(g[1][1]) for g in grids)
    rows = max(len(g[1][0]) for g in grids)
    return min(max(1.8 + 0.45 * cols, 3.2), 6.5), min(max(1.6 + 0.35 * rows, 2.6), 7.0)


def problem_figure(sweep, problem):
    optimizers = sweep.optimizers(problem)
    grids = []
    for opt in optimizers:
        names, keys = row_keys(sweep, sweep.of(problem, opt))
        grids.append((names, status_grid(sweep.of(problem, opt), keys)))
    fig, axes = panels(len(optimizers), ncols=3, size=panel_size(grids))
    for ax, opt, grid_data in zip(axes, optimizers, grids):
        panel(sweep, ax, sweep.of(problem, opt), opt, grid_data)
    handles = [mpatches.Patch(color=STATUS[s], label=s) for s in STATUS_CODES.values()]
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0), ncol=3, title="run status")
    fig.suptitle(f"Status map of {problem}: converged / budget reached (max_iter) / diverged")
    caption = (f"Outcome of every run of {problem}, per optimizer, over learning rate (columns) and the "
               "other values swept for that optimizer (rows; the repeat when nothing else varies).")
    return Made(f"status_{safe_name(problem)}", f"Status map: {problem}", fig, caption)


def make(sweep):
    """One figure per problem."""
    problems = sweep.problems()
    if not problems:
        raise Skip("no committed runs")
    return [problem_figure(sweep, p) for p in problems]
