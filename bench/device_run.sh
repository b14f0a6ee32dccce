#!/usr/bin/env bash
# device_run.sh - the benchmarks to run on the 16-core device machine, in one go.
#
# Usage (device tool, after ../shared/tools/device-prepare and a build here):
#   . .device/env.sh; bash bench/device_run.sh build 2>&1 | tee $OUT/device.log
# Prints the machine, the denoise kernel against triad, strong scaling of the mixed grid
# and of a cache-resident grid over 1..16 ranks, and the tiny-runs rate.
set -uo pipefail
build=${1:-build}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
echo "== machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
mpirun --version | head -1
echo "== benchmark 1 (denoise 2048^2 vs triad)"
OMP_PROC_BIND=close timeout 120 "$build/bench/bench_denoise"
echo "== benchmark 3: mixed grid (memory-bound kernels)"
REPEATS=8 timeout 300 bash "$root/bench/bench_scaling.sh" "$build/gdsweep" 1 2 4 8 16
echo "== benchmark 3b: cache-resident grid (experiments/showcase.ini)"
GRID=$root/experiments/showcase.ini REPEATS=24 timeout 200 \
  bash "$root/bench/bench_scaling.sh" "$build/gdsweep" 1 2 4 8 16
echo "== benchmark 4: tiny runs"
timeout 60 bash "$root/bench/bench_tiny.sh" "$build/gdsweep"
