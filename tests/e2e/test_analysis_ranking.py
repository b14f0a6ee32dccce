#!/usr/bin/python3
"""test_analysis_ranking.py - the report answers the question asked (rankings, captions, profiles, targets).

One sweep made here with the real binary (a quadratic whose repeats are identical, Rosenbrock
whose repeats start apart, curve fits of two degrees, denoising at four lambdas) and its
report. Every expected value is computed here from the file with h5py and numpy (the
documented layout, docs/FORMAT.md), not through analysis/: the best run of every (problem
settings group, optimizer); the settings a figure shows and the run it draws; the
performance and data profiles over units counted once; steps to target; the best lambda by
PSNR. Each section runs on its own, so one failure (or an
old analysis/ without a function) does not hide the others.
"""
import csv
import os
import re
import subprocess
import sys
import traceback
from html import unescape

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from gdtest import (SOURCE, check, finish, runs_table, sweep, trajectory, workdir,  # noqa: E402
                    write_grid)

sys.path.insert(0, os.path.abspath(SOURCE))
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# lr is the only setting value swept within an optimizer section, so a setting is (optimizer, lr).
# `exact` (gd with lr = 1/(2a)) reaches the quadratic's minimum in one step: a gap of 0.
GRID = """
[sweep]
name = ranking-test
seed = 11
repeats = 2
iterations = 60

[problem quad]
type = quadratic
x0 = 5, -3
loss_tol = 1e-9
iterations = 200

[problem rb]
type = rosenbrock
start_spread = 0.1
iterations = 150

[problem fit]
type = curvefit
degree = 1, 3
points = 30
noise = 0.3
x_min = -1
x_max = 1
iterations = 80

[problem img]
type = denoise
size = 32
noise = 0.3
lambda = 0.05, 0.2, 0.5, 1

[optimizer gd]
lr = 0.02, 0.05

[optimizer momentum]
lr = 0.001, 0.02, 0.05
problems = quad, rb, fit

[optimizer adam]
lr = 0.001, 0.1

[optimizer exact]
type = gd
lr = 0.5
problems = quad
"""
SMALL_GRID = """
[sweep]
name = metric-test
seed = 3
repeats = 2
iterations = 40

[problem quad]
type = quadratic

[problem img]
type = denoise
size = 24
noise = 0.3
lambda = 0.2, 1

[optimizer gd]
lr = 0.01, 0.05

[optimizer adam]
lr = 0.01, 0.1
"""
WORK = workdir()
EPS = np.finfo(float).eps
LEVELS = (3, 6)


def make_sweep(name, grid):
    out = os.path.join(WORK, name + ".h5")
    sweep(write_grid(WORK, name, grid), out)
    return out


def report(h5, *extra):
    """Runs the report into WORK/<name>-report; returns (CompletedProcess, directory)."""
    out = os.path.join(WORK, os.path.basename(h5) + "-report" + "".join(extra).replace("-", "_"))
    env = dict(os.environ, PYTHONPATH=SOURCE)
    p = subprocess.run(["/usr/bin/python3", "-m", "analysis.report", h5, "-o", out, *extra],
                       capture_output=True, text=True, env=env)
    print(f"report {os.path.basename(h5)} {' '.join(extra)}: exit {p.returncode}; "
          f"stderr: {p.stderr.strip()!r}")
    return p, out


# ---- the file, read here -------------------------------------------------------------------

