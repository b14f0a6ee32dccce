#!/usr/bin/env bash
# bench_tiny.sh - benchmark 4: 100,000 quadratic runs of 100 iterations, full trajectories.
#
# Usage: bash bench/bench_tiny.sh [BINARY]      (default: build/gdsweep)
# Prints runs per second (one rank, and two) and the share of wall time spent writing
# HDF5 (time inside HDF5 calls on the writer). Target: >= 50,000 runs/s on one rank,
# writing under a third of the wall time.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
binary=${1:-$root/build/gdsweep}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "benchmark 4: bench/tiny_runs.ini (100,000 runs x 101 recorded points)"
printf '%-22s %10s %12s %14s %10s\n' layout "wall [s]" "runs/s" "runs/s/rank" "HDF5 share"
report() {
  local name=$1 ranks=$2 file=$3
  sed -n 's/.* \([0-9]*\) runs in \([0-9.]*\) s .* \([0-9.]*\) s writing HDF5.*/\1 \2 \3/p' "$file" |
    awk -v name="$name" -v r="$ranks" '{ printf "%-22s %10.3f %12.0f %14.0f %9.0f%%\n",
      name, $2, $1 / $2, $1 / $2 / r, 100 * $3 / $2 }'
}
for i in 1 2 3; do
  "$binary" "$root/bench/tiny_runs.ini" -o "$work/t.h5" --overwrite --quiet --threads 1 >"$work/one.txt"
  report "1 process (try $i)" 1 "$work/one.txt"
done
mpirun -n 2 "$binary" "$root/bench/tiny_runs.ini" -o "$work/t.h5" --overwrite --quiet \
  --threads 1 >"$work/two.txt"
report "mpirun -n 2" 2 "$work/two.txt"
echo "file: $(du -h --apparent-size "$work/t.h5" | cut -f1)"
