"""ranking.py - what "best" means: a metric and its direction per problem, and every run's sort key.

A Rank orders runs by (class, value, steps, run id): class 0 converged runs (only when
ranking by the default measure, gap to the optimum or else final loss: then by steps),
class 1 runs with a finite value (value = the metric, negated when higher is better),
class 2 diverged runs and runs without a value. Runs are only compared within one problem
settings group (best.py), where they share one objective.
"""
import dataclasses

import numpy as np
import pandas as pd

from .measure import floor_of, f_opt, problem_has_gap

ORDER = ["rank_class", "rank_value", "steps", "run_id"]
CONVERGED, FINITE, FAILED = 0, 1, 2
DIVERGED = -1
NAMES = {"gap": "final gap to the optimum f − f*", "loss_final": "final loss f", "psnr": "PSNR",
         "test_mse": "test MSE"}
UNITS = {"psnr": "dB"}


@dataclasses.dataclass(frozen=True)
class Rank:
    """Rank runs by `metric`, better `mode` ("min" or "max"); converged runs first when converged_first."""
    metric: str
    mode: str = "min"
    converged_first: bool = False

    @property
    def name(self):
        """Axis text: the metric's readable name."""
        unit = f" ({UNITS[self.metric]})" if self.metric in UNITS else ""
        return NAMES.get(self.metric, self.metric) + unit

    @property
    def text(self):
        """What the ranking is, for headings and captions: `psnr (max)`."""
        extra = "; converged runs first, fewest steps first" if self.converged_first else ""
        return f"{self.metric} ({self.mode}{extra})"

    def value_text(self, value):
        """A metric value with its unit: `26.9 dB`."""
        unit = f" {UNITS[self.metric]}" if self.metric in UNITS else ""
        return f"{value:.4g}{unit}"

    def better(self, a, b):
        """True when value a is strictly better than value b."""
        return a < b if self.mode == "min" else a > b


def default_rank(runs):
    """Gap to the known optimum, else final loss; lower is better, converged runs first."""
    return Rank("gap" if problem_has_gap(runs) else "loss_final", "min", converged_first=True)


def has_values(runs, metric):
    """True when runs has the numeric column `metric` with at least one finite value."""
    if metric not in runs or runs[metric].dtype.kind not in "fiu":
        return False
    return bool(np.isfinite(metric_values(runs, metric)).any())


def chosen_rank(runs, metric, mode, modes):
    """The Rank for one problem's runs: the user's metric (and mode) where it has values, else the default."""
    default = default_rank(runs)
    if metric is None or not has_values(runs, metric):
        return default
    mode = mode or modes.get(metric, "min")
    return Rank(metric, mode, converged_first=(metric == default.metric and mode == "min"))


def metric_values(runs, metric):
    """The runs' values of the metric as floats: gaps floored at rounding, -1 (never reached) as NaN."""
    values = runs[metric].to_numpy(float)
    if metric == "gap":
        values = np.maximum(values, floor_of(f_opt(runs).to_numpy(float)))
    if "_to_1e-" in metric:
        values = np.where(values < 0, np.nan, values)
    return values


def rank_columns(runs, rank):
    """DataFrame of measure (the metric, NaN when diverged or missing), rank_class and rank_value."""
    value = metric_values(runs, rank.metric)
    failed = (runs["status_code"].to_numpy() == DIVERGED) | ~np.isfinite(value)
    converged = (runs["status_code"].to_numpy() == 1) & rank.converged_first
    cls = np.where(failed, FAILED, np.where(converged, CONVERGED, FINITE))
    oriented = value if rank.mode == "min" else -value
    key = np.where(cls == CONVERGED, runs["steps"].to_numpy(float), np.where(cls == FINITE, oriented, np.inf))
    return pd.DataFrame({"measure": np.where(failed, np.nan, value), "rank_class": cls, "rank_value": key},
                        index=runs.index)


def with_rank(runs, rank):
    """A copy of runs with the rank columns of `rank`."""
    return runs.assign(**rank_columns(runs, rank))


def ranked(runs):
    """runs (carrying rank columns) sorted best first."""
    return runs.sort_values(ORDER, kind="mergesort")
