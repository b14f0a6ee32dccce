"""reader.py - read a gdsweep HDF5 file: runs table, trajectories, final points, instances, attributes.

Every function takes `f`, a path or an open h5py.File (a path is opened read-only and
closed again). A file that is not gdsweep's raises NotASweep; a missing file raises
FileNotFoundError. Layout: docs/FORMAT.md.
"""
import contextlib
import hashlib
import os
import struct

import h5py
import numpy as np
import pandas as pd

from . import live

# batch_loss: a stochastic run's minibatch loss (docs/FORMAT.md); absent in older files.
TRAJ_FIELDS = ("iteration", "loss", "grad_norm", "lr", "batch_loss")
# The root attribute naming the series a format-3 file does not store (docs/FORMAT.md).
IMPLICIT_ATTR = "traj_implicit"
REQUIRED_COLUMNS = ("run_id", "problem", "optimizer", "status", "written", "traj_offset")


class NotASweep(ValueError):
    """The file opened but is not a gdsweep output file."""


def commit_cut_short(path):
    """True when path's rollback journal (PATH.journal, docs/FORMAT.md) is valid for it: a
    commit was cut short (or is under way), so the file's bytes are half old, half new."""
    try:
        with open(path + ".journal", "rb") as j:
            data = j.read()
        inode = os.stat(path).st_ino
    except OSError:
        return False
    header = 8 + 5 * 8 + 32
    if len(data) < header or data[:8] != b"GDSWJNL1":
        return False
    numbers = data[8:48]
    _size, _device, owner, _count, body_len = struct.unpack("<5Q", numbers)
    return (owner == inode and body_len == len(data) - header
            and hashlib.sha256(numbers + data[header:]).digest() == data[48:header])


def _open_committed(path):
    """path's last commit, under its commit lock: read whole into memory while a sweep writes
    it (live.py), without asking for HDF5's own file lock (the sweep holds it; the commit lock
    keeps the reading whole), else opened in place."""
    if commit_cut_short(path):  # not a commit under way (the lock excludes those): a torn one
        raise NotASweep(f"{path}: its last commit was cut short (a kill or a failed write; "
                        f"{path}.journal holds the bytes that undo it): `gdsweep status` reads it "
                        "as last committed, and --resume restores and continues it")
    if live.writer_of(path) is not None:
        return h5py.File(path, "r", driver="core", backing_store=False, locking=False)
    return h5py.File(path, "r")  # HDF5's default locking: a file open elsewhere in this process
    # with the same default is shared, not refused for "locking flag values don't match"


def open_sweep(path):
    """Opens path read-only and checks it is gdsweep's (FileNotFoundError, NotASweep otherwise)."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such file: {path}")
    if os.path.isdir(path):
        raise NotASweep(f"{path} is a directory, not a gdsweep HDF5 file")
    try:
        with live.commit_lock(path):
            handle = _open_committed(path)
    except live.ForeignWriter as e:
        raise NotASweep(str(e)) from None
    except OSError as e:
        reason = str(e).splitlines()[0] if str(e) else e.__class__.__name__
        raise NotASweep(f"{path} is not a readable HDF5 file: {reason}") from None
    try:
        check_sweep(handle)
    except NotASweep:
        handle.close()
        raise
    return handle


@contextlib.contextmanager
def opened(f):
    """Yields an open, checked h5py.File for a path or an already open file (closing only what it opened)."""
    if isinstance(f, h5py.File):
        check_sweep(f)
        yield f
        return
    with open_sweep(f) as handle:
        yield handle


def check_sweep(f):
    """Raises NotASweep unless f has gdsweep's /runs table and format_version attribute."""
    runs = f.get("runs")
    names = runs.dtype.names if isinstance(runs, h5py.Dataset) else None
    if "format_version" not in f.attrs or not names:
        raise NotASweep(f"{f.filename} is not a gdsweep output file (no format_version or /runs table)")
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise NotASweep(f"{f.filename}: /runs lacks gdsweep columns {', '.join(missing)}")


def _decode(value):
    """An HDF5 attribute or cell as a plain Python value (bytes decoded, numpy scalars unwrapped)."""
    if isinstance(value, bytes):
        return value.decode("utf-8").rstrip("\0")
    if isinstance(value, np.generic):
        return value.item()
    return value


def table_frame(rows):
    """A structured runs-table array as a DataFrame: strings decoded, unsigned ids as int64."""
    return pd.DataFrame({name: _table_column(rows[name]) for name in rows.dtype.names})


