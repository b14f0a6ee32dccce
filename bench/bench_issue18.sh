#!/usr/bin/env bash
# bench_issue18.sh - issue 18's figures in one command, each measured once, one line each.
#
# Usage: bash bench/bench_issue18.sh [BINARY]   (default build/gdsweep; a few minutes)
# 1. start-up: a 1-run grid, median of 5 invocations (bench/bench_startup.sh); target < 0.15 s
# 2. the tiny grid end to end against vectorised NumPy, torch and the floor: one round of
#    bench/bench_tiny_peers.sh (TINY_ROUNDS=N for more); target: >= 60% of the floor
# 3. the commit's costs per step: the tiny grid with GD_PROFILE=1, the writer's lines that
#    name "commit" (where none does: the GD_PROFILE lines there are and the total time in
#    HDF5 of gdsweep's last line)
# 4. peak RSS of one 4096^2 denoise gd run of 5 iterations (/usr/bin/time -v), in MiB and
#    in arrays of 4096^2 doubles (128 MiB); target < 0.6 GiB
# 5. bench/mixed.ini: `mpirun -n 2` (1 thread per rank) against one process with
#    `--threads 2`, wall seconds and the ratio; target: mpirun not slower (the ranks leave
#    out Open MPI's fabric probes themselves on a node without a fabric device,
#    src/parallel/fabric.c); then the one process again with OMP_WAIT_POLICY=passive (on
#    a busy machine the default spins)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
binary=$(realpath "${1:-$root/build/gdsweep}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
load() { cut -d' ' -f1 /proc/loadavg; }
seconds() { # wall seconds of a command, its output to $work/out.txt
  local t0
  t0=$(date +%s%N)
  "$@" >"$work/out.txt" 2>&1
  echo "scale=3; ($(date +%s%N) - $t0) / 10^9" | bc -l
}
echo "issue 18 figures: $binary; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "$(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"

startup=$(bash "$root/bench/bench_startup.sh" 5 "$binary" | tail -1 | awk '{ print $2, $3 }')
echo "1. start-up, 1-run grid: ${startup% *} s median of 5 ${startup#* } (target < 0.15 s; load $(load))"

bash "$root/bench/bench_tiny_peers.sh" "$binary" "${TINY_ROUNDS:-1}" >"$work/tiny.txt"
echo "2. tiny grid end to end, 100,000 runs (bench_tiny_peers.sh, ${TINY_ROUNDS:-1} round(s)):"
grep -E '^[0-9]+ +(gdsweep|numpy|torch|floor) |^gdsweep (vs|at)|allocator' "$work/tiny.txt" |
  sed 's/^/   /'

sed "s/^\[problem quadratic\]$/&\ngradient = numeric/" "$root/bench/tiny_runs.ini" >"$work/tiny.ini"
GD_PROFILE=1 "$binary" "$work/tiny.ini" -o "$work/tiny.h5" --overwrite --quiet --threads 1 \
  >"$work/profile.txt" 2>&1
rm -f "$work/tiny.h5"
echo "3. commit costs, tiny grid, GD_PROFILE=1 (load $(load)):"
if grep -q commit "$work/profile.txt"; then
  grep commit "$work/profile.txt"
else
  echo "(no per-step commit lines in this binary's GD_PROFILE output; what it prints:)"
  grep -E 'profile|^wrote' "$work/profile.txt" || true
fi | sed 's/^/   /'

printf '[sweep]\niterations = 5\n[problem d]\ntype = denoise\nsize = 4096\n[optimizer gd]\nlr = 0.1\n' \
  >"$work/big.ini"
/usr/bin/time -v "$binary" "$work/big.ini" -o "$work/big.h5" --quiet --threads 1 \
  2>"$work/time.txt" >/dev/null
rm -f "$work/big.h5"
awk -F': ' '/Maximum resident set size/ { kb = $2 } END {
  printf "4. peak RSS, one 4096^2 denoise gd run of 5 iterations: %.0f MiB = %.2f GiB", kb / 1024,
    kb / 1048576
  printf " = %.1f arrays of 4096^2 doubles (target < 0.6 GiB)\n", kb / 131072 }' "$work/time.txt"

two_ranks=$(seconds mpirun -n 2 --bind-to core "$binary" "$root/bench/mixed.ini" \
  -o "$work/m2.h5" --quiet --threads 1)
two_threads=$(seconds "$binary" "$root/bench/mixed.ini" -o "$work/m1.h5" --quiet --threads 2)
printf '%s %.2f s, %s %.2f s: ranks / threads = %.2f (target <= 1; load %s)\n' \
  "5. mixed.ini: mpirun -n 2" "$two_ranks" "1 process --threads 2" "$two_threads" \
  "$(echo "$two_ranks / $two_threads" | bc -l)" "$(load)"
passive=$(OMP_WAIT_POLICY=passive seconds "$binary" "$root/bench/mixed.ini" -o "$work/m1.h5" \
  --overwrite --quiet --threads 2)
echo "   (1 process --threads 2 with OMP_WAIT_POLICY=passive: $passive s)"