class Runs:
    """The runs table (h5py, decoded) with the documented column groups."""

    def __init__(self, h5):
        self.c = runs_table(h5)
        names = list(self.c)
        self.problem_cols = names[names.index("repeat") + 1:names.index("iterations")]
        self.control_cols = names[names.index("iterations"):names.index("lr")]
        self.ids = np.flatnonzero(self.c["written"] == 1)
        with h5py.File(h5, "r") as f:
            self.modes = dict(item.split(":") for item in text_attr(f, "metric_modes").split(",") if item)

    def __getitem__(self, name):
        return self.c[name]

    def of(self, problem, optimizer=None):
        sel = (self.c["problem"] == problem) & (self.c["written"] == 1)
        if optimizer is not None:
            sel &= self.c["optimizer"] == optimizer
        return np.flatnonzero(sel)

    def values(self, i, cols):
        return tuple("nan" if isinstance(v, float) and np.isnan(v) else v
                     for v in (self.c[c][i].item() if hasattr(self.c[c][i], "item") else self.c[c][i]
                               for c in cols))

    def group(self, i):
        """The run's problem settings group: problem label and every problem parameter value."""
        return (self.c["problem"][i],) + self.values(i, self.problem_cols)

    def group_text(self, group):
        """`quad x0=5 ...`: the label and the problem values the group's problem type has
        (a choice column, such as logreg's `standardize`, is a string: "" where absent)."""
        values = [f"{c}={v:g}" if isinstance(v, float) else f"{c}={v}"
                  for c, v in zip(self.problem_cols, group[1:]) if v not in ("nan", "")]
        return " ".join([group[0]] + values)

    def groups(self, problem):
        """{group: run ids} of a problem."""
        out = {}
        for i in self.of(problem):
            out.setdefault(self.group(i), []).append(i)
        return out

    def has_gap(self, idx):
        return bool(np.isfinite(self.c["gap"][idx]).any())

    def reference(self, i):
        """f_ref: the known optimum, else the lowest loss_best of the run's instance."""
        if np.isfinite(self.c["gap"][i]):
            return self.c["loss_final"][i] - self.c["gap"][i]
        same = self.ids[self.c["instance"][self.ids] == self.c["instance"][i]]
        return float(np.min(self.c["loss_best"][same]))

    def unit(self, i):
        """Problem instance x control values, counted once: label, problem and control values,
        initial loss."""
        return self.group(i) + self.values(i, self.control_cols) + (self.c["loss_initial"][i],)


def text_attr(f, name):
    v = f.attrs.get(name, b"")
    return v.decode() if isinstance(v, bytes) else str(v)


# ---- rankings, by hand ----------------------------------------------------------------------

def default_metric(R, problem):
    return "gap" if R.has_gap(R.of(problem)) else "loss_final"


def run_key(R, i, metric, mode, converged_first):
    """(class, value, steps, id): converged first by steps (default measure), then by value, failed last."""
    v, steps = float(R[metric][i]), int(R["steps"][i])
    if R["status"][i] == "diverged" or not np.isfinite(v):
        return (2, np.inf, steps, i)
    if converged_first and R["status"][i] == "converged":
        return (0, steps, steps, i)
    return (1, v if mode == "min" else -v, steps, i)


def best_of(R, idx, metric, mode, converged_first):
    return min(idx, key=lambda i: run_key(R, i, metric, mode, converged_first))


def setting_score(R, idx, rank):
    keys = np.array([run_key(R, i, *rank)[:3] for i in idx], float)
    return tuple(np.median(keys, axis=0)) + (min(idx),)


def settings(R, idx):
    """{(optimizer, lr): run ids}."""
    out = {}
    for i in idx:
        out.setdefault((R["optimizer"][i], float(R["lr"][i])), []).append(i)
    return out


def best_setting(R, idx, rank):
    return min(settings(R, idx).values(), key=lambda s: setting_score(R, s, rank))


def group_score(R, idx, rank):
    return min(setting_score(R, best_setting(R, [i for i in idx if R["optimizer"][i] == opt], rank), rank)
               for opt in dict.fromkeys(R["optimizer"][idx]))


def choice_rank(R, problem):
    """The problem's metric (psnr, test_mse) when it has values, else its default ranking."""
    idx = R.of(problem)
    for metric, mode in R.modes.items():
        if metric in R.c and np.isfinite(R[metric][idx]).any():
            return (metric, mode, False)
    for metric in ("psnr", "test_mse"):
        if metric in R.c and np.isfinite(R[metric][idx]).any():
            return (metric, "max" if metric == "psnr" else "min", False)
    return (default_metric(R, problem), "min", True)


def chosen_group(R, problem):
    groups = R.groups(problem)
    rank = choice_rank(R, problem)
    return min(groups, key=lambda g: group_score(R, groups[g], rank)), groups


# ---- what the report wrote --------------------------------------------------------------------

def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def captions(index):
    html = open(index, encoding="utf-8").read()
    return {m.group(1): unescape(m.group(2)) for m in
            re.finditer(r"<section id='([^']+)'>.*?<p class='caption'>(.*?)</p>", html, re.S)}


def all_texts(fig):
    """Every title, axis label and legend text of a figure."""
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        if ax.get_legend():
            out += [t.get_text() for t in ax.get_legend().get_texts()]
    return out


