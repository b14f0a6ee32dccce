#!/usr/bin/env bash
# bench_scaling.sh - benchmark 3: strong scaling of one mixed grid over MPI ranks.
#
# Usage: bash bench/bench_scaling.sh [BINARY] [RANKS...]    (default: build/gdsweep 1 2)
#        REPEATS=8 bash bench/bench_scaling.sh build/gdsweep 1 2 4 8 16   (device machine)
#        GRID=experiments/showcase.ini REPEATS=16 bash bench/bench_scaling.sh   (cache-resident)
# Runs bench/mixed.ini (or $GRID; `repeats` = $REPEATS, default 2) with 1 thread per rank at
# each rank count, checks every layout wrote identical results (timings and storage
# offsets aside), and prints wall time,
# speed-up and parallel efficiency against 1 rank. Target: 2 ranks >= 1.8x, 16 >= 14x.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
binary=${1:-$root/build/gdsweep}
shift || true
ranks=("$@")
[ ${#ranks[@]} -gt 0 ] || ranks=(1 2)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
grid=${GRID:-$root/bench/mixed.ini}
sed "s/^repeats = .*/repeats = ${REPEATS:-2}/" "$grid" >"$work/mixed.ini"

echo "benchmark 3: strong scaling, $(basename "$grid"), repeats=${REPEATS:-2}, 1 thread per rank"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
"$binary" "$work/mixed.ini" --dry-run | tail -2
printf '%6s %10s %9s %11s\n' ranks "wall [s]" speed-up efficiency
base=""
for n in "${ranks[@]}"; do
  mpirun -n "$n" --bind-to core "$binary" "$work/mixed.ini" -o "$work/r$n.h5" --quiet \
    --threads 1 >"$work/r$n.txt"
  wall=$(sed -n 's/.* runs in \([0-9.]*\) s .*/\1/p' "$work/r$n.txt")
  [ -n "$base" ] || base=$wall
  awk -v n="$n" -v w="$wall" -v b="$base" \
    'BEGIN { printf "%6d %10.2f %9.2fx %10.0f%%\n", n, w, b / w, 100 * b / w / n }'
done
"$(command -v /usr/bin/python3 || command -v python3)" - "$work" "${ranks[@]}" <<'PY'
import sys
try:
    import h5py
except ImportError:
    sys.exit("h5py is not installed here: layouts not compared")
work, ranks = sys.argv[1], sys.argv[2:]
ref = h5py.File(f"{work}/r{ranks[0]}.h5")["runs"][:]
keep = [c for c in ref.dtype.names if c not in ("rank", "threads", "wall_seconds")
        and not c.endswith("_offset") and not c.startswith("seconds_to_")]
for n in ranks[1:]:
    t = h5py.File(f"{work}/r{n}.h5")["runs"][:]
    same = all(ref[c].tobytes() == t[c].tobytes() for c in keep)
    print(f"{n} ranks: results {'identical to' if same else 'DIFFERENT from'} {ranks[0]} rank(s)")
PY
