"""sweep.py - one open sweep for the report: committed runs, column groups, palette, per-run arrays.

Sweep owns the open h5py.File (close() or use it as a context manager). Problems and
optimizers are listed in sweep order (first appearance in the runs table).
"""
import numpy as np

from . import reader
from .columns import Columns
from .measure import measure, problem_has_gap
from .palette import Palette


class Sweep:
    """A gdsweep file opened for reporting."""

    def __init__(self, path):
        self.file = reader.open_sweep(path)
        self.info = reader.sweep_info(self.file)
        self.runs = reader.load_runs(self.file)
        self.columns = Columns(self.runs.columns)
        self.palette = Palette(self.runs["optimizer"])
        self.runs["measure"] = np.inf
        for problem in self.problems():
            sel = self.runs["problem"] == problem
            self.runs.loc[sel, "measure"] = measure(self.runs[sel])

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.file.close()

    @property
    def n_total(self):
        return int(self.info.get("n_runs", len(self.runs)))

    @property
    def partial(self):
        """True when the sweep did not finish or some rows are uncommitted."""
        return int(self.info.get("complete", 0)) != 1 or len(self.runs) < self.n_total

    def problems(self, problem_type=None):
        """Problem labels in sweep order, optionally only those of one problem type."""
        runs = self.runs
        if problem_type is not None:
            runs = runs[runs["problem_type"] == problem_type]
        return list(dict.fromkeys(runs["problem"]))

    def optimizers(self, problem=None):
        """Optimizer labels in sweep order (those run on `problem` when given)."""
        runs = self.runs if problem is None else self.of(problem)
        return list(dict.fromkeys(runs["optimizer"]))

    def of(self, problem, optimizer=None):
        """The committed runs of a problem (and optimizer)."""
        sel = self.runs["problem"] == problem
        if optimizer is not None:
            sel &= self.runs["optimizer"] == optimizer
        return self.runs[sel]

    def has_gap(self, problem):
        return problem_has_gap(self.of(problem))

    def trajectory(self, run_id):
        return reader.trajectory(self.file, run_id)

    def final(self, run_id):
        return reader.final_params(self.file, run_id)

    def instance(self, k):
        return reader.instance(self.file, k)

    def last_point(self, run_id):
        """The run's final parameters: /final/x, else the last point of its path, else None."""
        x = self.final(run_id)
        if x is not None:
            return x
        traj = self.trajectory(run_id)
        cols = [c for c in traj.columns if c.startswith("x_")]
        return traj[cols].to_numpy()[-1] if cols and len(traj) else None
