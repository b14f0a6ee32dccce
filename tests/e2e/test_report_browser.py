#!/usr/bin/python3
"""test_report_browser.py - the report's interactive page in headless Chromium, and its importance numbers.

A real sweep (quadratic and curve fit; gd over 4 rates, momentum over 3 rates x 2 momenta;
3 repeats) and its report: the folder must hold report.js and reference nothing on the
network; in Debian's chromium (headless, --no-sandbox as root) the page must load with no
console message and every view must render (report.js writes data-rendered / data-failed
on <body>); a copy of the page with a driver script clicks a header (the best table must be
sorted, checked here), types in the filter box (only matching rows left), drags a zoom box
on a curve view (its x range shrinks) and picks the evaluations axis. Full-page screenshots
go to report_browser/ in the test's working directory (build/tests). Chromium missing is a
failure that says how to install it (bash jobs/setup.sh), never a skip.

The parameter importance is checked against an independent computation: a two-way ANOVA by
sums of squares on the cell means of a synthetic balanced grid, a three-way grid with a known
decomposition, and the report's CSV against the same sums of squares over the ranks of the
runs read here with h5py; its seeded intervals must be the same when recomputed. The heat
map's cells must be the median gaps over repeats read with h5py. A sampled (Sobol) sweep
must say that its importance is not computed, and still get its other views.
"""
import csv
import json
import os
import re
import shutil
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from gdtest import SOURCE, check, finish, runs_table, sweep, workdir, write_grid  # noqa: E402

sys.path.insert(0, SOURCE)
from analysis import importance  # noqa: E402

GRID = """
[sweep]
name = report-browser
seed = 3
repeats = 3
iterations = 80

[problem quad]
type = quadratic
x0 = 5
start_spread = 1

[problem fit]
type = curvefit
degree = 2
points = 40
noise = 0.5
x_min = -1
x_max = 1

[optimizer gd]
lr = 0.01, 0.1, 0.5, 1.5

[optimizer momentum]
lr = 0.01, 0.05, 0.1
momentum = 0.5, 0.9
"""
SAMPLED = """
[sweep]
name = report-sampled
seed = 3
samples = 16
sampler = sobol
iterations = 40

[problem quad]
type = quadratic
x0 = 5

[optimizer adam]
lr = loguniform(1e-3, 1)
beta1 = uniform(0.5, 0.99)
"""
WORK = workdir()
SHOTS = os.path.join(os.getcwd(), "report_browser")
DRIVER = """<script>
document.addEventListener("DOMContentLoaded", () => {
  const out = {};
  const best = document.getElementById("best");
  const heads = Array.from(best.tHead.rows[0].cells).map((c) => c.textContent);
  const col = heads.indexOf("loss_final"), opt = heads.indexOf("optimizer");
  best.tHead.rows[0].cells[col].click();
  out.sorted = Array.from(best.tBodies[0].rows).map((r) => r.cells[col].textContent);
  const box = best.previousElementSibling;
  box.value = "momentum";
  box.dispatchEvent(new Event("input"));
  out.visible = Array.from(best.tBodies[0].rows).filter((r) => r.style.display !== "none")
                     .map((r) => r.cells[opt].textContent);
  const view = document.querySelector("[data-view] select").parentElement;
  const ticks = () => Array.from(view.querySelectorAll("svg text")).map((t) => t.textContent);
  out.before = ticks();
  const svg = view.querySelector("svg"), r = svg.getBoundingClientRect();
  const mouse = (type, x, y) => svg.dispatchEvent(new MouseEvent(type, {clientX: r.left + x, clientY: r.top + y, bubbles: true}));
  mouse("mousedown", 80, 40); mouse("mousemove", 300, 300); mouse("mouseup", 300, 300);
  out.zoomed = ticks();
  const pick = view.querySelector("select");
  pick.value = "evals";
  pick.dispatchEvent(new Event("change"));
  out.evals = ticks();
  document.body.dataset.driver = JSON.stringify(out);
});
</script>"""


