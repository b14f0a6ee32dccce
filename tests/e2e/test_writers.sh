#!/usr/bin/env bash
# test_writers.sh - one writer per output (OUT.lock): two sweeps at once, a resume while
# the sweep writes (HDF5 locking on and off), a stale lock after SIGKILL; refusals change
# no byte and no mtime; output = grid, a link to it, a device, a FIFO, a directory.
source "$(dirname "$0")/common.sh"
cat >"$work/g.ini" <<'INI'
[sweep]
name = writers
iterations = 300
record_every = 10
[problem quadratic]
x0 = linspace(-5, 5, 150)
[problem denoise]
size = 200
lambda = 0.5, 1
[optimizer gd]
lr = 0.001, 0.01
[optimizer adam]
lr = 0.01, 0.1
INI
g=$work/g.ini
sweep_quiet "$g" -o "$work/ref.h5"
snapshot() { (cd "$work" && find . -maxdepth 1 -type f -name '*.h5*' -printf '%p %T@ ' -exec md5sum {} \; | sort); }

# Two sweeps at once: exactly one wins, the other exits 2 naming the holder.
for i in 1 2 3 4 5 6; do
  out=$work/race.h5; rm -f "$out"*
  "$GD_BINARY" "$g" -o "$out" --quiet --threads 1 >/dev/null 2>"$work/e1" & p1=$!
  "$GD_BINARY" "$g" -o "$out" --quiet --threads 1 >/dev/null 2>"$work/e2" & p2=$!
  r1=0; wait $p1 || r1=$?; r2=0; wait $p2 || r2=$?
  [ "$(echo "$r1 $r2" | tr ' ' '\n' | sort | tr '\n' ' ')" = "0 2 " ] ||
    fail "race $i: exits $r1 $r2: $(cat "$work/e1" "$work/e2")"
  grep -Eqh "is being written by pid|already exists" "$work/e1" "$work/e2" ||
    fail "race $i: the loser's line: $(cat "$work/e1" "$work/e2")"
  identical "$work/ref.h5" "$out" >/dev/null || fail "race $i: the winner's file differs"
  [ ! -e "$out.lock" ] && [ ! -e "$out.creating" ] || fail "race $i: lock or .creating left"
done
echo "ok: two sweeps at once, 6 times: one winner, one exit 2, file identical"

# A resume while the sweep writes: refused with HDF5's locking off and on.
for locking in FALSE unset; do
  out=$work/busy-$locking.h5; rm -f "$out"*
  "$GD_BINARY" "$g" -o "$out" --quiet --threads 1 >/dev/null 2>"$work/bg.txt" & pid=$!
  wait_for_file "$out" $pid "$work/bg.txt"; kill -STOP $pid   # mid-write, held there
  if [ $locking = FALSE ]; then export HDF5_USE_FILE_LOCKING=FALSE; fi
  expect_usage_error "resume during the sweep (HDF5 locking $locking)" "is being written by pid $pid" \
    -- "$GD_BINARY" "$g" -o "$out" --resume --quiet --threads 1
  unset HDF5_USE_FILE_LOCKING; kill -CONT $pid
  rc=0; wait $pid || rc=$?; [ $rc -eq 0 ] || fail "writer exit $rc"
  identical "$work/ref.h5" "$out" >/dev/null || fail "locking $locking: writer's file differs"
done

# Under mpirun, rank 0 holds the lock (held stopped mid-write, as above): a second sweep
# is refused naming it, and the job finishes its file and removes the lock.
out=$work/mpi.h5; rm -f "$out"*
mpirun -n 2 "$GD_BINARY" "$g" -o "$out" --quiet --threads 1 >/dev/null 2>&1 & job=$!
tries=0
until [ -s "$out.lock" ] && [ -e "$out" ]; do
  kill -0 $job 2>/dev/null && [ $tries -lt 3000 ] || { fail "the MPI job never held $out.lock"; break; }
  tries=$((tries + 1)); sleep 0.02
done
holder=$(awk '$1 == "pid" {print $2}' "$out.lock"); kill -STOP "$holder"
expect_usage_error "sweep while an MPI job writes" "is being written by pid $holder" \
  -- "$GD_BINARY" "$g" -o "$out" --overwrite --quiet --threads 1
kill -CONT "$holder"; rc=0; wait $job || rc=$?; [ $rc -eq 0 ] || fail "MPI writer exit $rc"
identical "$work/ref.h5" "$out" >/dev/null || fail "the MPI job's file differs"
[ ! -e "$out.lock" ] || fail "the MPI job left its lock"

