"""fig_samples.py - samples seen to the target gap against batch size, one line per optimizer (stochastic sweeps).

One panel per problem settings group: at each batch size (the full batch at N) the median
samples to 10^-k of the initial gap of the optimizer's best setting there (samples.table),
with its 95% bootstrap interval as an error bar; a batch size whose median never reached
the target is left out of the line. Findings: per group, the optimizer and batch size with
the fewest median samples.
"""
import numpy as np

from . import samples
from .plotting import Made, Skip, legend_below, no_minor_labels, panel_figure


def draw(sweep, ax, frame, k):
    column = f"median_samples_to_1e-{k}"
    for optimizer, rows in frame.groupby("optimizer", sort=False):
        rows = rows.sort_values("batch_rows")
        y = rows[column].to_numpy(float)
        ok = np.isfinite(y)
        x = rows["batch_rows"].to_numpy(float)[ok]
        low, high = rows["ci_low"].to_numpy(float)[ok], rows["ci_high"].to_numpy(float)[ok]
        err = np.vstack([y[ok] - low, np.where(np.isfinite(high), high - y[ok], 0.0)])
        ax.errorbar(x, y[ok], yerr=err, marker=sweep.palette.marker(optimizer), ms=5, capsize=3, lw=1.4,
                    color=sweep.palette.colour(optimizer), label=optimizer)
    first = frame.iloc[0]
    where = f" ({first['problem_settings']})" if first["problem_settings"] != "-" else ""
    ax.set_title(f"{first['problem']}{where}")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("batch size (rightmost: full batch)")
    ax.set_ylabel(f"samples to 1e-{k} of the initial gap")
    no_minor_labels(ax)
    legend_below(ax, ncol=4)


def finding(row, k):
    lo, hi = row["ci_low"], row["ci_high"]
    return (f"{row['problem']}{'' if row['problem_settings'] == '-' else ' (' + row['problem_settings'] + ')'}: "
            f"{row['optimizer']} at batch size {row['batch']} ({row['setting']}) reaches 1e-{k} of the initial "
            f"gap in the fewest samples: median {row[f'median_samples_to_1e-{k}']:.0f} "
            f"(95% CI [{lo:.0f}, {hi:.0f}], {row['reached']} of {row['n']} repeats reached it).")


def make(sweep, k=samples.LEVEL):
    if not samples.has_minibatches(sweep):
        raise Skip("no minibatch runs (batch_size below the training rows)")
    frame = samples.table(sweep, k)
    groups = [g for _, g in frame.groupby(["problem", "problem_settings"], sort=False)]
    fig, more = panel_figure(groups, lambda ax, g: draw(sweep, ax, g, k), "no minibatch runs")
    caption = (f"Samples seen (rows read by the optimizer's gradients) until the gap to the known optimum first "
               f"fell below 1e-{k} of the initial gap at a record point: median over repeats of each optimizer's "
               f"best setting at each batch size, with the 95% bootstrap interval; batch sizes whose median "
               f"never reached the target are left out; coinciding lines hide each other.{more}")
    findings = [finding(row, k) for _, row in samples.winners(frame, k).iterrows()]
    return [Made("samples_to_target", "Samples to target by batch size", fig, caption, findings)]
