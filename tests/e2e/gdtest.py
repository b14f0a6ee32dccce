"""gdtest.py - shared helpers for the end-to-end Python tests (run gdsweep, read its file)."""
import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

BINARY = os.environ.get("GD_BINARY")
SOURCE = os.environ.get("GD_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.abspath(SOURCE))  # the analysis package: its reader
if not BINARY:
    sys.exit("run through ctest: GD_BINARY is unset")

FAILURES = []


def check(cond, what):
    """Records a failed check (and goes on, so one run reports every failure)."""
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        FAILURES.append(what)


def finish():
    """Ends the test: the failed checks listed again last, so a log cut in its middle
    (CI keeps the head and the tail) still names them."""
    if FAILURES:
        for what in FAILURES:
            print("FAILED: " + what, file=sys.stderr)
        sys.exit(f"{len(FAILURES)} check(s) failed")
    print("all checks passed")


def workdir():
    """A fresh directory, removed when the test ends (kept when GD_KEEP_WORK is set)."""
    path = tempfile.mkdtemp(prefix="gdsweep-e2e-")
    if not os.environ.get("GD_KEEP_WORK"):
        atexit.register(shutil.rmtree, path, True)
    return path


def write_grid(directory, name, grid):
    """Writes the grid text to DIRECTORY/NAME.ini; returns its path."""
    path = os.path.join(directory, name + ".ini")
    with open(path, "w") as f:
        f.write(grid)
    return path


def command(*args, mpi_ranks=None):
    """The gdsweep command line (under `mpirun -n N --oversubscribe` when mpi_ranks is set)."""
    cmd = [BINARY, *args]
    if mpi_ranks:
        cmd = ["mpirun", "-n", str(mpi_ranks), "--oversubscribe", *cmd]
    return cmd


def gdsweep(*args, mpi_ranks=None, env=None, check_rc=True):
    """Runs gdsweep (under mpirun when mpi_ranks is set); returns CompletedProcess."""
    cmd = command(*args, mpi_ranks=mpi_ranks)
    full_env = dict(os.environ, **(env or {}))
    p = subprocess.run(cmd, capture_output=True, text=True, env=full_env)
    if check_rc and p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stdout}\n{p.stderr}")
    return p


def status_counts(out):
    """(committed, total): the runs OUT holds committed and its runs in all, as `gdsweep
    status` counts them ((0, 0) if it reads none). A file killed during a commit is
    unreadable by h5py until --resume rolls its journal back; status reads it as that
    rollback leaves it."""
    words = gdsweep("status", out, check_rc=False).stdout.split()
    if "runs:" not in words:
        return 0, 0
    at = words.index("runs:")
    return int(words[at + 1]), int(words[at + 6].rstrip(","))


def committed_runs(out):
    """The runs OUT holds committed (status_counts)."""
    return status_counts(out)[0]


def _until_journal(proc, path, seconds):
    """True once PATH.journal exists (the sweep's first commit began), False if the
    process PROC ended first (a clean close removes the journal) or SECONDS passed."""
    deadline = time.time() + seconds
    while not os.path.exists(path + ".journal"):
        if proc.poll() is not None or time.time() > deadline:
            return False
        time.sleep(0.005)
    return True


def kill_mid_sweep(grid, out, *args, after=0.1, commit_seconds=0.05, need_some=False,
                   tries=6):
    """Starts the sweep of GRID into OUT (ARGS as for sweep), waits for its first commit,
    then AFTER seconds more, and SIGKILLs its session; returns (committed, total) as
    status_counts reads the killed file. The kill must land before the last commit (and,
    with NEED_SOME, after the first): a wait that was too long or too short is retried on
    a fresh OUT, halved or doubled until both bounds are known, then bisected, up to TRIES
    times, so that the kill lands mid-sweep whatever the machine's speed and load (a fixed
    time from the start does not). The kill may land inside a commit (a hot journal:
    resumable). Exits failing when status reads no runs from the file."""
    early, late, counts = None, None, (0, 0)
    for _ in range(tries):
        for stale in (out, out + ".journal"):
            if os.path.exists(stale):
                os.remove(stale)
        proc = start(grid, out, *args, env={"GD_COMMIT_SECONDS": str(commit_seconds)})
        if _until_journal(proc, out, 60):
            time.sleep(after)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        counts = status_counts(out)
        if counts[1] == 0:
            sys.exit(f"kill_mid_sweep: status reads no runs in {out} (the sweep's exit "
                     f"status {proc.returncode})")
        if counts[0] == counts[1]:
            late = after
        elif counts[0] == 0 and need_some:
            early = after
        else:
            break
        after = (early + late) / 2 if early is not None and late is not None else \
            (after / 2 if late == after else after * 2)
    return counts


