#!/usr/bin/env bash
# bench_sgd.sh - minibatch iterations per second of gdsweep's run loop (bench_ml -b) vs a
# PyTorch loop (bench_sgd.py: float64, CPU, torch.optim.SGD and Adam), 1 thread, shuffled
# epochs: logreg on 10^6 x 32 rows, batch 256, and softmax on 10^5 x 64 rows, 10 classes,
# batch 128; per problem gdsweep and torch alternate, ROUNDS times, so both see the same
# minutes of a shared machine.
#
# Usage: bash bench/bench_sgd.sh [BUILD_DIR] [SCALE] [ROUNDS]   (SCALE divides the rows;
# default 1; ROUNDS default 3). BENCH_ML_BASE=PATH also times another bench_ml binary (a
# build before a change) in each round. Then the monitoring cost (below).
# Prints per problem and optimizer the medians over the rounds of seconds per iteration,
# iterations per second and the ratio torch/gdsweep of the medians (> 1: gdsweep faster).
# A round's gdsweep figure: the difference of runs of 2 I and I iterations, divided by I
# (what a run does once cancels); torch's: a loop of I iterations; both in process CPU seconds
# (one thread each: the other load of a shared machine does not count). torch runs with a
# warm allocator (bench/peer_env.sh; PEER_MALLOC=default for glibc's defaults).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/peer_env.sh
source "$root/bench/peer_env.sh"
build=${1:-$root/build}
scale=${2:-1}
rounds=${3:-3}

# compare NAME ROWS FEATURES CLASSES BATCH ITERATIONS: the rounds, then the medians.
compare() {
  local name=$1 rows=$2 features=$3 classes=$4 batch=$5 iterations=$6
  echo "== $name: $rows rows x $features features, $classes classes, batch $batch, 1 thread," \
       "$rounds rounds, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  peer_malloc_note
  for ((r = 0; r < rounds; r++)); do
    OMP_NUM_THREADS=1 "$build/bench/bench_ml" -n "$rows" -f "$features" -k "$classes" \
      -i "$iterations" -r 1 -t 1 -b "$batch"
    # shellcheck disable=SC2046 # peer_env prints VAR=VALUE words for env
    env $(peer_env) OMP_NUM_THREADS=1 /usr/bin/python3 "$root/bench/bench_sgd.py" "$rows" "$features" \
      "$classes" "$batch" "$iterations" 1 1
    if [[ -n ${BENCH_ML_BASE:-} ]]; then
      OMP_NUM_THREADS=1 "$BENCH_ML_BASE" -n "$rows" -f "$features" -k "$classes" \
        -i "$iterations" -r 1 -t 1 -b "$batch" | sed 's/^gdsweep/base/'
    fi
  done | awk '
    /^(gdsweep|base|torch)-/ { split($1, k, "-"); v[k[1], k[2]] = v[k[1], k[2]] " " $3 }
    /^torch -/ { print "  torch not installed" }
    function median(list,   a, n, i, j, t) {
      n = split(list, a, " ")
      for (i = 1; i <= n; i++)
        for (j = i + 1; j <= n; j++)
          if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    END {
      split("gd sgd adam adam", pair, " ")
      for (i = 1; i <= 3; i += 2) {
        g = median(v["gdsweep", pair[i]]); t = median(v["torch", pair[i + 1]])
        if (g == "" || t == "") continue
        printf "  %-4s gdsweep %.3g s/it (%.0f it/s)  torch %.3g s/it (%.0f it/s)  torch/gdsweep = %.2f\n",
               pair[i], g, 1 / g, t, 1 / t, t / g
        printf "       rounds: gdsweep%s  torch%s\n", v["gdsweep", pair[i]], v["torch", pair[i + 1]]
        if (("base", pair[i]) in v) {
          b = median(v["base", pair[i]])
          printf "       base %.3g s/it (torch/base = %.2f, base/gdsweep = %.2f)%s\n",
                 b, t / b, b / g, v["base", pair[i]]
        }
      }
    }'
}

compare logreg $((1000000 / scale)) 32 2 256 40000
compare softmax $((100000 / scale)) 64 10 128 20000

[[ ${BENCH_SGD_MONITOR:-1} == 1 ]] || exit 0  # BENCH_SGD_MONITOR=0: the comparison only

# Monitoring cost: the same model on 10^5 rows (a CSV written here), 2000 iterations of
# batch 256 with adam, record_every = 1, 10, 100 and 2000 (the start and the end only);
# the share of a run's wall time spent on the full objective at record points is
# 1 - (wall of record_every = 2000) / (wall of record_every = r), up to the 2 evaluations
# every run makes.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$work/t.csv" "$((100000 / scale))" <<'PY'
import sys
import numpy as np
rng = np.random.default_rng(1)
x = rng.normal(size=(int(sys.argv[2]), 32))
y = (x @ rng.normal(size=32) + rng.normal(size=len(x)) > 0).astype(int)
np.savetxt(sys.argv[1], np.column_stack([x, y]), delimiter=",", fmt="%.6g",
           header=",".join([f"x{j}" for j in range(32)] + ["target"]), comments="")
PY
echo "== monitoring: $((100000 / scale)) rows x 32, batch 256, 2000 iterations, adam"
for every in 1 10 100 2000; do
  cat > "$work/m$every.ini" <<INI
[sweep]
record_every = $every
[problem p]
type = logreg
data = t.csv
test_fraction = 0
batch_size = 256
iterations = 2000
[optimizer adam]
lr = 0.01
INI
  OMP_NUM_THREADS=1 "$build/gdsweep" "$work/m$every.ini" -o "$work/m$every.h5" --quiet \
    --threads 1 > /dev/null
  /usr/bin/python3 -c "
import h5py, sys
r = h5py.File(sys.argv[1])['runs'][0]
print(sys.argv[2], r['wall_seconds'], r['monitor_loss_evals'])" "$work/m$every.h5" "$every"
done | awk '{ wall[$1] = $2; evals[$1] = $3; order[NR] = $1 }
  END { for (i = 1; i <= NR; i++) { r = order[i]
          printf "  record_every %-5s wall %.3g s  monitoring evaluations %d  share %.0f%%\n",
                 r, wall[r], evals[r], 100 * (1 - wall[2000] / wall[r]) } }'
