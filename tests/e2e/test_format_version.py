"""test_format_version.py - a file of the old instance keying (format 1) is read but never continued or merged.

Format 1 drew an instance's data with its model parameters (lambda, degree) in the RNG key;
runs made now meet other data. So `--resume` and `merge` of such a file refuse with exit 2
and one line that says why, and leave every file as it was (no output created); summary
still reads it.
"""
import hashlib
import os

import h5py

import gdtest
from gdtest import check

GRID = """[sweep]
name = old
iterations = 5
[problem d]
type = denoise
size = 8
lambda = 0.1, 1
[optimizer gd]
lr = 0.1
"""


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def make_format_1(directory, name, *args):
    """A finished sweep file whose format_version says 1."""
    grid = gdtest.write_grid(directory, "old", GRID)
    out = os.path.join(directory, name)
    gdtest.sweep(grid, out, *args)
    with h5py.File(out, "r+") as f:
        f.attrs["format_version"] = 1
    return grid, out


def refused(p, what):
    lines = p.stderr.strip().splitlines()
    check(p.returncode == 2, f"{what}: exit {p.returncode}, expected 2")
    check(len(lines) == 1 and "file format 1" in p.stderr and "model parameters" in p.stderr,
          f"{what}: one line naming format 1 and why: {p.stderr.strip()!r}")


def main():
    d = gdtest.workdir()
    grid, out = make_format_1(d, "old.h5")
    before = digest(out)
    refused(gdtest.sweep(grid, out, "--resume", check_rc=False), "--resume")
    check(digest(out) == before, "--resume of a format-1 file leaves it byte for byte as it was")

    _, shard1 = make_format_1(d, "s1.h5", "--shard", "1/2")
    _, shard2 = make_format_1(d, "s2.h5", "--shard", "2/2")
    merged = os.path.join(d, "merged.h5")
    refused(gdtest.gdsweep("merge", merged, shard1, shard2, check_rc=False), "merge")
    check(not os.path.exists(merged), "merge of format-1 shards creates no output")

    p = gdtest.gdsweep("summary", out, check_rc=False)
    check(p.returncode == 0, f"summary still reads a format-1 file (exit {p.returncode})")
    gdtest.finish()


if __name__ == "__main__":
    main()
