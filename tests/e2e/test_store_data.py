"""test_store_data.py - large arrays copied from input files stay out of /instances.

- curvefit on a CSV of 140,000 samples (x and y: 140,000 values each, over
  GD_STORE_DATA_MAX = 131,072): the instance group holds x_opt and x0 but not x and y (the
  output's input_files names the file and its SHA-256); the runs' results are those of the
  same sweep with `store_data = true`, whose instance holds x and y equal to the file's.
- A small file's samples are stored as before (x, y in the instance).
- `store_data = yes` is refused: exit 2, one line naming grid:line and the fix.
"""
import os
import shutil

import h5py
import numpy as np

import gdtest
from gdtest import check

RNG = np.random.default_rng(5)


def write_csv(d, name, rows):
    x = RNG.uniform(-1.0, 1.0, rows)
    y = 2.0 * x - 1.0 + RNG.normal(0.0, 0.1, rows)
    with open(os.path.join(d, name), "w") as fh:
        fh.write("x,y\n" + "".join(f"{a!r},{b!r}\n" for a, b in zip(x, y)))
    return x, y


def grid(data, store=None):
    sweep = f"[sweep]\nstore_data = {store}\n" if store else ""
    return f"""{sweep}[problem fit]
type = curvefit
data = {data}
degree = 1
iterations = 3
[optimizer gd]
lr = 0.1
"""


def instance(path):
    with h5py.File(path, "r") as f:
        g = f["instances"]["0"]
        return {k: g[k][...] for k in g.keys()}


def main():
    d = gdtest.workdir()
    x, y = write_csv(d, "big.csv", 140000)
    plain, stored = os.path.join(d, "plain.h5"), os.path.join(d, "stored.h5")
    gdtest.sweep(gdtest.write_grid(d, "plain", grid("big.csv")), plain)
    gdtest.sweep(gdtest.write_grid(d, "stored", grid("big.csv", "true")), stored)
    a, b = instance(plain), instance(stored)
    check(sorted(a) == ["x0", "x_opt"], f"140,000 samples: x and y left out ({sorted(a)})")
    check(np.array_equal(b["x"], x) and np.array_equal(b["y"], y),
          "store_data = true: the instance holds the file's x and y")
    check(np.array_equal(a["x_opt"], b["x_opt"]) and np.array_equal(a["x0"], b["x0"]),
          "the same optimum and start point either way")
    ra, rb = gdtest.runs_table(plain), gdtest.runs_table(stored)
    check(np.array_equal(ra["loss_final"], rb["loss_final"]),
          "the same results either way (store_data changes only what is stored)")
    xs, ys = write_csv(d, "small.csv", 50)
    small = os.path.join(d, "small.h5")
    gdtest.sweep(gdtest.write_grid(d, "small", grid("small.csv")), small)
    s = instance(small)
    check(np.array_equal(s["x"], xs) and np.array_equal(s["y"], ys),
          "50 samples: stored in the instance as before")
    bad = gdtest.write_grid(d, "bad", grid("small.csv", "yes"))
    out = os.path.join(d, "bad.h5")
    p = gdtest.sweep(bad, out, check_rc=False)
    lines = p.stderr.strip().splitlines()
    check(p.returncode == 2 and len(lines) == 1 and f"{bad}:2:" in lines[0] and
          "true or false" in lines[0] and not os.path.exists(out),
          f"store_data = yes: exit 2, one line naming the line and the fix ({lines})")
    shutil.rmtree(d)
    gdtest.finish()


main()
