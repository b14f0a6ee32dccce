#!/usr/bin/env bash
# bench_startup.sh - the start-up of a plain `gdsweep grid.ini` (one run of 5 iterations):
# wall seconds per invocation, median of N, for one or more binaries interleaved in the
# same minutes (e.g. one built before a change and one after).
#
# Usage: bash bench/bench_startup.sh [N] BINARY [BINARY...]   (default: 10 build/gdsweep)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
n=${1:-10}
shift || true
binaries=("${@:-$root/build/gdsweep}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '[sweep]\niterations = 5\n[problem q]\ntype = quadratic\n[optimizer gd]\nlr = 0.1\n' \
  >"$work/g.ini"
for ((i = 0; i < n; i++)); do
  for b in "${!binaries[@]}"; do
    start=$(date +%s%N)
    "${binaries[$b]}" "$work/g.ini" -o "$work/o.h5" --overwrite --quiet >/dev/null
    echo "$b $(( $(date +%s%N) - start ))" >>"$work/times"
  done
done
echo "1-run grid, wall seconds per invocation (median of $n, min-max), load $(cut -d' ' -f1 /proc/loadavg)"
for b in "${!binaries[@]}"; do
  awk -v b="$b" '$1 == b { print $2 }' "$work/times" | sort -g |
    awk -v name="${binaries[$b]}" '{ v[NR] = $1 } END {
      printf "%-50s %.3f (%.3f-%.3f)\n", name, v[int((NR + 1) / 2)] / 1e9, v[1] / 1e9,
        v[NR] / 1e9 }'
done