def sweep(grid, out, *args, **kwargs):
    """Runs `gdsweep GRID -o OUT --quiet ARGS...` (keywords as for gdsweep); returns CompletedProcess."""
    return gdsweep(grid, "-o", out, "--quiet", *args, **kwargs)


def start(grid, out, *args, mpi_ranks=None, env=None):
    """Starts the sweep `sweep` would run, in its own session, output discarded (ENV added
    to the environment); returns the Popen."""
    cmd = command(grid, "-o", out, "--quiet", *args, mpi_ranks=mpi_ranks)
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, env=dict(os.environ, **(env or {})))


def check_bad_file(grid, line, name, words):
    """Sweeping GRID, whose line LINE names the bad file NAME, exits 2 with one line naming
    GRID:LINE, NAME and WORDS, and creates no output."""
    out = os.path.join(os.path.dirname(grid), "bad.h5")
    p = sweep(grid, out, check_rc=False)
    lines = p.stderr.strip().splitlines()
    ok = p.returncode == 2 and len(lines) == 1 and f"{grid}:{line}:" in lines[0] and \
        name in lines[0] and words in lines[0] and not os.path.exists(out)
    check(ok, f"{name}: exit 2, one line naming {grid}:{line}, the file and '{words}', "
          f"nothing created (exit {p.returncode}: {lines})")


SKIP = 77  # ctest reports a test that exits 77 as skipped (SKIP_RETURN_CODE)


def install_experiment_data():
    """Runs jobs/install-experiment-data.sh (Debian's python3-skimage / python3-sklearn and
    their files in experiments/data/); exits SKIP with the reason where they cannot be
    installed, fails the test where the script fails otherwise."""
    script = os.path.join(SOURCE, "jobs", "install-experiment-data.sh")
    p = subprocess.run(["bash", script], capture_output=True, text=True)
    print(p.stdout.strip())
    if p.returncode == 3:
        print(f"skipped: the real-data packages cannot be installed here: "
              f"{(p.stdout + p.stderr).strip().splitlines()[-1]}")
        sys.exit(SKIP)
    if p.returncode != 0:
        sys.exit(f"{script} failed ({p.returncode}): {p.stderr.strip()}")


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def slow_disk_env(out, log, **settings):
    """The environment of a sweep on tests/fault/slow_disk.c's slow disk for file OUT (its
    report to LOG), commits due every 20 ms, with SETTINGS (GD_FSYNC_SLEEP_MS=300, ...)."""
    env = {"LD_PRELOAD": os.environ["GD_SYNC_LIB"], "GD_SYNC_FILE": out, "GD_SYNC_LOG": log,
           "GD_COMMIT_SECONDS": "0.02"}
    if os.environ.get("ASAN_OPTIONS"):  # the preloaded library comes first: fine
        env["ASAN_OPTIONS"] = os.environ["ASAN_OPTIONS"] + ":detect_leaks=0:verify_asan_link_order=0"
    env.update({k: str(v) for k, v in settings.items()})
    return env


def slow_disk_report(log):
    """slow_disk.c's report of the process that wrote the file (the one of most CPU while
    the disk slept): {"fsyncs", "overlapped", "cpu_ms", "cpu_total_ms"}."""
    with open(log) as fh:
        lines = [line.split() for line in fh if line.strip()]
    reports = [{w[i]: int(w[i + 1]) for i in range(0, len(w), 2)} for w in lines]
    return max(reports, key=lambda r: (r["cpu_ms"], r["fsyncs"]))


def quadratic_grid(name, seed, points, iterations, record_every):
    """A grid of POINTS quadratic start points (numeric gradient) x gd and adam at two
    learning rates: 4 * POINTS cheap runs, for tests of the write path."""
    return f"""[sweep]
name = {name}
seed = {seed}
iterations = {iterations}
record_every = {record_every}

[problem q]
type = quadratic
x0 = linspace(-5, 5, {points})
gradient = numeric

[optimizer gd]
lr = 0.01, 0.1

[optimizer adam]
lr = 0.01, 0.1
"""