def chromium():
    """Debian's chromium, or a failure that says how to install it."""
    path = shutil.which("chromium")
    if path is None:
        sys.exit("FAIL: chromium is not installed: run `bash jobs/setup.sh` (it installs Debian's chromium)")
    return path


def browse(page, *args):
    """Runs headless chromium on file://PAGE with logging on stderr; returns (stdout, stderr)."""
    cmd = [chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
           "--hide-scrollbars", "--enable-logging=stderr", "--v=0", *args, "file://" + page]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    check(p.returncode == 0, f"chromium {' '.join(args)} exit 0 (got {p.returncode})")
    return p.stdout, p.stderr


def console_lines(stderr):
    """Chromium's log lines for the page's console messages and uncaught errors."""
    return [l for l in stderr.splitlines() if ":CONSOLE" in l or "Uncaught" in l]


def body_attr(dom, name):
    m = re.search(rf'<body[^>]*\s{name}="([^"]*)"', dom)
    return None if m is None else m.group(1)


def make_report(name="sweep", grid=GRID):
    out = os.path.join(WORK, name + ".h5")
    sweep(write_grid(WORK, name, grid), out)
    directory = os.path.join(WORK, name + "-report")
    env = dict(os.environ, PYTHONPATH=SOURCE)
    p = subprocess.run(["/usr/bin/python3", "-m", "analysis.report", out, "-o", directory, "--formats", "svg"],
                       capture_output=True, text=True, env=env)
    check(p.returncode == 0, f"report exit 0 ({p.returncode}: {p.stderr.strip()[-300:]})")
    return out, directory


def check_offline(directory):
    index = open(os.path.join(directory, "index.html"), encoding="utf-8").read()
    check(os.path.isfile(os.path.join(directory, "report.js")), "report.js copied into the report folder")
    check("<script src='report.js'>" in index, "index.html loads report.js relatively")
    remote = re.findall(r"(?:src|href)=['\"](?:https?:)?//", index)
    check(not remote, f"index.html loads nothing from the network ({remote})")
    for name in ("convergence", "sensitivity"):
        check(f"src='{name}.png'" in index and os.path.exists(os.path.join(directory, name + ".svg")),
              f"the static {name} figure is still written (PNG shown, SVG beside it)")
    return index.count("data-view=")


def check_page(directory, views):
    index = os.path.join(directory, "index.html")
    dom, err = browse(index, "--dump-dom")
    check(not console_lines(err), f"no console message or uncaught error ({console_lines(err)[:3]})")
    check(views >= 12, f"the page has the expected views (curves, heat maps, parallel, importance): {views}")
    check(body_attr(dom, "data-rendered") == str(views) and body_attr(dom, "data-failed") == "0",
          f"every view rendered: data-rendered={body_attr(dom, 'data-rendered')} of {views}, "
          f"failed={body_attr(dom, 'data-failed')}")
    for kind in ("curves", "heatmap", "parallel", "importance"):
        check(f'"kind": "{kind}"' in open(index, encoding="utf-8").read(), f"a {kind} view is present")
    check(dom.count("<svg") >= views, f"an SVG drawn per view ({dom.count('<svg')})")
    check(dom.count("class=\"filter\"") >= 5, "a filter box above every table")
    os.makedirs(SHOTS, exist_ok=True)
    shot = os.path.join(SHOTS, "report.png")
    browse(index, "--window-size=1300,12000", f"--screenshot={shot}")
    check(os.path.getsize(shot) > 50000, f"full-page screenshot written: {shot}")


def tick_max(texts):
    return max(float(t) for t in texts if re.fullmatch(r"-?[0-9.]+(e[-+]?[0-9]+)?", t))


