"""reader.py - read a gdsweep HDF5 file: runs table, trajectories, final points, instances, attributes.

Every function takes `f`, a path or an open h5py.File (a path is opened read-only and
closed again). A file that is not gdsweep's raises NotASweep; a missing file raises
FileNotFoundError. Layout: docs/FORMAT.md.
"""
import contextlib
import os

import h5py
import numpy as np
import pandas as pd

TRAJ_FIELDS = ("iteration", "loss", "grad_norm", "lr")
REQUIRED_COLUMNS = ("run_id", "problem", "optimizer", "status", "written", "traj_offset")


class NotASweep(ValueError):
    """The file opened but is not a gdsweep output file."""


def open_sweep(path):
    """Opens path read-only and checks it is gdsweep's (FileNotFoundError, NotASweep otherwise)."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such file: {path}")
    if os.path.isdir(path):
        raise NotASweep(f"{path} is a directory, not a gdsweep HDF5 file")
    try:
        handle = h5py.File(path, "r")
    except OSError as e:
        reason = str(e).splitlines()[0] if str(e) else e.__class__.__name__
        if "unable to lock file" in reason:
            raise NotASweep(f"{path} is open for writing by another process (a sweep still running?): "
                            "report it once the writer has finished or stopped") from None
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
    df = pd.DataFrame(rows)
    for name in df.columns:
        col = df[name]
        if col.dtype == object:
            df[name] = col.map(_decode)
        elif col.dtype.kind == "u" and col.dtype.itemsize == 8:
            df[name] = col.astype(np.int64)
    return df


def load_runs(f):
    """The committed rows (written == 1) of the runs table, indexed by run id (run_id also a column)."""
    with opened(f) as h:
        df = table_frame(h["runs"][:])
    df = df[df["written"] == 1]
    df.index = pd.Index(df["run_id"].to_numpy())
    return df


def _row(h, run_id):
    return h["runs"][int(run_id)]


def trajectory(f, run_id):
    """Run run_id's records: iteration, loss, grad_norm, lr, and path columns x_0.. when recorded."""
    with opened(f) as h:
        row = _row(h, run_id)
        o, n = int(row["traj_offset"]), int(row["traj_count"])
        out = {k: h["traj"][k][o:o + n] for k in TRAJ_FIELDS}
        dim = int(row["path_dim"])
        if dim and int(row["path_count"]):
            po = int(row["path_offset"])
            path = h["path/x"][po:po + n * dim].reshape(n, dim)
            out.update({f"x_{j}": path[:, j] for j in range(dim)})
    return pd.DataFrame(out)


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
