#!/usr/bin/env bash
# bench_tiny_peers.sh - benchmark 4b: the tiny grid in gdsweep, vectorised NumPy, torch, the floor.
#
# Usage: bash bench/bench_tiny_peers.sh [BINARY] [ROUNDS]   (defaults: build/gdsweep, 5)
# bench/tiny_runs.ini (100,000 quadratic runs, gd and adam, 100 iterations, every
# iteration recorded) with `gradient = numeric` (GRADIENT=analytic for the file as is),
# against bench/tiny_peers.py's NumPy sweep vectorised over all runs and its batched
# PyTorch sweep (float64, one thread), both writing the same series with h5py, run with a
# warm allocator (bench/peer_env.sh), and against the floor: bench/tiny_floor (next to
# BINARY in bench/, or FLOOR=PATH) computing the same runs with gdsweep's own loop and
# pwrite-ing as many raw bytes per run as gdsweep's file of that round holds.
# Interleaved ROUNDS times, end to end (process start to exit), each after a `sync` (untimed:
# no peer pays for the writes another left unsynced); prints wall s, runs/s,
# gdsweep's HDF5 share, the ratios (best and median), gdsweep's share of the floor
# (floor time / gdsweep time, target >= 60%), bytes per run of each output, the durable
# floor (dd writing and syncing as many bytes as gdsweep's file holds: what any runner
# that keeps its results on disk pays at least, against the time the targets leave) and
# dd's sequential write bandwidth into the same directory (TMPDIR), measured in this run.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
binary=${1:-$root/build/gdsweep}
floor=${FLOOR:-$(dirname "$binary")/bench/tiny_floor}
# shellcheck source=bench/peer_env.sh
source "$root/bench/peer_env.sh"
rounds=${2:-5}
gradient=${GRADIENT:-numeric}
py=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed "s/^\[problem quadratic\]$/&\ngradient = $gradient/" "$root/bench/tiny_runs.ini" >"$work/grid.ini"
runs=100000
if [ ! -x "$floor" ]; then
  echo "bench_tiny_peers: no $floor (build with -DGD_BENCH=ON, or FLOOR=PATH)" >&2
  exit 2