def check_interaction(h5, directory):
    page = os.path.join(directory, "driven.html")
    text = open(os.path.join(directory, "index.html"), encoding="utf-8").read()
    open(page, "w", encoding="utf-8").write(text.replace("</body>", DRIVER + "</body>"))
    dom, err = browse(page, "--dump-dom")
    check(not console_lines(err), f"driven page: no console message ({console_lines(err)[:3]})")
    raw = body_attr(dom, "data-driver")
    check(raw is not None, "the driver script ran")
    if raw is None:
        return
    out = json.loads(raw.replace("&quot;", '"').replace("&amp;", "&"))
    values = [float(v) for v in out["sorted"]]
    check(values == sorted(values), f"a click on loss_final sorts the best table ascending ({values})")
    runs = runs_table(h5)
    pairs = {(p, o) for p, o, w in zip(runs["problem"], runs["optimizer"], runs["written"]) if w == 1}
    want = sum(1 for _, o in pairs if o == "momentum")
    check(out["visible"] == ["momentum"] * want, f"filter 'momentum' leaves the {want} momentum rows ({out['visible']})")
    check(tick_max(out["zoomed"]) < tick_max(out["before"]),
          f"a dragged box zooms the x axis ({tick_max(out['before'])} -> {tick_max(out['zoomed'])})")
    check("evals" in out["evals"], "the x-axis select redraws against gradient evaluations")
    shutil.copyfile(page, os.path.join(SHOTS, "driven.html"))
    browse(page, "--window-size=1300,12000", f"--screenshot={os.path.join(SHOTS, 'driven.png')}")


def anova_shares(m):
    """Two-way ANOVA by sums of squares on a balanced grid of cell means m (a x b)."""
    a, b = m.shape
    grand = m.mean()
    ss_a = b * ((m.mean(axis=1) - grand) ** 2).sum()
    ss_b = a * ((m.mean(axis=0) - grand) ** 2).sum()
    ss_t = ((m - grand) ** 2).sum()
    return ss_a / ss_t, ss_b / ss_t, (ss_t - ss_a - ss_b) / ss_t


def check_decomposition():
    rng = np.random.default_rng(7)
    m = rng.normal(size=(4, 5)) + np.arange(4)[:, None]
    got = importance.decompose(m[None])
    want = anova_shares(m)
    check(np.allclose([got[(0,)][0], got[(1,)][0], got[(0, 1)][0]], want, atol=1e-12),
          f"two-way decomposition = ANOVA sums of squares ({want})")
    # Three keys: y = 2 u_i + v_j w_k (u, v, w zero-mean): shares 4 var u : var v var w (pair j,k), nothing else.
    u, v, w = np.array([-1.0, 0, 1]), np.array([-1.0, 1]), np.array([-2.0, 0, 2])
    y = 2 * u[:, None, None] + v[None, :, None] * w[None, None, :]
    vu, vvw = 4 * (u ** 2).mean(), (v ** 2).mean() * (w ** 2).mean()
    got = importance.decompose(y[None])
    check(abs(got[(0,)][0] - vu / (vu + vvw)) < 1e-12 and abs(got[(1, 2)][0] - vvw / (vu + vvw)) < 1e-12
          and abs(got[(1,)][0]) < 1e-12 and abs(got[(0, 1)][0]) < 1e-12 and abs(got[importance.HIGHER][0]) < 1e-12,
          "three-way synthetic metric: the known main effect and interaction shares")