def _table_column(col):
    """One column of a runs table: strings decoded (each distinct value once), uint64 as int64."""
    if col.dtype.kind in "SO":
        where, distinct = pd.factorize(col.astype(object))
        return np.array([_decode(v) for v in distinct], dtype=object)[where]
    if col.dtype.kind == "u" and col.dtype.itemsize == 8:
        return col.astype(np.int64)
    return col


PRUNED = 2  # status_code of a run stopped at a rung by successive halving (docs/GRID.md)


def load_runs(f, pruned=False):
    """The committed rows (written == 1) of the runs table, indexed by run id (run_id also a column).

    Rows with status `pruned` (a successive-halving sweep's runs stopped at an earlier rung,
    with a smaller budget) are left out unless pruned=True: the report compares the runs of
    the last rung, as `gdsweep summary` does.

    File-key columns (the file's `file_columns`, e.g. denoise's `image`) hold the file's name,
    name-key columns (`name_columns`, e.g. curvefit's `x`) the name the grid gives (None where
    a row gives none), not the index the file stores."""
    with opened(f) as h:
        rows = h["runs"][:]
        keep = (rows["written"] == 1) & (pruned | (rows["status_code"] != PRUNED))
        df = table_frame(rows[keep])
        files = _text_attr(h, "input_files")
        columns = _text_attr(h, "file_columns")
        names = _text_attr(h, "names")
        name_columns = _text_attr(h, "name_columns")
    df.index = pd.Index(df["run_id"].to_numpy())
    return _name_files(_name_files(df, files, columns), names, name_columns)


def _text_attr(h, name):
    v = h.attrs.get(name)
    return v.decode() if isinstance(v, bytes) else v


def _name_files(df, files, columns):
    """Replaces the indices of the columns listed in `columns` by the names the lines of
    `files` give them ("index<TAB>name[<TAB>...]", the attributes input_files and names)."""
    if not files or not columns:
        return df
    names = {int(line.split("\t")[0]): line.split("\t")[1] for line in files.splitlines() if line}
    df = df.copy()
    for c in columns.split(","):
        if c in df:
            df[c] = [names.get(int(v)) if v == v and v > 0 else None for v in df[c]]
    return df


def _row(h, run_id):
    return h["runs"][int(run_id)]


def trajectory(f, run_id):
    """Run run_id's records: iteration, loss, grad_norm, lr, batch_loss, and path columns x_0.. when recorded."""
    with opened(f) as h:
        row = _row(h, run_id)
        rows = pd.DataFrame([{c: row[c].item() for c in STORAGE_COLUMNS if c in row.dtype.names}])
        return trajectories(h, rows, with_path=True).frame(0)


# The rows' columns trajectory() reads: storage, and what format 3 rebuilds its records from.
STORAGE_COLUMNS = ("traj_offset", "traj_count", "path_offset", "path_count", "path_dim", "steps", "lr")
MERGE_GAP = 1 << 16  # records between two runs' spans below which one read covers both


def read_spans(dataset, offsets, counts):
    """dataset[o:o+n] for every (o, n), concatenated in the given order, in few large reads."""
    offsets, counts = np.asarray(offsets, np.int64), np.asarray(counts, np.int64)
    out = np.empty(int(counts.sum()), dataset.dtype)
    dest = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    if not len(offsets):
        return out
    order = np.argsort(offsets, kind="stable")
    ends = np.maximum.accumulate(offsets[order] + counts[order])
    # A new read starts where a span begins more than MERGE_GAP past every earlier span's end.
    breaks = np.flatnonzero(offsets[order][1:] > ends[:-1] + MERGE_GAP) + 1
    for part in np.split(order, breaks):
        first, end = offsets[part[0]], int(np.max(offsets[part] + counts[part]))
        block = dataset[first:end]
        target = span_index(dest[part], counts[part])
        out[target] = block[target + np.repeat(offsets[part] - first - dest[part], counts[part])]
    return out


def span_index(starts, counts):
    """The indices start, start + 1, ..., start + count - 1 of every (start, count), concatenated."""
    starts, counts = np.asarray(starts, np.int64), np.asarray(counts, np.int64)
    before = np.cumsum(counts) - counts
    return np.repeat(starts - before, counts) + np.arange(int(counts.sum()), dtype=np.int64)


