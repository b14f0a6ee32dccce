"""measure.py - the known optimum of runs (f* = loss_final - gap) and the rounding floor of gaps to it.

Gaps at or below rounding (machine epsilon x max(1, |f*|)) are floored there, so they stay
positive on log axes and tie in rankings.
"""
import numpy as np

EPS = np.finfo(float).eps


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
