"""report.py - `python3 -m analysis.report OUT.h5 -o DIR`: figures and DIR/index.html for one sweep.

The page is interactive with no network: report.js (copied into DIR) sorts and filters its
tables and draws the views of views.py (zoomable curves, heat maps, parallel coordinates,
parameter importance: importance.py); docs/REPORT.md. Runs are ranked within problem
settings groups by --metric/--mode (default: the gap to the optimum where it is known, else
the final loss, converged runs first). Exit status: 0
report written (also for a partial sweep, a single run, or every run diverged: each noted
on stderr and in index.html); 1 a figure failed (the rest is still written); 2 bad input
(missing file, not gdsweep's, no committed run, bad option), one line on stderr.
"""
import argparse
import dataclasses
import json
import os
import shutil
import sys

import pandas as pd

from . import best, fig_convergence, fig_cost, fig_curvefit, fig_denoise, fig_parameter, fig_profile
from . import fig_samples, fig_sensitivity, fig_status, html, importance, live, samples, stats, targets, views
from .plotting import Skip, safe_name, save
from .reader import NotASweep
from .sweep import Sweep

PROG = f"{__package__ or 'analysis'}.report"  # gdsweep.report once installed
FORMATS = ("png", "svg", "pdf")
CSV = "best_configurations.csv"
TIMES_CSV = "time_to_target.csv"
REPEATS_CSV = "repeats.csv"
PAIRS_CSV = "paired_tests.csv"
IMPORTANCE_CSV = "parameter_importance.csv"
SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "report.js")
FIGURES = [
    ("descent paths", fig_cost.make_paths),
    ("comparison of optimizers", fig_cost.make_comparison),
    ("image denoising", fig_denoise.make),
    ("curve fitting", fig_curvefit.make),
    ("convergence", fig_convergence.make),
    ("learning-rate sensitivity", fig_sensitivity.make),
    ("status maps", fig_status.make),
    ("problem parameters", fig_parameter.make),
    ("performance profile", fig_profile.make_performance),
    ("data profile", fig_profile.make_data),
    ("samples to target", fig_samples.make),
]
RESULT_FIRST = "status_code"  # --metric takes a numeric result column from here on
NOT_METRICS = {"rank", "threads", "written", "measure", "rank_class", "rank_value"}


class BadInput(Exception):
    """Bad input: reported as one line, exit status 2."""


@dataclasses.dataclass
class Table:
    """A table of the report: its HTML id, heading, text, the data, and its CSV file name."""
    id: str
    title: str
    intro: str
    frame: pd.DataFrame
    csv: str


