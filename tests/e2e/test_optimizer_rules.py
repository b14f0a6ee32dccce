#!/usr/bin/python3
"""test_optimizer_rules.py - every optimizer x schedule follows its published rule, step by step.

For each optimizer variant (every optimizer type; amsgrad with and without bias
correction; nadam with the default, zero and a non-default momentum decay) one grid runs
it with all five schedules on a 1-D quadratic, a gentle Rosenbrock and a cubic curve fit,
recording every iteration. Every recorded x_t must agree to 1e-13 relative with
tests/reference/optimizer_rules.py (the rules transcribed from the papers and docs, run
from the same start on the same objective with its own gradient), and every recorded
learning rate with the reference schedule. Each variant runs its own gdsweep, so a key the
binary does not know yet fails that variant's checks only."""
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "reference"))
from gdtest import check, finish, gdsweep, runs_table, trajectory, workdir, write_grid  # noqa: E402
import optimizer_rules as rules  # noqa: E402

REL = 1e-13

# Problems with analytic gradients, started where ~60-80 steps stay well conditioned:
# Rosenbrock with b = 5 (not 100) and a start near the valley, so that rounding differences
# are not amplified by the valley's 1:2500 curvature ratio.
PROBLEMS = {
    "quad": {"type": "quadratic", "a": 1.5, "b": -4, "c": 2, "x0": 3, "iterations": 60},
    "rosen": {"type": "rosenbrock", "a": 1, "b": 5, "x0": -0.8, "y0": 1.2, "iterations": 80},
    "fit": {"type": "curvefit", "degree": 3, "points": 25, "noise": 0.1, "x_min": -1,
            "x_max": 1, "c3": 1.5, "iterations": 60},
}
# Per problem, the factor on each variant's base learning rate.
LR_FACTOR = {"quad": 1.0, "rosen": 0.2, "fit": 1.0}
# Each schedule's arguments besides lr0 and t.
SCHEDULE_KEYS = {"constant": [], "inverse_time": ["decay_steps"],
                 "exponential": ["gamma", "decay_steps"], "step": ["gamma", "decay_steps"],
                 "cosine": ["lr_min", "iterations"]}  # the run's budget, a problem key
DECAY_STEPS, GAMMA, LR_MIN_FACTOR = 20, 0.6, 0.1

ADAPTIVE = {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6}
# (label, optimizer type, base lr, keys written in the grid, keys the binary should imply).
VARIANTS = [
    ("gd", "gd", 0.1, {}, {}),
    ("momentum", "momentum", 0.02, {"momentum": 0.8}, {}),
    ("nag", "nag", 0.02, {"momentum": 0.8}, {}),
    ("adagrad", "adagrad", 0.5, {"eps": 1e-6}, {}),
    ("rmsprop", "rmsprop", 0.05, {"decay": 0.8, "eps": 1e-6}, {}),
    ("adam", "adam", 0.05, ADAPTIVE, {}),
    ("adamw", "adamw", 0.05, {**ADAPTIVE, "weight_decay": 0.3}, {}),
    ("amsgrad", "amsgrad", 0.05, ADAPTIVE, {"bias_correction": True}),
    ("amsgrad-no-bias-correction", "amsgrad", 0.05, {**ADAPTIVE, "bias_correction": False}, {}),
    ("nadam", "nadam", 0.05, ADAPTIVE, {"momentum_decay": 0.004}),
    ("nadam-psi0", "nadam", 0.05, {**ADAPTIVE, "momentum_decay": 0}, {}),
    ("nadam-psi0.03", "nadam", 0.05, {**ADAPTIVE, "momentum_decay": 0.03}, {}),
]


