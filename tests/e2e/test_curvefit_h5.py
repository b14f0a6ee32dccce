"""test_curvefit_h5.py - curvefit fits samples from an HDF5 file (`data = FILE.h5`).

- 200 noisy samples of a cubic as 1-D datasets /x and /y: the runs equal, bit for bit,
  those of the same numbers as CSV (written with repr, which strtod reads back exactly);
  f_opt is numpy.linalg.lstsq's optimum to 1e-10 (relative); two ranks write the same.
- The name keys x and y give dataset paths (x = /g/xt as float32, y = /g/yi as int32, swept
  with y = /y): each instance holds numpy's float64 of the chosen datasets.
- Bad inputs stop the sweep before anything is created (exit 2, one line naming grid:line
  and the file): a missing dataset, datasets of two lengths, a NaN (its index named), a 2-D
  dataset, a dataset named in data (data = FILE.h5:/x).
- --resume is refused after one value of the .h5 changed, the output untouched.
"""
import os
import shutil

import h5py
import numpy as np

import gdtest
from gdtest import check

RNG = np.random.default_rng(21)
N = 200


def make_files(d):
    x = np.sort(RNG.uniform(-1, 1, N))
    y = 0.5 - x + 2 * x ** 3 + 0.1 * RNG.standard_normal(N)
    with h5py.File(os.path.join(d, "s.h5"), "w") as f:
        f["x"], f["y"] = x, y
        f["g/xt"] = x.astype(np.float32)
        f["g/yi"] = np.round(10 * y).astype(np.int32)
        f["short"] = y[:50]
        f["nan"] = np.where(np.arange(N) == 17, np.nan, y)
        f["square"] = np.zeros((N, 2))
    with open(os.path.join(d, "s.csv"), "w") as fh:
        fh.write("x,y\n" + "".join(f"{a!r},{b!r}\n" for a, b in zip(x, y)))
    return x, y


GRID = """[sweep]
iterations = 20
[problem fit]
type = curvefit
data = {data}
degree = 3
{extra}
[optimizer gd]
lr = 0.1, 0.3
[optimizer adam]
lr = 0.05
"""


def run(d, name, data, extra="", **kwargs):
    grid = gdtest.write_grid(d, name, GRID.format(data=data, extra=extra))
    out = os.path.join(d, name + ".out")
    gdtest.sweep(grid, out, **kwargs)
    return out


def lstsq_loss(x, y, degree=3):
    A = np.vander(x, degree + 1)
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    return np.mean((A @ coef - y) ** 2)


def check_same_as_csv(d, x, y):
    h5 = run(d, "h5", "s.h5")
    diff = gdtest.sweep_differences(run(d, "csv", "s.csv"), h5)
    check(not diff, f"data = s.h5 gives the very runs of the same numbers as CSV ({diff[:3]})")
    want = lstsq_loss(x, y)
    with h5py.File(h5, "r") as f:
        f_opts = [float(g.attrs["f_opt"]) for g in f["instances"].values()]
    worst = max(abs(v - want) / want for v in f_opts)
    check(worst <= 1e-10, f"f_opt is numpy's least-squares optimum (worst relative {worst:.1e})")
    diff = gdtest.sweep_differences(h5, run(d, "h5two", "s.h5", mpi_ranks=2))
    check(not diff, f"two ranks write the same results as one ({diff[:3]})")


def check_named_datasets(d):
    out = run(d, "named", "s.h5", "x = /g/xt\ny = /g/yi, /y")
    with h5py.File(os.path.join(d, "s.h5"), "r") as src:
        xt = src["g/xt"][...].astype(np.float64)
        wants = {src["g/yi"][...].astype(np.float64).tobytes(), src["y"][...].tobytes()}
    got = set()
    with h5py.File(out, "r") as f:
        for g in f["instances"].values():
            check(np.array_equal(g["x"][...], xt), "x = /g/xt: the instance's x is numpy's "
                  "float64 of the float32 dataset")
            got.add(g["y"][...].tobytes())
    check(got == wants, "y = /g/yi, /y: one instance per dataset, each holding its values "
          "(int32 converted exactly)")


def check_bad_inputs(d):
    cases = {("s.h5", "x = /none"): ("s.h5:/none", "no such dataset"),
             ("s.h5", "y = /short"): ("s.h5:/short", "give datasets of one length"),
             ("s.h5", "y = /nan"): ("s.h5:/nan", "value [17] is nan"),
             ("s.h5", "x = /square"): ("s.h5:/square", "2-dimensional; give a 1-D"),
             ("s.h5:/x", ""): ("s.h5:/x", "curvefit reads two datasets")}
    for (data, extra), (name, words) in cases.items():
        grid = gdtest.write_grid(d, "bad", GRID.format(data=data, extra=extra))
        gdtest.check_bad_file(grid, 5, name, words)


def check_resume_refused(d):
    shutil.copy(os.path.join(d, "s.h5"), os.path.join(d, "r.h5"))
    grid = gdtest.write_grid(d, "res", GRID.format(data="r.h5", extra=""))
    out = os.path.join(d, "res.out")
    gdtest.sweep(grid, out, "--shard", "1/2")
    with h5py.File(os.path.join(d, "r.h5"), "r+") as f:
        f["y"][3] += 1e-9
    with open(out, "rb") as fh:
        before = fh.read()
    p = gdtest.sweep(grid, out, "--shard", "1/2", "--resume", check_rc=False)
    with open(out, "rb") as fh:
        after = fh.read()
    check(p.returncode == 2 and "r.h5" in p.stderr.replace(out, "") and before == after,
          f"--resume after one value of the .h5 changed: exit 2 naming the file, output "
          f"untouched ({p.returncode}: {p.stderr.strip()})")


def main():
    d = gdtest.workdir()
    x, y = make_files(d)
    check_same_as_csv(d, x, y)
    check_named_datasets(d)
    check_bad_inputs(d)
    check_resume_refused(d)
    shutil.rmtree(d)
    gdtest.finish()


main()
