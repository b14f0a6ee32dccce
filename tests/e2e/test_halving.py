#!/usr/bin/python3
"""test_halving.py - successive halving ([sweep] halving, rungs; docs/GRID.md).

The promotions are recomputed here from three plain sweeps of the same runs, given each
rung's budget from the start (an independent computation: numpy's sort over their rows).
Checks: the halving file holds, for each run, the row of the plain sweep of the last rung
it reached, bit for bit (status `pruned` below the last rung), trajectories included; the
same file on 1, 2 and 3 ranks (1 and 2 threads); after a kill at the first rung boundary,
before or after its promotions are written, and at random moments, a resume gives the
same file; the keys' errors. Prints the compute saved against the full grid and whether
the best run of each instance is the full grid's best."""
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from gdtest import (SOURCE, check, finish, gdsweep, runs_table, start, sweep,  # noqa: E402
                    sweep_differences, workdir, write_grid)

ETA, RUNGS = 3, [30, 90, 270]
SWEEP = """
[sweep]
name = halving
seed = 7
record_every = 7
{keys}
[problem rosen]
type = rosenbrock
x0 = -1.5, 0.5
start_spread = 0.3
[problem fit]
type = curvefit
points = 200
degree = 3
x_min = -1
x_max = 1
[optimizer gd]
lr = logspace(-4, -1, 9)
[optimizer momentum]
lr = logspace(-4, -2, 5)
momentum = 0.5, 0.9
[optimizer adam]
lr = 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1
"""
HALVING_KEYS = f"halving = {ETA}\nrungs = {', '.join(map(str, RUNGS))}\nrepeats = 2"

d = workdir()
grid = write_grid(d, "halving", SWEEP.format(keys=HALVING_KEYS))
ONE = ("--threads", "1")


def plain(budget):
    """The runs as a plain sweep, every one given `budget` iterations from the start."""
    path = os.path.join(d, f"plain{budget}.h5")
    g = write_grid(d, f"plain{budget}", SWEEP.format(keys=f"iterations = {budget}\nrepeats = 2"))
    sweep(g, path, *ONE)
    return path


plains = [plain(b) for b in RUNGS]
full = [runs_table(p) for p in plains]
n = len(full[0]["run_id"])


def groups(t):
    """Run ids by (problem section, instance, optimizer section): the halving groups."""
    keys = {}
    for i in range(n):
        keys.setdefault((t["problem"][i], int(t["instance"][i]), t["optimizer"][i]), []).append(i)
    return list(keys.values())


