"""perf_classify.py - where a gdsweep run's CPU samples go: `perf script -F comm,tid,ip,sym` on stdin,
each sample counted in the first category whose function is on its stack (bench 4b).

Usage: perf script -i p.data -F comm,tid,ip,sym | /usr/bin/python3 bench/perf_classify.py HZ
"""
import sys, collections
cats = [("flush: H5Fflush (journal commit, fsync)", ["H5Fflush"]),
        ("commit: runs-table rows and written marks (H5Dwrite)", ["write_rows"]),
        ("HDF5 series appends (/traj, /path, /final)", ["gd_h5_series_append"]),
        ("disk reservation (fallocate)", ["gd_store_reserve"]),
        ("runs-table row fill", ["gd_columns_fill_row", "fill_rows"]),
        ("store, other", ["gd_store_write_batch", "gd_store_create", "gd_store_close", "gd_store_"]),
        ("batching (copy history into the batch)", ["gd_batch_add", "gd_batch_"]),
        ("instance lookup / problem setup", ["use_instance", "gd_problem_setup", "quadratic_setup"]),
        ("workspace", ["workspace"]),
        ("decode (id -> run description)", ["decode"]),
        ("loop: pow() of adam's bias corrections", ["__pow", "__ieee754_pow", "pow@@"]),
        ("loop: numeric gradient + loss", ["gd_numeric_loss_grad", "quadratic_loss"]),
        ("loop: gradient norm (sum_squares)", ["sum_squares", "blocked_norm"]),
        ("loop: optimizer step", ["adam_step", "gd_step", "blocked_step"]),
        ("loop: stop test", ["stop_reason"]),
        ("loop: clock (targets, timings)", ["clock_gettime", "now_seconds"]),
        ("loop: rest of gd_run_execute (records, bookkeeping)", ["gd_run_execute"]),
        ("MPI init / start-up", ["ompi_mpi_init", "PMPI_Init", "gd_par_init", "_dl_"]),
        ]
count = collections.Counter(); total = 0; stack = []
def flush_sample():
    global total
    if not stack: return
    total += 1
    for name, keys in cats:
        if any(any(k in f for k in keys) for f in stack):
            count[name] += 1; return
    count["other (kernel page faults, libc, ...)"] += 1
for line in sys.stdin:
    line = line.rstrip()
    if not line:
        flush_sample(); stack = []; continue
    if line.startswith((" ", "\t")):
        parts = line.split()
        if len(parts) >= 2: stack.append(parts[1])
flush_sample()
hz = float(sys.argv[1]) if len(sys.argv) > 1 else 0
for name, c in count.most_common():
    print(f"| {name} | {100*c/total:.1f}% | {c/hz if hz else 0:.2f} |")
print(f"| on-CPU total | 100% | {total/hz if hz else 0:.2f} |")
