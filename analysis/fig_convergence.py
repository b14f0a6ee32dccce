"""fig_convergence.py - loss (or gap) per iteration of each optimizer's best setting: median, 25-75% band.

When the problem sweeps its own values (x0, lambda, ...) a panel shows the values of the
problem's best run, so the band is the spread over repeats of one problem. Curves of the
setting's runs are put on the union of their
recorded iterations, each holding its last value after it stopped (converged runs stay
at their final value). Diverged runs of the best setting are left out (and counted).
"""
import numpy as np

from .best import at_best_values, best_setting, setting_label
from .measure import floor_of, measure_name
from .plotting import Made, log_limits, no_minor_labels, note, panel_figure, plural, wants_log


def run_curve(sweep, row, use_gap):
    """(iterations, values) of one run: gap = loss - (loss_final - gap) when use_gap, else loss."""
    traj = sweep.trajectory(row["run_id"])
    values = traj["loss"].to_numpy(float)
    if use_gap:
        fstar = row["loss_final"] - row["gap"]
        values = np.maximum(values - fstar, floor_of(fstar))
    return traj["iteration"].to_numpy(), values


def aligned(curves):
    """(grid, matrix runs x grid) with each curve held at its last value after its end."""
    grid = np.unique(np.concatenate([it for it, _ in curves]))
    rows = []
    for it, v in curves:
        idx = np.clip(np.searchsorted(it, grid, side="right") - 1, 0, len(it) - 1)
        rows.append(v[idx])
    return grid, np.vstack(rows)


def draw_optimizer(sweep, ax, runs, optimizer, use_gap):
    runs = best_setting(sweep, runs[runs["optimizer"] == optimizer])
    finite = runs[np.isfinite(runs["measure"])]
    label = setting_label(sweep, runs, optimizer)
    if finite.empty:
        ax.plot([], [], "x", color=sweep.palette.colour(optimizer), label=f"{label}: every run diverged")
        return None
    grid, m = aligned([run_curve(sweep, row, use_gap) for _, row in finite.iterrows()])
    lo, med, hi = np.quantile(m, [0.25, 0.5, 0.75], axis=0)
    colour = sweep.palette.colour(optimizer)
    left_out = len(runs) - len(finite)
    extra = f", {left_out} diverged left out" if left_out else ""
    ax.plot(grid, med, color=colour, lw=1.6, label=f"{label}, {plural(len(finite), 'run')}{extra}")
    if len(finite) > 1:
        ax.fill_between(grid, lo, hi, color=colour, alpha=0.2, lw=0)
    return m


def panel(sweep, ax, problem):
    use_gap = sweep.has_gap(problem)
    runs, values = at_best_values(sweep, problem)
    drawn = [draw_optimizer(sweep, ax, runs, opt, use_gap) for opt in sweep.optimizers(problem)]
    drawn = [m for m in drawn if m is not None]
    ptype = runs["problem_type"].iloc[0]
    name = problem if ptype == problem else f"{problem} ({ptype})"
    ax.set_title(name + (f" at {values}" if values else ""))
    ax.set_xlabel("iteration")
    if not drawn:
        return note(ax, f"{problem}: every run of every optimizer diverged")
    values = np.concatenate([m.ravel() for m in drawn])
    log = (use_gap and values.min() > 0) or wants_log(values)
    if log:
        ax.set_yscale("log")
        ax.set_ylim(*log_limits(values.min(), values.max()))
        no_minor_labels(ax)
    ax.set_ylabel(measure_name(use_gap).replace("final ", "") + (" (log)" if log else ""))
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)


def make(sweep):
    """One panel per problem."""
    fig, _ = panel_figure(sweep.problems(), lambda ax, p: panel(sweep, ax, p), "no committed runs",
                          size=(9.6, 4.4))
    fig.suptitle("Convergence: each optimizer at its best setting (median, band 25–75% over runs)")
    caption = ("Gap to the known optimum f − f* (else the loss) against iteration for each optimizer's "
               "best setting (lowest median final gap or loss); line: median over that setting's runs "
               "(its repeats; a problem that sweeps its own values is shown at those of its best run), "
               "band: 25–75% quantiles. Gaps below rounding are drawn at "
               "machine epsilon × max(1, |f*|).")
    return [Made("convergence", "Convergence", fig, caption)]
