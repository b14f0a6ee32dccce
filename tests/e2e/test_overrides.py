"""test_overrides.py - command-line overrides LABEL.KEY=VALUE and `--dry-run -v`.

A sweep with overrides equals the grid written out with those lines (edited here, by this
test's own rule: docs/GRID.md "Overrides"): the same results bit for bit, the same stored
grid text, its SHA-256 (hashlib's) and identity, with 2 MPI ranks against 1. --resume with
another override is refused naming the line that differs, with the same ones it goes on;
shards run with the same overrides merge into the unsharded file. A bad override exits 2
with one line naming the argument and creates nothing. `--dry-run -v` prints the exact
values of a logspace (10^x in decimal arithmetic) and warns about logspace(1e-3, ...) and a schedule key
that no schedule reads.
"""
import hashlib
import os
from decimal import Decimal, getcontext

import h5py
import numpy as np

import gdtest
from gdtest import check

GRID = """[sweep]
name = ov
seed = 11
iterations = 30

[problem fit]
type = curvefit
points = 30
noise = 1

[problem q]
type = quadratic
start_spread = 0.5

[optimizer adam]
lr = 0.01,
     0.1
[optimizer gd]
lr = 0.001
"""

OVERRIDES = ["adam.lr=logspace(-4, -1, 7)", "sweep.repeats=3", "fit.points=40",
             "gd.schedule=constant, inverse_time", "q.x0=2"]

# The grid written out with the overrides: each key's lines replaced by "KEY = VALUE", a
# key the section lacks added after its last key.
WRITTEN = """[sweep]
name = ov
seed = 11
iterations = 30
repeats = 3

[problem fit]
type = curvefit
points = 40
noise = 1

[problem q]
type = quadratic
start_spread = 0.5
x0 = 2

[optimizer adam]
lr = logspace(-4, -1, 7)
[optimizer gd]
lr = 0.001
schedule = constant, inverse_time
"""


def attrs(path):
    with h5py.File(path, "r") as f:
        return {k: gdtest.text(f.attrs[k]) for k in ("grid_text", "grid_hash", "identity")}


def one_error_line(p, out, words, what):
    lines = p.stderr.strip().splitlines()
    ok = p.returncode == 2 and len(lines) == 1 and all(w in lines[0] for w in words) and \
        not os.path.exists(out)
    check(ok, f"{what}: exit 2, one line with {words}, nothing created "
              f"(exit {p.returncode}: {lines})")


def check_equals_written_out(d, grid):
    os.makedirs(os.path.join(d, "edited"))
    edited = gdtest.write_grid(os.path.join(d, "edited"), "ov", WRITTEN)
    a, b = os.path.join(d, "a.h5"), os.path.join(d, "b.h5")
    gdtest.sweep(grid, a, *OVERRIDES, mpi_ranks=2)
    gdtest.sweep(edited, b)
    diff = gdtest.sweep_differences(a, b)
    check(diff == [], f"overrides (2 ranks) = the grid written out (1 rank), bit for bit: {diff[:5]}")
    ta, tb = attrs(a), attrs(b)
    check(ta["grid_text"] == WRITTEN, "the stored grid text is the grid written out")
    check(ta == tb, "same grid text, hash and identity as the written-out grid")
    check(ta["grid_hash"] == hashlib.sha256(WRITTEN.encode()).hexdigest(),
          "grid_hash is hashlib's SHA-256 of the written-out text")
    runs = gdtest.runs_table(a)
    check(len(runs["status_code"]) == 2 * 3 * (7 + 2), "2 problems x 3 repeats x (7 + 2) runs")
    return a


def check_resume(d, grid, a):
    before = os.stat(a).st_mtime_ns
    other = [o if not o.startswith("adam.lr") else "adam.lr=0.5" for o in OVERRIDES]
    p = gdtest.sweep(grid, a, *other, "--resume", check_rc=False)
    lines = p.stderr.strip().splitlines()
    check(p.returncode == 2 and len(lines) == 1 and "another grid" in lines[0] and
          "'lr = logspace(-4, -1, 7)'" in lines[0] and "'lr = 0.5'" in lines[0],
          f"resume with another override: exit 2 naming both lines ({p.returncode}: {lines})")
    check(os.stat(a).st_mtime_ns == before, "the refused resume left the file as it was")
    p = gdtest.sweep(grid, a, *OVERRIDES, "--resume", check_rc=False)
    check(p.returncode == 0 and "already complete" in p.stdout,
          f"resume with the same overrides: complete, nothing to do ({p.returncode})")


def check_merge(d, grid, a):
    shards = [os.path.join(d, f"s{k}.h5") for k in (1, 2)]
    for k, s in enumerate(shards, 1):
        gdtest.sweep(grid, s, *OVERRIDES, "--shard", f"{k}/2")
    merged = os.path.join(d, "merged.h5")
    p = gdtest.gdsweep("merge", merged, *shards, check_rc=False)
    check(p.returncode == 0, f"shards run with the same overrides merge ({p.stderr.strip()})")
    diff = gdtest.sweep_differences(merged, a) if p.returncode == 0 else ["not merged"]
    check(diff == [], f"the merged shards equal the unsharded sweep: {diff[:5]}")
    other = os.path.join(d, "s2-other.h5")
    gdtest.sweep(grid, other, *OVERRIDES[:-1], "q.x0=3", "--shard", "2/2")
    bad = os.path.join(d, "bad-merge.h5")
    p = gdtest.gdsweep("merge", bad, shards[0], other, check_rc=False)
    check(p.returncode == 2 and "'x0 = 2'" in p.stderr and "'x0 = 3'" in p.stderr and
          not os.path.exists(bad),
          f"shards with other overrides: merge refused naming the line ({p.stderr.strip()})")


