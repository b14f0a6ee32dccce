"""sweep.py - one open sweep for the report: committed runs, column groups, rankings, palette, per-run arrays.

Sweep owns the open h5py.File (close() or use it as a context manager). Problems and
optimizers are listed in sweep order (first appearance in the runs table). Every run
carries the rank columns (ranking.py) of its problem's Rank: the user's metric and mode
where the problem has that metric, else the default (gap, else final loss).
"""
import functools

import numpy as np

from . import reader
from .columns import Columns, metric_modes
from .measure import f_opt, problem_has_gap
from .palette import Palette
from .ranking import Rank, chosen_rank, has_values, rank_columns


class Sweep:
    """A gdsweep file opened for reporting; metric/mode: the user's ranking (None: the default)."""

    def __init__(self, path, metric=None, mode=None):
        self.file = reader.open_sweep(path)
        self.info = reader.sweep_info(self.file)
        self.runs = reader.load_runs(self.file)
        self.columns = Columns(self.runs.columns)
        self.palette = Palette(self.runs["optimizer"])
        self.modes = metric_modes(self.info.get("metric_modes"), self.columns.metrics)
        self.metric = metric
        self.ranks = {p: chosen_rank(self.of(p), metric, mode, self.modes) for p in self.problems()}
        for name in ("measure", "rank_class", "rank_value"):
            self.runs[name] = np.nan
        for problem, rank in self.ranks.items():
            sel = self.runs["problem"] == problem
            self.runs.loc[sel, ["measure", "rank_class", "rank_value"]] = rank_columns(self.runs[sel], rank)

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

    def rank(self, problem):
        """The Rank the problem's runs carry."""
        return self.ranks[problem]

    def unranked_by_metric(self):
        """Problems where the user's metric has no value (ranked by their default instead)."""
        if self.metric is None:
            return []
        return [p for p, r in self.ranks.items() if r.metric != self.metric]

    def choice_rank(self, problem):
        """The Rank that picks a problem's settings group: the user's metric, else the problem's own
        metric (psnr, test_mse: the question a sweep of lambda or degree asks), else its Rank."""
        runs = self.of(problem)
        if self.metric is not None and self.rank(problem).metric == self.metric:
            return self.rank(problem)
        for metric in self.columns.metrics:
            if has_values(runs, metric):
                return Rank(metric, self.modes.get(metric, "min"))
        return self.rank(problem)

    @functools.cached_property
    def references(self):
        """f_ref per run: the known optimum, else the lowest loss any run found on the run's instance."""
        known = f_opt(self.runs)
        found = self.runs.groupby("instance")["loss_best"].transform("min")
        return known.where(np.isfinite(known), found)

    @property
    def record_every(self):
        return int(self.info.get("record_every", 1))

    def records(self, rows, fields=reader.TRAJ_FIELDS, with_path=False):
        """The trajectory records of the runs in rows (runs-table rows), read in bulk (reader.Records)."""
        return reader.trajectories(self.file, rows, fields, with_path)

    def trajectory(self, run_id):
        return self.records(self.runs.loc[[run_id]], with_path=True).frame(0)

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
