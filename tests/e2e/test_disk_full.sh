#!/usr/bin/env bash
# test_disk_full.sh - a disk that fills up: a 10 MB tmpfs mounted by the test (as root; a
# test that cannot mount fails) takes a sweep, an MPI sweep, a merge and a resume whose
# output (30 MB) does not fit. Each stops with exit 1 and one line naming the file, the
# cause (ENOSPC) and what to do, never a crash; the committed runs read back (status,
# h5py) equal to an uninterrupted sweep's; a resume on the still-full disk is refused and
# leaves the file byte-identical; once the file system is grown, --resume (or merging
# again) gives a file identical in results to the uninterrupted sweep. A file size limit
# (ulimit -f, EFBIG) ends the same way. MPI sweeps on 12 disks of slightly different sizes
# each end with the same line (the room for the rollback journal is allocated with the
# batch's: none runs out in the flush).
source "$(dirname "$0")/common.sh" || exit 1

mnt=$work/mnt
mkdir "$mnt"
mount -t tmpfs -o size=10m tmpfs "$mnt" || { echo "FAIL: cannot mount a tmpfs (run as root)"; exit 1; }
trap 'umount "$mnt" 2>/dev/null; rm -rf "$work"' EXIT
export GD_COMMIT_SECONDS=0.005 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none

grid=$work/full.ini
write_busy_grid "$grid" 400
ref=$work/ref.h5
sweep_quiet "$grid" -o "$ref"

# A fresh file system of SIZE for the next case.
remount() { rm -rf "${mnt:?}"/*; mount -o "remount,size=$1" "$mnt"; }

# expect_full NAME PATTERN -- command...: exit 1 (not a crash), and gdsweep's first line on
# stderr matches PATTERN (an MPI job adds Open MPI's MPI_ABORT notice, which mpirun may
# print before or after the rank's line).
expect_full() {
  local name=$1 pattern=$2; shift 3
  local rc=0
  "$@" >"$work/out.txt" 2>"$work/err.txt" || rc=$?
  local first; first=$(grep -m1 -E '^(gdsweep|rank [0-9]+):' "$work/err.txt" || true)
  if [ "$rc" -ne 1 ]; then fail "$name: exit $rc, expected 1 ($(head -c 600 "$work/err.txt"))"
  elif ! grep -Eq -- "$pattern" <<<"$first"; then fail "$name: '$first' lacks /$pattern/"
  else echo "ok: $name: $first"; fi
}

# committed_identical FILE: status reads FILE, and h5py reads its committed runs equal to
# the reference's (some runs were committed before the disk filled).
committed_identical() {
  local rc=0
  "$GD_BINARY" status "$1" >"$work/status.txt" || rc=$?
  [ "$rc" -eq 3 ] && grep -q "state: resumable" "$work/status.txt" || fail "status $1: exit $rc"
  /usr/bin/python3 - "$e2e_dir" "$ref" "$1" <<'PY' || fail "$1: committed runs differ or unreadable"
import sys
sys.path.insert(0, sys.argv[1])
import h5py
from gdtest import sweep_differences
with h5py.File(sys.argv[3], "r") as f:
    n = int((f["runs"]["written"] == 1).sum())
d = sweep_differences(sys.argv[3], sys.argv[2], written_only=True)
print(f"{n} runs committed, differences {d[:3]}")
sys.exit(1 if d or n == 0 else 0)
PY
}

# resume_identical OUT: --resume on a grown file system finishes OUT equal to the reference.
resume_identical() {
  mount -o remount,size=64m "$mnt"
  sweep_quiet "$grid" -o "$1" --resume || fail "resume of $1 failed"
  identical "$ref" "$1" || fail "$1 resumed differs from the uninterrupted sweep"
}

full_line="$mnt/a.h5: no room for the next batch: No space left on device \(ENOSPC\).*runs committed are safe.*--resume -o $mnt/a.h5"

echo "== one process"
expect_full "sweep on a full disk" "$full_line" -- sweep_quiet "$grid" -o "$mnt/a.h5"
committed_identical "$mnt/a.h5"
dd if=/dev/zero of="$mnt/filler" bs=64k 2>/dev/null || true
cp "$mnt/a.h5" "$work/before.h5"
expect_full "resume on the still-full disk" "($mnt/a.h5: no room for resuming: .*ENOSPC|cannot make the writer.s lock $mnt/a.h5.lock.*No space left on device)" -- \
  sweep_quiet "$grid" -o "$mnt/a.h5" --resume
# Past the superblock (whose "open for writing" flag the refused resume's close clears).
cmp -s -i 48 "$work/before.h5" "$mnt/a.h5" || fail "the refused resume changed $mnt/a.h5"
rm -f "$mnt/filler"
resume_identical "$mnt/a.h5"

echo "== mpirun -n 2"
remount 10m
expect_full "MPI sweep on a full disk" "rank 0: $full_line" -- \
  mpirun -n 2 --oversubscribe "$GD_BINARY" "$grid" -o "$mnt/a.h5" --quiet --threads 1
committed_identical "$mnt/a.h5"
resume_identical "$mnt/a.h5"
# The disk fills at another point of a commit with each size; in 12 sizes about 2 ran out
# while the rollback journal was written, in the flush ("flushing a batch"), before the
# journal's room was allocated with the batch's.
for kb in $(seq 10277 37 10721); do
  remount "${kb}k"
  expect_full "MPI sweep on a ${kb} KiB disk" "rank 0: $full_line" -- \
    mpirun -n 2 --oversubscribe "$GD_BINARY" "$grid" -o "$mnt/a.h5" --quiet --threads 1
done

echo "== merge"
remount 10m
sweep_quiet "$grid" -o "$work/s1.h5" --shard 1/2
sweep_quiet "$grid" -o "$work/s2.h5" --shard 2/2
expect_full "merge on a full disk" "$mnt/m.h5.merging: no room .*ENOSPC.*$mnt/m.h5 was not written" -- \
  "$GD_BINARY" merge "$mnt/m.h5" "$work/s1.h5" "$work/s2.h5"
[ ! -e "$mnt/m.h5" ] && [ ! -e "$mnt/m.h5.merging" ] || fail "the failed merge left $(ls "$mnt")"
mount -o remount,size=64m "$mnt"
"$GD_BINARY" merge "$mnt/m.h5" "$work/s1.h5" "$work/s2.h5" >/dev/null || fail "merge again failed"
identical "$ref" "$mnt/m.h5" || fail "the merged file differs from the uninterrupted sweep"

echo "== a file size limit (ulimit -f)"
remount 64m
expect_full "sweep over the size limit" "$mnt/a.h5: .*File too large \(EFBIG\).*--resume" -- \
  bash -c 'trap "" XFSZ; ulimit -f 12000; "$0" "$@" --quiet --threads 1 >/dev/null' \
  "$GD_BINARY" "$grid" -o "$mnt/a.h5"
committed_identical "$mnt/a.h5"
resume_identical "$mnt/a.h5"
finish