fi
echo "benchmark 4b: 100,000 tiny runs (gradient = $gradient), $rounds rounds; $(uptime)"
peer_malloc_note
wall() { # wall seconds of a command, its stdout to $work/last.txt
  local t0 t1
  # the writes the previous peers left in the page cache reach the disk first (untimed):
  # otherwise gdsweep's fsyncs queue behind the ~850 MB the peers never sync
  sync -f "$work"
  t0=$(date +%s.%N); "$@" >"$work/last.txt"; t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
printf '%-6s %-8s %9s %10s %s\n' round peer "wall [s]" "runs/s" "detail"
for i in $(seq "$rounds"); do
  for peer in gdsweep numpy torch floor; do
    if [ "$peer" = gdsweep ]; then
      s=$(wall "$binary" "$work/grid.ini" -o "$work/gdsweep.h5" --overwrite --quiet --threads 1)
      detail=$(sed -n 's/.* \([0-9.]*\) s writing HDF5, \([0-9.]*\) s waited.*/\1 \2/p' \
        "$work/last.txt" | awk -v s="$s" '{ printf "HDF5 %.3f s (%.0f%%) on the writer thread, " \
        "waited for %.3f s (%.0f%%)", $1, 100 * $1 / s, $2, 100 * $2 / s }')
    elif [ "$peer" = floor ]; then
      bytes=$(( $(stat -c %s "$work/gdsweep.h5") / runs ))
      s=$(wall "$floor" "$work/grid.ini" "$bytes" "$work/floor.raw")
      detail=$(sed 's/.* s (\(.*\))/\1/' "$work/last.txt")
    else
      # shellcheck disable=SC2046 # peer_env prints VAR=VALUE words for env
      s=$(wall env $(peer_env) "$py" "$root/bench/tiny_peers.py" "$peer" "$work/$peer.h5" "$gradient")
      detail=$(sed 's/.* s (\(.*\))/\1/' "$work/last.txt")
    fi
    echo "$peer $s" >>"$work/times.txt"
    printf '%-6s %-8s %9.3f %10.0f %s\n' "$i" "$peer" "$s" "$(echo "$runs / $s" | bc -l)" "$detail"
  done
done
stats() { awk -v p="$1" '$1 == p { print $2 }' "$work/times.txt" | sort -g |
  awk '{ v[NR] = $1 } END { printf "%s %s", v[1], v[int((NR + 1) / 2)] }'; }
read -r g_best g_med <<<"$(stats gdsweep)"
for peer in numpy torch; do
  read -r best med <<<"$(stats "$peer")"
  printf 'gdsweep vs %-6s best %.3f / %.3f s = %.2fx, median %.3f / %.3f s = %.2fx\n' \
    "$peer" "$g_best" "$best" "$(echo "$best / $g_best" | bc -l)" \
    "$g_med" "$med" "$(echo "$med / $g_med" | bc -l)"
done
read -r f_best f_med <<<"$(stats floor)"
printf 'gdsweep at %.0f%% of the floor (floor / gdsweep time, best), %.0f%% (median); target >= 60%%\n' \
  "$(echo "100 * $f_best / $g_best" | bc -l)" "$(echo "100 * $f_med / $g_med" | bc -l)"
printf 'gdsweep best %.0f runs/s (target 300,000), median %.0f\n' \
  "$(echo "$runs / $g_best" | bc -l)" "$(echo "$runs / $g_med" | bc -l)"
for out in gdsweep.h5 numpy.h5 torch.h5 floor.raw; do
  peer=${out%.*}
  b=$(stat -c %s "$work/$out")
  printf 'bytes per run, %-7s %6.0f (%d bytes)\n' "$peer" "$(echo "$b / $runs" | bc -l)" "$b"
done
echo "raw records per run: 101 x (loss 8 + grad_norm 8 + x 8) = 2424 (iteration, the constant lr and batch_loss follow from the runs table)"
g_bytes=$(stat -c %s "$work/gdsweep.h5")
# durable_seconds: seconds dd takes to copy gdsweep's file (its very bytes, from the page
# cache) and fdatasync the copy; best of 3
durable_seconds() {
  for _ in 1 2 3; do
    dd if="$work/gdsweep.h5" of="$work/dd.bin" bs=1M conv=fdatasync 2>&1 | tail -1 |
      awk '{ for (i = 2; i <= NF; i++) if ($i == "s,") print $(i - 1) }'
    rm -f "$work/dd.bin"
  done | sort -g | head -1
}
cat "$work/gdsweep.h5" >/dev/null # in the page cache: dd's time is the writing
durable=$(durable_seconds)
[ -n "$durable" ] || { echo "bench_tiny_peers: dd failed" >&2; exit 1; }
rm -f "$work"/*.h5 "$work/floor.raw"
read -r n_best _ <<<"$(stats numpy)"
printf 'durable floor: gdsweep'"'"'s %d bytes copied and synced by dd alone take %.3f s (best of 3);\n' \
  "$g_bytes" "$durable"
printf '  300,000 runs/s end to end leaves %.3f s for the whole process, 5x NumPy'"'"'s best %.3f s\n' \
  "$(echo "$runs / 300000" | bc -l)" "$(echo "$n_best / 5" | bc -l)"
dd_rate() { dd if=/dev/zero of="$work/dd.bin" bs=1M count=512 "$@" 2>&1 | tail -1 | sed 's/.*, //'; rm -f "$work/dd.bin"; }
echo "dd 512 MiB sequential write: $(dd_rate) (page cache), $(dd_rate conv=fdatasync) (with fdatasync)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
