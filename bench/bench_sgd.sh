#!/usr/bin/env bash
# bench_sgd.sh - minibatch logreg (10^6 x 32, batch 256, shuffled epochs): iterations per
# second of gdsweep's run loop (bench_ml -b) vs a PyTorch loop (bench_sgd.py: float64, CPU,
# torch.optim.SGD and Adam), 1 thread, in the same minutes.
#
# Usage: bash bench/bench_sgd.sh [BUILD_DIR] [SCALE]   (SCALE divides the rows; default 1)
# Prints seconds per iteration, iterations per second and the ratio torch/gdsweep (> 1:
# gdsweep faster). gdsweep: the best of 2 differences of runs of 2 I and I iterations
# (I = 40000); torch: the best of 2 loops of I iterations.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build}
scale=${2:-1}
rows=$((1000000 / scale))
iterations=40000
echo "== logreg: $rows rows x 32 features, batch 256, 1 thread"
ours=$(OMP_NUM_THREADS=1 "$build/bench/bench_ml" -n "$rows" -f 32 -k 2 -i "$iterations" \
         -r 2 -t 1 -b 256)
theirs=$(OMP_NUM_THREADS=1 /usr/bin/python3 "$root/bench/bench_sgd.py" "$rows" 32 256 \
           "$iterations" 2 1)
printf '%s\n%s\n' "$ours" "$theirs" | awk '
  /^gdsweep-gd/ { g["sgd"] = $3 } /^gdsweep-adam/ { g["adam"] = $3 }
  /^torch-sgd/ { t["sgd"] = $3 } /^torch-adam/ { t["adam"] = $3 }
  /^torch -/ { print "  torch not installed"; exit }
  END {
    for (k in g)
      if (k in t)
        printf "  %-4s gdsweep %.3g s/it (%.0f it/s)  torch %.3g s/it (%.0f it/s)  torch/gdsweep = %.2f\n",
               k, g[k], 1 / g[k], t[k], 1 / t[k], t[k] / g[k]
  }'
