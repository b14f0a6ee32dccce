"""views.py - the data of the report's interactive views (drawn by report.js): curves, heat maps, parallel coordinates.

Each view is a dict {"kind", "title", ...} that index.html embeds as JSON, so the report
opens from file:// with no server and no network. Every view shows one problem's chosen
settings group (best.chosen_group, as the static convergence figure). Curves come from the
notebook API (Results.curves, y="suboptimality") of each optimizer's best setting, against
iterations, gradient evaluations and wall seconds. A heat map shows the ranking measure
(median over repeats; the best over any other swept key) over the two swept setting keys
with most values; parallel coordinates show every run (at most MAX_LINES, evenly thinned)
over the swept setting keys and the measure.
"""
import math

import numpy as np

from .api import Results
from .best import best_setting, chosen_group, setting_columns
from .ranking import FAILED

X_AXES = ("iteration", "evals", "seconds")
MAX_POINTS = 300
MAX_LINES = 3000


def clean(values):
    """A list for JSON: floats, None for NaN and infinities (JSON has neither)."""
    return [float(v) if isinstance(v, (int, float, np.floating, np.integer)) and math.isfinite(v) else None
            for v in values]


def level(v):
    """A key value for JSON: a number or its text."""
    if isinstance(v, (int, float, np.floating, np.integer)):
        return float(v) if math.isfinite(v) else None
    return str(v)


def curve_view(sweep, problem, group):
    """Median suboptimality (25-75% band) of each optimizer's best setting, one series set per x axis."""
    chosen = {opt: best_setting(sweep, runs) for opt, runs in group.runs.groupby("optimizer", sort=False)}
    ids = [i for runs in chosen.values() for i in runs.index[runs["rank_class"] < FAILED]]
    if not ids:
        return None
    results = Results.on(sweep)
    axes = {}
    for x in X_AXES:
        c = results.curves(select=ids, by=["optimizer"], y="suboptimality", x=x, max_points=MAX_POINTS)
        axes[x] = [dict(name=opt, colour=sweep.palette.colour(opt), x=clean(g[x]), y=clean(g["median"]),
                        lo=clean(g["lo"]), hi=clean(g["hi"]))
                   for opt, g in c.groupby("optimizer", sort=False)]
    return dict(kind="curves", title=f"Convergence: {problem}{group.title}", axes=axes,
                ylabel="suboptimality f − f_ref (median, 25–75% band)")


def setting_medians(runs, keys, mode):
    """Per setting (every key), the median measure over repeats (a diverged repeat counts as the worst)."""
    worst = math.inf if mode == "min" else -math.inf
    measure = runs["measure"].where(runs["rank_class"] < FAILED, worst)
    return measure.groupby([runs[k] for k in keys], dropna=False).median()


def cell_value(cell, at):
    """A heat map cell: its number, "diverged" (every repeat diverged), or "none" (no run)."""
    if at not in cell.index:
        return "none"
    v = level(cell[at])
    return "diverged" if v is None else v


def heat_view(sweep, problem, group, optimizer, runs):
    """The measure over the two swept keys with most values (best over any other key), or None."""
    keys = sorted(setting_columns(sweep, runs), key=lambda k: -runs[k].nunique(dropna=False))
    if len(keys) < 2:
        return None
    rank = sweep.rank(problem)
    medians = setting_medians(runs, keys, rank.mode).reset_index()
    a, b = keys[:2]
    cell = medians.groupby([a, b], dropna=False)["measure"].agg("min" if rank.mode == "min" else "max")
    xs, ys = sorted(runs[a].dropna().unique()), sorted(runs[b].dropna().unique())
    z = [[cell_value(cell, (x, y)) for x in xs] for y in ys]
    return dict(kind="heatmap", title=f"{optimizer} on {problem}{group.title}: {rank.metric} over {a} and {b}",
                xkey=a, ykey=b, xs=[level(v) for v in xs], ys=[level(v) for v in ys], z=z,
                metric=rank.metric, mode=rank.mode, others=keys[2:])


def parallel_view(sweep, problem, group, optimizer, runs):
    """Every run over the swept setting keys and the measure (diverged: null), or None."""
    keys = setting_columns(sweep, runs)
    if not keys:
        return None
    step = max(1, math.ceil(len(runs) / MAX_LINES))
    shown = runs.iloc[::step]
    measure = shown["measure"].where(shown["rank_class"] < FAILED)
    rank = sweep.rank(problem)
    axes = [dict(name=k, values=[level(v) for v in shown[k]]) for k in keys]
    axes.append(dict(name=rank.metric, values=clean(measure)))
    return dict(kind="parallel", title=f"{optimizer} on {problem}{group.title}: runs over the swept keys",
                axes=axes, mode=rank.mode, runs=len(runs), shown=len(shown))


def importance_views(frame):
    """One bar view per (problem, optimizer) of the importance table (importance.py) that was computed."""
    done = frame[frame["note"] == ""]
    return [dict(kind="importance", title=f"Parameter importance: {opt} on {problem}{' at ' + grp if grp else ''}",
                 terms=list(g["term"]), share=clean(g["share"]), lo=clean(g["lo"]), hi=clean(g["hi"]),
                 cells=int(g["cells"].iloc[0]), repeats=int(g["repeats"].iloc[0]))
            for (problem, grp, opt), g in done.groupby(["problem", "group", "optimizer"], sort=False)]


def views(sweep):
    """Every interactive view of the sweep, and notes on pairs that have none."""
    out, notes = [], []
    for problem in sweep.problems():
        group = chosen_group(sweep, problem)
        curve = curve_view(sweep, problem, group)
        out += [curve] if curve else []
        for optimizer, runs in group.runs.groupby("optimizer", sort=False):
            heat = heat_view(sweep, problem, group, optimizer, runs)
            if heat is None:
                notes.append(f"{optimizer} on {problem}: fewer than two swept keys, no heat map")
            out += [v for v in (heat, parallel_view(sweep, problem, group, optimizer, runs)) if v]
    return out, notes
