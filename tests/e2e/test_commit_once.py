"""test_commit_once.py - a batch is committed by one flush, its rows marked written in it.

The rollback journal makes each flush all-or-nothing, so the rows are written with
written = 1 together with their trajectories and one flush commits both (two flushes per
batch rewrote each touched /runs chunk twice). Checked through the real binary:
- GD_PROFILE's commit line: flushes == batches, over several batches (1 and 2 ranks);
- every row is written = 1 and holds its trajectory (traj_count records, the loss at
  record 0 equal to loss_initial, the last equal to loss_final), read with h5py;
- 1 and 2 ranks write the same results.
(A SIGKILL at any moment is test_kill_resume's and test_write_errors's.)
"""
import os
import re

import h5py
import numpy as np

import gdtest
from gdtest import check

# 4,400 runs: more than one batch holds (GD_BATCH_RUNS, 4,096), so there are several
# batches however fast the runs go (2,400 lockstep runs took about one 10 ms commit period)
GRID = gdtest.quadratic_grid("commit_once", 4, 1100, 200, 10)

PROFILE = re.compile(r"profile commit: (\d+) batches, (\d+) flushes")


def commits(p):
    m = PROFILE.search(p.stderr)
    check(m is not None, f"GD_PROFILE prints the commit line ({p.stderr.strip()[-300:]})")
    return int(m.group(1)), int(m.group(2))


def check_rows(path):
    with h5py.File(path, "r") as f:
        runs = f["runs"][:]
        loss = f["traj/loss"][:]
    check(bool((runs["written"] == 1).all()), f"{path}: every row written")
    first = loss[runs["traj_offset"]]
    last = loss[runs["traj_offset"] + runs["traj_count"] - 1]
    check(bool((runs["traj_count"] == 21).all()), "21 records per run (0, 10, ..., 200)")
    check(np.array_equal(first, runs["loss_initial"]), "record 0 is loss_initial")
    check(np.array_equal(last, runs["loss_final"]), "the last record is loss_final")


def main():
    d = gdtest.workdir()
    grid = gdtest.write_grid(d, "commit_once", GRID)
    env = {"GD_PROFILE": "1", "GD_COMMIT_SECONDS": "0.01"}
    for ranks in (None, 2):
        whole = os.path.join(d, f"r{ranks or 1}.h5")
        p = gdtest.sweep(grid, whole, mpi_ranks=ranks, env=env)
        batches, flushes = commits(p)
        check(batches >= 2, f"{ranks or 1} rank(s): several batches ({batches})")
        check(flushes == batches, f"{ranks or 1} rank(s): one flush per batch "
              f"({flushes} flushes, {batches} batches)")
        check_rows(whole)

    check(not gdtest.sweep_differences(os.path.join(d, "r1.h5"), whole),
          "1 and 2 ranks write the same results")
    gdtest.finish()


if __name__ == "__main__":
    main()
