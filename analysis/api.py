"""api.py - the documented Python API for notebooks: open(path) gives Results (runs, trajectories, curves, best).

Every method reads the file through reader.py and ranks runs as the report does (best.py,
ranking.py), so a notebook and the report agree. Trajectories are read in bulk: one read
per dataset over the selected runs' spans, never one read per run. Reference: docs/PYTHON.md.
"""
import functools

import numpy as np
import pandas as pd

from . import reader
from .best import median_measure, ranked_settings
from .columns import varying
from .curves import aligned_matrix, common_grid, quantiles
from .measure import f_opt, floor_of
from .ranking import chosen_rank, ranked, with_rank
from .sweep import Sweep
from .targets import evals_per_point

RANK_COLUMNS = ("measure", "rank_class", "rank_value")
X_AXES = ("iteration", "evals", "seconds", "epochs")
FIELDS = ("loss", "grad_norm", "gap", "batch_loss")
# Per-record values computed from the loss: gap = loss - f* (NaN where the optimum is unknown);
# suboptimality = loss - f_ref (f*, else the lowest loss any run found on the instance), floored at rounding.
DERIVED = ("gap", "suboptimality")


def open(path, metric=None, mode=None):  # noqa: A001 - gdsweep.open, as the issue names it
    """Open a gdsweep HDF5 output file for analysis.

    Parameters
    ----------
    path : str or os.PathLike
        The sweep's output file (``gdsweep grid.ini -o out.h5``).
    metric, mode : str, optional
        The default ranking of `best` (as the report's ``--metric``/``--mode``): a numeric
        result column and ``"min"`` or ``"max"``. Default: the gap to the optimum where it is
        known, else the final loss, converged runs first.

    Returns
    -------
    Results
        The open sweep; close it with ``close()`` or use it in a ``with`` block.

    Raises
    ------
    FileNotFoundError
        No such file.
    NotASweep
        The file is not gdsweep's, is being written, or its last commit was cut short.
    """
    return Results(path, metric, mode)