def check_bad_overrides(d, grid):
    out = os.path.join(d, "bad.h5")
    cases = [
        (["adm.lr=0.1"], ["argument 4 'adm.lr=0.1'", "no section is labelled 'adm'",
                          "adam ([optimizer adam])"]),
        (["adam.momentum=0.9"], ["argument 4 'adam.momentum=0.9'", "unknown key 'momentum'",
                                 "known keys: type, problems, lr"]),
        (["adam.lr=-1"], ["argument 4 'adam.lr=-1'", "lr = -1 is out of range"]),
        (["fit.data=missing.csv"], ["argument 4 'fit.data=missing.csv'", "cannot open"]),
        (["lr=0.1"], ["argument 4 'lr=0.1'", "an override is LABEL.KEY=VALUE"]),
        (["adam.lr=0.1,", "0.2"], ["one grid file only", "'0.2'", "adam.lr='0.1, 1'"]),
        (["adam.lr=0.1", "adam.lr=0.2"], ["argument 5 'adam.lr=0.2'", "given again"]),
    ]
    for args, words in cases:
        p = gdtest.gdsweep(grid, "-o", out, *args, check_rc=False)
        one_error_line(p, out, words, f"bad override {args}")


def logspace(a, b, n):
    """10^x for x in numpy.linspace(a, b, n), each correctly rounded (60-digit decimal
    arithmetic: numpy's vectorised power may be off by an ulp)."""
    getcontext().prec = 60
    return [float(Decimal(10) ** Decimal(float(x))) for x in np.linspace(a, b, n)]


def dry_run(grid, *args):
    return gdtest.gdsweep(grid, "--dry-run", "-v", *args)


def listed_values(stdout, section, key):
    """The values `--dry-run -v` lists for KEY under [SECTION] (all shown: a short list)."""
    lines = stdout.splitlines()
    at = lines.index(next(l for l in lines if l.startswith(f"[{section}]")))
    line = next(l for l in lines[at + 1:] if l.startswith(f"  {key} = "))
    return [float(v) for v in line.split(" = ", 1)[1].split("(")[0].split(",")]


def check_dry_run_verbose(grid):
    p = dry_run(grid, "adam.lr=logspace(-4, -1, 7)", "fit.points=linspace(10, 30, 3)")
    lr = listed_values(p.stdout, "optimizer adam", "lr")
    check(lr == logspace(-4, -1, 7),
          f"dry-run -v lists logspace(-4, -1, 7) exactly (10^x rounded once): {lr}")
    check(listed_values(p.stdout, "problem fit", "points") == [10, 20, 30],
          "dry-run -v lists fit's points 10, 20, 30")
    check("(7 values)" in p.stdout, "the list says it has 7 values")
    check("warning" not in p.stderr, f"no warning for a sound grid: {p.stderr.strip()}")
    p = dry_run(grid, "adam.lr=logspace(1e-3, 1e-1, 3)", "gd.decay_steps=50")
    lr = listed_values(p.stdout, "optimizer adam", "lr")
    check(lr == logspace(1e-3, 1e-1, 3),
          f"logspace(1e-3, 1e-1, 3) is listed as it runs, 10^0.001 ..: {lr}")
    warn = [l for l in p.stderr.splitlines() if "warning" in l]
    check(any("[optimizer adam] lr" in l and "logspace takes exponents" in l and
              "logspace(-3, -1, 3) = 0.001, 0.01, 0.1" in l for l in warn),
          f"a warning says logspace takes exponents: {warn}")
    check(any("[optimizer gd] decay_steps is ignored" in l and "schedule = constant" in l
              for l in warn), f"a warning says decay_steps is ignored by constant: {warn}")
    check(len(warn) == 2, f"two warnings, got {len(warn)}")
    p = dry_run(grid, "gd.schedule=constant, inverse_time", "gd.decay_steps=10, 20")
    warn = [l for l in p.stderr.splitlines() if "warning" in l]
    check(len(warn) == 1 and "[optimizer gd] decay_steps lists 2 values" in warn[0] and
          "schedule constant, which ignores it" in warn[0],
          f"a list on decay_steps multiplies constant's runs: warned once: {warn}")
    p = dry_run(grid, "adam.lr=range(1, 101, 1)")
    check("  lr = 1, 2, 3, 4, 5, 6, ..., 98, 99, 100   (100 values)" in p.stdout,
          "a long list shows its first and last values and its count")


def main():
    d = gdtest.workdir()
    grid = gdtest.write_grid(d, "ov", GRID)
    a = check_equals_written_out(d, grid)
    check_resume(d, grid, a)
    check_merge(d, grid, a)
    check_bad_overrides(d, grid)
    check_dry_run_verbose(grid)
    gdtest.finish()


if __name__ == "__main__":
    main()