def expected_rungs():
    """Per run the last rung it reaches: per group the best ceil(k / ETA) go on, by the
    plain sweep's final loss at the rung (NaN last, then lower id)."""
    reached = np.zeros(n, int)
    alive = list(groups(full[0]))
    for r in range(len(RUNGS) - 1):
        loss = full[r]["loss_final"]
        nxt = []
        for ids in alive:
            order = sorted(ids, key=lambda i: (np.isnan(loss[i]), 0 if np.isnan(loss[i]) else loss[i], i))
            keep = order[:-(-len(ids) // ETA)]
            reached[keep] = r + 1
            nxt.append(keep)
        alive = nxt
    return reached


reached = expected_rungs()
counts = [int((reached >= r).sum()) for r in range(len(RUNGS))]
print(f"expected runs per rung: {counts}")

out1 = os.path.join(d, "h1.h5")
p = sweep(grid, out1, *ONE)
m = re.search(r"runs per rung ([\d, ]+) \(", p.stdout)
check(m is not None and [int(x) for x in m.group(1).split(",")] == counts,
      f"the sweep reports the runs per rung {counts}: {p.stdout.strip().splitlines()[:1]}")
halving_line = [x for x in p.stdout.splitlines() if x.startswith("halving")]
dry = gdsweep(grid, "--dry-run").stdout
check(len(halving_line) == 1 and halving_line[0] in dry.splitlines(),
      f"--dry-run prints the sweep's halving line before anything runs: {dry}")
t = runs_table(out1)
check(list(t["iterations"]) == [RUNGS[r] for r in reached],
      "each row's iterations is the budget of the rung recomputed from the plain sweeps")
check(all((t["status"] == "pruned") == (reached < len(RUNGS) - 1)),
      "exactly the runs below the last rung are pruned")


def row_differences(i, r):
    """Result cells and trajectory of halving row i that differ from plain sweep r's."""
    from gdtest import NOT_RESULTS, SERIES
    bad = []
    with h5py.File(out1, "r") as a, h5py.File(plains[r], "r") as b:
        ra, rb = a["runs"][i], b["runs"][i]
        for c in ra.dtype.names:
            if c in NOT_RESULTS or c in ("status", "status_code") and r < len(RUNGS) - 1:
                continue
            if ra[c].tobytes() != rb[c].tobytes():
                bad.append(c)
        for ds, kind in SERIES:
            oa, na = int(ra[kind + "_offset"]), int(ra[kind + "_count"])
            ob, nb = int(rb[kind + "_offset"]), int(rb[kind + "_count"])
            if a[ds][oa:oa + na].tobytes() != b[ds][ob:ob + nb].tobytes():
                bad.append(ds)
    return bad


mismatched = [(i, row_differences(i, reached[i])) for i in range(n)]
mismatched = [x for x in mismatched if x[1]]
check(not mismatched, "every row (and trajectory) is bit for bit the plain sweep's row of "
      f"its last rung (first differences: {mismatched[:3]})")

# The same file on 2 and 3 ranks, with 1 and 2 threads.
for ranks, threads in [(2, "1"), (3, "2"), (1, "2")]:
    out = os.path.join(d, f"h{ranks}_{threads}.h5")
    sweep(grid, out, "--threads", threads, mpi_ranks=ranks if ranks > 1 else None)
    diff = sweep_differences(out1, out)
    check(not diff, f"{ranks} ranks x {threads} threads: the same file ({diff[:3]})")


def resume_until_done(out, ranks=None):
    for _ in range(10):
        p = gdsweep(grid, "-o", out, "--quiet", "--resume", *ONE, mpi_ranks=ranks,
                    check_rc=False)
        if p.returncode == 0:
            return True
    return False


# A kill at the first rung boundary, before and after its promotions are written.
for point, ranks in [("rung_boundary", None), ("after_promotion", None),
                     ("rung_boundary", 3), ("after_promotion", 2)]:
    out = os.path.join(d, f"kill_{point}_{ranks}.h5")
    p = gdsweep(grid, "-o", out, "--quiet", *ONE, mpi_ranks=ranks, check_rc=False,
                env={"GD_INJECT_FAILURE": point})
    check(p.returncode != 0, f"{point} ({ranks or 1} ranks): the sweep was killed")
    st = gdsweep("status", out, check_rc=False)
    check(st.returncode == 3 and "state: resumable" in st.stdout,
          f"{point}: status says the file is resumable, not complete: {st.stdout}")
    done = resume_until_done(out, ranks=2 if ranks else None)
    diff = sweep_differences(out1, out) if done else ["not resumed"]
    check(not diff, f"{point} ({ranks or 1} ranks): the resumed file is the same ({diff[:3]})")

# A kill during the last phase, made by hand: one finalist is committed at the last rung,
# with a final loss worse than any run's (as if it diverged late), the other finalists not
# at all (written = 0). Resuming recomputes those from rung 0; at each barrier the one
# past the rung keeps its place although its loss now ranks it last, so the same runs
# are promoted and only its edited cell differs from the uninterrupted file.
surgery = os.path.join(d, "surgery.h5")
shutil.copyfile(out1, surgery)
finalists = np.flatnonzero(reached == len(RUNGS) - 1)
ahead = finalists[0]
with h5py.File(surgery, "r+") as f:
    rows = f["runs"][:]
    rows["written"][finalists[1:]] = 0
    rows["loss_final"][ahead] = 1e300
    f["runs"][...] = rows
done = resume_until_done(surgery)
diff = sweep_differences(out1, surgery) if done else ["not resumed"]
check(diff == ["column loss_final"] and
      list(runs_table(surgery)["iterations"]) == list(t["iterations"]) and
      list(runs_table(surgery)["status"]) == list(t["status"]),
      f"a resume with a run already past the rungs promotes the same runs ({diff[:3]})")

# Kills at random moments (many commits, so they land between rungs and batches).
random.seed(int(os.environ.get("GD_KILL_SEED", "20261207")))
os.environ["GD_COMMIT_SECONDS"] = "0.01"
t0 = time.time()
sweep(grid, os.path.join(d, "timed.h5"), *ONE)
whole = time.time() - t0
for k in range(4):
    out = os.path.join(d, f"random{k}.h5")
    proc = start(grid, out, *ONE)
    time.sleep(random.uniform(0.05, max(0.1, whole)))
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
    done = resume_until_done(out) if os.path.exists(out) else sweep(grid, out, *ONE) or True
    diff = sweep_differences(out1, out) if done else ["not resumed"]
    check(not diff, f"random kill {k}: the resumed file is the same ({diff[:3]})")

# What halving saved against the full grid (steps actually taken, replays included).
steps = [f["steps"].astype(float) for f in full]
spent = sum(steps[r][reached >= r].sum() for r in range(len(RUNGS)))
replayed = sum(steps[r - 1][reached >= r].sum() for r in range(1, len(RUNGS)))
whole_grid = steps[-1].sum()
best_same, ratios = 0, []
by_instance = {}
for i in range(n):
    by_instance.setdefault((full[0]["problem"][i], int(full[0]["instance"][i])), []).append(i)
for ids in by_instance.values():
    loss = full[-1]["loss_final"][ids]
    best_full = ids[int(np.nanargmin(loss))]
    finalists = [i for i in ids if reached[i] == len(RUNGS) - 1]
    best_halving = min(finalists, key=lambda i: (t["loss_final"][i], i))
    best_same += best_full == best_halving
    ratios.append(full[-1]["loss_final"][best_halving] / full[-1]["loss_final"][best_full])
print(f"runs {n}, per rung {counts}; iterations computed {spent:.0f} (replays {replayed:.0f}, "
      f"{100 * replayed / spent:.1f}%) vs the full grid's {whole_grid:.0f}: "
      f"{100 * (1 - spent / whole_grid):.1f}% saved; the best run of {best_same} of "
      f"{len(by_instance)} instances is the full grid's best (final loss of the best "
      f"finalist / the full grid's best, per instance: {', '.join(f'{x:.3g}' for x in ratios)})")
check(spent < whole_grid, "halving computes fewer iterations than the full grid")

# The keys' errors: one line naming the file and line, exit 2, no output.
BAD = [("halving = 1\nrungs = 10, 20", 6, "halving '1'"),
       ("halving = 3\nrungs = 10, 10", 7, "rungs '10, 10'"),
       ("halving = 3\nrungs = 10", 7, "at least two"),
       ("halving = 3", 6, "halving without rungs"),
       ("halving = 3\nrungs = 10, 20\niterations = 50", 8, "iterations with [sweep] halving")]
for k, (keys, line, words) in enumerate(BAD):
    g = write_grid(d, f"bad{k}", SWEEP.format(keys=keys))
    out = os.path.join(d, f"bad{k}.h5")
    p = gdsweep(g, "-o", out, check_rc=False)
    err = p.stderr.strip()
    check(p.returncode == 2 and f"bad{k}.ini:{line}:" in err and words in err and
          len(err.splitlines()) == 1 and not os.path.exists(out),
          f"bad keys {keys!r}: exit 2, one line at line {line}: {err}")
p = gdsweep(grid, "-o", os.path.join(d, "shard.h5"), "--shard", "1/2", check_rc=False)
check(p.returncode == 2 and "--shard" in p.stderr, f"--shard is refused: {p.stderr.strip()}")

# status and summary read the pruned rows.
p = gdsweep("status", out1)
check(f"{n - counts[-1]} pruned" in p.stdout, f"status counts the pruned runs: {p.stdout}")
p = gdsweep("summary", out1)
m = re.search(r"(\d+) converged, (\d+) hit the budget, (\d+) diverged", p.stdout)
check(p.returncode == 0 and f"{n} of {n} committed" in p.stdout and m and
      sum(map(int, m.groups())) == counts[-1],
      f"summary reads the file and ranks the {counts[-1]} runs of the last rung")

sys.path.insert(0, os.path.abspath(SOURCE))
from analysis import reader  # noqa: E402
from analysis.sweep import Sweep  # noqa: E402
check(len(reader.load_runs(out1)) == counts[-1] and
      len(reader.load_runs(out1, pruned=True)) == n,
      "the analysis reader leaves the pruned rows out unless asked for them")
with Sweep(out1) as s:
    check(set(s.runs["status"]) <= {"converged", "max_iter", "diverged"} and
          len(s.runs) == counts[-1], "the report's sweep holds the runs of the last rung")
finish()