def runs_table(path):
    """The runs table as a dict of numpy columns, strings decoded."""
    with h5py.File(path, "r") as f:
        t = f["runs"][:]
    cols = {}
    for name in t.dtype.names:
        col = t[name]
        cols[name] = np.array([text(v).rstrip("\0") for v in col]) if col.dtype.kind == "S" else col
    return cols


def traj_columns(f, runs, names=None):
    """analysis.reader.traj_columns: the records of the rows `runs` (stored, or rebuilt in a
    file of format 3), every per-record series by default."""
    from analysis import reader
    return reader.traj_columns(f, runs, names or reader.TRAJ_FIELDS)


def trajectory(f, runs, i, name="loss"):
    """Series `name` of run i (runs: a runs_table or a structured array), through the reader."""
    one = {c: np.asarray(runs[c])[i:i + 1] for c in ("traj_offset", "traj_count", "steps", "lr")}
    return traj_columns(f, one, (name,))[name]


# Columns that say where or when a run ran, or where its data sit: not results.
NOT_RESULTS = {"rank", "threads", "wall_seconds", "traj_offset", "path_offset", "final_offset",
               *(f"seconds_to_1e-{k}" for k in range(1, 9))}
SERIES = [("path/x", "path"), ("final/x", "final")]


def _record_differences(a, b, ra, rb, rows):
    """The (run, series) whose records differ between files a and b, read through the reader."""
    if ra["traj_count"][rows].tobytes() != rb["traj_count"][rows].tobytes():
        return []  # reported as column traj_count
    va, vb = traj_columns(a, ra[rows]), traj_columns(b, rb[rows])
    owner = np.repeat(rows, ra["traj_count"][rows].astype(np.int64))
    out = []
    for name in sorted(set(va) | set(vb)):
        if name not in va or name not in vb:
            out.append(f"traj/{name} in one file only")
            continue
        differ = va[name].view(np.uint64) != vb[name].view(np.uint64)
        out += [f"run {i} traj/{name}" for i in np.unique(owner[differ])]
    return out


def to_format_2(path):
    """Turns a finished file of format 3 into one of format 2, as the gdsweep before format 3
    wrote it: format_version 2, no traj_implicit attribute, and every per-record series
    stored (appendable, as the writer makes them), the left-out ones filled by the
    recording rule written out here: record j at j * record_every, the last at `steps`;
    lr the run's own, NaN at the last; batch_loss NaN."""
    with h5py.File(path, "r+") as f:
        implicit = text(f.attrs.get("traj_implicit", b"")).split(",")
        runs, every = f["runs"][:], int(f.attrs["record_every"])
        total = f["traj/loss"].shape[0]
        for name in filter(None, implicit):
            values = np.full(total, np.nan) if name != "iteration" else np.zeros(total, np.int64)
            for r in runs[runs["written"] == 1]:
                o, n = int(r["traj_offset"]), int(r["traj_count"])
                j = np.arange(n)
                if name == "iteration":
                    values[o:o + n] = np.where(j == n - 1, int(r["steps"]), j * every)
                elif name == "lr":
                    values[o:o + n] = np.where(j == n - 1, np.nan, float(r["lr"]))
            f.create_dataset("traj/" + name, data=values, maxshape=(None,), chunks=(65536,))
        if "traj_implicit" in f.attrs:
            del f.attrs["traj_implicit"]
        f.attrs["format_version"] = np.int64(2)


def sweep_differences(path_a, path_b, written_only=False):
    """Differences between two sweep files' results: a list of strings, empty when every
    result column, trajectory, path, final point and instance input is bit-identical."""
    out = []
    with h5py.File(path_a, "r") as a, h5py.File(path_b, "r") as b:
        ra, rb = a["runs"][:], b["runs"][:]
        if len(ra) != len(rb):
            return [f"{len(ra)} vs {len(rb)} rows"]
        rows = np.flatnonzero(ra["written"] == 1) if written_only else np.arange(len(ra))
        for c in ra.dtype.names:
            if c not in NOT_RESULTS and ra[c][rows].tobytes() != rb[c][rows].tobytes():
                out.append(f"column {c}")
        out += _record_differences(a, b, ra, rb, rows)
        for i in rows:
            for ds, kind in SERIES:
                oa, na = int(ra[kind + "_offset"][i]), int(ra[kind + "_count"][i])
                ob, nb = int(rb[kind + "_offset"][i]), int(rb[kind + "_count"][i])
                if a[ds][oa:oa + na].tobytes() != b[ds][ob:ob + nb].tobytes():
                    out.append(f"run {i} {ds}")
        for k in a["instances"]:
            if k not in b["instances"]:
                out.append(f"instance {k} missing")
                continue
            for ds in a["instances"][k]:
                if a["instances"][k][ds][...].tobytes() != b["instances"][k][ds][...].tobytes():
                    out.append(f"instance {k} {ds}")
    return out


