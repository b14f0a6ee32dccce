"""test_repeat_stats.py - the statistics over repeats of `gdsweep summary` and analysis.stats, against numpy and scipy.

A sweep with repeats = 7 under mpirun (2 ranks): rosenbrock and two quadratic settings, each
repeat from its own random start (start_spread), three optimizers, two of them with two
learning rates. From the per-repeat gaps read with h5py the test computes independently:
each optimizer's best setting (lowest median rank class, then median gap, then median
steps), its median gap (numpy), the bootstrap interval from the documented resampling
(indices from analysis.stats.uniform, medians and percentiles by numpy), the paired
two-sided Wilcoxon p-values (scipy.stats.wilcoxon, docs/STATISTICS.md's variant) and Holm's
adjustment by hand; then compares them with what summary prints and the Python API returns.
The summary's repeats section must be the same text on a second invocation.
"""
import os
import re
import sys

import h5py
import numpy as np
from scipy import stats as sps

import gdtest
from gdtest import check

sys.path.insert(0, gdtest.SOURCE)
from analysis import stats  # noqa: E402
from analysis.sweep import Sweep  # noqa: E402

REPEATS = 7
GRID = f"""[sweep]
name = repstats
iterations = 200
repeats = {REPEATS}
seed = 3
[problem rb]
type = rosenbrock
x0 = -1
y0 = 2
start_spread = 0.3
[problem q]
type = quadratic
x0 = 2, -3
start_spread = 0.5
[optimizer gd]
lr = 1e-3, 3e-3
[optimizer adam]
lr = 1e-2, 3e-2
[optimizer momentum]
lr = 1e-3
"""
BEST = re.compile(r"  best (\S+) \[(.*?)\] (\S+): n=(\d+) median=(\S+) ci=\[(\S+), (\S+)\] "
                  r"first_run=(\d+) \[(.*)\]$")
PAIR = re.compile(r"  pair (\S+) \[(.*?)\] (\S+) vs (\S+): n=(\d+) median_diff=(\S+) p=(\S+) "
                  r"p_holm=(\S+) (exact|approx): (.*)$")
EPS = np.finfo(float).eps


def close(a, b, rel=5e-6):
    return abs(a - b) <= rel * max(abs(a), abs(b)) + 1e-300


def read_runs(path):
    """{(problem, setting text): {optimizer: {lr: (run ids, gaps with inf for diverged, steps)}}}."""
    with h5py.File(path, "r") as f:
        runs = f["runs"][:]
    table = {}
    for row in runs:
        problem = gdtest.text(row["problem"])
        setting = f"x0={row['x0']:g}" if problem == "q" else ""
        fstar = row["loss_final"] - row["gap"]
        gap = max(row["gap"], EPS * max(1.0, abs(fstar)))
        gap = np.inf if row["status_code"] == -1 or not np.isfinite(gap) else gap
        lrs = table.setdefault((problem, setting), {}).setdefault(gdtest.text(row["optimizer"]), {})
        lrs.setdefault(float(row["lr"]), []).append((int(row["repeat"]), int(row["run_id"]), gap,
                                                     float(row["steps"]), int(row["status_code"])))
    return {k: {o: {lr: sorted(v) for lr, v in lrs.items()} for o, lrs in opts.items()}
            for k, opts in table.items()}


def best_lr(settings):
    """The best setting by (median class, median gap, median steps, first run id), by numpy."""
    def score(lr):
        rows = settings[lr]
        cls = [2 if not np.isfinite(r[2]) else 1 for r in rows]
        return (np.median(cls), np.median([r[2] for r in rows]), np.median([r[3] for r in rows]),
                min(r[1] for r in rows))
    return min(settings, key=score)


def numpy_interval(values, first_run):
    """The documented percentile bootstrap, medians and percentiles by numpy."""
    n = len(values)
    u = stats.uniform(stats.key_of(first_run), 0, np.arange(stats.RESAMPLES * n, dtype=np.uint64))
    index = np.floor(u.reshape(stats.RESAMPLES, n) * n).astype(int)
    medians = np.median(np.asarray(values)[index], axis=1)
    return np.percentile(medians, [2.5, 97.5])


def scipy_wilcoxon(d):
    d = np.asarray(d, float)
    exact = len(d) <= 50 and not (d == 0).any() and len(np.unique(np.abs(d))) == len(d)
    if exact:
        return sps.wilcoxon(d, method="exact").pvalue
    return sps.wilcoxon(d, zero_method="pratt", correction=False, method="approx").pvalue


def holm_by_hand(p):
    """Holm for three p-values, written out: sort, multiply by 3, 2, 1, keep the running maximum."""
    order = sorted(range(len(p)), key=lambda i: (p[i], i))
    a0 = min(1.0, 3 * p[order[0]])
    a1 = max(a0, min(1.0, 2 * p[order[1]]))
    a2 = max(a1, min(1.0, 1 * p[order[2]]))
    out = [0.0] * 3
    out[order[0]], out[order[1]], out[order[2]] = a0, a1, a2
    return out


