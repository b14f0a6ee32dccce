"""test_same_layout.py - one process sweeping one grid twice writes the same file layout.

Runs that differ only in their start point advance in lockstep blocks (src/run/
run_lanes.c), appended block by block in the order of a hash of what each block shares
(src/run/worker_lanes.c). That hash once included the schedule's address, which address
space randomisation moves from one process to the next, so the records' offsets in the
file changed between two sweeps of the same grid. Checked here: two sweeps of a grid of
several blocks (3 schedules x 2 optimizers x 2 rates x 40 start points, one thread, one
range) store every run's records at the same offsets, and every series the same bytes.
"""
import os

import h5py
import numpy as np

import gdtest
from gdtest import check

GRID = """[sweep]
name = same_layout
seed = 5
iterations = 30
record_every = 3
[problem quadratic]
x0 = linspace(-4, 4, 40)
[optimizer gd]
lr = 0.05, 0.1
schedule = constant, cosine, step
[optimizer adam]
lr = 0.05, 0.1
schedule = constant, cosine, step
"""

LAYOUT = ["run_id", "traj_offset", "traj_count", "path_offset", "path_count"]


def layout(path):
    with h5py.File(path, "r") as f:
        runs = f["runs"][:]
        series = {name: f["traj"][name][:] for name in f["traj"]}
        series["path/x"] = f["path/x"][:]
    return {c: runs[c] for c in LAYOUT}, series


def main():
    d = gdtest.workdir()
    grid = gdtest.write_grid(d, "same", GRID)
    outs = [os.path.join(d, f"s{k}.h5") for k in range(3)]
    for out in outs:
        gdtest.sweep(grid, out, "--threads", "1")
    first_rows, first_series = layout(outs[0])
    check(len(first_rows["run_id"]) == 480, f"480 runs ({len(first_rows['run_id'])})")
    for out in outs[1:]:
        rows, series = layout(out)
        moved = [c for c in LAYOUT if not np.array_equal(rows[c], first_rows[c])]
        check(not moved, f"{os.path.basename(out)}: the same offsets as the first sweep "
                         f"(differing: {moved})")
        differ = [k for k in first_series if
                  first_series[k].tobytes() != series[k].tobytes()]
        check(not differ, f"{os.path.basename(out)}: every series the same bytes ({differ})")
    gdtest.finish()


if __name__ == "__main__":
    main()