# A stale lock after SIGKILL is taken over, with a line saying so.
out=$work/killed.h5
for pause in 0.2 0.1 0.05 0; do # a sweep that finished first is run again, killed sooner
  rm -f "$out" "$out".*
  "$GD_BINARY" "$g" -o "$out" --quiet --threads 1 >/dev/null 2>"$work/bg.txt" & pid=$!
  wait_for_file "$out" $pid "$work/bg.txt"; sleep $pause
  kill -KILL $pid 2>/dev/null || true; rc=0; wait $pid || rc=$?
  [ "$rc" -eq 0 ] || break
done
[ -e "$out.lock" ] || fail "no lock left by the killed sweep (exit $rc)"
"$GD_BINARY" "$g" -o "$out" --resume --quiet --threads 1 >/dev/null 2>"$work/err.txt" ||
  fail "resume after SIGKILL: $(cat "$work/err.txt")"
grep -q "took over the stale lock" "$work/err.txt" || fail "no takeover line: $(cat "$work/err.txt")"
identical "$work/ref.h5" "$out" >/dev/null || fail "resumed after SIGKILL differs"
echo "ok: stale lock after SIGKILL taken over, resumed identical"

# Refusals change nothing: every file's bytes and mtime.
"$GD_BINARY" "$g" -o "$work/s1.h5" --quiet --threads 1 --shard 1/2 >/dev/null
# A corrupt shard attribute and bytes past HDF5's recorded end (as a torn flush leaves):
# the refused resume must not repair the end (it moved it, then refused).
cp "$work/s1.h5" "$work/badshard.h5"
/usr/bin/python3 -c 'import h5py, sys; f = h5py.File(sys.argv[1], "r+"); f.attrs["shard_index"] = 5.0' "$work/badshard.h5"
head -c 65536 /dev/zero >>"$work/badshard.h5"
sed 's/name = writers/name = other/' "$g" >"$work/other.ini"
printf 'stale-writer' >"$work/held.h5"
printf 'gdsweep lock\nhost elsewhere\npid 1\nstart 1\nsince x\ncommand c\n' >"$work/held.h5.lock"
before=$(snapshot); sleep 1.1
expect_usage_error "resume, wrong shard" "resume it with --shard 1/2" -- \
  "$GD_BINARY" "$g" -o "$work/s1.h5" --resume
expect_usage_error "resume, impossible shard" "shard_index 5 of shard_count 2 is impossible" -- \
  "$GD_BINARY" "$g" -o "$work/badshard.h5" --resume
expect_usage_error "resume, wrong grid" "another grid" -- \
  "$GD_BINARY" "$work/other.ini" -o "$work/ref.h5" --resume
expect_usage_error "sweep without --overwrite" "already exists" -- "$GD_BINARY" "$g" -o "$work/ref.h5"
expect_usage_error "locked by another host" "on host elsewhere.*remove" -- \
  "$GD_BINARY" "$g" -o "$work/held.h5" --overwrite
expect_usage_error "merge into a locked file" "on host elsewhere" -- \
  "$GD_BINARY" merge "$work/held.h5" "$work/s1.h5" --overwrite
expect_usage_error "merge, OUT exists" "already exists" -- \
  "$GD_BINARY" merge "$work/ref.h5" "$work/s1.h5"
[ "$(snapshot)" = "$before" ] || fail "a refusal changed a file: $(diff <(echo "$before") <(snapshot))"

# Output paths that are not a regular file of their own.
ln -s "$g" "$work/link.ini"; mkfifo "$work/fifo"; mkdir "$work/dir"
for o in "$g" "$work/link.ini"; do
  expect_usage_error "output = grid ($o)" "is the grid file" -- "$GD_BINARY" "$g" -o "$o" --overwrite
done
expect_usage_error "output = /dev/null" "character device, not a regular file" -- \
  "$GD_BINARY" "$g" -o /dev/null --overwrite
expect_usage_error "output = FIFO" "FIFO, not a regular file" -- "$GD_BINARY" "$g" -o "$work/fifo" --overwrite
expect_usage_error "output = directory" "is a directory" -- "$GD_BINARY" "$g" -o "$work/dir" --overwrite
[ "$(snapshot)" = "$before" ] || fail "an output-path refusal changed a file"
finish
