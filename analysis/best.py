"""best.py - best runs and settings within problem settings groups, the group a figure shows, the best table.

A problem settings group is a problem label with one value of every problem parameter
(Columns.problem): its runs share one objective (up to the repeat's data), so only they
are ranked against each other. Best run: the lowest rank key (ranking.py). Best setting
(an optimizer's control, optimizer and schedule values that vary): the lowest median rank
class, then median rank value, then median steps, over its runs (repeats). A figure that
shows one group of a problem takes the group of the best setting by the problem's metric
(psnr, test_mse) when it has one, else by the ranking metric.
"""
import dataclasses

import numpy as np
import pandas as pd

from .columns import describe, group_keys, is_missing, varying
from .palette import STATUS_CODES
from .ranking import ranked, with_rank
from .targets import LEVELS, run_times


@dataclasses.dataclass
class Group:
    """The runs of one problem settings group; values: `lambda=0.5` (the varying problem values, or "")."""
    runs: pd.DataFrame
    values: str
    how: str = ""

    @property
    def title(self):
        """` at lambda=0.5 (best of 4 by psnr (max))` for a title; "" when the problem sweeps nothing."""
        if not self.values:
            return ""
        return f" at {self.values}" + (f" ({self.how})" if self.how else "")


def best_run(runs, finite=False):
    """The best row of runs (a Series), or None; finite=True skips diverged runs and runs without a value."""
    if finite:
        runs = runs[runs["rank_class"] < 2]
    return None if runs.empty else ranked(runs).iloc[0]


def setting_columns(sweep, runs):
    """The setting columns that vary within runs (one problem x optimizer)."""
    return varying(runs, sweep.columns.setting)


def setting_score(runs):
    """A setting's score over its runs: median rank class, median rank value, median steps, first run id."""
    return (float(np.median(runs["rank_class"])), float(np.median(runs["rank_value"])),
            float(np.median(runs["steps"])), int(runs["run_id"].min()))


def ranked_settings(runs, names):
    """Groups of runs (ranked), one per combination of the values of the columns `names`:
    a list of (key, runs), best (setting_score) first."""
    keys = group_keys(runs, names)
    groups = [(k, g) for k, g in runs.groupby(keys, sort=False)]
    return sorted(groups, key=lambda kg: setting_score(kg[1]))


def settings(sweep, runs):
    """Groups of runs (ranked), one per setting: a list of (key, runs), best setting first."""
    return ranked_settings(runs, setting_columns(sweep, runs))


def best_setting(sweep, runs):
    """The runs of the best setting among runs (one problem x optimizer)."""
    return settings(sweep, runs)[0][1]


def median_measure(runs):
    """The median measure of a setting's runs; NaN when one of them has none (diverged)."""
    values = runs["measure"].to_numpy(float)
    return float(np.median(values)) if np.isfinite(values).all() else np.nan


def problem_names(sweep, problem):
    """The problem parameter columns that vary among the problem's runs."""
    return varying(sweep.of(problem), sweep.columns.problem)


def settings_groups(sweep, problem, runs=None):
    """The problem's settings groups (of `runs`, default all its runs), in sweep order."""
    runs = sweep.of(problem) if runs is None else runs
    names = problem_names(sweep, problem)
    if not names:
        return [Group(runs, "")]
    keys = group_keys(runs, names)
    return [Group(g, describe(g.iloc[0], names, digits=3)) for _, g in runs.groupby(keys, sort=False)]


def group_score(sweep, runs):
    """A group's score: that of the best setting of any optimizer (runs carry the ranking wanted)."""
    return min(setting_score(best_setting(sweep, runs[runs["optimizer"] == opt]))
               for opt in dict.fromkeys(runs["optimizer"]))


def chosen_group(sweep, problem):
    """The group a figure shows: the best by the problem's choice rank (the only one if nothing varies)."""
    groups = settings_groups(sweep, problem)
    if len(groups) == 1:
        return groups[0]
    rank = sweep.choice_rank(problem)
    scores = [group_score(sweep, with_rank(g.runs, rank)) for g in groups]
    best = groups[min(range(len(groups)), key=lambda i: scores[i])]
    first = ", converged first" if rank.converged_first else ""
    best.how = f"best of {len(groups)} by {rank.metric} ({rank.mode}{first})"
    return best


def setting_label(sweep, row):
    """`label (lr=..., other varying values)` of the run drawn, for a legend or caption."""
    optimizer = row["optimizer"]
    varying_cols = setting_columns(sweep, sweep.of(row["problem"], optimizer))
    cols = ["lr"] + [c for c in varying_cols if c != "lr"]
    text = describe(row, cols, digits=3)
    return f"{optimizer} ({text})" if text else optimizer


def hyperparameters(sweep, row):
    """A best run's configuration: its optimizer and schedule values, varying control values, repeat."""
    problem_runs = sweep.of(row["problem"])
    cols = list(sweep.columns.optimizer)
    if row.get("schedule", "constant") not in ("constant", ""):
        cols += sweep.columns.schedule
    cols += varying(problem_runs, sweep.columns.control)
    if problem_runs["repeat"].nunique() > 1:
        cols.append("repeat")
    return describe(row, [c for c in cols if not is_missing(row[c])])


def status_counts(runs):
    """{status name: count} over runs, every status present (0 when none)."""
    counts = runs["status_code"].value_counts()
    return {name: int(counts.get(code, 0)) for code, name in STATUS_CODES.items()}


def table_row(sweep, group, optimizer, runs):
    """One row of the best table: the best run of one optimizer in one settings group."""
    row = best_run(runs)
    entry = {"problem": row["problem"], "problem_settings": group.values or "-", "optimizer": optimizer,
             "ranked_by": sweep.rank(row["problem"]).text, "run_id": int(row["run_id"]),
             "hyperparameters": hyperparameters(sweep, row), "status": row["status"],
             "steps": int(row["steps"])}
    entry.update({f"steps_to_1e-{k}": run_times(sweep, k).at[row["run_id"], "steps"] for k in LEVELS})
    entry.update({"loss_final": row["loss_final"], "gap": row["gap"]})
    entry.update({m: row[m] for m in sweep.columns.metrics})
    entry.update(status_counts(runs))
    entry["runs"] = len(runs)
    return entry


def table(sweep):
    """The best-configuration table: one row per (problem settings group, optimizer), in sweep order."""
    rows = []
    for problem in sweep.problems():
        for group in settings_groups(sweep, problem):
            runs = group.runs
            for optimizer in dict.fromkeys(runs["optimizer"]):
                rows.append(table_row(sweep, group, optimizer, runs[runs["optimizer"] == optimizer]))
    return pd.DataFrame(rows)