class Records:
    """Trajectory records of many runs, concatenated: run k's are [start[k], start[k] + count[k])."""

    def __init__(self, arrays, counts, path=None, path_dim=None):
        self.arrays = arrays
        self.count = np.asarray(counts, np.int64)
        self.start = np.concatenate([[0], np.cumsum(self.count)[:-1]]).astype(np.int64)
        self.path, self.path_dim = path, path_dim
        if path is not None:
            sizes = self.count * np.asarray(path_dim, np.int64)
            self.path_start = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)

    def __len__(self):
        return len(self.count)

    def owner(self):
        """For every record, the position k of the run it belongs to."""
        return np.repeat(np.arange(len(self.count)), self.count)

    def frame(self, k):
        """Run k's records as a DataFrame (iteration, loss, grad_norm, lr, and path columns x_0..)."""
        sl = slice(self.start[k], self.start[k] + self.count[k])
        out = {name: a[sl] for name, a in self.arrays.items()}
        dim = int(self.path_dim[k]) if self.path is not None else 0
        if dim:
            start = int(self.path_start[k])
            path = self.path[start:start + self.count[k] * dim].reshape(-1, dim)
            out.update({f"x_{j}": path[:, j] for j in range(dim)})
        return pd.DataFrame(out)


def implicit_series(h):
    """The per-record series the open file does not store (format 3, docs/FORMAT.md): the
    names its root attribute traj_implicit lists; none in older files."""
    text = _text_attr(h, IMPLICIT_ATTR)
    return set(text.split(",")) if text else set()


def _rebuild(name, counts, record_every, steps, lr):
    """Series `name` of runs with counts records, rebuilt by docs/FORMAT.md's rule: record j
    at j * record_every, the last at the run's steps; lr the run's own, NaN at the last
    record; batch_loss NaN."""
    j = span_index(np.zeros(len(counts), np.int64), counts)
    last = j == np.repeat(counts - 1, counts)
    if name == "iteration":
        return np.where(last, np.repeat(np.asarray(steps, np.int64), counts), j * record_every)
    if name == "lr":
        return np.where(last, np.nan, np.repeat(np.asarray(lr, np.float64), counts))
    return np.full(len(j), np.nan)


def traj_columns(f, runs, names=TRAJ_FIELDS):
    """{name: values} of the records of the runs in `runs` (runs-table rows: a DataFrame, a
    structured array or a dict of columns), concatenated in row order: run k's are its traj_count values after those of rows 0..k-1.

    Every reader of /traj goes through here. A stored series is read (in few large reads);
    one the file leaves out (format 3, attribute traj_implicit) is rebuilt from the rows'
    `steps` and `lr` columns and the file's record_every; one an older file lacks (its
    batch_loss) is left out of the result."""
    counts = np.asarray(runs["traj_count"], np.int64)
    offsets = np.asarray(runs["traj_offset"], np.int64)
    with opened(f) as h:
        implicit = implicit_series(h)
        out = {}
        for k in names:
            if k in implicit:
                steps = np.asarray(runs["steps"], np.int64) if k == "iteration" else None
                lr = np.asarray(runs["lr"], np.float64) if k == "lr" else None
                out[k] = _rebuild(k, counts, int(h.attrs["record_every"]), steps, lr)
            elif k in h["traj"]:
                out[k] = read_spans(h["traj"][k], offsets, counts)
    return out


def trajectories(f, rows, fields=TRAJ_FIELDS, with_path=False):
    """The records of the runs in `rows` (a runs-table DataFrame: its storage columns, and
    `steps` and `lr` for a file of format 3), read in bulk.

    Returns Records, run k being rows' k-th row."""
    counts = rows["traj_count"].to_numpy(np.int64)
    with opened(f) as h:
        arrays = traj_columns(h, rows, fields)
        if not with_path:
            return Records(arrays, counts)
        dims = np.where(rows["path_count"].to_numpy(np.int64) > 0, rows["path_dim"].to_numpy(np.int64), 0)
        path = read_spans(h["path/x"], rows["path_offset"].to_numpy(np.int64), counts * dims)
    return Records(arrays, counts, path, dims)


def final_params(f, run_id):
    """Run run_id's final parameters from /final/x (1-D array), or None when they were not saved."""
    with opened(f) as h:
        row = _row(h, run_id)
        o, n = int(row["final_offset"]), int(row["final_count"])
        return h["final/x"][o:o + n] if n else None


def instance(f, k):
    """Instance k's stored inputs: {dataset name: array, ..., "attrs": {attribute: value}}."""
    with opened(f) as h:
        group = h.get(f"instances/{int(k)}")
        if group is None:
            raise KeyError(f"instance {k} has no stored inputs (quadratic and rosenbrock "
                           "instances live in their runs rows)")
        out = {name: ds[()] for name, ds in group.items()}
        out["attrs"] = {a: _decode(v) for a, v in group.attrs.items()}
    return out


def sweep_info(f):
    """The root attributes (name, grid_text, grid_hash, complete, n_runs, ...) plus runs_committed."""
    with opened(f) as h:
        info = {a: _decode(v) for a, v in h.attrs.items()}
        info["runs_committed"] = int(np.count_nonzero(h["runs"].fields("written")[:] == 1))
        info["file"] = h.filename
    return info
