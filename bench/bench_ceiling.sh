#!/usr/bin/env bash
# bench_ceiling.sh - the hardware's own scaling ceiling for a grid: one process alone vs
# N independent copies at once (no MPI, no coordination). The ratio N x t1 / tN is the
# best speed-up any scheduler could reach on N cores for that work (memory bandwidth,
# shared caches and all-core clock speeds decide it).
#
# Usage: bash bench/bench_ceiling.sh BINARY GRID N [REPEATS]
set -euo pipefail
binary=$1 grid=$2 n=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed "s/^repeats = .*/repeats = ${4:-1}/" "$grid" >"$work/g.ini"
wall() { sed -n 's/.* runs in \([0-9.]*\) s .*/\1/p' "$1"; }
"$binary" "$work/g.ini" -o "$work/alone.h5" --quiet --threads 1 >"$work/alone.txt"
for i in $(seq "$n"); do
  "$binary" "$work/g.ini" -o "$work/c$i.h5" --quiet --threads 1 >"$work/c$i.txt" &
done
wait
t1=$(wall "$work/alone.txt")
tn=$(for i in $(seq "$n"); do wall "$work/c$i.txt"; done | sort -g | tail -1)
awk -v t1="$t1" -v tn="$tn" -v n="$n" -v g="$(basename "$grid")" 'BEGIN {
  printf "%s: alone %.2f s, %d copies at once: slowest %.2f s -> ceiling %.1fx on %d cores\n",
         g, t1, n, tn, n * t1 / tn, n }'
