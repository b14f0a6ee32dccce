#!/usr/bin/env bash
# test_signals.sh - SIGTERM/SIGINT/SIGUSR1: stop, commit, exit 3, resume to identical
# results; a second signal or the end of --grace abandons long runs; bad resume, shard
# and status input: one line, exit 2, nothing changed on disk.
source "$(dirname "$0")/common.sh"
cat >"$work/g.ini" <<'INI'
[sweep]
name = signals
iterations = 300
record_every = 10
[problem quadratic]
x0 = linspace(-5, 5, 300)
[problem denoise]
size = 300
lambda = 0.5, 1, 2, 4
[optimizer gd]
lr = 0.001, 0.01
[optimizer adam]
lr = 0.01, 0.1
INI
g=$work/g.ini
sweep_quiet "$g" -o "$work/ref.h5"

# One process and under mpirun: a signal mid-sweep gives exit 3 and a resumable file.
for how in "TERM single" "INT single" "USR1 mpirun"; do
  set -- $how; sig=$1 launcher=$2; out=$work/$sig.h5
  # 0.4 s after the file appears the single process had committed 1203 of 1216 runs on a
  # quiet machine: a sweep that finished first (exit 0) is run again, signalled sooner.
  for pause in 0.4 0.2 0.1 0.05 0; do
    rm -f "$out" "$out".*
    if [ "$launcher" = mpirun ]; then
      mpirun -n 2 "$GD_BINARY" "$g" -o "$out" --quiet --threads 1 >/dev/null 2>"$work/err.txt" &
    else
      "$GD_BINARY" "$g" -o "$out" --quiet --threads 1 >/dev/null 2>"$work/err.txt" &
    fi
    pid=$!; wait_until_writing "$out" $pid; sleep $pause
    kill -"$sig" $pid 2>/dev/null || true; rc=0; wait $pid || rc=$?
    [ "$rc" -eq 0 ] || break
  done
  [ "$rc" -eq 3 ] || fail "SIG$sig ($launcher): exit $rc, expected 3: $(cat "$work/err.txt")"
  grep -Eq "^interrupted: [0-9]+ of 1216 runs committed; resume with: gdsweep .*g.ini --resume" \
    "$work/err.txt" || fail "SIG$sig ($launcher): message: $(cat "$work/err.txt")"
  rc=0; "$GD_BINARY" status "$out" >/dev/null || rc=$?
  [ "$rc" -eq 3 ] || fail "SIG$sig: status of the interrupted file exit $rc, expected 3"
  sweep_quiet "$g" -o "$out" --resume || fail "SIG$sig: resume failed"
  identical "$work/ref.h5" "$out" >/dev/null || fail "SIG$sig ($launcher): resumed file differs"
  "$GD_BINARY" status "$out" >/dev/null || fail "SIG$sig: status after resume not 0"
  echo "ok: SIG$sig ($launcher): exit 3, $(grep -o '[0-9]* of 1216' "$work/err.txt") committed, resumed identical"
done
out=$(cd "$work" && "$GD_BINARY" "$g" -o "$work/TERM.h5" --resume)
echo "$out" | grep -q "already complete" || fail "resuming a finished sweep: $out"

# Long runs: a second signal cuts the grace period short; without it, --grace ends it.
# The limits leave the exit itself time (the ASan build took up to 3.5 s to exit on
# a loaded machine): stopped by the second signal means well before the grace would end.
grace=$(( ${GD_TEST_SLOWDOWN:-1} > 1 ? 20 : 10 ))
printf '[sweep]\nname = long\n[problem denoise]\nsize = 600\niterations = 100000\n[optimizer gd]\nlr = 0.01\n' >"$work/long.ini"
for mode in second grace; do
  "$GD_BINARY" "$work/long.ini" -o "$work/long-$mode.h5" --quiet --threads 1 --grace $grace \
    >/dev/null 2>"$work/err.txt" &
  pid=$!; wait_until_writing "$work/long-$mode.h5" $pid; sleep 0.5
  start=$(date +%s%N); kill -TERM $pid
  if [ $mode = second ]; then sleep 0.3; kill -TERM $pid; fi
  rc=0; wait $pid || rc=$?; ms=$(( ($(date +%s%N) - start) / 1000000 ))
  if [ $mode = second ]; then low=0 high=$(( grace * 1000 - 1000 )); else low=$(( grace * 1000 )) high=$(( grace * 1000 + $(seconds 4) * 1000 )); fi
  [ "$rc" -eq 3 ] && [ "$ms" -ge "$low" ] && [ "$ms" -lt "$high" ] ||
    fail "long run, $mode: exit $rc after ${ms} ms, expected $low..$high ms"
  grep -q "interrupted: 0 of 1 runs committed" "$work/err.txt" || fail "long run, $mode: $(cat "$work/err.txt")"
  echo "ok: long run, stopped by the $mode: exit 3 after ${ms} ms"
done

# Bad input: one line, exit 2, the file untouched.
before=$(checksums "$work/ref.h5")
printf '[sweep]\nname = other\n[problem quadratic]\n[optimizer gd]\n' >"$work/other.ini"
expect_usage_error "resume with another grid" "written by another grid.*line 2" -- \
  "$GD_BINARY" "$work/other.ini" -o "$work/ref.h5" --resume
expect_usage_error "resume without a file" "does not exist: nothing to resume" -- \
  "$GD_BINARY" "$g" -o "$work/none.h5" --resume
echo "not hdf5" >"$work/text.h5"
expect_usage_error "resume a non-gdsweep file" "not a gdsweep file" -- \
  "$GD_BINARY" "$g" -o "$work/text.h5" --resume
expect_usage_error "shard 3/2" "--shard needs K/N" -- "$GD_BINARY" "$g" --shard 3/2
expect_usage_error "shard 0/0" "--shard needs K/N" -- "$GD_BINARY" "$g" --shard 0/0
expect_usage_error "resume with --overwrite" "choose one" -- "$GD_BINARY" "$g" --resume --overwrite
expect_usage_error "status of a text file" "not an HDF5 file" -- "$GD_BINARY" status "$work/text.h5"
[ "$(checksums "$work/ref.h5")" = "$before" ] || fail "a refused resume changed the file"
[ "$(cat "$work/text.h5")" = "not hdf5" ] || fail "a refused resume changed the text file"
finish
