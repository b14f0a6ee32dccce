#!/usr/bin/python3
"""test_layouts.py - the same grid gives bit-identical results on any layout.

Runs a mixed grid (quadratic, curvefit and denoise large enough to use OpenMP, several
optimizers, repeats) as one process with 1 and 2 threads, under `mpirun -n 2` and
`mpirun -n 3 --oversubscribe`, and asserts that every column of the runs table except
where/when a run ran (rank, threads, wall_seconds) and where its data sit in the file
(*_offset) is bit-identical, that every run's trajectory, path and final parameters are
bit-identical, that every run appears exactly once, and that instance inputs agree."""
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from gdtest import check, finish, sweep, sweep_differences, workdir, write_grid  # noqa: E402

GRID = """
[sweep]
name = layouts
seed = 11
repeats = 2
iterations = 40
record_every = 3

[problem quadratic]
x0 = linspace(-4, 4, 5)

[problem fit]
type = curvefit
points = 40000
degree = 3
x_min = -1
x_max = 1

[problem denoise]
size = 300
lambda = 0.5

[problem rosenbrock]
iterations = 200
gradient = numeric

[optimizer gd]
lr = 0.01, 0.1, 3

[optimizer nag]
lr = 0.01, 0.05

[optimizer adam]
lr = 0.01, 0.1
schedule = constant, cosine
"""

d = workdir()
grid = write_grid(d, "layouts", GRID)

layouts = {
    "1 process, 1 thread": dict(args=["--threads", "1"]),
    "1 process, 2 threads": dict(args=["--threads", "2"]),
    "mpirun -n 2": dict(args=["--threads", "1"], mpi_ranks=2),
    "mpirun -n 3 --oversubscribe": dict(args=["--threads", "1"], mpi_ranks=3),
}
files = {}
for name, how in layouts.items():
    out = os.path.join(d, name.replace(" ", "_").replace(",", "") + ".h5")
    sweep(grid, out, *how["args"], mpi_ranks=how.get("mpi_ranks"))
    files[name] = out


def compare(ref_path, path, name):
    # sweep_differences: "column C", "run I DATASET", "instance K ..."; "X vs Y rows" alone.
    diffs = sweep_differences(ref_path, path)
    kinds = {k: [x for x in diffs if x.startswith(k + " ")] for k in ("column", "run", "instance")}
    with h5py.File(ref_path, "r") as a, h5py.File(path, "r") as b:
        ra, rb = a["runs"][:], b["runs"][:]
        check(len(ra) == len(rb), f"{name}: same number of rows")
        check(bool(np.all(rb["written"] == 1)), f"{name}: every run written exactly once (row = run id)")
        check(list(rb["run_id"]) == list(range(len(rb))), f"{name}: row i holds run i")
        check(not kinds["column"], f"{name}: runs table bit-identical except rank/threads/time/offsets "
              f"{kinds['column']}")
        check(not kinds["run"],
              f"{name}: every trajectory, path and final point bit-identical {kinds['run'][:5]}")
        check(sorted(a["instances"].keys()) == sorted(b["instances"].keys()), f"{name}: same instance groups")
        check(not kinds["instance"], f"{name}: instance inputs bit-identical")
        thr = sorted(set(int(t) for t in rb["threads"]))
        want = [2] if "2 threads" in name else [1]
        check(thr == want, f"{name}: every run recorded {want} thread(s) (got {thr})")
        print(f"   ({name}: ranks used {sorted(set(int(r) for r in rb['rank']))})")


ref = files["1 process, 1 thread"]
with h5py.File(ref, "r") as f:
    n = len(f["runs"])
    check(n == 2 * (5 + 3) * (3 + 2 + 2 * 2), f"grid has the expected 144 runs (got {n})")
    st = set(f["runs"]["status"])
    check({b"diverged", b"max_iter"} <= st, f"grid has diverged and budget runs {st}")
for name, path in files.items():
    if path != ref:
        compare(ref, path, name)
with h5py.File(files["mpirun -n 3 --oversubscribe"], "r") as f:
    check(len(set(f["runs"]["rank"])) >= 2, "the 3-rank sweep spread runs over several ranks")
finish()