def grid_value(v):
    """How the grid spells a value: false|true, a name as is, a number exactly (repr)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    return v if isinstance(v, str) else repr(v)


def section(header, keys):
    return f"[{header}]\n" + "".join(f"{k} = {grid_value(v)}\n" for k, v in keys.items())


def grid_text(label, kind, lr, keys):
    """The grid of one variant: every problem, one optimizer section per problem."""
    parts = [section("sweep", {"name": "rules-" + label, "seed": 3, "record_every": 1})]
    parts += [section("problem " + name, keys) for name, keys in PROBLEMS.items()]
    for problem, factor in LR_FACTOR.items():
        lr0 = lr * factor
        parts.append(section(f"optimizer {label}-{problem}", {
            "type": kind, "problems": problem, "lr": lr0, **keys,
            "schedule": ", ".join(SCHEDULE_KEYS), "decay_steps": DECAY_STEPS,
            "gamma": GAMMA, "lr_min": LR_MIN_FACTOR * lr0}))
    return "\n".join(parts)


def schedule_rates(schedule, lr0, problem, steps):
    """The reference rates lr_1 .. lr_steps of a run on PROBLEM (keys as in grid_text)."""
    keys = {"decay_steps": DECAY_STEPS, "gamma": GAMMA, "lr_min": LR_MIN_FACTOR * lr0,
            "iterations": PROBLEMS[problem]["iterations"]}
    return rules.rates(schedule, lr0, steps, **{k: keys[k] for k in SCHEDULE_KEYS[schedule]})


def start_and_gradient(f, instance, problem):
    """The start point and the gradient function of the problem's objective (the curve
    fit's samples and start come from its /instances group)."""
    p = PROBLEMS[problem]
    if p["type"] == "quadratic":
        return np.array([p["x0"]], float), rules.quadratic_gradient(p["a"], p["b"])
    if p["type"] == "rosenbrock":
        return np.array([p["x0"], p["y0"]], float), rules.rosenbrock_gradient(p["a"], p["b"])
    inst = f["instances"][str(instance)]
    return inst["x0"][:], rules.curvefit_gradient(inst["x"][:], inst["y"][:])


def reference_path(f, instance, problem, kind, lr0, schedule, hyper):
    x0, gradient = start_and_gradient(f, instance, problem)
    steps = PROBLEMS[problem]["iterations"]
    return rules.OPTIMIZERS[kind](gradient, x0, schedule_rates(schedule, lr0, problem, steps),
                                  **hyper)


def errors(got, want, floor_scale):
    """|got - want| relative to max(|got|, |want|, floor_scale): every one must be <= REL
    (so floor_scale sets the absolute floor REL * floor_scale)."""
    scale = np.maximum(np.maximum(np.abs(got), np.abs(want)), floor_scale)
    return np.abs(got - want) / np.where(scale > 0, scale, 1)


def path_difference(f, runs, i, hyper):
    """(message or None, largest error) for run i's recorded path against the reference."""
    problem, kind, schedule = (runs[k][i] for k in ("problem", "optimizer_type", "schedule"))
    o, n, dim = (int(runs[k][i]) for k in ("path_offset", "path_count", "path_dim"))
    got = f["path/x"][o:o + n].reshape(-1, dim) if dim else np.empty((0, 0))
    want = reference_path(f, int(runs["instance"][i]), problem, kind, float(runs["lr"][i]),
                          schedule, hyper)
    if got.shape != want.shape:
        return f"{problem}: recorded path {got.shape}, want {want.shape}", np.inf
    # Absolute floor: rounding in x_t is relative to the magnitudes summed into it, not to
    # x_t itself, so where a coordinate passes near 0 (the quadratic's and Rosenbrock's x
    # cross 0, the fit's coefficients start near 0) its error is ~1e-16 of that
    # coordinate's scale along the run. REL times that scale keeps the same 1e-13 budget,
    # measured against the run's scale instead of a value that happens to be tiny.
    err = errors(got, want, np.max(np.abs(want), axis=0))
    if np.all(err <= REL):
        return None, float(err.max())
    t, k = np.argwhere(~(err <= REL))[0]
    return f"{problem}: x_{t}[{k}] = {got[t, k]!r}, reference {want[t, k]!r}", float(np.nanmax(err))


