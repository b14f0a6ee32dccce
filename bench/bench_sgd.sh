#!/usr/bin/env bash
# bench_sgd.sh - minibatch logreg (10^6 x 32, batch 256, shuffled epochs): iterations per
# second of gdsweep's run loop (bench_ml -b) vs a PyTorch loop (bench_sgd.py: float64, CPU,
# torch.optim.SGD and Adam), 1 thread, in the same minutes.
#
# Usage: bash bench/bench_sgd.sh [BUILD_DIR] [SCALE]   (SCALE divides the rows; default 1)
# Then the monitoring cost (below).
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
