"""targets.py - profile units, gaps to each instance's reference, and time to a target (Moré & Wild 2009).

Reference f_ref of a run: its problem's known optimum, else the lowest loss any run found on
its instance (Sweep.references). A unit, the "problem" of the profiles, is a problem
instance x control values, counted once: runs with the same problem label, problem values,
control values and initial loss are one unit, so repeats that draw nothing (a quadratic
without start_spread: the same objective and start) are not counted twice. Target 10^-k:
the first iteration t with f(x_t) - f_ref <= 10^-k (f(x_0) - f_ref); exact from the
in-loop columns steps_to_1e-k and grad_evals_to_1e-k where the optimum is known and the
file has them, else from the recorded trajectory (resolved to record_every iterations;
gradient evaluations then (t + 1) x the run's evaluations per point x_0 .. x_steps, which is
the in-loop count t + 1 when every iteration costs one gradient).
"""
import numpy as np
import pandas as pd

from .columns import group_keys, target_column

LEVELS = (3, 6)  # data profile and time-to-target table: targets 10^-3 and 10^-6 of the initial gap
SOLVED_SCALE = 1e-10  # gaps below SOLVED_SCALE * max(1, |f_ref|) count as solved in the performance profile
SOLVED_FRACTION = 1e-8  # ... and so do gaps below this fraction of the initial gap


def unit_keys(sweep, runs=None):
    """One key per run (a Series, same index): its unit (problem, problem and control values,
    initial loss)."""
    runs = sweep.runs if runs is None else runs
    names = ["problem"] + sweep.columns.problem + sweep.columns.control + ["loss_initial"]
    return group_keys(runs, [c for c in names if c in runs])


def reference_gaps(sweep, runs):
    """(final gap to f_ref, initial gap to f_ref) per run: arrays, NaN where unknown."""
    ref = sweep.references.loc[runs.index].to_numpy(float)
    return runs["loss_final"].to_numpy(float) - ref, runs["loss_initial"].to_numpy(float) - ref


def solved_floor(sweep, runs):
    """Per run: the gap at or below which its instance counts as solved in the performance profile."""
    ref = sweep.references.loc[runs.index].to_numpy(float)
    _, initial = reference_gaps(sweep, runs)
    scale = SOLVED_SCALE * np.maximum(1.0, np.abs(ref))
    return np.maximum(scale, SOLVED_FRACTION * np.where(np.isfinite(initial), initial, 0.0))


def exact_rows(sweep, runs, k):
    """Boolean mask: runs whose time to target 10^-k is in the file (in-loop, known optimum)."""
    if not sweep.columns.has_targets(k):
        return np.zeros(len(runs), bool)
    return np.isfinite(runs["gap"].to_numpy(float))


def recorded_time(sweep, runs, k):
    """(steps, gradient evaluations) to target 10^-k from the runs' trajectories (NaN when not reached)."""
    steps = np.full(len(runs), np.nan)
    if runs.empty:
        return steps, steps.copy()
    rec = sweep.records(runs, fields=("iteration", "loss"))
    owner = rec.owner()
    ref = sweep.references.loc[runs.index].to_numpy(float)
    target = 10.0 ** -k * (runs["loss_initial"].to_numpy(float) - ref)
    hit = np.flatnonzero(rec.arrays["loss"] - ref[owner] <= target[owner])
    runs_hit, first = np.unique(owner[hit], return_index=True)
    steps[runs_hit] = rec.arrays["iteration"][hit[first]]
    return steps, (steps + 1.0) * evals_per_point(runs)


def evals_per_point(runs):
    """Per run, its gradient evaluations per point x_0 .. x_steps: grad_evals / (steps + 1)."""
    return runs["grad_evals"].to_numpy(float) / (runs["steps"].to_numpy(float) + 1.0)


def time_to_target(sweep, runs, k):
    """DataFrame (index: runs') of steps and grad_evals to target 10^-k (NaN: never) and `exact`."""
    exact = exact_rows(sweep, runs, k)
    steps, evals = recorded_time(sweep, runs[~exact], k)
    out = pd.DataFrame({"steps": np.nan, "grad_evals": np.nan, "exact": exact}, index=runs.index)
    out.loc[~exact, "steps"], out.loc[~exact, "grad_evals"] = steps, evals
    for kind in ("steps", "grad_evals"):
        values = runs.loc[exact, target_column(kind, k)].to_numpy(float) if exact.any() else []
        out.loc[exact, kind] = np.where(np.asarray(values) < 0, np.nan, values)
    return out


def unit_table(sweep, values, how="min"):
    """Per unit (rows) and optimizer (columns): `how` of the values (one per run of sweep.runs) over the
    optimizer's runs on that unit; NaN where the optimizer did not run it."""
    runs = sweep.runs
    frame = pd.DataFrame({"unit": unit_keys(sweep), "optimizer": runs["optimizer"], "value": values},
                         index=runs.index)
    table = frame.groupby(["unit", "optimizer"], sort=False)["value"].agg(how).unstack()
    ran = frame.groupby(["unit", "optimizer"], sort=False).size().unstack()
    table = table.where(ran.notna())
    order = [o for o in sweep.optimizers() if o in table.columns]
    return table[order], ran[order].notna()


def run_times(sweep, k):
    """time_to_target of every run of the sweep, computed once per target."""
    cache = sweep.__dict__.setdefault("_time_to_target", {})
    if k not in cache:
        cache[k] = time_to_target(sweep, sweep.runs, k)
    return cache[k]


def target_costs(sweep, k, kind="grad_evals"):
    """(costs, ran): per unit and optimizer the fewest `kind` (grad_evals or steps) any of its runs on the
    unit took to reach target 10^-k (inf: never; NaN: not run), and whether it ran the unit."""
    times = run_times(sweep, k)[kind].to_numpy(float)
    costs, ran = unit_table(sweep, np.where(np.isnan(times), np.inf, times))
    return costs.where(ran), ran


def time_table(sweep, levels=LEVELS):
    """Per optimizer: units solved to each target and the median steps and gradient evaluations
    (fewest of its settings per unit) over the units it solved."""
    rows = {}
    for k in levels:
        steps, ran = target_costs(sweep, k, "steps")
        evals, _ = target_costs(sweep, k, "grad_evals")
        for opt in steps.columns:
            done = np.isfinite(steps[opt].to_numpy(float))
            row = rows.setdefault(opt, {"optimizer": opt, "units": int(ran[opt].sum())})
            row[f"solved_1e-{k}"] = int(done.sum())
            row[f"median_steps_to_1e-{k}"] = float(np.median(steps[opt][done])) if done.any() else np.nan
            row[f"median_grad_evals_to_1e-{k}"] = float(np.median(evals[opt][done])) if done.any() else np.nan
    return pd.DataFrame(list(rows.values()))


def exactness(sweep, k):
    """(runs with exact time to 10^-k, runs resolved from their trajectory)."""
    exact = exact_rows(sweep, sweep.runs, k)
    return int(exact.sum()), int((~exact).sum())