def number_text(v):
    """A value as analysis' labels write it (3 significant digits, integers plain)."""
    return str(int(v)) if float(v).is_integer() else f"{v:.3g}"


# ---- the checks -----------------------------------------------------------------------------

def test_best_table(R, out):
    """One row per (problem settings group, optimizer), each the best run of its group by hand."""
    rows = read_csv(os.path.join(out, "best_configurations.csv"))
    want = {}
    for problem in dict.fromkeys(R["problem"][R.ids]):
        metric = default_metric(R, problem)
        for g, idx in R.groups(problem).items():
            for opt in dict.fromkeys(R["optimizer"][idx]):
                mine = [i for i in idx if R["optimizer"][i] == opt]
                want[(g, opt)] = best_of(R, mine, metric, "min", True)
    got = {(R.group(int(r["run_id"])), r["optimizer"]): int(r["run_id"]) for r in rows}
    check(len(rows) == len(want) == len(got), f"best table: one row per settings group x optimizer "
                                              f"({len(rows)} rows, {len(want)} expected)")
    for key, i in want.items():
        check(got.get(key) == i, f"best of {R.group_text(key[0])}, {key[1]}: run {got.get(key)}, by hand {i}")
    by_gap = {r["problem"]: r["ranked_by"] for r in rows}
    check(by_gap["quad"].startswith("gap (min") and by_gap["img"].startswith("loss_final (min"),
          f"ranked_by names the measure: {by_gap['quad']!r}, {by_gap['img']!r}")
    # the grid makes both rules matter: converged runs by steps, and settings kept apart
    momentum = [i for i in R.of("quad", "momentum") if R["x0"][i] == -3]
    lowest_gap = min(momentum, key=lambda i: R["gap"][i])
    check(R["status"][lowest_gap] == "converged" and want[(R.group(lowest_gap), "momentum")] != lowest_gap,
          "the quadratic's momentum runs have a converged run with fewer steps than the lowest gap's")
    img = R.of("img")
    overall = min(img, key=lambda i: R["loss_final"][i])
    best_psnr_lambda = R["lambda"][max(img, key=lambda i: R["psnr"][i])]
    check(R["lambda"][overall] != best_psnr_lambda,
          f"across lambdas the lowest loss (lambda {R['lambda'][overall]}) is not where PSNR is best "
          f"({best_psnr_lambda}): ranking across settings would mislead")


def test_denoise_shows_best_lambda(R, out):
    """denoise.png draws the best run (by the loss) of the lambda with the best PSNR."""
    group, groups = chosen_group(R, "img")
    expected = best_of(R, groups[group], "loss_final", "min", True)
    text = captions(os.path.join(out, "index.html")).get("denoise", "")
    m = re.search(r"img: run (\d+)", text)
    drawn = int(m.group(1)) if m else -1
    check(drawn == expected, f"denoise.png draws run {drawn}: by hand run {expected} "
                             f"(lambda {R['lambda'][expected]}, best PSNR)")


def test_labels_of_run_drawn(R, h5):
    """curvefit.png and denoise.png label their run with its own learning rate."""
    from analysis import fig_curvefit, fig_denoise
    from analysis.sweep import Sweep
    with Sweep(h5) as s:
        for problem, maker in (("fit", fig_curvefit.make), ("img", fig_denoise.make)):
            group, groups = chosen_group(R, problem)
            i = best_of(R, groups[group], default_metric(R, problem), "min", True)
            made = maker(s)[0]
            label = f"{R['optimizer'][i]} (lr={number_text(R['lr'][i])})"
            texts = all_texts(made.fig)
            check(any(label in t for t in texts), f"{made.name}: the run drawn ({i}) is labelled {label!r}")
            other_lr = rf"{R['optimizer'][i]} \(lr=(?!{re.escape(number_text(R['lr'][i]))}\b)"
            wrong = [t for t in texts if re.search(other_lr, t)]
            check(not wrong, f"{made.name}: no other learning rate is given for it ({wrong})")
            plt.close(made.fig)


