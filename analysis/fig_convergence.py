"""fig_convergence.py - suboptimality per iteration of each optimizer's best setting: median, 25-75% band.

Suboptimality f(x_t) - f_ref: f_ref is the known optimum, else (as Benchopt does) the lowest
loss any run found on the run's instance. A problem that sweeps its own values (x0, lambda,
...) is shown in one settings group (best.chosen_group), named in the title, so the band is
the spread over repeats of one problem. The curves are the notebook API's
(Results.curves, y="suboptimality"): a setting's runs on the union of their recorded
iterations, each holding its last value after it stopped. Diverged runs of
the best setting are left out (and counted). Every optimizer has its own dash pattern and
markers, so coinciding curves stay visible.
"""
import numpy as np

from .api import Results
from .best import best_setting, chosen_group, setting_label
from .plotting import Made, log_limits, no_minor_labels, note, panel_figure, plural
from .ranking import ranked

MARKS = 8  # markers per curve


def line_style(sweep, optimizer, k, n_optimizers, points):
    """Colour, dash pattern and markers (spread so that the optimizers' markers do not overlap)."""
    step = max(1, points // MARKS)
    return dict(color=sweep.palette.colour(optimizer), ls=sweep.palette.dash(optimizer),
                marker=sweep.palette.marker(optimizer), ms=4.5, lw=1.6,
                markevery=(k * step // max(n_optimizers, 1), step))


def draw_optimizer(sweep, ax, runs, optimizer, k, n_optimizers):
    runs = ranked(best_setting(sweep, runs[runs["optimizer"] == optimizer]))
    finite = runs[runs["rank_class"] < 2]
    label = setting_label(sweep, runs.iloc[0])
    if finite.empty:
        ax.plot([], [], "x", color=sweep.palette.colour(optimizer), label=f"{label}: every run diverged")
        return None
    curve = Results.on(sweep).curves(select=finite.index, by=["optimizer"], y="suboptimality", max_points=None)
    grid, med, lo, hi = (curve[c].to_numpy() for c in ("iteration", "median", "lo", "hi"))
    left_out = len(runs) - len(finite)
    extra = f", {left_out} diverged left out" if left_out else ""
    ax.plot(grid, med, label=f"{label}, {plural(len(finite), 'run')}{extra}",
            **line_style(sweep, optimizer, k, n_optimizers, len(grid)))
    if len(finite) > 1:
        ax.fill_between(grid, lo, hi, color=sweep.palette.colour(optimizer), alpha=0.15, lw=0)
    return np.concatenate([med, lo, hi])  # the values drawn, for the axis limits


def y_label(sweep, problem):
    if sweep.has_gap(problem):
        return "gap to the optimum f − f* (log)"
    return "suboptimality f − f̂, f̂ = best loss found on the instance (log)"


def panel(sweep, ax, problem):
    group = chosen_group(sweep, problem)
    optimizers = list(dict.fromkeys(group.runs["optimizer"]))
    drawn = [draw_optimizer(sweep, ax, group.runs, opt, k, len(optimizers))
             for k, opt in enumerate(optimizers)]
    drawn = [m for m in drawn if m is not None]
    ptype = group.runs["problem_type"].iloc[0]
    name = problem if ptype == problem else f"{problem} ({ptype})"
    ax.set_title(name + group.title)
    ax.set_xlabel("iteration")
    if not drawn:
        return note(ax, f"{problem}: every run of every optimizer diverged")
    values = np.concatenate([m.ravel() for m in drawn])
    ax.set_yscale("log")
    ax.set_ylim(*log_limits(values.min(), values.max()))
    no_minor_labels(ax)
    ax.set_ylabel(y_label(sweep, problem))
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)


def make(sweep):
    """One panel per problem."""
    fig, _ = panel_figure(sweep.problems(), lambda ax, p: panel(sweep, ax, p), "no committed runs",
                          size=(9.6, 4.4))
    fig.suptitle("Convergence: each optimizer at its best setting (median, band 25–75% over runs)")
    caption = ("Suboptimality against iteration for each optimizer's best setting in one problem "
               "settings group (a problem that sweeps its own values is shown in the group named in its "
               "title, chosen by the problem's metric, else by the ranking); line: median over that "
               "setting's runs (its repeats), band: 25–75% quantiles. The suboptimality is the gap to the "
               "known optimum f − f*, else f − f̂ with f̂ the best loss any run found on the instance "
               "(as Benchopt plots it). Values below rounding are drawn at machine epsilon × max(1, "
               "|f_ref|). Each optimizer has its own dash pattern and markers, so coinciding lines "
               "stay visible.")
    return [Made("convergence", "Convergence", fig, caption)]
