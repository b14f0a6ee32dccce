"""measure.py - a run's performance measure: gap to the optimum when known, else final loss; diverged = inf.

Gaps at or below rounding (machine epsilon x max(1, |f*|)) are floored there, so they stay
positive on log axes and in performance ratios.
"""
import numpy as np

EPS = np.finfo(float).eps
DIVERGED = -1


def problem_has_gap(runs):
    """True when the runs' problem has a known optimum (some run has a finite gap)."""
    return bool(np.isfinite(runs["gap"].to_numpy(float)).any())


def f_opt(runs):
    """Each run's optimum f* = loss_final - gap (NaN where unknown)."""
    return runs["loss_final"] - runs["gap"]


def floor_of(fstar):
    """The rounding floor for gaps of problems whose optimum is fstar (array-like)."""
    scale = np.where(np.isfinite(fstar), np.abs(fstar), 0.0)
    return EPS * np.maximum(1.0, scale)


def measure(runs, use_gap=None):
    """Per run: gap (floored) when the problem's optimum is known, else loss_final; inf when diverged."""
    if use_gap is None:
        use_gap = problem_has_gap(runs)
    if use_gap:
        value = np.maximum(runs["gap"].to_numpy(float), floor_of(f_opt(runs).to_numpy(float)))
    else:
        value = runs["loss_final"].to_numpy(float)
    bad = (runs["status_code"].to_numpy() == DIVERGED) | ~np.isfinite(value)
    return np.where(bad, np.inf, value)


def measure_name(use_gap, short=False):
    """Axis text for the measure."""
    if short:
        return "gap" if use_gap else "loss"
    return "gap to optimum f - f*" if use_gap else "final loss f"
