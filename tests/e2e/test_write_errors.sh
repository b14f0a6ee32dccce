#!/usr/bin/env bash
# test_write_errors.sh - a disk that fails (EIO) under HDF5, which reserving space ahead
# cannot prevent: tests/fault/eio_after.c (LD_PRELOAD) fails every write to OUT after its
# first N. For N in the file's creation, its first batches and later ones, the sweep
# stops with exit 1 and one line naming the file and "Input/output error (EIO)", never a
# crash (an EIO while the new file was flushed ended in SIGSEGV inside HDF5's exit-time
# close), and leaves no OUT.creating or OUT.lock. Then, on a healthy disk: a failure during
# creation left no OUT and the sweep runs; every later one resumes to the uninterrupted
# sweep's results (before the rollback journal, a failure inside HDF5's flush tore the
# file's metadata and --resume had to refuse it as damaged).
# Then the torn commit itself: writes over the file's committed bytes (a commit's metadata)
# fail with EIO, or the writer is killed at one, after N of them. A journal is left
# (OUT.journal); `gdsweep status` reads the file as its last commit (resumable, exit 3)
# without writing; --resume rolls it back, removes the journal and finishes the file
# identical to the uninterrupted sweep.
source "$(dirname "$0")/common.sh" || exit 1
: "${GD_EIO_LIB:?run through ctest (GD_EIO_LIB unset)}"
# A preloaded library comes before ASan's runtime in the library list: tell ASan that is fine.
[ -z "${ASAN_OPTIONS:-}" ] || export ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0"
# The sweeps whose writes fail are not leak-checked: when H5Fcreate itself fails, HDF5
# 1.10 leaks its half-made file structure (H5F__dest), which is HDF5's cleanup, not ours.
no_leak_check=${ASAN_OPTIONS:+$ASAN_OPTIONS:detect_leaks=0}
export GD_COMMIT_SECONDS=0.02

grid=$work/eio.ini
write_busy_grid "$grid" 200
sweep_quiet "$grid" -o "$work/ref.h5"
out=$work/x.h5
resumed=0 refused=0

# failing_sweep N [RETRY]: the sweep with every write to OUT after the first N failing.
# With RETRY, a sweep that finished having written fewer than N times returns 2 instead
# of failing (batches follow the clock: on a loaded machine they are fewer and larger).
failing_sweep() {
  local rc=0
  rm -f "$out" "$out".* "$work/seen.txt"
  ASAN_OPTIONS=$no_leak_check LD_PRELOAD=$GD_EIO_LIB GD_EIO_FILE=$out GD_EIO_AFTER=$1 \
    GD_EIO_LOG=$work/seen.txt \
    "$GD_BINARY" "$grid" -o "$out" --quiet --threads 1 >/dev/null 2>"$work/err.txt" || rc=$?
  local lines; lines=$(wc -l <"$work/err.txt")
  if [ "$rc" -eq 0 ] && [ -n "${2:-}" ] && [ "$(cat "$work/seen.txt")" -lt "$1" ]; then
    echo "N=$1: this sweep wrote OUT only $(cat "$work/seen.txt") times: again, lower"; return 2
  elif [ "$rc" -ne 1 ]; then fail "N=$1: exit $rc, expected 1: $(head -c 400 "$work/err.txt")"
  elif [ "$lines" -ne 1 ] || ! grep -q "x.h5: .*Input/output error (EIO)" "$work/err.txt"; then
    fail "N=$1: $lines lines: $(head -c 400 "$work/err.txt")"
  elif ls "$out".creating "$out".lock* >/dev/null 2>&1; then fail "N=$1: left $(ls "$out".*)"
  else echo "ok: N=$1: $(cat "$work/err.txt")"; fi
}

# then_healthy N: on a healthy disk, finish OUT and compare it with the reference.
then_healthy() {
  local rc=0
  if [ ! -e "$out" ]; then
    sweep_quiet "$grid" -o "$out" || rc=$?
  else
    sweep_quiet "$grid" -o "$out" --resume 2>"$work/res.txt" || rc=$?
  fi
  if [ "$rc" -eq 0 ]; then
    identical "$work/ref.h5" "$out" >/dev/null && resumed=$((resumed + 1)) ||
      fail "N=$1: finished after the failure, but differs from the uninterrupted sweep"
  elif [ "$rc" -eq 1 ] && [ "$(wc -l <"$work/res.txt")" -eq 1 ] &&
       grep -q "x.h5: .*the file is damaged .* rerun with --overwrite" "$work/res.txt"; then
    refused=$((refused + 1)); echo "   resume refused: $(cat "$work/res.txt")"
  else fail "N=$1: resume exit $rc: $(head -c 400 "$work/res.txt")"; fi
}

for n in 1 3; do # inside the file's creation: no OUT is left, the sweep reruns
  failing_sweep "$n"
  [ ! -e "$out" ] || fail "N=$n: $out exists after a failed creation"
  then_healthy "$n"
done
[ "$resumed" -eq 2 ] || fail "a sweep after a failed creation did not finish identical"
# A healthy sweep's count of writes to OUT (the shim lets them all through and says how
# many): the last failure lands three quarters in, however many writes a batch now takes.
rm -f "$out" "$out".*
LD_PRELOAD=$GD_EIO_LIB GD_EIO_FILE=$out GD_EIO_AFTER=1000000000 GD_EIO_LOG=$work/writes.txt \
  ASAN_OPTIONS=$no_leak_check "$GD_BINARY" "$grid" -o "$out" --quiet --threads 1 >/dev/null
