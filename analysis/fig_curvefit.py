"""fig_curvefit.py - the article's curve fit: data, the best run's fitted curve, the least-squares fit.

The run shown is the best of one settings group (best.chosen_group: by test_mse when the file
has it), named in the title when the problem sweeps its own values (degree, noise, ...).
"""
import numpy as np

from .best import best_run, chosen_group, setting_label
from .plotting import Made, legend_below, note, panel_figure
from .poly import poly_text

MAX_PANELS = 6


def fit_panel(sweep, ax, problem):
    group = chosen_group(sweep, problem)
    row = best_run(group.runs, finite=True)
    if row is None:
        return note(ax, f"{problem}: every run diverged")
    inputs = sweep.instance(row["instance"])
    x, y, x_opt = inputs["x"], inputs["y"], inputs["x_opt"]
    coefs = sweep.last_point(row["run_id"])
    grid = np.linspace(x.min(), x.max(), 300)
    ax.scatter(x, y, s=12, color="#9a9a9a", alpha=0.8, label=f"data ({len(x)} points)", zorder=2)
    ax.plot(grid, np.polyval(x_opt, grid), "k--", lw=1.5, zorder=4,
            label=f"least squares: {poly_text(x_opt)}")
    label = f"run {row['run_id']}: {setting_label(sweep, row)}"
    if coefs is None:
        ax.plot([], [], " ", label=f"{label}: fitted parameters not stored")
    else:
        ax.plot(grid, np.polyval(coefs, grid), "-", lw=3.5, alpha=0.85, zorder=3,
                color=sweep.palette.colour(row["optimizer"]), label=f"{label}: {poly_text(coefs)}")
    gap = f", gap {row['gap']:.3g}" if np.isfinite(row["gap"]) else ""
    test = f", test MSE {row['test_mse']:.4g}" if np.isfinite(row.get("test_mse", np.nan)) else ""
    ax.set_title(f"{problem}{group.title}\n"
                 f"degree {int(row['degree'])}, MSE {row['loss_final']:.4g}{gap}{test}")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    legend_below(ax, ncol=1)


def make(sweep):
    """One panel per curve-fitting problem: its best run's fit against the exact least-squares fit."""
    fig, more = panel_figure(sweep.problems("curvefit"), lambda ax, p: fit_panel(sweep, ax, p),
                             "no curve-fitting problem in this sweep", size=(6.8, 5.6), limit=MAX_PANELS)
    fig.suptitle("Curve fitting by gradient descent")
    caption = ("Data points of the instance of each curve-fitting problem's best run (in the settings "
               "group named in the title when the problem sweeps its own values, chosen by test MSE when "
               "the file has it), the curve with that run's fitted coefficients (final/x, else the last "
               "path point), and the exact least-squares optimum (instance x_opt); the legend names the "
               f"run drawn, its setting and coefficients.{more}")
    return [Made("curvefit", "Curve fitting", fig, caption)]
