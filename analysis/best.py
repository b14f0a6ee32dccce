"""best.py - best runs and best settings per (problem, optimizer), and the best-configuration table.

Best run: lowest measure (gap, else final loss; diverged last), then fewest steps, then
lowest run id. Best setting: the optimizer's values (control, optimizer, schedule columns
that vary) whose runs (over repeats and problem values) have the lowest median measure,
then the lowest median steps.
"""
import numpy as np
import pandas as pd

from .columns import describe, group_keys, is_missing, varying
from .palette import STATUS_CODES

ORDER = ["measure", "steps", "run_id"]


def ranked(runs):
    """runs sorted best first."""
    return runs.sort_values(ORDER, kind="mergesort")


def best_run(runs, finite=False):
    """The best row of runs (a Series), or None; finite=True skips diverged runs."""
    if finite:
        runs = runs[np.isfinite(runs["measure"])]
    return None if runs.empty else ranked(runs).iloc[0]


def setting_columns(sweep, runs):
    """The setting columns that vary within runs (one problem x optimizer)."""
    return varying(runs, sweep.columns.setting)


def settings(sweep, runs):
    """Groups of runs, one per setting: a list of (key, runs), best setting first."""
    keys = group_keys(runs, setting_columns(sweep, runs))
    groups = [(k, g) for k, g in runs.groupby(keys, sort=False)]
    score = [(np.median(g["measure"]), np.median(g["steps"]), i) for i, (_, g) in enumerate(groups)]
    return [groups[s[2]] for s in sorted(score)]


def best_setting(sweep, runs):
    """The runs of the best setting among runs (one problem x optimizer)."""
    return settings(sweep, runs)[0][1]


def value_groups(sweep, problem):
    """[(runs, `key=value` text)] per combination of the problem's own swept values (one group if none)."""
    runs = sweep.of(problem)
    names = varying(runs, sweep.columns.problem)
    if not names:
        return [(runs, "")]
    keys = group_keys(runs, names)
    return [(g, describe(g.iloc[0], names, digits=3)) for _, g in runs.groupby(keys, sort=True)]


def at_best_values(sweep, problem):
    """(runs of the problem at the problem values of its best run, `key=value` text of those values)."""
    runs = sweep.of(problem)
    names = varying(runs, sweep.columns.problem)
    if not names:
        return runs, ""
    keys = group_keys(runs, names)
    ref = best_run(runs)
    same = keys.map(lambda k: k == keys[ref["run_id"]])
    return runs[same], describe(ref, names, digits=3)


def setting_label(sweep, runs, optimizer):
    """`label (lr=..., other varying values)` for a legend."""
    row = runs.iloc[0]
    cols = ["lr"] + [c for c in setting_columns(sweep, sweep.of(row["problem"], optimizer)) if c != "lr"]
    text = describe(row, cols, digits=3)
    return f"{optimizer} ({text})" if text else optimizer


def hyperparameters(sweep, row):
    """A best run's configuration: its optimizer and schedule values, varying problem values, repeat."""
    problem_runs = sweep.of(row["problem"])
    cols = [c for c in sweep.columns.optimizer]
    if row.get("schedule", "constant") not in ("constant", ""):
        cols += sweep.columns.schedule
    cols += varying(problem_runs, sweep.columns.control + sweep.columns.problem)
    if problem_runs["repeat"].nunique() > 1:
        cols.append("repeat")
    return describe(row, [c for c in cols if not is_missing(row[c])])


def status_counts(runs):
    """{status name: count} over runs, every status present (0 when none)."""
    counts = runs["status_code"].value_counts()
    return {name: int(counts.get(code, 0)) for code, name in STATUS_CODES.items()}


def table(sweep):
    """The best-configuration table: one row per (problem, optimizer) in sweep order."""
    rows = []
    for problem in sweep.problems():
        for optimizer in sweep.optimizers(problem):
            runs = sweep.of(problem, optimizer)
            row = best_run(runs)
            entry = {"problem": problem, "optimizer": optimizer, "run_id": int(row["run_id"]),
                     "hyperparameters": hyperparameters(sweep, row), "status": row["status"],
                     "steps": int(row["steps"]), "loss_final": row["loss_final"], "gap": row["gap"]}
            entry.update({m: row[m] for m in sweep.columns.metrics})
            entry.update(status_counts(runs))
            entry["runs"] = len(runs)
            rows.append(entry)
    return pd.DataFrame(rows)