writes=$(cat "$work/writes.txt")
[ "$writes" -gt 60 ] || fail "a healthy sweep wrote OUT only $writes times"
for n in 9 17 40; do
  failing_sweep "$n"
  then_healthy "$n"
done
n=$((writes * 3 / 4))
for try in 1 2 3; do
  rc=0; failing_sweep "$n" retry || rc=$?
  [ "$rc" -eq 2 ] || break
  n=$(($(cat "$work/seen.txt") * 3 / 4))
done
[ "$rc" -ne 2 ] || fail "three sweeps in a row wrote OUT fewer times than N"
then_healthy "$n"
[ "$refused" -eq 0 ] || fail "$refused of 4 later failures were refused as damaged"
[ "$resumed" -eq 6 ] || fail "only $((resumed - 2)) of 4 later failures resumed identical"

# torn_commit MODE N: overwrites fail (eio) or kill (kill) after N. The library counts
# every write below the file's size: a commit's, and also HDF5 rewriting data it wrote
# since the last commit (not journaled: nothing committed lives there). A kill at one of
# those leaves no journal and the file as the last commit left it, which must resume
# identical too; `torn` counts the cases that did tear a commit (and left a journal).
# How many overwrites a sweep makes follows the clock (a commit is due each second, or
# when a batch is full): a quiet machine made 43-44, so a sweep that finishes having made
# fewer than N is run again with N at 3/4 of its own count (GD_EIO_LOG), at most 3 times.
torn=0
torn_commit() {
  local mode=$1 n=$2 rc=0 kill=0 try
  [ "$mode" = kill ] && kill=1
  for try in 1 2 3; do
    rm -f "$out" "$out".*
    rc=0
    ASAN_OPTIONS=$no_leak_check LD_PRELOAD=$GD_EIO_LIB GD_EIO_FILE=$out GD_EIO_AFTER=$n \
      GD_EIO_OVERWRITES=1 GD_EIO_KILL=$kill GD_EIO_LOG=$work/seen.txt \
      "$GD_BINARY" "$grid" -o "$out" --quiet --threads 1 >/dev/null 2>"$work/err.txt" || rc=$?
    [ "$rc" -eq 0 ] || break
    echo "   $mode N=$n: the sweep overwrote OUT only $(cat "$work/seen.txt") times; again lower"
    n=$(($(cat "$work/seen.txt") * 3 / 4))
  done
  local want=1; [ "$kill" -eq 1 ] && want=137
  [ "$rc" -eq "$want" ] || { fail "$mode N=$n: exit $rc, expected $want: $(head -c 300 "$work/err.txt")"; return; }
  rm -f "$out".lock* # a killed writer's lock (its pid is gone; gdsweep takes it over anyway)
  if [ ! -s "$out.journal" ]; then
    [ "$kill" -eq 1 ] || { fail "$mode N=$n: no journal left by the failed commit"; return; }
    past_commit "$n"
    return
  fi
  torn=$((torn + 1))
  local before; before=$(sha256sum <"$out")
  rc=0; "$GD_BINARY" status "$out" >"$work/status.txt" 2>&1 || rc=$?
  [ "$rc" -eq 3 ] && grep -q "state: resumable" "$work/status.txt" ||
    fail "$mode N=$n: status exit $rc: $(head -c 300 "$work/status.txt")"
  [ "$(sha256sum <"$out")" = "$before" ] && [ -s "$out.journal" ] ||
    fail "$mode N=$n: status changed the file or its journal"
  /usr/bin/python3 - "$GD_SOURCE_DIR" "$out" <<'PY' || fail "$mode N=$n: the Python reader opened the torn file"
import sys
sys.path.insert(0, sys.argv[1])
from analysis.reader import NotASweep, open_sweep
try:
    open_sweep(sys.argv[2]).close()
except NotASweep as e:
    sys.exit(0 if "cut short" in str(e) else 1)
sys.exit(1)
PY
  rc=0; sweep_quiet "$grid" -o "$out" --resume 2>"$work/res.txt" || rc=$?
  if [ "$rc" -ne 0 ]; then fail "$mode N=$n: resume exit $rc: $(head -c 300 "$work/res.txt")"
  elif [ -e "$out.journal" ]; then fail "$mode N=$n: the journal outlived the resume"
  elif identical "$work/ref.h5" "$out" >/dev/null; then echo "ok: $mode N=$n: rolled back, resumed identical"
  else fail "$mode N=$n: resumed after the torn commit, but differs"; fi
}
# past_commit N: killed between commits: status reads the file as resumable without
# changing it, and --resume finishes it identical.
past_commit() {
  local rc=0 before; before=$(sha256sum <"$out")
  "$GD_BINARY" status "$out" >"$work/status.txt" 2>&1 || rc=$?
  [ "$rc" -eq 3 ] && grep -q "state: resumable" "$work/status.txt" &&
    [ "$(sha256sum <"$out")" = "$before" ] || fail "kill N=$1: status exit $rc or changed the file"
  rc=0; sweep_quiet "$grid" -o "$out" --resume 2>"$work/res.txt" || rc=$?
  if [ "$rc" -eq 0 ] && identical "$work/ref.h5" "$out" >/dev/null; then
    echo "ok: kill N=$1: between commits (no journal needed), resumed identical"
  else fail "kill N=$1: resume exit $rc or differs: $(head -c 300 "$work/res.txt")"; fi
}
torn_commit eio 3
torn_commit eio 20
torn_commit kill 12
torn_commit kill 40
torn_commit kill 60
[ "$torn" -ge 3 ] || fail "only $torn of 5 cases tore a commit (left a journal)"
finish
