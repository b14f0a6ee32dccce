"""columns.py - the runs table's column groups, found from the documented column order (docs/FORMAT.md).

Identity (run_id .. repeat), problem parameters, run control (iterations ..), optimizer
parameters (lr ..), schedule (schedule ..), results (status .. threads; metrics between
gap and loss_evals; format 2: steps_to_1e-k, grad_evals_to_1e-k, seconds_to_1e-k before
traj_offset), storage (traj_offset ..). Metric directions come from the root attribute
metric_modes ("psnr:max,test_mse:min"), else psnr is better high and the rest low.
"""
import math
import re

import numpy as np
import pandas as pd


def _between(names, first, last, include_first=True):
    """The names after `first` (or from it) up to, not including, `last`; [] when an anchor is absent."""
    if first not in names or last not in names:
        return []
    i, j = names.index(first), names.index(last)
    return names[i if include_first else i + 1:j]


class Columns:
    """Column groups of one runs table."""

    def __init__(self, names):
        names = list(names)
        self.problem = _between(names, "repeat", "iterations", include_first=False)
        self.control = _between(names, "iterations", "lr")
        self.optimizer = _between(names, "lr", "schedule")
        self.schedule = _between(names, "schedule", "status")
        self.metrics = _between(names, "gap", "loss_evals", include_first=False)
        self.target_levels = sorted({int(m.group(1)) for m in map(TARGET_COLUMN.match, names) if m})

    def has_targets(self, k):
        """True when the table has the exact in-loop steps/gradient evaluations to the 10^-k target."""
        return k in self.target_levels

    @property
    def setting(self):
        """Columns that make an optimizer setting: control, optimizer and schedule values."""
        return self.control + self.optimizer + self.schedule


TARGET_COLUMN = re.compile(r"^steps_to_1e-(\d+)$")
DEFAULT_MODES = {"psnr": "max"}


def target_column(kind, k):
    """The name of the exact time-to-target column: kind steps, grad_evals or seconds; target 10^-k."""
    return f"{kind}_to_1e-{k}"


def metric_modes(text, metrics):
    """{metric: "min" | "max"} from the metric_modes attribute text; defaults for metrics it omits."""
    modes = {m: DEFAULT_MODES.get(m, "min") for m in metrics}
    for item in (text or "").split(","):
        name, _, mode = item.strip().partition(":")
        if name and mode.strip() in ("min", "max"):
            modes[name] = mode.strip()
    return modes


def is_missing(value):
    """True for NaN and for an empty choice string (a key the row's type lacks)."""
    if isinstance(value, str):
        return value == ""
    return isinstance(value, float) and math.isnan(value)


def varying(runs, names):
    """The columns among `names` that take more than one value in `runs` (NaN counted as a value)."""
    return [c for c in names if c in runs and runs[c].nunique(dropna=False) > 1]


def key_frame(runs, names):
    """runs[names] with NaN replaced by a marker, so rows group and compare by value."""
    frame = runs[list(names)].copy()
    for c in frame.columns:
        if frame[c].dtype.kind == "f":
            frame[c] = frame[c].fillna(-np.inf)
    return frame


def group_keys(runs, names):
    """One hashable key per row of runs over the columns `names` (a Series, same index)."""
    if not names:
        return pd.Series([()] * len(runs), index=runs.index, dtype=object)
    frame = key_frame(runs, names)
    return pd.Series(list(frame.itertuples(index=False, name=None)), index=runs.index)


def fmt(value, digits=6):
    """A cell value as short text: `digits` significant digits for numbers, the string itself for choices."""
    if isinstance(value, str):
        return value
    if isinstance(value, (float, np.floating)) and math.isnan(value):
        return "-"
    if isinstance(value, (int, np.integer)) or float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.{digits}g}"


def describe(row, names, digits=6):
    """`key=value, ...` of a row's non-missing values in the columns `names`."""
    parts = [f"{c}={fmt(row[c], digits)}" for c in names if c in row and not is_missing(row[c])]
    return ", ".join(parts)