def average_ranks(keys):
    """Average ranks (1 = first) of tuples, ties sharing their mean position."""
    order = sorted(range(len(keys)), key=lambda i: keys[i])
    ranks, i = np.empty(len(keys)), 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and keys[order[j + 1]] == keys[order[i]]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def check_report_importance(h5, directory):
    """momentum on fit (no converged run in 80 iterations; gap known): rank by gap, diverged last."""
    runs = runs_table(h5)
    sel = np.flatnonzero((runs["problem"] == "fit") & (runs["optimizer"] == "momentum"))
    diverged = runs["status"][sel] == "diverged"
    keys = [(1, 0.0, s) if d else (0, g, s) for d, g, s in zip(diverged, runs["gap"][sel], runs["steps"][sel])]
    converged = runs["status"][sel] == "converged"
    check(not converged.any(), "fit/momentum: no run converged (the ranks are by gap alone)")
    y = average_ranks(keys)
    lrs, moms = np.unique(runs["lr"][sel]), np.unique(runs["momentum"][sel])
    m = np.array([[y[(runs["lr"][sel] == a) & (runs["momentum"][sel] == b)].mean() for b in moms] for a in lrs])
    want = dict(zip(("lr", "momentum", "lr × momentum"), anova_shares(m)))
    rows = [r for r in csv.DictReader(open(os.path.join(directory, "parameter_importance.csv"), encoding="utf-8"))
            if r["problem"] == "fit" and r["optimizer"] == "momentum"]
    got = {r["term"]: r for r in rows}
    for term, share in want.items():
        r = got.get(term)
        ok = r is not None and abs(float(r["share"]) - share) < 1e-9 and float(r["lo"]) <= float(r["hi"])
        check(ok, f"fit/momentum importance of {term}: {share:.6g} (report: {r and r['share']}, "
                  f"interval {r and r['lo']}..{r and r['hi']})")


def page_views(directory):
    """The views' JSON embedded in index.html."""
    text = open(os.path.join(directory, "index.html"), encoding="utf-8").read()
    m = re.search(r"<script type='application/json' id='report-views'>(.*?)</script>", text, re.S)
    return json.loads(m.group(1).replace("<\\/", "</"))


def check_heatmap(h5, directory):
    """fit/momentum's heat map: the median gap over repeats per (lr, momentum), read here with h5py
    (a diverged repeat counts as +inf; an infinite median shows as "diverged")."""
    runs = runs_table(h5)
    view = [v for v in page_views(directory) if v["kind"] == "heatmap" and v["title"].startswith("momentum on fit")]
    check(len(view) == 1, "one heat map of momentum on fit")
    if not view:
        return
    v = view[0]
    check((v["xkey"], v["ykey"]) == ("lr", "momentum"), f"its axes: lr (3 values) and momentum ({v['xkey']}, {v['ykey']})")
    sel = (runs["problem"] == "fit") & (runs["optimizer"] == "momentum")
    gap = np.where(runs["status"] == "diverged", np.inf, runs["gap"])
    bad = []
    for j, mom in enumerate(v["ys"]):
        for i, lr in enumerate(v["xs"]):
            med = float(np.median(gap[sel & (runs["lr"] == lr) & (runs["momentum"] == mom)]))
            got = v["z"][j][i]
            if not (got == "diverged" if np.isinf(med) else abs(got - med) <= 1e-12 * abs(med)):
                bad.append((lr, mom, got, med))
    check(not bad and len(v["xs"]) * len(v["ys"]) == 6, f"every cell is the median gap over repeats ({bad})")


def check_sampled():
    """A sampled (Sobol) design is not a grid: importance not computed, said in the CSV; the views still made."""
    _, directory = make_report("sampled", SAMPLED)
    rows = list(csv.DictReader(open(os.path.join(directory, "parameter_importance.csv"), encoding="utf-8")))
    check(len(rows) == 1 and rows[0]["term"] == "(not computed)" and "not a full factorial grid" in rows[0]["note"],
          f"sampled design: importance not computed, the note says why ({rows})")
    kinds = [v["kind"] for v in page_views(directory)]
    check("heatmap" in kinds and "parallel" in kinds and "importance" not in kinds,
          f"sampled design: heat map and parallel coordinates, no importance view ({kinds})")


def check_seeded(h5):
    """The importance intervals are seeded: two computations give the same numbers."""
    from analysis.sweep import Sweep
    with Sweep(h5) as s:
        a, b = importance.table(s), importance.table(s)
    check(a.equals(b), "importance table (bootstrap intervals) identical when recomputed")


def main():
    check_decomposition()
    h5, directory = make_report()
    check_report_importance(h5, directory)
    check_heatmap(h5, directory)
    check_seeded(h5)
    check_sampled()
    views = check_offline(directory)
    check_page(directory, views)
    check_interaction(h5, directory)
    print(f"screenshots: {SHOTS}")
    finish()


if __name__ == "__main__":
    main()