class Results:
    """One sweep's results: the runs table and bulk access to every run's trajectory.

    Use ``open(path)`` to make one. Run selections (the ``select`` argument) are None (every
    committed run), a pandas query string on `runs` (``"optimizer == 'adam' and lr < 0.1"``),
    a boolean mask over `runs`' rows, or run ids (a list, array, or a Series of lists such
    as ``best()["run_ids"]``).
    """

    def __init__(self, path, metric=None, mode=None):
        self._sweep = Sweep(path, metric, mode)

    @classmethod
    def on(cls, sweep):
        """Results over an already open report Sweep (analysis.sweep), ranked as it ranks."""
        results = cls.__new__(cls)
        results._sweep = sweep
        return results

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        info = self.info
        return (f"<gdsweep results {info.get('name', '')!r}: {len(self.runs)} runs, "
                f"swept {', '.join(self.swept) or 'nothing'}; {info['file']}>")

    def close(self):
        """Close the file."""
        self._sweep.close()

    @property
    def info(self):
        """dict: the file's root attributes (name, grid_text, seed, n_runs, complete, ...), decoded."""
        return self._sweep.info

    @functools.cached_property
    def runs(self):
        """pandas.DataFrame: the committed runs, one row per run, indexed by run id.

        Strings are decoded; file and name keys hold names (docs/FORMAT.md). Parameter
        columns (problem, control, optimizer and schedule keys) that no run uses (every cell
        NaN or empty) are left out; every other column of the file's runs table is kept.
        """
        runs = self._sweep.runs.drop(columns=list(RANK_COLUMNS))
        columns = self._sweep.columns
        unused = [c for c in columns.problem + columns.setting if _all_missing(runs[c])]
        return runs.drop(columns=unused)

    @functools.cached_property
    def swept(self):
        """list of str: the swept keys: parameters (and repeat) that take more than one value among
        the runs of some (problem, optimizer) pair."""
        columns = self._sweep.columns
        names = [c for c in columns.problem + columns.setting + ["repeat"] if c in self.runs]
        counts = self.runs.groupby(["problem", "optimizer"], sort=False)[names].nunique()
        return [c for c in names if (counts[c] > 1).any()]

    def trajectories(self, select=None, fields=FIELDS):
        """Every record of the selected runs as one long, tidy DataFrame, read in bulk.

        Parameters
        ----------
        select : None, str, boolean mask or run ids, optional
            The runs (see the class docstring); default every committed run.
        fields : sequence of str, optional
            Per-record values among ``loss``, ``grad_norm``, ``lr``, ``batch_loss`` (kept only
            when some selected run is stochastic), ``gap`` (loss - f*, kept only where some
            selected run's optimum is known) and ``suboptimality`` (see `curves`).

        Returns
        -------
        pandas.DataFrame
            One row per record, in run order: ``run_id``, ``problem``, ``optimizer``, the swept
            keys, ``iteration``, ``evals``, ``seconds``, ``epochs`` (for runs on data) and the
            fields. ``evals`` (gradient evaluations up to x_t: (t + 1) grad_evals / (steps + 1)),
            ``seconds`` and ``epochs`` (the run's totals times t / steps) are estimates spread
            evenly over the run's iterations: the file stores only their totals.
        """
        rows = self._rows(select)
        rec = self._records(rows, fields)
        owner = rec.owner()
        out = {"run_id": rows["run_id"].to_numpy(np.int64)[owner]}
        for c in ["problem", "optimizer"] + [k for k in self.swept if k not in ("problem", "optimizer")]:
            out[c] = _repeat_column(rows[c], owner)
        out.update(_x_columns(rows, rec.arrays["iteration"], owner))
        out.update(self._fields(rows, rec, owner, fields))
        return pd.DataFrame(out)

    def curves(self, select=None, by=("problem", "optimizer"), y="loss", stat="median", band=(25, 75),
               x="iteration", after="hold", max_points=1000):
        """Per group of runs, a statistic of their curves and a band, on a common x grid.

        Parameters
        ----------
        select : None, str, boolean mask or run ids, optional
            The runs (see the class docstring).
        by : sequence of str
            Runs columns that make a group (one curve each); empty: one curve of every run.
        y : str
            ``loss``, ``grad_norm``, ``lr``, ``batch_loss``, ``gap`` (loss - f*, NaN where the
            optimum is unknown) or ``suboptimality`` (loss - f_ref: f*, else the lowest loss
            any run found on the instance, as the report's convergence figure draws it;
            floored at rounding, eps max(1, abs(f_ref))).
        stat : {"median", "mean"}
        band : (float, float) or None
            Percentiles of the band (``lo``, ``hi`` columns); None for none.
        x : {"iteration", "evals", "seconds", "epochs"}
            The x axis (see `trajectories` for how evals, seconds and epochs are estimated).
        after : {"hold", "drop"}
            A run that stopped before the group's end (converged, diverged, or a smaller
            budget): ``"hold"`` keeps its final value to the end (a converged run stays
            converged, as the report draws it); ``"drop"`` leaves it out after its last record
            (``n`` then counts the runs still going).
        max_points : int or None
            At most this many grid points per group (evenly thinned, ends kept); None: all.

        Returns
        -------
        pandas.DataFrame
            One row per (group, grid point): the `by` columns, `x`, `stat`, ``lo``, ``hi``, ``n``
            (runs with a value there) and ``runs`` (runs in the group).

        Notes
        -----
        A group's grid is the union of its runs' recorded x values. At a grid point a run
        takes the value of its last record at or before it (its first value before its first
        record): runs record every record_every iterations plus their last, off-stride
        iteration, and every run counts at every grid point, so the statistic does not jump
        at one run's off-stride last record.
        """
        rows = self._rows(select)
        keys = list(by)
        if rows.empty:
            return pd.DataFrame(columns=keys + [x, stat, "lo", "hi", "n", "runs"])
        rows = rows.iloc[np.argsort(_group_codes(rows, keys), kind="stable")]
        rec = self._records(rows, (y,))
        owner = rec.owner()
        records = (_x_columns(rows, rec.arrays["iteration"], owner, (x,))[x],
                   self._fields(rows, rec, owner, (y,), keep_empty=True)[y], owner, rec.start, rec.count)
        groups = _positions(rows, keys)
        parts = [_group_curve(g, records, x, stat, band, after, max_points) for g in groups]
        out = rows.iloc[np.repeat([g.start for g in groups], [len(p[x]) for p in parts])][keys]
        out = out.reset_index(drop=True)
        for name in parts[0]:
            out[name] = np.concatenate([p[name] for p in parts])
        out.attrs["y"] = y
        return out

    def best(self, metric=None, mode=None, by=("problem", "optimizer")):
        """The best setting of each group: the lowest median rank over its runs (repeats).

        Parameters
        ----------
        metric, mode : str, optional
            The ranking (default: that given to `open`): a numeric result column and
            ``"min"``/``"max"``; as the report ranks (ranking.py).
        by : sequence of str
            Runs columns that make a group. As in the report, runs are compared only within
            one problem settings group, so ``problem`` and the swept problem keys (lambda,
            x0, ...) are added to `by` when it lacks them. A setting is one value of every
            other swept optimizer, schedule and control key (lr, momentum, iterations, ...);
            its runs are its repeats.

        Returns
        -------
        pandas.DataFrame
            One row per group: the `by` columns, the setting's values (NaN where a key does not
            vary in that group), ``ranked_by``, ``median`` (the metric's median over the
            setting's runs; NaN when one diverged), ``runs``, ``best_run`` (its best run's id)
            and ``run_ids`` (a list: every run of the setting).
        """
        runs = self._ranked(metric, mode)
        columns = self._sweep.columns
        groups = list(dict.fromkeys(["problem", *by] + [k for k in self.swept if k in columns.problem]))
        names = [k for k in self.swept if k in columns.setting and k not in groups]
        rows = [self._best_row(g, groups, names, metric, mode) for _, g in runs.groupby(groups, sort=False, dropna=False)]
        return pd.DataFrame(rows)

    def instance(self, k):
        """Problem instance k's stored inputs (curvefit, denoise, data problems).

        Returns
        -------
        dict
            ``{dataset name: numpy array, ..., "attrs": {attribute: value}}``.

        Raises
        ------
        KeyError
            The instance stores no inputs (quadratic, Rosenbrock: their rows hold them).
        """
        return reader.instance(self._sweep.file, k)

    def to_xarray(self, select=None, fields=("loss", "grad_norm")):
        """The selected runs' records as an xarray.Dataset over (run_id, iteration).

        Each field is a variable, NaN where a run has no record at that iteration (after it
        stopped, or off its record stride); run columns (problem, optimizer, swept keys,
        status) are coordinates along run_id. Needs xarray (Debian: python3-xarray).
        """
        try:
            import xarray
        except ImportError:
            raise ImportError("to_xarray needs xarray: install Debian's python3-xarray "
                              "(apt-get install python3-xarray)") from None
        traj = self.trajectories(select, fields)
        ids, owner = np.unique(traj["run_id"].to_numpy(), return_inverse=True)
        grid, pos = np.unique(traj["iteration"].to_numpy(), return_inverse=True)
        data = {}
        for f in fields:
            if f in traj:
                m = np.full((len(ids), len(grid)), np.nan)
                m[owner, pos] = traj[f].to_numpy(float)
                data[f] = (("run_id", "iteration"), m)
        runs = self.runs.loc[ids]
        coords = {"run_id": ids, "iteration": grid}
        coords.update({c: ("run_id", runs[c].to_numpy()) for c in self._run_coordinates()})
        return xarray.Dataset(data, coords=coords, attrs={"name": str(self.info.get("name", ""))})

    def to_csv(self, path, select=None, trajectories=False):
        """Write the selected runs (`runs` rows) or, with trajectories=True, their records to CSV.

        Returns
        -------
        str
            The path written.
        """
        frame = self.trajectories(select) if trajectories else self.runs.loc[self._rows(select).index]
        frame.to_csv(path, index=False)
        return path

    # -- internals --------------------------------------------------------------------------

    def _rows(self, select):
        """The internal runs rows (with storage and rank columns) of a selection, in run order."""
        runs = self._sweep.runs
        if select is None:
            return runs
        if isinstance(select, str):
            return runs.loc[self.runs.query(select).index]
        mask = np.asarray(select) if not isinstance(select, pd.Series) else select.to_numpy()
        if mask.dtype == bool:
            if len(mask) != len(runs):
                raise ValueError(f"a boolean selection needs {len(runs)} values (one per run), not {len(mask)}")
            return runs[mask]
        ids = pd.unique(np.asarray(_flatten(select), np.int64))
        unknown = ids[~np.isin(ids, runs.index.to_numpy())]
        if len(unknown):
            raise KeyError(f"no committed run with id {', '.join(map(str, unknown[:5]))}")
        return runs.loc[np.sort(ids)]

    def _records(self, rows, fields):
        """The rows' records of the stored series that `fields` need, and their iterations."""
        wanted = ("iteration",) + tuple(dict.fromkeys("loss" if f in DERIVED else f for f in fields))
        return self._sweep.records(rows, fields=wanted)

    def _fields(self, rows, rec, owner, fields, keep_empty=False):
        """{field: per-record values}: stored series, and the DERIVED ones from the loss; batch_loss
        and gap only where some value is finite (unless keep_empty)."""
        out = {}
        for f in fields:
            if f in DERIVED:
                ref = (f_opt(rows) if f == "gap" else self._sweep.references.loc[rows.index]).to_numpy(float)
                values = rec.arrays["loss"] - ref[owner]
                if f == "suboptimality":
                    values = np.maximum(values, floor_of(ref)[owner])
            elif f in rec.arrays:
                values = rec.arrays[f]
            elif keep_empty:
                raise ValueError(f"y must be a recorded series (loss, grad_norm, lr, batch_loss), gap or "
                                 f"suboptimality, not {f!r}")
            else:
                continue
            if keep_empty or f not in ("gap", "batch_loss") or np.isfinite(values).any():
                out[f] = values
        return out

    def _rank(self, problem, metric, mode):
        """The problem's Rank for (metric, mode): the open's when both are None."""
        if metric is None and mode is None:
            return self._sweep.rank(problem)
        return chosen_rank(self._sweep.of(problem), metric or self._sweep.metric, mode, self._sweep.modes)

    def _ranked(self, metric, mode):
        """The runs carrying the rank columns of (metric, mode), per problem."""
        runs = self._sweep.runs
        if metric is None and mode is None:
            return runs
        parts = [with_rank(g, self._rank(p, metric, mode)) for p, g in runs.groupby("problem", sort=False)]
        return pd.concat(parts).loc[runs.index]

    def _best_row(self, runs, by, names, metric, mode):
        """best()'s row of one group (runs carrying their rank columns)."""
        names = varying(runs, names)
        setting = ranked_settings(runs, names)[0][1]
        first = ranked(setting).iloc[0]
        row = {k: first[k] for k in by}
        row.update({k: first[k] for k in names})
        ranks = {self._rank(p, metric, mode).text for p in dict.fromkeys(setting["problem"])}
        row.update({"ranked_by": "; ".join(sorted(ranks)), "median": median_measure(setting),
                    "runs": len(setting), "best_run": int(first["run_id"]),
                    "run_ids": sorted(setting["run_id"].tolist())})
        return row

    def _run_coordinates(self):
        return ["problem", "optimizer"] + [k for k in self.swept if k not in ("problem", "optimizer")] + ["status"]


