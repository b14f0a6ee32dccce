#!/usr/bin/env bash
# loop_instructions.sh - instructions one more iteration of a tiny run costs, per optimizer, counted.
#
# Usage: bash bench/loop_instructions.sh [GRADIENT] BINARY [BINARY...]
#        (GRADIENT: numeric (default) or analytic; a minute per binary)
# For each optimizer type, a grid of 500 quadratic runs (100 start points x 5 learning
# rates, every iteration recorded) runs under callgrind at 100 and at 200 iterations; the
# difference of the two instruction counts over the 50,000 extra iterations (no run stops
# early at these rates) is what one iteration costs the whole process: the loop, its
# records, the batch and HDF5's share of the bytes. A count does not depend on the machine's load, so two builds compare in
# one run on a noisy machine where their timings would not (docs/BENCHMARKS.md, 4b);
# what it leaves out is how fast the core retires them (bench/bench_tiny_loop.c times
# that).
set -euo pipefail
gradient=numeric
case "${1:-}" in numeric | analytic) gradient=$1; shift ;; esac
[ $# -gt 0 ] || { echo "usage: $0 [numeric|analytic] BINARY [BINARY...]" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "loop_instructions: needs valgrind" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
optimizers="gd momentum nag adagrad rmsprop adam adamw amsgrad nadam"

# instructions BINARY OPTIMIZER ITERATIONS: callgrind's instruction count of one sweep.
instructions() {
  printf '[sweep]\niterations = %s\nrecord_every = 1\n[problem quadratic]\ngradient = %s\n' \
    "$3" "$gradient" >"$work/g.ini"
  printf 'x0 = linspace(-10, 10, 100)\n[optimizer %s]\nlr = 0.001, 0.002, 0.005, 0.01, 0.02\n' \
    "$2" >>"$work/g.ini"
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$1" "$work/g.ini" \
    -o "$work/o.h5" --overwrite --quiet --threads 1 >/dev/null 2>"$work/vg.txt" ||
    { cat "$work/vg.txt" >&2; exit 1; }
  grep -o 'refs: *[0-9,]*' "$work/vg.txt" | tr -d ', ' | cut -d: -f2 | grep . ||
    { echo "loop_instructions: no instruction count from callgrind:" >&2; cat "$work/vg.txt" >&2; exit 1; }
}

echo "instructions per iteration, quadratic runs, gradient = $gradient (callgrind)"
printf '%-10s' optimizer
for b in "$@"; do printf ' %14s' "$(basename "$(dirname "$(realpath "$b")")")"; done
echo
for o in $optimizers; do
  printf '%-10s' "$o"
  for b in "$@"; do
    short=$(instructions "$b" "$o" 100)
    long=$(instructions "$b" "$o" 200)
    printf ' %14.1f' "$(echo "($long - $short) / 50000" | bc -l)"
  done
  echo
done