def lr_difference(f, runs, i):
    """None when run i's recorded lr series is the schedule's (NaN at the last record)."""
    problem, schedule, lr0 = runs["problem"][i], runs["schedule"][i], float(runs["lr"][i])
    n = int(runs["traj_count"][i])
    got = trajectory(f, runs, i, "lr")
    if n < 1 or not np.isnan(got[-1]):
        return f"{problem}: last record's lr is {got[-1] if n else 'missing'}, want NaN"
    want = np.array(schedule_rates(schedule, lr0, problem, n - 1))
    bad = np.flatnonzero(~(errors(got[:-1], want, 0.0) <= REL))
    return f"{problem}: lr at t = {bad[0]} is {got[bad[0]]!r}, reference {want[bad[0]]!r}" \
        if bad.size else None


def run_variant(directory, label, kind, lr, keys):
    """Runs the variant's grid; returns the output path, or None (with a FAIL) if refused."""
    grid = write_grid(directory, label, grid_text(label, kind, lr, keys))
    out = os.path.join(directory, label + ".h5")
    p = gdsweep(grid, "-o", out, "--quiet", check_rc=False)
    why = (p.stderr.strip().splitlines() or [""])[0]
    check(p.returncode == 0, f"{label}: gdsweep runs the grid" + (f" (exit {p.returncode}: {why})"
                                                                 if p.returncode else ""))
    return out if p.returncode == 0 else None


def check_variant(out, label, hyper, lr_results):
    """One check per schedule: every problem's path; lr results go to lr_results[schedule]."""
    runs = runs_table(out)
    n_runs = len(PROBLEMS) * len(SCHEDULE_KEYS)
    check(len(runs["run_id"]) == n_runs and bool(np.all(runs["written"] == 1)),
          f"{label}: {n_runs} runs, all written")
    with h5py.File(out, "r") as f:
        for schedule in SCHEDULE_KEYS:
            rows = np.flatnonzero(runs["schedule"] == schedule)
            results = [path_difference(f, runs, i, hyper) for i in rows]
            diffs = [d for d, _ in results if d]
            largest = max((e for _, e in results), default=np.inf)
            problems = ", ".join(runs["problem"][rows])
            check(not diffs and len(rows) == len(PROBLEMS),
                  f"{label}, schedule {schedule}: every x_t follows the published rule on "
                  f"{problems} (largest error {largest:.1e})" + "".join("; " + d for d in diffs))
            lr_results.setdefault(schedule, []).extend(
                f"{label} {d}" if d else None for d in (lr_difference(f, runs, i) for i in rows))


def check_reference_itself():
    """The transcription on its own: NAdam with constant momentum on x^2 + 5x + 10 from 5, lr
    0.01, takes its first step to 4.98526 (by hand: 5 - 0.01 (15 + 0.9 * 1.5 / 0.19) / 15);
    and the variants' paths differ (no two of them could pass for each other, e.g. AMSGrad
    for Adam because v never decreased)."""
    x1 = rules.nadam(rules.quadratic_gradient(1, 5), [5.0], [0.01], 0.9, 0.999, 1e-8, 0)[1, 0]
    check(round(x1, 5) == 4.98526, f"reference nadam (psi = 0) first step {x1:.7f} ~ 4.98526")
    paths = {label: np.concatenate([
        reference_path(None, None, problem, kind, lr * LR_FACTOR[problem], "constant",
                       {**keys, **implied}).ravel() for problem in ("quad", "rosen")])
        for label, kind, lr, keys, implied in VARIANTS}
    close = [f"{a} ~ {b}" for a in paths for b in paths
             if a < b and np.max(np.abs(paths[a] - paths[b])) < 1e-6]
    check(not close, f"the {len(paths)} reference variants' paths differ pairwise by more than "
          "1e-6 on quad and rosen" + "".join("; " + c for c in close))


def main():
    check_reference_itself()
    directory = workdir()
    lr_results = {}
    for label, kind, lr, keys, implied in VARIANTS:
        out = run_variant(directory, label, kind, lr, keys)
        if out:
            check_variant(out, label, {**keys, **implied}, lr_results)
    for schedule, results in lr_results.items():
        bad = [r for r in results if r]
        check(not bad, f"schedule {schedule}: recorded lr of all {len(results)} runs matches "
              "the schedule" + "".join("; " + b for b in bad[:3]))
    finish()


main()