def _all_missing(column):
    """True when every cell is NaN (numbers) or empty (choices)."""
    if column.dtype == object:
        return bool((column.fillna("") == "").all())
    return bool(column.isna().all())


def _flatten(ids):
    """Run ids from a list, array or Series whose items may themselves be lists (best()'s run_ids)."""
    out = []
    for v in (ids.tolist() if hasattr(ids, "tolist") else ids):
        out.extend(v if isinstance(v, (list, tuple, np.ndarray)) else [v])
    return out


def _repeat_column(column, owner):
    """A runs column repeated per record (owner: the run position of every record); strings as categories."""
    if column.dtype == object:
        codes, categories = pd.factorize(column, sort=False)
        return pd.Categorical.from_codes(codes[owner], categories)
    return column.to_numpy()[owner]


def _x_columns(rows, iteration, owner, axes=X_AXES):
    """{axis: per-record values} for the wanted x axes (epochs only for runs on data)."""
    it = iteration.astype(float)
    steps = np.maximum(rows["steps"].to_numpy(float), 1.0)[owner]
    out = {}
    for axis in axes:
        if axis == "iteration":
            out[axis] = iteration
        elif axis == "evals":
            out[axis] = (it + 1.0) * evals_per_point(rows)[owner]
        elif axis in ("seconds", "epochs"):
            total = rows["wall_seconds" if axis == "seconds" else "epochs"].to_numpy(float)
            if axis == "seconds" or np.isfinite(total).any() or len(axes) == 1:
                out[axis] = it * total[owner] / steps
        else:
            raise ValueError(f"x must be one of {', '.join(X_AXES)}, not {axis!r}")
    return out


