#!/usr/bin/env bash
# bench_ml.sh - a full-batch gradient step of logreg 10^6 x 32 and softmax 10^5 x 64 x 10:
# gdsweep (bench_ml) vs NumPy and PyTorch (bench_ml.py, float64, CPU), 1 and 2 threads.
#
# Usage: bash bench/bench_ml.sh [BUILD_DIR] [SCALE]   (SCALE divides the rows; default 1)
# Each case runs gdsweep, then NumPy/PyTorch, per thread count, in the same minutes, and
# prints seconds per step and the ratios numpy/gdsweep and torch/gdsweep (> 1: gdsweep
# faster). The timings are the best of 3 repeats of ITERATIONS steps. The peers run with
# a warm allocator (bench/peer_env.sh; PEER_MALLOC=default for glibc's defaults).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/peer_env.sh
source "$root/bench/peer_env.sh"
build=${1:-$root/build}
scale=${2:-1}
iterations=10
run_case() { # NAME ROWS FEATURES CLASSES
  local rows=$(($2 / scale))
  echo "== $1: $rows rows x $3 features, $4 classes"
  for t in 1 2; do
    local ours theirs
    ours=$(OMP_NUM_THREADS=$t "$build/bench/bench_ml" -n "$rows" -f "$3" -k "$4" \
             -i "$iterations" -r 3 -t "$t" | awk '/^gdsweep/ {print $3}')
    # shellcheck disable=SC2046 # peer_env prints VAR=VALUE words for env
    theirs=$(env $(peer_env) OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t MKL_NUM_THREADS=$t \
               /usr/bin/python3 "$root/bench/bench_ml.py" "$rows" "$3" "$4" "$iterations" 3 "$t")
    echo "$theirs" | awk -v ours="$ours" -v t="$t" '
      BEGIN { printf "threads %d  gdsweep %.4g s/step\n", t, ours }
      $2 == "-" { print "  " $0; next }
      { printf "  %-6s %.4g s/step  ratio %s/gdsweep = %.2f\n", $1, $3, $1, $3 / ours }'
  done
}
peer_malloc_note
run_case logreg 1000000 32 2
run_case softmax 100000 64 10
