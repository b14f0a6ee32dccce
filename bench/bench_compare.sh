#!/usr/bin/env bash
# bench_compare.sh - two or more gdsweep binaries side by side, interleaved, as ratios.
#
# Usage: bash bench/bench_compare.sh [-r ROUNDS] NAME=BINARY NAME=BINARY...
# Each round runs every binary in turn on three grids: bench/tiny_runs.ini (1 process,
# 1 thread), bench/mixed.ini (mpirun -n 2, 1 thread each) and a 1024x1024 denoise grid (1
# process, 2 threads), so that a noisy machine slows all of them alike. Prints the median
# and best wall seconds per grid and binary, and each binary's median over the first's.
# A regression check of a change: build the base in a worktree and compare (docs/BENCHMARKS.md
# section 5 used 10 rounds).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=5
if [ "${1:-}" = "-r" ]; then rounds=$2; shift 2; fi
[ $# -ge 1 ] || { echo "usage: bench_compare.sh [-r ROUNDS] NAME=BINARY..." >&2; exit 2; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/denoise.ini" <<'EOF'
[sweep]
seed = 1
iterations = 200
record_every = 50
[problem denoise]
size = 1024
lambda = 0.5
save_final = false
[optimizer gd]
lr = 0.1
[optimizer adam]
lr = 0.01
EOF

seconds() { # runs "$@" quietly; prints its wall seconds
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", b - a }'
}

for r in $(seq "$rounds"); do
  for pair in "$@"; do
    name=${pair%%=*} bin=${pair#*=}
    echo "tiny $name $(seconds "$bin" "$root/bench/tiny_runs.ini" -o "$work/t.h5" --overwrite \
      --quiet --threads 1)"
    echo "mixed $name $(seconds mpirun -n 2 "$bin" "$root/bench/mixed.ini" -o "$work/m.h5" \
      --overwrite --quiet --threads 1)"
    echo "denoise $name $(seconds "$bin" "$work/denoise.ini" -o "$work/d.h5" --overwrite \
      --quiet --threads 2)"
  done
done >"$work/times.txt"

/usr/bin/python3 - "$work/times.txt" "$@" <<'EOF'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    grid, name, s = line.split()
    times.setdefault((grid, name), []).append(float(s))
names = [a.split("=", 1)[0] for a in sys.argv[2:]]
print(f"{'grid':8} {'binary':12} {'median s':>9} {'best s':>8} {'ratio':>6}")
for grid in ("tiny", "mixed", "denoise"):
    base = statistics.median(times[(grid, names[0])])
    for n in names:
        t = times[(grid, n)]
        m = statistics.median(t)
        print(f"{grid:8} {n:12} {m:9.3f} {min(t):8.3f} {m / base:6.3f}")
EOF