def _group_codes(rows, keys):
    """Per row, the number of its group of `keys` (in order of appearance; missing values a key too;
    no keys: one group)."""
    if not keys:
        return np.zeros(len(rows), np.int64)
    return rows.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()


def _positions(rows, keys):
    """Slices of rows' positions, one per group of `keys` (rows sorted so that groups are contiguous)."""
    codes = _group_codes(rows, keys)
    bounds = np.flatnonzero(np.diff(codes)) + 1
    starts = np.concatenate([[0], bounds])
    ends = np.concatenate([bounds, [len(codes)]])
    return [slice(a, b) for a, b in zip(starts, ends)]


def _group_curve(runs, records, x, stat, band, after, max_points):
    """One group's curve (runs: a slice of rows' positions; records: per-record x, y, owner, and per-run
    start and count): {x: grid, stat, lo, hi, n, runs}, arrays."""
    xs, values, owner, start, count = records
    lo, hi = start[runs.start], start[runs.stop - 1] + count[runs.stop - 1]
    gx = xs[lo:hi]
    grid = common_grid(gx, max_points)
    n_runs = runs.stop - runs.start
    matrix = aligned_matrix(gx, values[lo:hi], owner[lo:hi] - runs.start, n_runs, grid, after)
    q = quantiles(matrix, stat, band)
    out = {x: grid, stat: q[stat]}
    if band is not None:
        out["lo"], out["hi"] = q["lo"], q["hi"]
    out.update({"n": q["n"], "runs": np.full(len(grid), n_runs)})
    return out
