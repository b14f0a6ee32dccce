"""plotting.py - matplotlib set-up for the report (Agg backend, one style), figure records, saving.

A figure maker returns a list of Made (one per file) or raises Skip(reason) when the sweep
has nothing for it; the report writes the reason into index.html.
"""
import dataclasses
import math
import os
import re
import textwrap

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import NullFormatter  # noqa: E402

STYLE = {
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "savefig.bbox": "tight",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 8.5,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "figure.constrained_layout.use": True,
}
plt.rcParams.update(STYLE)


class Skip(Exception):
    """The sweep holds nothing this figure can show (the message says why)."""


@dataclasses.dataclass
class Made:
    """One figure of the report: file stem, title, the matplotlib figure, caption, and findings
    (sentences that answer the sweep's question, listed at the top of the report)."""
    name: str
    title: str
    fig: object
    caption: str
    findings: list = dataclasses.field(default_factory=list)


def panels(n, ncols=3, size=(4.6, 3.6), **kw):
    """A figure with n panels on a grid of at most ncols columns; returns (fig, flat list of n axes)."""
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size[0] * ncols, size[1] * nrows),
                             squeeze=False, **kw)
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def panel_figure(items, draw, skip, ncols=2, size=(6.4, 5.2), limit=None):
    """One panel per item (the first `limit`), each drawn by draw(ax, item); Skip(skip) when there are none.

    Returns (fig, text saying how many were left out, or "")."""
    if not items:
        raise Skip(skip)
    shown = items[:limit] if limit else items
    fig, axes = panels(len(shown), ncols=ncols, size=size)
    for ax, item in zip(axes, shown):
        draw(ax, item)
    more = f" The first {len(shown)} of {len(items)} panels are shown." if len(shown) < len(items) else ""
    return fig, more


def note(ax, text):
    """Writes text in the middle of an empty panel (no ticks)."""
    lines = [w for line in text.split("\n") for w in textwrap.wrap(line, 38) or [""]]
    ax.text(0.5, 0.5, "\n".join(lines), ha="center", va="center", transform=ax.transAxes,
            fontsize=10, color="#444444")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)


def legend_below(ax, handles=None, ncol=2):
    """A legend under the panel, so it never hides data."""
    kw = {"handles": handles} if handles is not None else {}
    n = len(handles if handles is not None else ax.get_legend_handles_labels()[0])
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=min(ncol, max(n, 1)), **kw)


def log_limits(lo, hi, decades=1.2, pad=0.05):
    """Log-axis limits around positive [lo, hi]: padded, at least `decades` wide (one major tick or more)."""
    a, b = np.log10(lo), np.log10(hi)
    width = max(b - a, decades)
    mid = (a + b) / 2
    a, b = mid - width / 2, mid + width / 2
    return 10 ** (a - pad * width), 10 ** (b + pad * width)


def no_minor_labels(ax):
    """Only major (power of ten) labels on log axes."""
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_minor_formatter(NullFormatter())


def wants_log(values):
    """A log scale for positive values that span a decade or more (never for names: file
    names and choices lie on a categorical axis)."""
    try:
        values = np.asarray(values, float)
    except (TypeError, ValueError):
        return False
    values = values[np.isfinite(values)]
    return values.size > 0 and values.min() > 0 and values.max() >= 10 * values.min()


def plural(n, word):
    return f"{n} {word}" + ("" if n == 1 else "s")


def safe_name(label):
    """A label as a file-name fragment (letters, digits, - and _ only)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", label).strip("_") or "x"


def save(made, directory, formats):
    """Writes the figure as DIR/<name>.<fmt> for each format and closes it; returns {fmt: file name}."""
    files = {}
    for fmt in formats:
        files[fmt] = f"{made.name}.{fmt}"
        made.fig.savefig(os.path.join(directory, files[fmt]), format=fmt)
    plt.close(made.fig)
    return files