def batch_rows(grid, run_id, iterations):
    """The minibatch rows of run RUN_ID's first ITERATIONS iterations, as its sampler draws
    them (tests/tools/batch_rows.c): (samples N, batch size m, a row array per iteration)."""
    p = subprocess.run([os.environ["GD_BATCH_ROWS"], grid, str(run_id), str(iterations)],
                       capture_output=True, text=True, check=True)
    lines = p.stdout.strip().splitlines()
    n, m = map(int, lines[0].split())
    return n, m, [np.array(list(map(int, l.split()))) for l in lines[1:]]


def instance_batches(grid, run_id, iterations, seqs, key, samples, size, name):
    """batch_rows of run RUN_ID, checked: SAMPLES rows, batches of SIZE, and the same
    batches as every earlier run of the same KEY (its instance; SEQS maps keys to the first
    run's rows). Returns the batches."""
    n, m, batches = batch_rows(grid, run_id, iterations)
    check(n == samples and m == size, f"{name}: {n} samples, batch {m}")
    flat = np.concatenate(batches)
    if key in seqs:
        check(np.array_equal(seqs[key], flat), f"{name}: the same batches as its instance")
    seqs[key] = flat
    return batches


def check_gradient_noise(out, grad, dim, sigma, same_tol):
    """Runs 0 and 1 of OUT are gd at two rates with grad_noise = SIGMA and their paths
    recorded (DIM coordinates): the noise recovered from each path, (x_t - x_{t+1}) / lr -
    GRAD(x_t) (GRAD on an array of points), is the same at both rates (to SAME_TOL), has
    mean within 4 standard errors of 0 and variance within 4 standard errors (sqrt(2/n)
    relative) of SIGMA^2, and passes a Kolmogorov-Smirnov test against N(0, SIGMA^2) at
    p > 0.001. Returns the number of noise values."""
    from scipy import stats
    runs = runs_table(out)
    noises = []
    with h5py.File(out, "r") as f:
        for i in range(2):
            po, cnt = int(runs["path_offset"][i]), int(runs["path_count"][i])
            path = f["path/x"][po:po + cnt].reshape(-1, dim)
            lr = float(runs["lr"][i])
            noises.append(((path[:-1] - path[1:]) / lr - grad(path[:-1])).ravel())
    check(np.max(np.abs(noises[0] - noises[1])) < same_tol, "the same noise at both rates")
    z, v = noises[0], sigma * sigma
    n = len(z)
    check(abs(z.mean()) < 4 * sigma / np.sqrt(n), f"noise mean {z.mean():.4f} ~ 0 (n = {n})")
    check(abs(z.var() / v - 1) < 4 * np.sqrt(2 / n), f"noise variance {z.var():.4f} ~ {v:g}")
    p = stats.kstest(z, "norm", args=(0, sigma)).pvalue
    check(p > 1e-3, f"noise is N(0, {v:g}): KS p = {p:.3g}")
    return n


def tv_energy(u, f, lam, eps):
    """E(u) = sum (u - f)^2 + lam sum sqrt(dx^2 + dy^2 + eps^2) (forward differences,
    Neumann) and its gradient, written from the formula."""
    dx = np.zeros_like(u)
    dy = np.zeros_like(u)
    dx[:, :-1] = u[:, 1:] - u[:, :-1]
    dy[:-1, :] = u[1:, :] - u[:-1, :]
    s = np.sqrt(dx * dx + dy * dy + eps * eps)
    px, py = dx / s, dy / s
    div = px.copy()
    div[:, 1:] -= px[:, :-1]
    div += py
    div[1:, :] -= py[:-1, :]
    return np.sum((u - f) ** 2) + lam * np.sum(s), 2 * (u - f) - lam * div