def formats(text):
    wanted = ["png"] + [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = sorted(set(wanted) - set(FORMATS))
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown format {', '.join(unknown)} (choose from png, svg, pdf)")
    return list(dict.fromkeys(wanted))


def parse(argv):
    p = argparse.ArgumentParser(prog=f"python3 -m {PROG}",
                                description="Figures and an HTML report of a gdsweep HDF5 file.")
    p.add_argument("file", help="the sweep's HDF5 file (gdsweep's output)")
    p.add_argument("-o", "--output", help="report directory (default: FILE without .h5, plus -report)")
    p.add_argument("--formats", type=formats, default=["png"],
                   help="comma-separated figure formats besides PNG: svg, pdf (default png)")
    p.add_argument("--metric", help="rank runs by this result column (gap, loss_final, psnr, test_mse, "
                                    "steps_to_1e-6, wall_seconds, ...; default: gap where the optimum is "
                                    "known, else loss_final)")
    p.add_argument("--mode", choices=("min", "max"),
                   help="whether lower or higher --metric is better (default: the file's metric_modes, "
                        "else min)")
    args = p.parse_args(argv)
    if args.mode and not args.metric:
        p.error("--mode needs --metric")
    args.output = args.output or os.path.splitext(args.file)[0] + "-report"
    return args


def metric_choices(runs):
    """The numeric result columns --metric may name."""
    names = list(runs.columns)
    results = names[names.index(RESULT_FIRST) + 1:] if RESULT_FIRST in names else names
    return [c for c in results if runs[c].dtype.kind in "fiu" and c not in NOT_METRICS
            and not c.endswith(("_offset", "_count", "_dim"))]


def check_metric(sweep, metric):
    """BadInput unless metric is a numeric result column with a value in some run."""
    choices = metric_choices(sweep.runs)
    if metric not in choices:
        raise BadInput(f"--metric {metric}: no such result column (choose from {', '.join(choices)})")
    if not sweep.runs[metric].notna().any():
        raise BadInput(f"--metric {metric}: no run of this file has a value")


def open_sweep(path, metric=None, mode=None):
    """The Sweep, or BadInput with a one-line reason."""
    writer = live.writer_of(path) if os.path.exists(path) else None  # before the snapshot
    try:
        sweep = Sweep(path, metric, mode)
        sweep.writer = writer
    except (FileNotFoundError, NotASweep) as e:
        raise BadInput(str(e)) from None
    except (OSError, KeyError, ValueError) as e:
        raise BadInput(f"cannot read {path}: {e}") from None
    if sweep.runs.empty:
        sweep.close()
        raise BadInput(f"{path}: no committed run (0 of {sweep.n_total}): nothing to report")
    if metric is not None:
        try:
            check_metric(sweep, metric)
        except BadInput:
            sweep.close()
            raise
    return sweep


def sweep_notes(sweep):
    """Notes about the sweep as a whole (partial, single run, every run diverged)."""
    notes = []
    writer = getattr(sweep, "writer", None)
    if writer is not None:
        notes.append(f"partial: a sweep was writing this file ({live.describe(writer)}); this "
                     f"report is a snapshot of the {len(sweep.runs)} of {sweep.n_total} runs committed "
                     "when it began")
    elif sweep.partial:
        why = "; the sweep did not finish (complete = 0)" if int(sweep.info.get("complete", 0)) != 1 else ""
        notes.append(f"partial: {len(sweep.runs)} of {sweep.n_total} runs committed{why}; "
                     "only committed runs are reported")
    if len(sweep.runs) == 1:
        notes.append("the sweep has a single run: there is nothing to compare it with")
    if (sweep.runs["status_code"] == -1).all():
        notes.append(f"every run diverged ({len(sweep.runs)} runs): try smaller learning rates")
    for problem in sweep.unranked_by_metric():
        notes.append(f"{problem} has no {sweep.metric} value: ranked by {sweep.rank(problem).text} instead")
    return notes


def ranking_text(sweep):
    """What the best table ranked by, per problem."""
    by = "; ".join(f"{p}: {sweep.rank(p).text}" for p in sweep.problems())
    return (f"Runs are ranked only against runs of the same problem settings (problem label and every "
            f"problem parameter value), by {by}; ties: fewer steps, then the lower run id.")


def report_tables(sweep):
    """The best-configuration table and the time-to-target table."""
    levels = ", ".join(f"steps_to_1e-{k}" for k in targets.LEVELS)
    intro = (f"One row per problem settings group and optimizer: the best run, its configuration and "
             f"results, and how the optimizer's runs in that group ended. {ranking_text(sweep)} "
             f"{levels}: the first iteration at which f − f_ref ≤ 10⁻ᵏ (f(x_0) − f_ref), f_ref the known "
             f"optimum, else the lowest loss found on the instance (n/a: never).")
    times = ("Per optimizer, over the units of the data profile (problem instance × control values, "
             "counted once): units solved to each target by some setting, and the median steps and "
             "gradient evaluations (fewest of its settings per unit) over the units it solved.")
    title = "Best configurations (ranked within problem settings)"
    return [Table("best", title, intro, best.table(sweep), CSV),
            Table("time_to_target", "Time to target", times, targets.time_table(sweep), TIMES_CSV)
            ] + repeat_tables(sweep) + sample_tables(sweep) + [importance_table(sweep)]


def importance_table(sweep):
    """The functional-ANOVA importance of the swept keys (analysis/importance.py)."""
    intro = (f"Per problem (its chosen settings group) and optimizer: the share of the variance of the runs' "
             f"rank (1 = best, the report's ranking) explained by each swept key and each pair, from the "
             f"marginal means of a full factorial grid (exact, no surrogate), with {stats.LEVEL:.0%} bootstrap "
             f"intervals over repeats ({importance.RESAMPLES} resamples, seeded). A sampled design or unequal "
             f"repeats: not computed (note). See docs/REPORT.md.")
    return Table("importance", "Parameter importance (functional ANOVA)", intro, importance.table(sweep),
                 IMPORTANCE_CSV)


def repeat_tables(sweep):
    """The two tables over repeats (analysis/stats.py), none when the sweep has one repeat."""
    settings, pairs = stats.repeat_tables(sweep)
    if settings is None:
        return []
    medians = (f"Per problem settings group and optimizer, its best setting (lowest median rank, then median "
               f"steps, over its repeats): the median of the ranking measure over the repeats (a diverged run "
               f"counts as the worst value) and its {stats.LEVEL:.0%} percentile-bootstrap interval "
               f"({stats.RESAMPLES} resamples, seeded by first_run: the same numbers as `gdsweep summary`). "
               f"See docs/STATISTICS.md.")
    paired = ("Every two optimizers' best settings on the same instances (common random numbers), repeat by "
              "repeat: the median of the differences a − b, the two-sided Wilcoxon signed-rank p-value (exact "
              "or normal approximation) and its Holm adjustment over the pairs of the group; the verdict at 5%.")
    return [Table("repeats", "Over repeats: medians and bootstrap intervals", medians, settings, REPEATS_CSV),
            Table("paired", "Paired tests between optimizers", paired, pairs, PAIRS_CSV)]


def sample_tables(sweep):
    """One table per problem of samples to target by optimizer and batch size (analysis/samples.py),
    none when the sweep has no minibatch run."""
    if not samples.has_minibatches(sweep):
        return []
    frame = samples.table(sweep)
    intro = (f"Per problem settings group, optimizer and batch size (full: every training row), the best "
             f"setting of the other keys: the median over repeats of the samples seen (rows read by the "
             f"optimizer's gradients) until the gap first fell below 1e-{samples.LEVEL} of the initial gap at a "
             f"record point (a repeat that never did counts as infinite), with its {stats.LEVEL:.0%} "
             f"percentile-bootstrap interval. See docs/SHOWCASE.md.")
    return [Table(f"samples_{safe_name(problem)}", f"Samples to target: {problem}", intro, rows,
                  f"samples_to_target_{safe_name(problem)}.csv")
            for problem, rows in frame.groupby("problem", sort=False)]


def make_figures(sweep, directory, fmts, notes):
    """Runs every figure maker; returns ([(Made, files)], failed count). Skips and failures go to notes."""
    done, failed = [], 0
    for what, maker in FIGURES:
        try:
            for made in maker(sweep):
                done.append((made, save(made, directory, fmts)))
        except Skip as e:
            notes.append(f"{what}: not drawn: {e}")
        except Exception as e:  # a figure's bug must not lose the rest of the report
            failed += 1
            notes.append(f"{what}: failed: {e.__class__.__name__}: {e}")
            print(f"{PROG}: {what} figure failed: {e.__class__.__name__}: {e}", file=sys.stderr)
    return done, failed


def interactive_views(sweep, importance_frame, notes):
    """(views, what has none) for report.js (analysis/views.py); a failure is noted, the rest still written."""
    try:
        drawn, missing = views.views(sweep)
        drawn += views.importance_views(importance_frame)
        json.dumps(drawn, allow_nan=False)  # a value JSON cannot hold fails here, not in the page
        return drawn, missing
    except Exception as e:  # as a figure's bug: keep the static report
        notes.append(f"interactive views: failed: {e.__class__.__name__}: {e}")
        print(f"{PROG}: interactive views failed: {e.__class__.__name__}: {e}", file=sys.stderr)
        return [], []


def write_report(sweep, directory, fmts):
    notes = sweep_notes(sweep)
    for n in notes:
        print(f"{PROG}: {n}", file=sys.stderr)
    tables = report_tables(sweep)
    for t in tables:
        t.frame.to_csv(os.path.join(directory, t.csv), index=False, float_format="%.17g")
    figures, failed = make_figures(sweep, directory, fmts, notes)
    drawn, missing = interactive_views(sweep, tables[-1].frame, notes)
    shutil.copyfile(SCRIPT, os.path.join(directory, "report.js"))
    with open(os.path.join(directory, "index.html"), "w", encoding="utf-8") as out:
        out.write(html.page(sweep.info, notes, tables, figures, drawn, missing))
    print(f"wrote {os.path.join(directory, 'index.html')}: {len(figures)} figures, "
          f"{len(tables[0].frame)} best configurations")
    return 1 if failed else 0


def main(argv=None):
    args = parse(argv)
    try:
        sweep = open_sweep(args.file, args.metric, args.mode)
        try:
            os.makedirs(args.output, exist_ok=True)
        except OSError as e:
            raise BadInput(f"cannot create the report directory {args.output}: {e.strerror}") from None
    except BadInput as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 2
    with sweep:
        return write_report(sweep, args.output, args.formats)


if __name__ == "__main__":
    sys.exit(main())
