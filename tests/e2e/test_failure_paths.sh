#!/usr/bin/env bash
# test_failure_paths.sh - a failure on any rank after the ranks started ends the job through
# the one abort path: exit 1, one gdsweep line on stderr, never a hang. The failures are
# injected (GD_INJECT_FAILURE, a test-only switch read in src/util/inject.c): rank 0's plan
# creation, rank 0's compute thread start, rank 1's tally. Each one used to hang the job.
source "$(dirname "$0")/common.sh"

cat >"$work/grid.ini" <<'INI'
[sweep]
name = failure
iterations = 50
[problem quadratic]
x0 = linspace(-1, 1, 20)
[optimizer gd]
lr = 0.01, 0.1, 0.2
INI

limit=$(seconds 60)
for point in plan local_worker tally_rank1; do
  rc=0
  start=$(date +%s)
  GD_INJECT_FAILURE=$point timeout "$limit" mpirun -n 2 "$GD_BINARY" "$work/grid.ini" \
    -o "$work/$point.h5" --quiet --threads 1 >"$work/out.txt" 2>"$work/err.txt" || rc=$?
  took=$(( $(date +%s) - start ))
  if [ "$rc" -eq 124 ]; then
    fail "$point: hung (killed by timeout after $limit s)"
    continue
  fi
  [ "$rc" -eq 1 ] || fail "$point: exit $rc, not 1: $(cat "$work/err.txt")"
  lines=$(grep -c '^gdsweep' "$work/err.txt" || true)
  [ "$lines" -eq 1 ] || fail "$point: $lines gdsweep lines on stderr, not 1: $(cat "$work/err.txt")"
  grep -q "injected failure: $point" "$work/err.txt" \
    || fail "$point: the message does not name the failure: $(cat "$work/err.txt")"
  echo "ok: $point: exit $rc after ${took}s: $(grep -m1 '^gdsweep' "$work/err.txt")"
done

# Without the switch the same grid runs to the end (the injection is off by default).
rc=0
mpirun -n 2 "$GD_BINARY" "$work/grid.ini" -o "$work/ok.h5" --quiet --threads 1 \
  >/dev/null 2>"$work/err.txt" || rc=$?
[ "$rc" -eq 0 ] || fail "no injection: exit $rc: $(cat "$work/err.txt")"
finish
