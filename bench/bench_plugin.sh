#!/usr/bin/env bash
# bench_plugin.sh - the cost of calling a problem through the plugin ABI: the example
# plugin's `parabola` (a x^2 + b x + c in a shared library) against the built-in
# `quadratic` (the same function compiled in), on bench/tiny_runs.ini (100,000 runs of 100
# iterations, full trajectories): runs/s of each, repeats interleaved, and the ratio of
# the medians.
#
# Usage: bash bench/bench_plugin.sh [BINARY [REPEATS]]   (default: build/gdsweep, 5)
# Builds the plugin with the README's cc command into a temporary directory.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
binary=${1:-$root/build/gdsweep}
repeats=${2:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -shared -fPIC -O2 -I "$root/include" "$root/experiments/plugins/example_problems.c" \
  -o "$work/example_problems.so" -lm
cp "$root/bench/tiny_runs.ini" "$work/builtin.ini"
sed 's/^\[problem quadratic\]$/[problem quadratic]\ntype = plugin\nlibrary = example_problems.so\nname = parabola/' \
  "$root/bench/tiny_runs.ini" >"$work/plugin.ini"
rate() { # runs/s of one sweep of grid $1
  "$binary" "$1" -o "$work/out.h5" --overwrite --quiet --threads 1 |
    sed -n 's/.* \([0-9]*\) runs in \([0-9.]*\) s .*/\1 \2/p' | awk '{ printf "%.0f\n", $1 / $2 }'
}
echo "bench_plugin: bench/tiny_runs.ini, 1 process x 1 thread, $repeats interleaved repeats"
for i in $(seq "$repeats"); do
  b=$(rate "$work/builtin.ini")
  p=$(rate "$work/plugin.ini")
  echo "$b" >>"$work/b.txt"
  echo "$p" >>"$work/p.txt"
  printf 'try %d: built-in quadratic %8d runs/s   plugin parabola %8d runs/s\n' "$i" "$b" "$p"
done
median() { sort -g "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mb=$(median "$work/b.txt") mp=$(median "$work/p.txt")
awk -v b="$mb" -v p="$mp" 'BEGIN { printf "median: built-in %.0f runs/s, plugin %.0f runs/s, plugin / built-in = %.3f\n", b, p, p / b }'