def test_cost_paths_labels(R, h5):
    """Each cost-path panel names its run, and the learning rate shown is that run's."""
    from analysis import fig_cost
    from analysis.sweep import Sweep
    with Sweep(h5) as s:
        made = fig_cost.make_paths(s)[0]
        titles = [ax.get_title() for ax in made.fig.axes if ax.get_title()]
        found = [re.search(r"run (\d+): (\S+) \(lr=([^,)]+)", t) for t in titles]
        check(found and all(found), f"cost_paths: every panel names its run ({len(titles)} panels)")
        for m in filter(None, found):
            i = int(m.group(1))
            check(m.group(2) == R["optimizer"][i] and m.group(3) == number_text(R["lr"][i]),
                  f"cost_paths: run {i} is {R['optimizer'][i]} lr={R['lr'][i]} (title says {m.group(0)!r})")
        plt.close(made.fig)


def profile_measures(R):
    """{unit: {optimizer: best floored gap to the reference}} over units run by >= 2 optimizers."""
    table = {}
    for i in R.ids:
        ref = R.reference(i)
        initial = R["loss_initial"][i] - ref
        floor = max(1e-10 * max(1.0, abs(ref)), 1e-8 * initial)
        gap = R["loss_final"][i] - ref
        m = np.inf if R["status"][i] == "diverged" or not np.isfinite(gap) else max(gap, floor)
        cell = table.setdefault(R.unit(i), {})
        cell[R["optimizer"][i]] = min(cell.get(R["optimizer"][i], np.inf), m)
    return {u: v for u, v in table.items() if len(v) >= 2}


def curve_at(line, x):
    """The value of a post-step curve at x."""
    xs, ys = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
    k = np.searchsorted(xs, x, side="right") - 1
    return float(ys[max(k, 0)])


def test_performance_profile(R, h5):
    """Units counted once, gaps to the reference floored to ties, ratios by hand, axis at most 1e6."""
    from analysis import fig_profile
    from analysis.sweep import Sweep
    table = profile_measures(R)
    n_instances = len({(R["problem"][i], R["instance"][i]) for i in R.ids})
    check(len(table) < n_instances, f"the grid has repeated identical instances ({len(table)} units, "
                                    f"{n_instances} instance indices)")
    maker = getattr(fig_profile, "make_performance", None) or fig_profile.make
    with Sweep(h5) as s:
        made = maker(s)[0]
        ax = made.fig.axes[0]
        m = re.search(r"over (\d+)", ax.get_title())
        check(m and int(m.group(1)) == len(table),
              f"profile over {m and m.group(1)} units; by hand {len(table)}")
        check(ax.get_xlim()[1] <= 1e6, f"profile axis ends at {ax.get_xlim()[1]:.3g} <= 1e6")
        lines = {line.get_label().split(" (")[0]: line for line in ax.get_lines()}
        for opt in dict.fromkeys(R["optimizer"][R.ids]):
            ratios = np.array([v.get(opt, np.inf) / min(v.values()) for v in table.values()])
            for tau in (1.0, 2.0, 100.0):
                want = float(np.mean(ratios <= tau))
                got = curve_at(lines[opt], tau) if opt in lines else -1
                check(abs(got - want) < 1e-12, f"rho_{opt}({tau:g}) = {got:.4f}, by hand {want:.4f}")
        plt.close(made.fig)


def recorded_target(f, R, i, k):
    """(steps, gradient evaluations) to 10^-k of the initial gap to f_ref, from run i's trajectory."""
    loss, it = trajectory(f, R, i, "loss"), trajectory(f, R, i, "iteration")
    ref = R.reference(i)
    hit = np.flatnonzero(loss - ref <= 10.0 ** -k * (R["loss_initial"][i] - ref))
    if not hit.size:
        return np.inf, np.inf
    t = float(it[hit[0]])
    return t, (t + 1) * R["grad_evals"][i] / (R["steps"][i] + 1.0)


def target_times(R, h5, k):
    """{run: (steps, grad evals)} to target 10^-k: exact columns where the optimum is known, else recorded."""
    out = {}
    with h5py.File(h5, "r") as f:
        for i in R.ids:
            if np.isfinite(R["gap"][i]):
                s, e = R[f"steps_to_1e-{k}"][i], R[f"grad_evals_to_1e-{k}"][i]
                out[i] = (np.inf, np.inf) if s < 0 else (float(s), float(e))
            else:
                out[i] = recorded_target(f, R, i, k)
    return out


