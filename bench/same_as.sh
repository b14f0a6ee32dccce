#!/usr/bin/env bash
# same_as.sh - whether two gdsweep binaries give the same results, bit for bit (issue 17).
#
# Usage: bash bench/same_as.sh BEFORE AFTER
# Runs both binaries on the tiny grid (bench/tiny_runs.ini: gd and adam; analytic and
# numeric gradient), experiments/seed.ini, experiments/showcase.ini and
# bench/loop_paths.ini (every branch of the run loop), with 1 and 2
# threads and with 2 MPI ranks, and compares each pair of files with
# bench/same_results.py (every series and runs-table column but the timings). Prints one
# line per case; exit status 0 when every case is the same.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
before=$(realpath "$1")
after=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for g in analytic numeric; do
  sed "s/^\[problem quadratic\]$/&\ngradient = $g/" "$root/bench/tiny_runs.ini" >"$work/tiny_$g.ini"
done
cp "$root/experiments/seed.ini" "$root/experiments/showcase.ini" "$root/bench/loop_paths.ini" \
  "$work/"
run() { # BINARY GRID OUT HOW: stderr shown only when the run fails
  local how=$4 rc=0
  if [ "$how" = ranks2 ]; then
    mpirun --allow-run-as-root -np 2 "$1" "$2" -o "$3" --overwrite --quiet --threads 1 \
      >/dev/null 2>"$work/stderr.txt" || rc=$?
  else
    "$1" "$2" -o "$3" --overwrite --quiet --threads "${how#threads}" \
      >/dev/null 2>"$work/stderr.txt" || rc=$?
  fi
  [ "$rc" = 0 ] || { cat "$work/stderr.txt"; exit "$rc"; }
}
failed=0
for grid in tiny_analytic tiny_numeric seed showcase loop_paths; do
  for how in threads1 threads2 ranks2; do
    run "$before" "$work/$grid.ini" "$work/before.h5" "$how"
    run "$after" "$work/$grid.ini" "$work/after.h5" "$how"
    if /usr/bin/python3 "$root/bench/same_results.py" "$work/before.h5" "$work/after.h5" \
        >"$work/cmp.txt"; then
      echo "same   $grid $how"
    else
      echo "DIFFER $grid $how"; grep DIFFERS "$work/cmp.txt"; failed=1
    fi
  done
done
exit $failed
