"""fig_profile.py - performance profile (Dolan & Moré 2002) and data profiles (Moré & Wild 2009).

Units and references: targets.py. Performance profile: each optimizer's measure on a unit is
the final gap to the unit's reference of its best run there (diverged = inf), gaps below the
solved floor counting as the floor (ratio 1 between two solved runs); its ratio is that over
the best optimizer's; rho(tau) = fraction of units with ratio <= tau, over the units run by
two or more optimizers. Data profile for target 10^-k: d(alpha) = fraction of all units an
optimizer solved (reached the target with some setting) within alpha gradient evaluations.
"""
import numpy as np

from .plotting import Made, Skip, panels, plural
from .targets import LEVELS, SOLVED_FRACTION, SOLVED_SCALE, exactness, reference_gaps, solved_floor
from .targets import target_costs, unit_table

TAU_CAP = 1e6  # the performance profile's axis ends here at most; larger ratios count as not within tau


def measures(sweep):
    """Per unit run by >= 2 optimizers (rows) and optimizer: the best floored gap to the reference
    (inf: diverged or no value, NaN: not run)."""
    runs = sweep.runs
    gaps, _ = reference_gaps(sweep, runs)
    bad = (runs["status_code"].to_numpy() == -1) | ~np.isfinite(gaps)
    value = np.where(bad, np.inf, np.maximum(gaps, solved_floor(sweep, runs)))
    table, ran = unit_table(sweep, value)
    table = table.where(ran)[ran.sum(axis=1) >= 2]
    return table.dropna(axis=1, how="all")


def ratios(table):
    """Performance ratios (inf where unsolved, not run or when every optimizer failed)."""
    m = table.to_numpy(float)
    m = np.where(np.isnan(m), np.inf, m)
    best = m.min(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = m / best
    r[~np.isfinite(best[:, 0]), :] = np.inf
    return np.where(np.isfinite(r), r, np.inf)


def step_curve(values, n, start, end):
    """(x, y) of the fraction of n units with value <= x, from start to end (values beyond end dropped)."""
    v = np.sort(values[np.isfinite(values) & (values <= end)])
    x = np.concatenate([[start], np.maximum(v, start), [end]])
    y = np.concatenate([[0.0], np.arange(1, len(v) + 1) / n, [len(v) / n]])
    return x, y


def draw_performance(sweep, ax, table):
    r = ratios(table)
    finite = r[np.isfinite(r)]
    tau_max = min(max(finite.max() * 2 if finite.size else 10, 10), TAU_CAP)
    n = r.shape[0]
    for j, opt in enumerate(table.columns):
        x, y = step_curve(r[:, j], n, 1.0, tau_max)
        ran = int(table[opt].notna().sum())
        failed = int(np.sum(~np.isfinite(r[:, j]) & table[opt].notna().to_numpy()))
        beyond = int(np.sum(np.isfinite(r[:, j]) & (r[:, j] > tau_max)))
        extra = [f"ran {ran} of {n}"] if ran < n else []
        extra += [f"diverged on {failed}"] if failed else []
        extra += [f"{beyond} beyond τ = {tau_max:.0e}"] if beyond else []
        label = f"{opt} ({', '.join(extra)})" if extra else opt
        ax.step(x, y, where="post", color=sweep.palette.colour(opt), ls=sweep.palette.dash(opt), lw=1.8,
                label=label)
    ax.set_xscale("log")
    ax.set_xlim(0.9, tau_max)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("τ: gap relative to the best optimizer's on the unit (log)")
    ax.set_ylabel("fraction of units with ratio ≤ τ")
    ax.set_title(f"Performance profile over {plural(n, 'unit')}")
    ax.legend(loc="lower right")


def draw_data(sweep, ax, k):
    """Data profile for target 10^-k over every unit; returns the number of units."""
    costs, ran = target_costs(sweep, k)
    n = len(costs)
    end = max(float(sweep.runs["grad_evals"].max()), 10.0)
    for opt in costs.columns:
        x, y = step_curve(np.maximum(costs[opt].to_numpy(float), 1.0), n, 1.0, end)
        solved = int(np.isfinite(costs[opt].to_numpy(float)).sum())
        ax.step(x, y, where="post", color=sweep.palette.colour(opt), ls=sweep.palette.dash(opt), lw=1.8,
                label=f"{opt} (solved {solved} of the {int(ran[opt].sum())} it ran)")
    ax.set_xscale("log")
    ax.set_xlim(1.0, end)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("α: gradient evaluations (log)")
    ax.set_ylabel("fraction of units solved within α")
    ax.set_title(f"Data profile, target 10⁻{k} of the initial gap, {plural(n, 'unit')}")
    ax.legend(loc="lower right")
    return n


UNIT_TEXT = ("A unit is a problem instance × control values (problem label, problem values, "
             "control values and initial loss; repeats that draw nothing new count once). The "
             "reference f_ref is the known optimum, else the lowest loss any run found on the instance.")


def make_performance(sweep):
    """The performance profile over the units run by two or more optimizers."""
    table = measures(sweep)
    if table.empty or table.shape[1] < 2:
        raise Skip("it needs at least two optimizers run on the same problem instance")
    fig, axes = panels(1, ncols=1, size=(7.5, 5.0))
    draw_performance(sweep, axes[0], table)
    caption = (f"{UNIT_TEXT} Each optimizer's final gap f − f_ref at its best run on the unit, divided "
               "by the best optimizer's; the curve is the fraction of units within a factor τ of the "
               f"best. Gaps below max({SOLVED_SCALE:g} × max(1, |f_ref|), {SOLVED_FRACTION:g} × the "
               "initial gap) count as solved (ratio 1). Diverged counts as never within τ; ratios beyond "
               f"the axis (at most {TAU_CAP:.0e}) too.")
    return [Made("performance_profile", "Performance profile", fig, caption)]


def make_data(sweep):
    """One data profile per target in LEVELS, over every unit."""
    fig, axes = panels(len(LEVELS), ncols=len(LEVELS), size=(6.0, 4.6))
    n = [draw_data(sweep, ax, k) for ax, k in zip(axes, LEVELS)]
    exact, recorded = exactness(sweep, LEVELS[0])
    how = (f"{exact} runs have the exact in-loop count (known optimum); " if exact else "")
    how += (f"{recorded} runs are resolved from their recorded trajectory, to every "
            f"{plural(sweep.record_every, 'iteration')} (against f_ref; gradient evaluations (t + 1) × "
            "the run's evaluations per point x_0 … x_steps)." if recorded else "")
    caption = (f"{UNIT_TEXT} A unit is solved by an optimizer at iteration t when f(x_t) − f_ref ≤ "
               "10⁻ᵏ (f(x_0) − f_ref) for some run of it; the curve is the fraction of all "
               f"{plural(n[0], 'unit')} solved within α of the optimizer's gradient evaluations "
               f"(fewest of its settings). {how}")
    return [Made("data_profile", "Data profiles (time to target)", fig, caption)]

