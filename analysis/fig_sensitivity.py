"""fig_sensitivity.py - the ranking metric (gap, else final loss) against learning rate per optimizer.

One panel per problem settings group (or only the chosen group when there are many). Dots:
every non-diverged run. Line: at each learning rate, the median over the runs of the best
setting with that rate. Diverged runs: a cross in a band at the top of the panel.
"""
import matplotlib.patches as mpatches
import numpy as np
from matplotlib.lines import Line2D

from .best import chosen_group, median_measure, settings, settings_groups
from .plotting import Made, legend_below, log_limits, no_minor_labels, panel_figure, plural

BAND = 0.86  # diverged runs are drawn above this fraction of the panel height
MAX_PANELS = 12
MAX_VALUE_PANELS = 4  # a problem sweeping more combinations of its own values shows its best run's only
DODGE = 0.012  # decades between neighbouring optimizers' points at the same learning rate


def best_median_per_lr(sweep, runs):
    """(lrs, best median measure at each lr) over the settings sharing that lr."""
    lrs = np.sort(runs["lr"].unique())
    meds = [median_measure(settings(sweep, runs[runs["lr"] == lr])[0][1]) for lr in lrs]
    return lrs, np.array(meds, dtype=float)


def draw_optimizer(sweep, ax, runs, optimizer, k, dodge):
    colour = sweep.palette.colour(optimizer)
    ok = np.isfinite(runs["measure"])
    ax.scatter(runs["lr"][ok] * dodge, runs["measure"][ok], s=14, color=colour, alpha=0.35, lw=0)
    lrs, meds = best_median_per_lr(sweep, runs)
    meds[~np.isfinite(meds)] = np.nan
    ax.plot(lrs * dodge, meds, "-", marker=sweep.palette.marker(optimizer), ms=5, color=colour, lw=1.4,
            label=optimizer)
    bad = runs["lr"][~ok].to_numpy()
    if len(bad):
        y = BAND + (1 - BAND) * (0.3 + 0.2 * (k % 3))
        ax.plot(bad, np.full(len(bad), y), "x", ms=7, mew=1.8, color=colour,
                transform=ax.get_xaxis_transform())
    return len(bad)


def y_limits(ax, values):
    """Log limits leaving the top band free, ticks only below it; values are the finite positive measures."""
    if len(values) == 0:
        ax.set_ylim(1, 10)
        ax.set_yticks([])
        ax.text(0.5, 0.45, "every run diverged", ha="center", transform=ax.transAxes, color="#444444")
        return
    lo, hi = np.log10(log_limits(values.min(), values.max()))
    ax.set_ylim(10 ** lo, 10 ** (lo + (hi - lo) / BAND))
    ax.set_yticks([t for t in ax.get_yticks() if 10 ** lo <= t <= 10 ** hi])


def diverged_band(ax, n_bad):
    """The shaded band at the top where diverged runs are drawn, labelled; a legend handle for it."""
    ax.add_patch(mpatches.Rectangle((0, BAND), 1, 1 - BAND, transform=ax.transAxes,
                                    color="#d73027", alpha=0.08, lw=0))
    ax.text(0.01, (1 + BAND) / 2, "diverged", transform=ax.transAxes, va="center", fontsize=8,
            color="#a01010")
    return Line2D([], [], ls="", marker="x", color="black", label=f"diverged ({plural(n_bad, 'run')})")


def panel(sweep, ax, problem, group):
    runs = group.runs
    optimizers = sweep.optimizers(problem)
    n_bad = sum(draw_optimizer(sweep, ax, runs[runs["optimizer"] == opt], opt, k,
                               10 ** (DODGE * (k - (len(optimizers) - 1) / 2)))
                for k, opt in enumerate(optimizers))
    ax.set_xscale("log")
    ax.set_yscale("log")
    finite = runs["measure"][np.isfinite(runs["measure"])].to_numpy()
    y_limits(ax, finite[finite > 0])
    lrs = runs["lr"].to_numpy(float)
    ax.set_xlim(*log_limits(lrs.min(), lrs.max(), pad=0.1))
    no_minor_labels(ax)
    handles, _ = ax.get_legend_handles_labels()
    if n_bad:
        handles.append(diverged_band(ax, n_bad))
    legend_below(ax, handles, ncol=3)
    ax.set_title(f"{problem}{group.title}: {plural(len(runs), 'run')}")
    ax.set_xlabel("learning rate lr (log)")
    ax.set_ylabel(sweep.rank(problem).name + " (log)")


def panel_groups(sweep, problem):
    """The problem's settings groups; only the chosen one when there are too many."""
    groups = settings_groups(sweep, problem)
    return groups if len(groups) <= MAX_VALUE_PANELS else [chosen_group(sweep, problem)]


def make(sweep):
    """One panel per problem and combination of the problem's own swept values (at most MAX_PANELS)."""
    todo = [(p, group) for p in sweep.problems() for group in panel_groups(sweep, p)]
    fig, more = panel_figure(todo, lambda ax, t: panel(sweep, ax, *t), "no committed runs", limit=MAX_PANELS)
    fig.suptitle("Sensitivity to the learning rate")
    caption = ("The ranking metric (final gap to the optimum, else the final loss, or the metric asked "
               "for) of every run against its base learning rate (dots); the line joins, at each rate, "
               "the median over the best setting's runs. "
               "Optimizers sharing a rate are nudged sideways by a few percent so that none hides "
               "another. Diverged runs are crosses in the shaded band at the top, not dropped. A problem "
               f"that sweeps its own values (x0, lambda, ...) gets one panel per combination, or, beyond "
               f"{MAX_VALUE_PANELS}, one for the settings chosen by its metric (the status maps show "
               f"all).{more}")
    return [Made("sensitivity", "Sensitivity to the learning rate", fig, caption)]
