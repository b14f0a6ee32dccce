#!/usr/bin/env bash
# bench_memory.sh - peak resident memory of one SIZE x SIZE denoise run (5 iterations, one
# thread, the final point saved), gd and adam, for one or more binaries (e.g. one built
# before a change and one after): MiB, and arrays of n = SIZE^2 doubles, in all and above
# the process itself (the peak of the same grid at 16 x 16). With RANKS > 1 it runs under
# `mpirun -n RANKS` and prints the largest rank's peak (the run lands on one rank; the
# others hold only the process).
#
# Usage: bash bench/bench_memory.sh [SIZE [RANKS]] BINARY [BINARY...]
#        (default: 4096 1 build/gdsweep)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
size=4096 ranks=1
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then size=$1; shift; fi
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then ranks=$1; shift; fi
binaries=("${@:-$root/build/gdsweep}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A child's peak counts the pages it held before its exec (its parent's): a bare Python
# (a few MiB) starts gdsweep and prints its ru_maxrss in KiB.
cat >"$work/peak.py" <<'EOF'
import os, sys
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ,
                     file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)])
_, status, usage = os.wait4(pid, 0)
print(usage.ru_maxrss)
sys.exit(os.waitstatus_to_exitcode(status))
EOF

grid() { # SIZE OPTIMIZER
  printf '[sweep]\nname = mem\nseed = 1\niterations = 5\n[problem img]\ntype = denoise\n'
  printf 'size = %s\nlambda = 0.5\nsave_final = true\n[optimizer %s]\nlr = 0.01\n' "$1" "$2"
}

peak_kib() { # BINARY SIZE OPTIMIZER: the largest rank's peak
  grid "$2" "$3" >"$work/g.ini"
  local launch=()
  if ((ranks > 1)); then
    launch=(mpirun --allow-run-as-root --oversubscribe -n "$ranks")
  fi
  "${launch[@]}" /usr/bin/python3 -I -S "$work/peak.py" "$1" "$work/g.ini" \
    -o "$work/o.h5" --overwrite --quiet --threads 1 | sort -g | tail -1
}

array_mib=$(awk -v s="$size" 'BEGIN { print s * s * 8 / 1048576 }')
echo "denoise ${size}x${size}, 5 iterations, 1 thread, ${ranks} rank(s); an array of n" \
  "doubles = ${array_mib} MiB; load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s %-5s %10s %8s %14s\n' binary opt 'peak MiB' arrays 'above process'
for b in "${binaries[@]}"; do
  base=$(peak_kib "$b" 16 gd)
  for opt in gd adam; do
    kib=$(peak_kib "$b" "$size" "$opt")
    awk -v b="$b" -v o="$opt" -v k="$kib" -v base="$base" -v a="$array_mib" 'BEGIN {
      printf "%-44s %-5s %10.1f %8.2f %14.2f\n", b, o, k / 1024, k / 1024 / a,
        (k - base) / 1024 / a }'
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
