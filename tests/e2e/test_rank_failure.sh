#!/usr/bin/env bash
# test_rank_failure.sh - a failure on one rank ends the whole job with a clear message,
# never a hang; bad input under mpirun gives one message and creates nothing.
source "$(dirname "$0")/common.sh"

# Instances too big for the address space the test allows: setup fails on whichever
# ranks meet them, mid-sweep, while other ranks are busy with small runs.
cat >"$work/oom.ini" <<'INI'
[sweep]
name = oom
iterations = 5
[problem quadratic]
x0 = linspace(-1, 1, 2000)
[problem denoise]
size = 40000
[optimizer gd]
lr = 0.01, 0.1
INI
for ranks in 2 3; do
  rc=0
  start=$(date +%s)
  ( ulimit -v 6000000
    timeout 120 mpirun -n "$ranks" --oversubscribe "$GD_BINARY" "$work/oom.ini" \
      -o "$work/oom.h5" --quiet ) >"$work/out.txt" 2>"$work/err.txt" || rc=$?
  took=$(( $(date +%s) - start ))
  [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "$ranks ranks: exit $rc (124 = hung until timeout)"
  grep -Eq "gdsweep: rank [0-9]+: run [0-9]+ \(problem denoise\): .*out of memory" "$work/err.txt" \
    || fail "$ranks ranks: no clear message: $(cat "$work/err.txt")"
  [ "$took" -lt 60 ] || fail "$ranks ranks: took $took s to stop"
  echo "ok: $ranks ranks: exit $rc after ${took}s: $(grep -m1 'gdsweep: rank' "$work/err.txt")"
  rm -f "$work/oom.h5"
done

# Bad input under mpirun: exit 2, the message once (rank 0), no file.
printf '[sweep]\nname = bad\n[problem quadratic]\n[optimizer gd]\nlr = 0\n' >"$work/bad.ini"
rc=0
mpirun -n 2 "$GD_BINARY" "$work/bad.ini" -o "$work/bad.h5" 2>"$work/err.txt" >/dev/null || rc=$?
[ "$rc" -eq 2 ] || fail "bad grid under mpirun: exit $rc"
[ "$(grep -c 'bad.ini:5' "$work/err.txt")" -eq 1 ] || fail "bad grid: message not exactly once: $(cat "$work/err.txt")"
[ ! -e "$work/bad.h5" ] || fail "bad grid: output created"
rc=0
mpirun -n 2 "$GD_BINARY" "$work/bad.ini" -o "$work/missing/dir/x.h5" 2>"$work/err.txt" >/dev/null || rc=$?
grep -q "bad.ini:5" "$work/err.txt" || fail "the grid is checked before the output: $(cat "$work/err.txt")"
finish
