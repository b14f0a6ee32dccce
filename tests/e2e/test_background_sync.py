"""test_background_sync.py - a commit's syncs run in the background, and their failure is
not lost.

The journal's last step (fsync of the file, then emptying the journal: the commit point)
waits on the disk; it runs on its own thread while the sweep computes the next batch, and
the next commit or the close waits for it. With tests/fault/slow_disk.c preloaded
(every fsync of OUT sleeps 300 ms; it counts the CPU the process uses meanwhile):
- the sweep computes while its fsyncs sleep (it did not wait for them), a commit due
  (GD_COMMIT_SECONDS = 0.02) while the last one syncs waits, so the batches grow instead
  of 300 ms stalls every 20 ms, and the results are bit-identical to a sweep without the
  library;
- an fsync that fails (EIO) ends the sweep with exit 1 and one line naming OUT and the
  cause; when a batch's commit meets it, the line counts the runs the file holds, not the
  batch whose sync failed (the journal rolls that one back); `status` reads the file as
  resumable; `--resume` finishes it identical to the uninterrupted sweep, no journal left;
- the last fsyncs failing (the last batch's, whose failure the close meets, and the
  close's own): the line still counts the runs the file holds and says how to resume
  (it said only "closing the file: Input/output error" before).
"""
import os
import re

import gdtest
from gdtest import check

# 8,000 iterations: the sweep must compute long enough to overlap the sleeping fsyncs (2,000
# took 28 ms of CPU once its runs advanced in lockstep blocks, against a 20 ms check)
GRID = gdtest.quadratic_grid("background_sync", 8, 500, 8000, 400)


def preload_env(out, log, **extra):
    return gdtest.slow_disk_env(out, log, GD_FSYNC_SLEEP_MS=300, **extra)


def log_counts(log):
    report = gdtest.slow_disk_report(log)
    return report["fsyncs"], report["cpu_ms"]


def counted_line(stderr):
    """The first line of stderr and the runs it says are safe (None when it says none)."""
    lines = [x for x in stderr.splitlines() if x.strip()]
    first = lines[0] if lines else ""
    counted = re.search(r"the (\d+) runs committed are safe.*--resume", first)
    return first, counted and int(counted.group(1))


def last_syncs_fail(d, grid):
    """Sweeps whose last fsyncs fail (no sleep): each failure counts what the file holds."""
    out, log = os.path.join(d, "healthy.h5"), os.path.join(d, "healthy.log")
    gdtest.sweep(grid, out, env=gdtest.slow_disk_env(out, log))
    total = gdtest.slow_disk_report(log)["fsyncs"]
    # The count of fsyncs follows the commits, which follow the clock: from the healthy
    # sweep's count down, until 7 sweeps failed (a later sweep may sync fewer times).
    failures, tried = 0, 0
    for n in range(total, max(0, total - 20), -1):
        if failures == 7:
            break
        tried += 1
        bad, blog = os.path.join(d, f"late{n}.h5"), os.path.join(d, f"late{n}.log")
        p = gdtest.sweep(grid, bad, env=gdtest.slow_disk_env(bad, blog, GD_FSYNC_EIO_AFTER=n),
                         check_rc=False)
        if p.returncode == 0:
            continue  # this run synced fewer times than the healthy one
        failures += 1
        first, counted = counted_line(p.stderr)
        said = gdtest.committed_runs(bad)
        check(p.returncode == 1 and counted is not None and counted == said,
              f"fsyncs fail after {n} of about {total}: exit {p.returncode}, the line counts "
              f"{counted} runs, status {said}: {first[:160]}")
    check(failures >= 2, f"the last fsyncs failed in {failures} of {tried} sweeps (at least 2)")


def main():
    d = gdtest.workdir()
    grid = gdtest.write_grid(d, "background_sync", GRID)
    ref = os.path.join(d, "ref.h5")
    gdtest.sweep(grid, ref)

    slow, log = os.path.join(d, "slow.h5"), os.path.join(d, "slow.log")
    gdtest.sweep(grid, slow, env=preload_env(slow, log))
    fsyncs, cpu_ms = log_counts(log)
    check(fsyncs >= 3, f"several commits synced ({fsyncs} fsyncs)")
    check(cpu_ms >= 20, f"the sweep computed while its fsyncs slept ({cpu_ms} ms of CPU)")
    check(fsyncs < 20, f"commits due while one syncs wait: few, large batches ({fsyncs})")
    diff = gdtest.sweep_differences(ref, slow)
    check(not diff, f"the same results with slow syncs ({diff[:5]})")

    bad, log2 = os.path.join(d, "bad.h5"), os.path.join(d, "bad.log")
    p = gdtest.sweep(grid, bad, env=preload_env(bad, log2, GD_FSYNC_EIO_AFTER=2),
                     check_rc=False)
    first, counted = counted_line(p.stderr)
    check(p.returncode == 1, f"a failed fsync exits 1 (got {p.returncode}: {p.stderr})")
    check(bad in first and ("EIO" in first or "I/O" in first),
          f"one line names OUT and the cause ({first})")
    st = gdtest.gdsweep("status", bad, check_rc=False)
    check(st.returncode == 3 and "resumable" in st.stdout,
          f"status reads the file as resumable, exit 3 ({st.returncode}: {st.stdout[-300:]})")
    said = gdtest.committed_runs(bad)
    check(said is not None and (counted is None or counted == said),
          "the error line counts the runs the file holds (the failed sync's batch is not): "
          f"{counted} vs {said}")
    gdtest.sweep(grid, bad, "--resume")
    check(not os.path.exists(bad + ".journal"), "no journal after the resume")
    diff = gdtest.sweep_differences(ref, bad)
    check(not diff, f"resumed after the failed fsync: identical ({diff[:5]})")
    last_syncs_fail(d, grid)
    gdtest.finish()


if __name__ == "__main__":
    main()
