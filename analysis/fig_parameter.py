"""fig_parameter.py - a problem's metric against each of its swept parameters (PSNR against lambda, ...).

For every problem that sweeps its own values, one panel per swept parameter: x the parameter's
values (the other swept parameters held at the chosen group's values), y the problem's metric
(psnr, test_mse; else the ranking metric, e.g. the final gap), one line per optimizer: at each
value, the median over the runs (repeats) of its best setting there. The best value, that of
best.chosen_group, is starred, and the report states it as a finding.
"""
import numpy as np

from .best import best_setting, chosen_group, median_measure, problem_names, setting_label, setting_score
from .columns import fmt, group_keys
from .plotting import Made, Skip, legend_below, panel_figure, plural, wants_log
from .ranking import ranked, with_rank

MAX_PANELS = 8


def held_at(sweep, problem, name, group, rank):
    """The problem's runs (ranked by rank) whose other swept values are those of the group."""
    runs = with_rank(sweep.of(problem), rank)
    others = [n for n in problem_names(sweep, problem) if n != name]
    if not others:
        return runs
    keys = group_keys(runs, others)
    target = group_keys(group.runs.iloc[:1], others).iloc[0]
    return runs[keys.map(lambda k: k == target)]


def optimizer_points(sweep, runs, name, optimizer):
    """[(value, median measure, score, best setting's runs)] of one optimizer along the parameter."""
    points = []
    for value in np.sort(runs[name].unique()):
        at = runs[(runs[name] == value) & (runs["optimizer"] == optimizer)]
        if not at.empty:
            setting = best_setting(sweep, at)
            points.append((value, median_measure(setting), setting_score(setting), setting))
    return points


def finding(problem, names, group, rank, best):
    """`img: best lambda by psnr (max): 0.5 (24.5 dB; gd (lr=0.1), median of 2 runs)`."""
    value, y, _, setting, label = best
    where = fmt(value, 3) if len(names) == 1 else group.values
    result = rank.value_text(y) if np.isfinite(y) else "every run of the best setting diverged"
    return (f"{problem}: best {', '.join(names)} by {rank.text}: {where} "
            f"({result}; {label}, median of {plural(len(setting), 'run')})")


def panel(sweep, ax, item):
    problem, name, group, rank, found = item
    runs = held_at(sweep, problem, name, group, rank)
    best = None
    for opt in dict.fromkeys(runs["optimizer"]):
        points = optimizer_points(sweep, runs, name, opt)
        x, y = [p[0] for p in points], [p[1] for p in points]
        ax.plot(x, y, color=sweep.palette.colour(opt), ls=sweep.palette.dash(opt),
                marker=sweep.palette.marker(opt), ms=5, lw=1.5, label=opt)
        top = min(points, key=lambda p: p[2])
        if best is None or top[2] < best[2]:
            best = top + (setting_label(sweep, ranked(top[3]).iloc[0]),)
    ax.plot([best[0]], [best[1]], "*", ms=16, color="gold", mec="black", zorder=5,
            label=f"best {name} = {fmt(best[0], 3)}")
    ax.axvline(best[0], color="#888888", ls=":", lw=1)
    if wants_log(runs[name]):
        ax.set_xscale("log")
    if wants_log(runs["measure"]):
        ax.set_yscale("log")
    ax.set_xlabel(name)
    ax.set_ylabel(rank.name)
    held = [n for n in problem_names(sweep, problem) if n != name]
    others = f"\n(others at {group.values})" if held else ""
    ax.set_title(f"{problem}: {rank.metric} against {name}{others}")
    legend_below(ax, ncol=3)
    found.append(finding(problem, problem_names(sweep, problem), group, rank, best))


def items(sweep):
    """(problem, swept name, chosen group, rank, findings list) per panel."""
    out = []
    for problem in sweep.problems():
        names = problem_names(sweep, problem)
        if names:
            group, rank = chosen_group(sweep, problem), sweep.choice_rank(problem)
            out += [(problem, name, group, rank, []) for name in names]
    return out


def make(sweep):
    """One panel per (problem, swept problem parameter); findings: the best values."""
    todo = items(sweep)
    if not todo:
        raise Skip("no problem sweeps its own parameters")
    fig, more = panel_figure(todo, lambda ax, item: panel(sweep, ax, item), "", size=(6.0, 4.6),
                             limit=MAX_PANELS)
    fig.suptitle("Problem parameters: the metric against each swept value")
    findings = list(dict.fromkeys(f for item in todo for f in item[4]))
    caption = ("For each problem that sweeps its own values: the problem's metric (PSNR, test MSE; "
               "else the ranking metric) against each swept value, the other swept values held at the "
               "best settings; one line per optimizer, at each value the median over the runs (repeats) "
               "of its best setting there. The star marks the best value. " + " ".join(
                   f + "." for f in findings) + more)
    return [Made("problem_parameters", "Metric against problem parameters", fig, caption, findings)]
