# common.sh - shared helpers for the end-to-end shell tests (sourced, not run).
# Needs GD_BINARY (set by ctest). Each test gets a fresh temporary directory in $work.
set -euo pipefail
: "${GD_BINARY:?run through ctest (GD_BINARY unset)}"
e2e_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GD_SOURCE_DIR=${GD_SOURCE_DIR:-$(cd "$e2e_dir/../.." && pwd)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# seconds S: a time limit of S seconds for the plain build, GD_TEST_SLOWDOWN times more
# for a slower one (.ci/hardening.sh sets 4 for the ASan build).
seconds() { echo $(($1 * ${GD_TEST_SLOWDOWN:-1})); }

# cap_memory KB command...: runs command with its memory capped at KB KiB: ulimit -v for
# a plain build; under ASan (whose shadow memory cannot live under ulimit -v) its own
# hard_rss_limit_mb, which ends the process with a report that fails CI.
cap_memory() {
  local kb=$1; shift
  if [ -n "${ASAN_OPTIONS:-}" ]; then
    ASAN_OPTIONS="$ASAN_OPTIONS:hard_rss_limit_mb=$((kb / 1024))" "$@"
  else
    (ulimit -v "$kb"; exec "$@")
  fi
}

# expect_usage_error NAME PATTERN -- command...: exit 2, one stderr line matching PATTERN.
expect_usage_error() {
  local name=$1 pattern=$2; shift 3
  local rc=0
  "$@" >"$work/out.txt" 2>"$work/err.txt" || rc=$?
  local lines; lines=$(wc -l <"$work/err.txt")
  if [ "$rc" -ne 2 ]; then fail "$name: exit $rc, expected 2 ($(cat "$work/err.txt"))"
  elif [ "$lines" -ne 1 ]; then fail "$name: $lines stderr lines, expected 1: $(cat "$work/err.txt")"
  elif ! grep -Eq -- "$pattern" "$work/err.txt"; then fail "$name: '$(cat "$work/err.txt")' lacks /$pattern/"
  else echo "ok: $name: $(cat "$work/err.txt")"; fi
}

# wait_until_writing OUT PID: return once the sweep writing OUT has started (OUT or its
# .creating file exists: every rank is past MPI start-up), so a signal sent now reaches
# gdsweep and not a launcher still starting it; fails after 60 s or if PID ended.
wait_until_writing() {
  local out=$1 pid=$2 tries=0
  until [ -e "$out" ] || [ -e "$out.creating" ]; do
    kill -0 "$pid" 2>/dev/null || { fail "the sweep writing $out ended before it started"; return 1; }
    tries=$((tries + 1)); [ "$tries" -lt 1200 ] || { fail "no $out after 60 s"; return 1; }
    sleep 0.05
  done
}

# wait_for_file FILE PID [ERR]: return once FILE exists; fails (with ERR, the stderr of
# PID, when given) after 60 s or if PID ended first.
wait_for_file() {
  local file=$1 pid=$2 err=${3:-/dev/null} tries=0
  until [ -e "$file" ]; do
    kill -0 "$pid" 2>/dev/null || { fail "pid $pid ended before $file existed: $(head -c 400 "$err")"; return 1; }
    tries=$((tries + 1)); [ "$tries" -lt 1200 ] || { fail "no $file after 60 s"; return 1; }
    sleep 0.02
  done
}

# write_busy_grid FILE ITERATIONS: the write-heavy grid of the disk tests (1540 runs,
# every iteration recorded, quadratic and denoise, gd and adam).
write_busy_grid() {
  cat >"$1" <<INI
[sweep]
name = busy
seed = 5
iterations = $2
record_every = 1
[problem quadratic]
x0 = linspace(-5, 5, 300)
[problem denoise]
size = 64
lambda = linspace(0.5, 4, 8)
[optimizer gd]
lr = 0.001, 0.01, 0.3
[optimizer adam]
lr = 0.01, 0.1
INI
}

# write_one_run_grid FILE: one quadratic gd run of 5 iterations (the start-up tests).
write_one_run_grid() {
  printf '[sweep]\niterations = 5\n[problem q]\ntype = quadratic\n[optimizer gd]\nlr = 0.1\n' >"$1"
}

# sweep_quiet ARGS...: gdsweep ARGS --quiet --threads 1, its stdout discarded.
sweep_quiet() { "$GD_BINARY" "$@" --quiet --threads 1 >/dev/null; }

# identical A.h5 B.h5: succeeds when gdtest.py's sweep_differences finds every result of
# the two sweep files bit-identical; prints the first differences.
identical() { /usr/bin/python3 - "$e2e_dir" "$1" "$2" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
from gdtest import sweep_differences
d = sweep_differences(sys.argv[2], sys.argv[3])
print(d[:3]); sys.exit(1 if d else 0)
PY
}

# checksums FILE...: one md5 a line, to see that a refused command changed nothing.
checksums() { md5sum "$@" | cut -d' ' -f1; }

finish() {
  if [ "$failures" -gt 0 ]; then echo "$failures check(s) failed"; exit 1; fi
  echo "all checks passed"
}