def unit_costs(R, times, which):
    """{unit: {optimizer: fewest steps (0) or gradient evaluations (1) to the target}} over all units."""
    table = {}
    for i in R.ids:
        cell = table.setdefault(R.unit(i), {})
        opt = R["optimizer"][i]
        cell[opt] = min(cell.get(opt, np.inf), times[i][which])
    return table


def test_data_profile(R, h5, out):
    """Data profiles and the time-to-target table against costs computed here."""
    from analysis import fig_profile, targets
    from analysis.sweep import Sweep
    check(R.c.get("steps_to_1e-3") is not None, "the binary writes the exact steps_to_1e-k columns")
    with Sweep(h5) as s:
        quad = s.of("quad")
        steps, _ = targets.recorded_time(s, quad, 3)
        exact = quad["steps_to_1e-3"].to_numpy(float)
        check(np.array_equal(np.where(np.isnan(steps), -1, steps), exact),
              "steps to 1e-3 from trajectories (record_every 1) = the exact in-loop columns")
        made = fig_profile.make_data(s)[0]
        times_csv = {r["optimizer"]: r for r in read_csv(os.path.join(out, "time_to_target.csv"))}
        for ax, k in zip(made.fig.axes, LEVELS):
            times = target_times(R, h5, k)
            evals, steps = unit_costs(R, times, 1), unit_costs(R, times, 0)
            lines = {line.get_label().split(" (")[0]: line for line in ax.get_lines()}
            for opt in dict.fromkeys(R["optimizer"][R.ids]):
                want = np.sort([max(v[opt], 1.0) for v in evals.values() if np.isfinite(v.get(opt, np.inf))])
                x = np.asarray(lines[opt].get_xdata(), float)[1:1 + len(want)]
                share = curve_at(lines[opt], 1e12)
                check(np.allclose(x, want, rtol=1e-12) and share == len(want) / len(evals),
                      f"data profile 1e-{k}, {opt}: {len(want)} of {len(evals)} units at "
                      f"{want[:4]}... by hand")
                solved = [v[opt] for v in steps.values() if np.isfinite(v.get(opt, np.inf))]
                row = times_csv.get(opt, {})
                med = float(row.get(f"median_steps_to_1e-{k}") or "nan")
                check(int(row.get(f"solved_1e-{k}", -1)) == len(solved) and
                      (np.isclose(med, np.median(solved)) if solved else np.isnan(med)),
                      f"time to target 1e-{k}, {opt}: solved {row.get(f'solved_1e-{k}')}, "
                      f"median steps {med}; "
                      f"by hand {len(solved)}, {np.median(solved) if solved else 'n/a'}")
        plt.close(made.fig)


def test_convergence(R, h5):
    """Without a known optimum the panel shows f - best found; each optimizer has its own line style."""
    from analysis import fig_convergence
    from analysis.sweep import Sweep
    group, groups = chosen_group(R, "img")
    initial = [R["loss_initial"][i] - R.reference(i) for i in groups[group]]
    with Sweep(h5) as s:
        made = fig_convergence.make(s)[0]
        for ax in made.fig.axes:
            lines = [ln for ln in ax.get_lines() if len(ln.get_xdata()) > 1]
            styles = {(str(ln.get_linestyle()), ln.get_marker()) for ln in lines}
            check(len(styles) == len(lines), f"convergence {ax.get_title()!r}: {len(lines)} optimizers, "
                                             f"{len(styles)} distinct line styles")
            if not ax.get_title().startswith("img"):
                continue
            check("best" in ax.get_ylabel(), f"img panel's y axis names the reference: {ax.get_ylabel()!r}")
            starts = [float(ln.get_ydata()[0]) for ln in lines]
            check(all(min(initial) * (1 - 1e-9) <= y <= max(initial) * (1 + 1e-9) for y in starts),
                  f"img curves start at f(x_0) - f_ref {starts}, "
                  f"by hand in [{min(initial):.6g}, {max(initial):.6g}]")
        plt.close(made.fig)