def check_best(table, m, bests):
    problem, setting, opt = m[1], m[2], m[3]
    settings = table[(problem, setting)][opt]
    lr = best_lr(settings)
    rows = settings[lr]
    gaps = [r[2] for r in rows]
    what = f"{problem} [{setting}] {opt}"
    check(int(m[8]) == rows[0][1], f"{what}: best setting lr={lr:g}, first run {rows[0][1]} (got {m[8]})")
    check(int(m[4]) == REPEATS and close(float(m[5]), np.median(gaps)),
          f"{what}: median gap over {REPEATS} repeats {np.median(gaps):.6g} (got {m[5]})")
    lo, hi = numpy_interval(gaps, rows[0][1])
    check(close(float(m[6]), lo) and close(float(m[7]), hi),
          f"{what}: 95% interval [{lo:.6g}, {hi:.6g}] (got [{m[6]}, {m[7]}])")
    bests[(problem, setting, opt)] = gaps
    return what, lo, hi


def check_pairs(pairs, bests):
    by_group = {}
    for m in pairs:
        by_group.setdefault((m[1], m[2]), []).append(m)
    for (problem, setting), group in by_group.items():
        p = [scipy_wilcoxon(np.subtract(bests[(problem, setting, m[3])], bests[(problem, setting, m[4])]))
             for m in group]
        check(len(group) == 3, f"{problem} [{setting}]: 3 pairs")
        for m, pv, adj in zip(group, p, holm_by_hand(p)):
            what = f"{problem} [{setting}] {m[3]} vs {m[4]}"
            d = np.subtract(bests[(problem, setting, m[3])], bests[(problem, setting, m[4])])
            check(close(float(m[6]), np.median(d)), f"{what}: median difference {np.median(d):.6g} (got {m[6]})")
            check(close(float(m[7]), pv), f"{what}: Wilcoxon p = {pv:.6g} (scipy; got {m[7]})")
            check(close(float(m[8]), adj), f"{what}: Holm p = {adj:.6g} (by hand; got {m[8]})")
            better = m[3] if np.median(d) < 0 else m[4]
            want = f"{better} better than {m[4] if better == m[3] else m[3]} at 5%" if adj < 0.05 else "no evidence"
            check(m[10] == want, f"{what}: verdict '{want}' (got '{m[10]}')")
    return sum(float(m[8]) < 0.05 for m in pairs)


def check_python(path, summary_best, summary_pairs):
    with Sweep(path) as sweep:
        settings, pairs = stats.repeat_tables(sweep)
    check(len(settings) == len(summary_best) and len(pairs) == len(summary_pairs),
          f"the Python API has {len(settings)} settings and {len(pairs)} pairs, as summary")
    for row, m in zip(settings.itertuples(), summary_best):
        same = (row.optimizer == m[3] and row.first_run == int(m[8]) and close(row.median, float(m[5]))
                and close(row.ci_low, float(m[6])) and close(row.ci_high, float(m[7])))
        check(same, f"Python {row.problem} {row.problem_settings} {row.optimizer}: median {row.median:.6g} "
                    f"[{row.ci_low:.6g}, {row.ci_high:.6g}] as summary's {m[5]} [{m[6]}, {m[7]}]")
    for row, m in zip(pairs.itertuples(), summary_pairs):
        same = (row.a == m[3] and row.b == m[4] and close(row.p, float(m[7]))
                and close(row.p_holm, float(m[8])) and row.verdict == m[10])
        check(same, f"Python {row.problem} {row.a} vs {row.b}: p {row.p:.6g}, Holm {row.p_holm:.6g}, "
                    f"'{row.verdict}' as summary's")


def main():
    d = gdtest.workdir()
    grid = gdtest.write_grid(d, "repstats", GRID)
    out = os.path.join(d, "repstats.h5")
    gdtest.sweep(grid, out, mpi_ranks=2)
    first = gdtest.gdsweep("summary", out).stdout
    second = gdtest.gdsweep("summary", out).stdout
    check(first == second, "summary prints the same repeats section twice")
    lines = first.splitlines()
    best_lines = [BEST.match(l) for l in lines if l.startswith("  best ")]
    pair_lines = [PAIR.match(l) for l in lines if l.startswith("  pair ")]
    check(len(best_lines) == 9 and all(best_lines), f"9 best settings (3 problem settings x 3), got {len(best_lines)}")
    check(len(pair_lines) == 9 and all(pair_lines), f"9 pairs, got {len(pair_lines)}")
    table = read_runs(out)
    bests = {}
    for m in best_lines:
        check_best(table, m, bests)
    significant = check_pairs(pair_lines, bests)
    check(0 < significant < 9, f"some pairs differ at 5% after Holm and some do not ({significant} of 9)")
    check_python(out, best_lines, pair_lines)
    one = gdtest.gdsweep("summary", out, "--csv").stdout
    check("best " not in one and "pair " not in one, "--csv prints the table only")
    gdtest.finish()


if __name__ == "__main__":
    main()
