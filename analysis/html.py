"""html.py - writes the report's index.html: sweep facts, notes, findings, tables, interactive views, figures, grid.

Interactivity is report.js (copied beside index.html, referenced relatively) over the views'
JSON embedded in the page: the folder opens from file:// with no network."""
import json
import math
from html import escape

STYLE = """
body { font-family: sans-serif; margin: 2em auto; max-width: 1300px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
th { background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
img { max-width: 100%; border: 1px solid #ddd; }
.notes { background: #fff6dc; border: 1px solid #e6c65c; padding: 0.3em 1em; }
pre { background: #f7f7f7; padding: 1em; overflow-x: auto; }
input.filter { display: block; margin: 0.3em 0; width: 24em; }
.view { margin: 1em 0 2em; }
"""

INFO_KEYS = [("file", "file"), ("created", "created"), ("gdsweep_version", "gdsweep version"),
             ("n_runs", "runs in the grid"), ("runs_committed", "runs committed"),
             ("complete", "complete"), ("seed", "seed"), ("wall_seconds", "wall time (s)"),
             ("grid_hash", "grid SHA-256"), ("command_line", "command line")]


def number(v):
    """A table number: integers as is, reals to 6 significant digits, n/a for NaN."""
    if isinstance(v, str):
        return escape(v)
    if isinstance(v, bool):
        return str(int(v))
    if isinstance(v, float) and math.isnan(v):
        return "n/a"
    if isinstance(v, int):
        return str(v)
    return f"{v:.6g}"


def info_table(info):
    rows = "".join(f"<tr><th>{escape(label)}</th><td>{number(info[k])}</td></tr>"
                   for k, label in INFO_KEYS if k in info)
    return f"<table class='info'>{rows}</table>"


def notes_block(notes):
    if not notes:
        return ""
    items = "".join(f"<li>{escape(n)}</li>" for n in notes)
    return f"<div class='notes'><h2>Notes</h2><ul>{items}</ul></div>"


def data_table(table, table_id):
    """A DataFrame as an HTML table (numbers right-aligned)."""
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    body = []
    for _, row in table.iterrows():
        cells = []
        for c in table.columns:
            v = row[c]
            v = v.item() if hasattr(v, "item") else v
            cls = "" if isinstance(v, str) else " class='num'"
            cells.append(f"<td{cls}>{number(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f"<table id='{escape(table_id)}' class='data'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def table_block(table):
    """A report table: heading, the text saying what it holds, a link to its CSV, the table."""
    link = f" Full precision: <a href='{escape(table.csv)}'>{escape(table.csv)}</a>." if table.csv else ""
    return (f"<h2>{escape(table.title)}</h2><p>{escape(table.intro)}{link}</p>"
            f"{data_table(table.frame, table.id)}")


def findings_block(findings):
    if not findings:
        return ""
    items = "".join(f"<li>{escape(f)}</li>" for f in findings)
    return f"<h2>Findings</h2><ul id='findings'>{items}</ul>"


def figure_block(made, files):
    png = escape(files["png"])
    others = " ".join(f"<a href='{escape(name)}'>{escape(fmt.upper())}</a>"
                      for fmt, name in files.items() if fmt != "png")
    also = f"<p>Also as {others}.</p>" if others else ""
    return (f"<section id='{escape(made.name)}'><h3>{escape(made.title)}</h3>"
            f"<a href='{png}'><img src='{png}' alt='{escape(made.title)}'></a>"
            f"<p class='caption'>{escape(made.caption)}</p>{also}</section>")


def views_block(views, missing):
    """The interactive views' boxes (drawn by report.js), what has none, and their data as JSON."""
    if not views:
        return ""
    absent = "".join(f"<li>{escape(m)}</li>" for m in missing)
    boxes = "".join(f"<section class='view' id='view{k}'><h3>{escape(v['title'])}</h3>"
                    f"<div data-view='{k}'></div></section>" for k, v in enumerate(views))
    data = json.dumps(views, allow_nan=False).replace("</", "<\\/")
    intro = ("Drawn in the page by report.js (no network needed). Curves: drag a box to zoom, double-click to "
             "reset, choose the x axis (iterations, gradient evaluations, wall seconds). Hover a heat map "
             "cell for its value. See docs/REPORT.md.")
    return (f"<h2 id='interactive'>Interactive views</h2><p>{intro}</p><ul>{absent}</ul>{boxes}"
            f"<script type='application/json' id='report-views'>{data}</script>")


def page(info, notes, tables, figures, views=(), missing=()):
    """The whole index.html text. tables: [report.Table]; figures: [(Made, {format: file name})];
    views: [dict] (views.py), drawn by report.js."""
    name = escape(str(info.get("name", "sweep")))
    toc = "".join(f"<li><a href='#{escape(m.name)}'>{escape(m.title)}</a></li>" for m, _ in figures)
    blocks = "".join(figure_block(m, files) for m, files in figures)
    findings = [f for m, _ in figures for f in m.findings]
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>gdsweep report: {name}</title>"
            f"<style>{STYLE}</style><script src='report.js'></script></head><body><h1>gdsweep report: {name}</h1>{info_table(info)}"
            f"{notes_block(notes)}{findings_block(findings)}{''.join(table_block(t) for t in tables)}"
            f"{views_block(list(views), missing)}<h2>Figures</h2><ul>{toc}</ul>{blocks}"
            f"<h2>Grid</h2><pre>{escape(str(info.get('grid_text', '')))}</pre></body></html>\n")
