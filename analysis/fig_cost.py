"""fig_cost.py - the article's 1-D cost-curve figures: descent paths on f(x), and optimizers' final points.

For each quadratic problem the runs shown lie in one settings group (best.chosen_group, named
in the title when the problem sweeps its own values), share one instance (that of the
group's best run) and are each optimizer's best non-diverged run on it.
"""
import numpy as np

from .best import best_run, chosen_group, setting_label
from .plotting import Made, Skip, panel_figure, panels, plural
from .poly import poly_text, quadratic_coefs, vertex

MAX_PANELS = 12


def quadratic_problems(sweep):
    """Quadratic problems whose runs recorded a 1-D path."""
    out = []
    for p in sweep.problems("quadratic"):
        if (sweep.of(p)["path_dim"] == 1).any():
            out.append(p)
    if not out:
        raise Skip("no 1-D quadratic problem in this sweep")
    return out


def chosen_runs(sweep, problem):
    """(group, [(optimizer, best non-diverged row)] on the instance of the group's best run; [] if all
    diverged)."""
    group = chosen_group(sweep, problem)
    ref = best_run(group.runs, finite=True)
    if ref is None:
        return group, []
    same = group.runs[group.runs["instance"] == ref["instance"]]
    chosen = []
    for opt in sweep.optimizers(problem):
        row = best_run(same[same["optimizer"] == opt], finite=True)
        if row is not None:
            chosen.append((opt, row))
    return group, chosen


def draw_curve(ax, coefs, xs, style="k-"):
    """The cost curve f over the points xs, and its minimum."""
    lo, hi = np.min(xs), np.max(xs)
    pad = max(0.15 * (hi - lo), 1.0)
    grid = np.linspace(lo - pad, hi + pad, 400)
    ax.plot(grid, np.polyval(coefs, grid), style, lw=1.3, label="cost f(x)", zorder=1)
    xstar, fstar = vertex(coefs)
    ax.plot([xstar], [fstar], "*", ms=12, color="gold", mec="black", zorder=2,
            label=f"minimum x* = {xstar:.4g}")
    ax.set_xlabel("x")
    ax.set_ylabel("cost f(x)")


def path_panel(sweep, ax, problem, group, optimizer, row):
    """One run's descent path drawn over its cost curve (the article's figure)."""
    coefs = quadratic_coefs(row)
    p = sweep.trajectory(row["run_id"])
    draw_curve(ax, coefs, np.append(p["x_0"].to_numpy(), vertex(coefs)[0]))
    ax.plot(p["x_0"], p["loss"], "o-", ms=3.5, lw=0.9, alpha=0.85, color=sweep.palette.colour(optimizer),
            label=f"path: {plural(len(p), 'point')}", zorder=3)
    ax.plot([p["x_0"].iloc[0]], [p["loss"].iloc[0]], "ks", ms=7, zorder=4, label=f"start x0 = {row['x0']:g}")
    label = setting_label(sweep, row)
    ax.set_title(f"{problem}{group.title}: f(x) = {poly_text(coefs)}\nrun {row['run_id']}: {label}, "
                 f"final x = {p['x_0'].iloc[-1]:.6g}",
                 color=sweep.palette.colour(optimizer))
    ax.legend(loc="upper center", fontsize=8)


def make_paths(sweep):
    """Figure (a): one panel per (quadratic problem, optimizer): the cost curve with the descent path."""
    chosen = [(p, group, opt, row) for p in quadratic_problems(sweep)
              for group, runs in [chosen_runs(sweep, p)] for opt, row in runs]
    fig, more = panel_figure(chosen, lambda ax, c: path_panel(sweep, ax, *c),
                             "every run of the 1-D quadratic problems diverged", ncols=4,
                             size=(4.3, 3.8), limit=MAX_PANELS)
    fig.suptitle("Gradient descent visualization: the descent path on the cost function")
    caption = ("The cost function f(x) of each 1-D quadratic problem with the recorded path x_t "
               "(from path/x) of each optimizer's best non-diverged run, drawn over f; all runs of a "
               "problem share one instance, in one settings group (named in the title when the problem "
               f"sweeps its own values). The title names the run drawn and its setting.{more}")
    return [Made("cost_paths", "Gradient descent visualization", fig, caption)]


def comparison_panels(sweep, problem, group, chosen, axes):
    coefs = quadratic_coefs(chosen[0][1])
    xstar, _ = vertex(coefs)
    finals = [(opt, float(sweep.last_point(row["run_id"])[0])) for opt, row in chosen]
    xs = np.array([x for _, x in finals] + [chosen[0][1]["x0"], xstar])
    draw_curve(axes[0], coefs, xs, style="k--")
    for (opt, x), (_, row) in zip(finals, chosen):
        axes[0].plot([x], [np.polyval(coefs, x)], sweep.palette.marker(opt), ms=9, mec="black",
                     color=sweep.palette.colour(opt), label=f"{setting_label(sweep, row)}: x = {x:.6g}",
                     zorder=4)
    axes[0].set_title(f"Final points on {problem}{group.title}: f(x) = {poly_text(coefs)}, "
                      f"x0 = {chosen[0][1]['x0']:g}")
    axes[0].legend(loc="upper center", ncol=2)
    distance_panel(sweep, axes[1], finals, xstar)


def distance_panel(sweep, ax, finals, xstar):
    """Bars of |x_final - x*| per optimizer (log)."""
    floor = np.finfo(float).eps * max(1.0, abs(xstar))
    dist = [max(abs(x - xstar), floor) for _, x in finals]
    labels = [opt for opt, _ in finals]
    ax.barh(range(len(finals)), dist, color=[sweep.palette.colour(o) for o in labels])
    ax.set_yticks(range(len(finals)), labels)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("distance of the final x from the minimum |x − x*| (log)")
    ax.set_title("How close each optimizer ended")
    for i, d in enumerate(dist):
        ax.text(d, i, f" {d:.2g}", va="center", fontsize=8.5)
    ax.set_xlim(min(dist) / 3, max(dist) * 30)


def make_comparison(sweep):
    """Figure (b): the article's comparison of optimizers as final points on the cost curve."""
    problems = quadratic_problems(sweep)
    chosen = {p: chosen_runs(sweep, p) for p in problems}
    problem = max(problems, key=lambda p: len(chosen[p][1]))
    group, runs = chosen[problem]
    if not runs:
        raise Skip("every run of the quadratic problems diverged")
    fig, axes = panels(2, ncols=2, size=(6.4, 4.8), gridspec_kw={"width_ratios": [3, 2]})
    comparison_panels(sweep, problem, group, runs, axes)
    fig.suptitle(f"Comparison of optimizers on {problem}")
    caption = (f"Each optimizer's final x (best run on one instance of {problem}) on the cost "
               "curve, as in the article, and its distance from the exact minimum.")
    return [Made("cost_comparison", "Comparison of optimizers", fig, caption)]
