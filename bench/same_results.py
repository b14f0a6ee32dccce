#!/usr/bin/python3
"""same_results.py - whether two gdsweep output files hold the same results, bit for bit.

Usage: /usr/bin/python3 bench/same_results.py A.h5 B.h5

Compares, run by run (so the order in which batches reached the file does not matter):
every per-record series (as analysis.reader.traj_columns reads them: stored, or rebuilt from
the runs table where format 3 leaves them out), /path/x and /final/x through each run's
offsets, every /instances
dataset, and every /runs column except the timings (wall_seconds, seconds_to_*), the
storage offsets (traj_offset, path_offset, final_offset: where the batches landed) and
rank (which rank ran it). Values compare as bytes: NaN equals NaN of the same bits, 0.0
differs from -0.0. Prints what differs; exit status 0 when nothing does, 1 otherwise.
"""
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from analysis.reader import traj_columns  # noqa: E402  (the repository's own reader)

SKIPPED = {"wall_seconds", "traj_offset", "path_offset", "final_offset", "rank"}


def skipped(column):
    return column in SKIPPED or column.startswith("seconds_to_")


def run_slices(offset, count):
    """Indices of the runs' values in run order: offset[i] .. offset[i] + count[i]."""
    count = count.astype(np.int64)
    starts = np.repeat(offset.astype(np.int64) - np.cumsum(count) + count, count)
    return starts + np.arange(count.sum(), dtype=np.int64)


def per_run(f, name, offset, count):
    values = f[name][...]
    return values[run_slices(offset, count)]


def same_bytes(a, b):
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def differing_runs(a, b):
    """Run indices whose rows differ in a column (both arrays one value per run)."""
    n = min(len(a), len(b))
    ra = a[:n].view(np.uint8).reshape(n, -1)
    rb = b[:n].view(np.uint8).reshape(n, -1)
    return np.nonzero((ra != rb).any(axis=1))[0]


def compare_runs_table(fa, fb, problems):
    """Every compared column; the two tables, or None when their shapes differ."""
    ra, rb = fa["runs"][...], fb["runs"][...]
    if ra.dtype.names != rb.dtype.names or len(ra) != len(rb):
        problems.append("/runs: columns or row counts differ")
        return None
    compared = 0
    for column in ra.dtype.names:
        if skipped(column):
            continue
        compared += 1
        a, b = np.ascontiguousarray(ra[column]), np.ascontiguousarray(rb[column])
        if not same_bytes(a, b):
            bad = differing_runs(a, b)
            problems.append(f"/runs/{column}: {len(bad)} runs differ, first {bad[:5].tolist()}")
    print(f"/runs: {len(ra)} rows, {compared} columns compared")
    return ra, rb


def compare_records(fa, fb, ra, rb, problems):
    """The per-record series of every run as the reader gives them: stored, or rebuilt
    from the runs table where a format-3 file leaves them out (so files of formats 2 and
    3 compare by their values)."""
    a, b = traj_columns(fa, ra), traj_columns(fb, rb)
    if sorted(a) != sorted(b):
        problems.append(f"/traj: series differ ({sorted(a)} vs {sorted(b)})")
    for name in sorted(set(a) & set(b)):
        if not same_bytes(a[name], b[name]):
            problems.append(f"/traj/{name}: values differ")
        print(f"/traj/{name}: {len(a[name])} values compared")


def compare_series(fa, fb, ra, rb, problems):
    """The series of every run, through each file's own offsets."""
    compare_records(fa, fb, ra, rb, problems)
    groups = [("path", "path_offset", "path_count"), ("final", "final_offset", "final_count")]
    for group, off, cnt in groups:
        names = sorted(fa[group]) if group in fa else []
        if names != (sorted(fb[group]) if group in fb else []):
            problems.append(f"/{group}: datasets differ")
            continue
        for name in names:
            path = f"/{group}/{name}"
            a = per_run(fa, path, ra[off], ra[cnt])
            b = per_run(fb, path, rb[off], rb[cnt])
            if not same_bytes(a, b):
                problems.append(f"{path}: values differ")
            print(f"{path}: {len(a)} values compared")


def compare_instances(fa, fb, problems):
    names_a, names_b = [], []
    fa["instances"].visit(names_a.append)
    fb["instances"].visit(names_b.append)
    if sorted(names_a) != sorted(names_b):
        problems.append("/instances: members differ")
        return
    for name in names_a:
        a, b = fa["instances"][name], fb["instances"][name]
        if isinstance(a, h5py.Dataset) and not same_bytes(a[...], b[...]):
            problems.append(f"/instances/{name}: values differ")
    print(f"/instances: {len(names_a)} members compared")


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    problems = []
    with h5py.File(argv[1], "r") as fa, h5py.File(argv[2], "r") as fb:
        tables = compare_runs_table(fa, fb, problems)
        if tables:
            compare_series(fa, fb, *tables, problems)
        compare_instances(fa, fb, problems)
    for p in problems:
        print("DIFFERS", p)
    print("same results" if not problems else f"{len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
