"""test_writer_thread.py - a sweep computes while its batches are written.

The coordinator hands each batch to a writer thread (src/results/batch_writer.c) and
collects the next results in a second batch meanwhile (gdsweep/committer.h). With
tests/fault/slow_disk.c preloaded, every write to OUT sleeps 20 ms; the library counts the
CPU the process uses while they sleep. Checked, on one process and on 2 ranks (rank 0's
coordinator writes):
- one process computes while its writes sleep: at least a third of its CPU time falls
  in them (without the writer thread the writing thread is the computing one: 8%, the
  kernel's work of the background fsyncs);
- the results are bit-identical to a sweep on a healthy disk;
- the last line says how long the writing took and how long the sweep waited for it.
"""
import os
import re

import gdtest
from gdtest import check

GRID = gdtest.quadratic_grid("writer_thread", 9, 1500, 2000, 100)


def slow_env(out, log):
    return gdtest.slow_disk_env(out, log, GD_PWRITE_SLEEP_MS=20)


def cpu_during_sleeps(log):
    """(CPU ms while OUT's writes slept, CPU ms in all) of the process that wrote OUT."""
    report = gdtest.slow_disk_report(log)
    return report["cpu_ms"], report["cpu_total_ms"]


def main():
    d = gdtest.workdir()
    grid = gdtest.write_grid(d, "writer_thread", GRID)
    ref = os.path.join(d, "ref.h5")
    gdtest.sweep(grid, ref)
    for ranks in (None, 2):
        what = f"{ranks or 1} rank(s)"
        out, log = os.path.join(d, f"slow{ranks or 1}.h5"), os.path.join(d, f"slow{ranks or 1}.log")
        p = gdtest.sweep(grid, out, mpi_ranks=ranks, env=slow_env(out, log))
        during, total = cpu_during_sleeps(log)
        if ranks is None:  # rank 0 under mpirun had a compute thread before the writer
            check(during >= total / 3, f"{what}: the sweep computed while its writes slept "
                  f"({during} of its {total} ms of CPU)")
        waited = re.search(r"([0-9.]+) s writing HDF5, ([0-9.]+) s waited for it", p.stdout)
        check(waited is not None and float(waited.group(2)) <= float(waited.group(1)),
              f"{what}: the last line says the writing and the wait for it ({p.stdout[-200:]})")
        diff = gdtest.sweep_differences(ref, out)
        check(not diff, f"{what}: the same results on the slow disk ({diff[:5]})")
    gdtest.finish()


if __name__ == "__main__":
    main()
