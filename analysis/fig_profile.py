"""fig_profile.py - Dolan & More performance profile of the optimizers over all problem instances.

An instance is (problem, instance index, control values). Each optimizer's measure on an
instance is the final gap (else final loss) of its best setting there (diverged = inf);
its ratio is that over the best optimizer's. rho(tau) = fraction of instances with
ratio <= tau. Instances run by fewer than two optimizers are left out; an optimizer that
did not run on an instance counts as unsolved there.
"""
import numpy as np

from .columns import group_keys
from .plotting import Made, Skip, panels, plural


def measures(sweep):
    """Best measure per instance (rows) and optimizer (NaN: not run), for instances run by >= 2 optimizers."""
    runs = sweep.runs
    key = group_keys(runs, ["problem", "instance"] + sweep.columns.control)
    table = runs.groupby([key, runs["optimizer"]], sort=False)["measure"].min().unstack()
    table = table[table.notna().sum(axis=1) >= 2]
    return table[[o for o in sweep.optimizers() if o in table.columns]].dropna(axis=1, how="all")


def ratios(table):
    """Performance ratios (inf where unsolved, not run or when every optimizer failed)."""
    m = table.to_numpy(float)
    m = np.where(np.isnan(m), np.inf, m)
    best = m.min(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = m / best
    r[~np.isfinite(best[:, 0]), :] = np.inf
    return np.where(np.isfinite(r), r, np.inf)


def draw(sweep, ax, table):
    r = ratios(table)
    finite = r[np.isfinite(r)]
    tau_max = max(finite.max() * 2 if finite.size else 10, 10)
    n = r.shape[0]
    for j, opt in enumerate(table.columns):
        tau = np.sort(r[:, j])
        tau = tau[np.isfinite(tau)]
        x = np.concatenate([[1.0], tau, [tau_max]])
        y = np.concatenate([[0.0], np.arange(1, len(tau) + 1) / n, [len(tau) / n]])
        ran = int(table[opt].notna().sum())
        extra = [f"ran {ran} of {n}"] if ran < n else []
        extra += [f"diverged on {n - len(tau)}"] if len(tau) < ran else []
        label = f"{opt} ({', '.join(extra)})" if extra else opt
        ax.step(x, y, where="post", color=sweep.palette.colour(opt), lw=1.8, label=label)
    ax.set_xscale("log")
    ax.set_xlim(0.8, tau_max)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("τ: measure relative to the best optimizer on the instance (log)")
    ax.set_ylabel("fraction of instances with ratio ≤ τ")
    ax.legend(loc="lower right")


def make(sweep):
    """One panel over every instance shared by at least two optimizers."""
    table = measures(sweep)
    if table.empty or table.shape[1] < 2:
        raise Skip("it needs at least two optimizers run on the same problem instance")
    if not np.isfinite(table.to_numpy(float)).any():
        raise Skip("every optimizer diverged on every shared problem instance")
    fig, axes = panels(1, ncols=1, size=(7.5, 5.0))
    draw(sweep, axes[0], table)
    axes[0].set_title(f"Performance profile (Dolan & Moré) over {plural(len(table), 'problem instance')}")
    caption = ("For each problem instance (problem, instance, control values) run by two or more "
               "optimizers: each optimizer's final gap to the optimum (else final loss) at its best "
               "setting on that instance, divided by the best optimizer's; the curve is the fraction "
               "of instances within a factor τ of the best. Diverged counts as never within τ; a "
               "curve that stays below 1 failed on the rest.")
    return [Made("performance_profile", "Performance profile", fig, caption)]
