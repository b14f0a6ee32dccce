"""report.py - `python3 -m analysis.report OUT.h5 -o DIR`: figures and DIR/index.html for one sweep.

Exit status: 0 report written (also for a partial sweep, a single run, or every run
diverged: each noted on stderr and in index.html); 1 a figure failed (the rest is still
written); 2 bad input (missing file, not gdsweep's, no committed run, bad option), one
line on stderr.
"""
import argparse
import os
import sys

from . import best, fig_convergence, fig_cost, fig_curvefit, fig_denoise, fig_profile
from . import fig_sensitivity, fig_status, html
from .plotting import Skip, save
from .reader import NotASweep
from .sweep import Sweep

PROG = "analysis.report"
FORMATS = ("png", "svg", "pdf")
CSV = "best_configurations.csv"
FIGURES = [
    ("descent paths", fig_cost.make_paths),
    ("comparison of optimizers", fig_cost.make_comparison),
    ("image denoising", fig_denoise.make),
    ("curve fitting", fig_curvefit.make),
    ("convergence", fig_convergence.make),
    ("learning-rate sensitivity", fig_sensitivity.make),
    ("status maps", fig_status.make),
    ("performance profile", fig_profile.make),
]


class BadInput(Exception):
    """Bad input: reported as one line, exit status 2."""


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
    args = p.parse_args(argv)
    args.output = args.output or os.path.splitext(args.file)[0] + "-report"
    return args


def open_sweep(path):
    """The Sweep, or BadInput with a one-line reason."""
    try:
        sweep = Sweep(path)
    except (FileNotFoundError, NotASweep) as e:
        raise BadInput(str(e)) from None
    except (OSError, KeyError, ValueError) as e:
        raise BadInput(f"cannot read {path}: {e}") from None
    if sweep.runs.empty:
        sweep.close()
        raise BadInput(f"{path}: no committed run (0 of {sweep.n_total}): nothing to report")
    return sweep


def sweep_notes(sweep):
    """Notes about the sweep as a whole (partial, single run, every run diverged)."""
    notes = []
    if sweep.partial:
        why = "; the sweep did not finish (complete = 0)" if int(sweep.info.get("complete", 0)) != 1 else ""
        notes.append(f"partial: {len(sweep.runs)} of {sweep.n_total} runs committed{why}; "
                     "only committed runs are reported")
    if len(sweep.runs) == 1:
        notes.append("the sweep has a single run: there is nothing to compare it with")
    if (sweep.runs["status_code"] == -1).all():
        notes.append(f"every run diverged ({len(sweep.runs)} runs): try smaller learning rates")
    return notes


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


def write_report(sweep, directory, fmts):
    notes = sweep_notes(sweep)
    for n in notes:
        print(f"{PROG}: {n}", file=sys.stderr)
    table = best.table(sweep)
    table.to_csv(os.path.join(directory, CSV), index=False, float_format="%.17g")
    figures, failed = make_figures(sweep, directory, fmts, notes)
    with open(os.path.join(directory, "index.html"), "w", encoding="utf-8") as out:
        out.write(html.page(sweep.info, notes, table, figures, CSV))
    print(f"wrote {os.path.join(directory, 'index.html')}: {len(figures)} figures, "
          f"{len(table)} best configurations")
    return 1 if failed else 0


def main(argv=None):
    args = parse(argv)
    try:
        sweep = open_sweep(args.file)
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