def test_parameter_answer(R, out):
    """The report states the best lambda by PSNR and the best degree by its metric, computed here."""
    html = unescape(open(os.path.join(out, "index.html"), encoding="utf-8").read())
    check(os.path.exists(os.path.join(out, "problem_parameters.png")), "problem_parameters.png written")
    for problem, name in (("img", "lambda"), ("fit", "degree")):
        group, groups = chosen_group(R, problem)
        rank = choice_rank(R, problem)
        setting = best_setting(R, groups[group], rank)
        value = float(np.median(R[rank[0]][setting]))
        best = R[name][groups[group][0]]
        m = re.search(rf"{problem}: best {name} by {rank[0]} \({rank[1]}[^)]*\): (\S+) \(([-\d.e+]+)", html)
        said = m is not None and m.group(1) == number_text(best)
        said = said and np.isclose(float(m.group(2)), value, rtol=1e-3)
        check(said, f"{problem}: report says {m.group(0) if m else 'nothing'!r}; "
                    f"by hand {name} {number_text(best)}, {rank[0]} {value:.4g}")


def test_bulk_trajectories(R, h5):
    """reader.trajectories gives every run's records and path as stored; its iterations are
    0, record_every, 2 record_every, ... and the run's last, steps (docs/FORMAT.md)."""
    from analysis import reader
    runs = reader.load_runs(h5)
    rec = reader.trajectories(h5, runs.iloc[::-1], with_path=True)
    ok = True
    with h5py.File(h5, "r") as f:
        every = int(f.attrs["record_every"])
        for k, i in enumerate(runs.index[::-1]):
            frame = rec.frame(k)
            o, n = int(R["traj_offset"][i]), int(R["traj_count"][i])
            ok &= np.array_equal(frame["loss"].to_numpy(), f["traj/loss"][o:o + n])
            want = np.append(np.arange(n - 1) * every, int(R["steps"][i]))
            ok &= np.array_equal(frame["iteration"].to_numpy(), want)
            if R["path_dim"][i] == 1:
                po = int(R["path_offset"][i])
                ok &= np.array_equal(frame["x_0"].to_numpy(), f["path/x"][po:po + n])
    check(bool(ok), f"bulk trajectories of {len(runs)} runs equal the stored records and paths")


def test_metric_option():
    """--metric psnr --mode max ranks by PSNR within each lambda; a problem without PSNR is noted."""
    h5 = make_sweep("small", SMALL_GRID)
    R = Runs(h5)
    p, out = report(h5, "--metric", "psnr", "--mode", "max")
    check(p.returncode == 0 and "quad has no psnr value" in p.stderr,
          "--metric psnr: exit 0, the quadratic (no PSNR) noted as ranked by its default")
    rows = read_csv(os.path.join(out, "best_configurations.csv"))
    for r in rows:
        i = int(r["run_id"])
        idx = [j for j in R.groups(r["problem"])[R.group(i)] if R["optimizer"][j] == r["optimizer"]]
        metric = "psnr" if r["problem"] == "img" else "gap"
        want = best_of(R, idx, metric, "max" if metric == "psnr" else "min", metric == "gap")
        check(i == want and r["ranked_by"].startswith(f"{metric} ("),
              f"--metric psnr: {r['problem']} {r['problem_settings']} {r['optimizer']}: run {i} by "
              f"{r['ranked_by']!r}, by hand {want}")
    bad = ((["--metric", "nope"], "--metric nope"), (["--mode", "max"], "--mode needs --metric"))
    for args, needle in bad:
        p, _ = report(h5, *args)
        check(p.returncode == 2 and needle in p.stderr and "Traceback" not in p.stderr,
              f"{' '.join(args)}: exit 2 naming the problem ({p.stderr.strip()[-80:]!r})")


def section(fn, *args):
    """Runs one test section; an exception is a failed check, not the end of the test."""
    try:
        fn(*args)
    except Exception as e:  # an old analysis/ lacks what the section asks for
        traceback.print_exc()
        check(False, f"{fn.__name__} raised {e.__class__.__name__}: {e}")


H5 = make_sweep("ranking", GRID)
RUNS = Runs(H5)
P, OUT = report(H5)
check(P.returncode == 0, "the report of the sweep exits 0")
section(test_best_table, RUNS, OUT)
section(test_denoise_shows_best_lambda, RUNS, OUT)
section(test_labels_of_run_drawn, RUNS, H5)
section(test_cost_paths_labels, RUNS, H5)
section(test_performance_profile, RUNS, H5)
section(test_data_profile, RUNS, H5, OUT)
section(test_convergence, RUNS, H5)
section(test_parameter_answer, RUNS, OUT)
section(test_bulk_trajectories, RUNS, H5)
section(test_metric_option)
finish()
