#!/usr/bin/env bash
# test_shards.sh - `--shard K/N` and `gdsweep merge`: three shards of a mixed grid (one of
# them under mpirun) hold disjoint rows that cover the grid and merge into a file
# bit-identical to a single job's; a missing shard gives exit 3 and a partial file that
# --resume completes; an incomplete shard is named with the command that resumes it; bad
# input (other grid, a shard twice, overlapping rows, other split, not gdsweep's, OUT
# existing or among the inputs) gets one line, exit 2, and no output created or changed.
source "$(dirname "$0")/common.sh"
cat >"$work/g.ini" <<'INI'
[sweep]
name = shards
seed = 5
iterations = 40
record_every = 3
repeats = 2
[problem quadratic]
x0 = linspace(-4, 4, 14)
save_final = true
[problem fit]
type = curvefit
points = 30
degree = 2
save_final = true
[problem denoise]
size = 16
lambda = 0.5, 1
[optimizer gd]
lr = 0.01, 0.05, 0.1, 0.5, 2
[optimizer adam]
lr = 0.01, 0.1
schedule = constant, cosine
INI
g=$work/g.ini
sweep_quiet "$g" -o "$work/ref.h5"
sweep_quiet "$g" --shard 1/3 -o "$work/s1.h5"
mpirun -n 2 "$GD_BINARY" "$g" --shard 2/3 -o "$work/s2.h5" --quiet --threads 1 >/dev/null
sweep_quiet "$g" --shard 3/3 -o "$work/s3.h5"
py() { /usr/bin/python3 - "$@"; }

# The shards' rows are disjoint, their union is the grid, and each has its attributes.
py "$work"/s{1,2,3}.h5 <<'PY' || fail "shard rows: not a partition of the grid"
import sys, h5py, numpy as np
held = []
for k, path in enumerate(sys.argv[1:]):
    with h5py.File(path, "r") as f:
        assert (f.attrs["shard_index"], f.attrs["shard_count"]) == (k, 3), path
        held.append(f["runs"]["written"][:] == 1)
count = np.sum(held, axis=0)
assert count.max() == 1 and count.min() == 1, np.flatnonzero(count != 1)[:5]
print("ok: 3 shards of", len(count), "runs:", [int(h.sum()) for h in held])
PY

# A complete merge is the single job's file.
out=$("$GD_BINARY" merge "$work/m.h5" "$work/s3.h5" "$work/s1.h5" "$work/s2.h5") ||
  fail "merge of every shard exited $?"
echo "$out" | grep -Eq "^merged 3 files into .*m.h5: all [0-9]+ runs" || fail "summary: $out"
identical "$work/ref.h5" "$work/m.h5" >/dev/null || fail "merged file differs from the reference"
"$GD_BINARY" status "$work/m.h5" >/dev/null || fail "status of the merged file is not 0"
echo "ok: merged 3 shards (one from mpirun -n 2): identical to the single job"

# A shard not given: exit 3, the message names it, the partial file resumes to the same.
rc=0; "$GD_BINARY" merge "$work/p.h5" "$work/s1.h5" "$work/s3.h5" 2>"$work/err.txt" || rc=$?
[ "$rc" -eq 3 ] || fail "merge without shard 2: exit $rc, expected 3"
grep -Eq "^gdsweep: missing [0-9]+ of [0-9]+ runs \(ids [0-9]+-[0-9]+, .*\): shard 2/3 was not given$" \
  "$work/err.txt" || fail "missing-shard message: $(cat "$work/err.txt")"
sweep_quiet "$g" --resume -o "$work/p.h5" || fail "resuming the partial merge failed"
identical "$work/ref.h5" "$work/p.h5" >/dev/null || fail "resumed partial merge differs"
echo "ok: shard 2/3 missing: exit 3, $(head -c 60 "$work/err.txt")..., resumed identical"

# An incomplete shard (rows unmarked as after a kill): named with the command that
# resumes it; that command, then the merge again, gives the reference.
cp "$work/s2.h5" "$work/s2p.h5"
py "$work/s2p.h5" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r+") as f:
    t = f["runs"][:]
    t["written"][np.flatnonzero(t["written"] == 1)[3:30]] = 0
    f["runs"][...] = t
    f.attrs["complete"] = 0
PY
rc=0; "$GD_BINARY" merge "$work/q.h5" "$work/s1.h5" "$work/s2p.h5" "$work/s3.h5" 2>"$work/err.txt" || rc=$?
cmd=$(grep -o "resume it with: [^)]*" "$work/err.txt" | cut -d' ' -f5-)
[ "$rc" -eq 3 ] && grep -q "missing 27 of" "$work/err.txt" &&
  [ "$cmd" = "$g --resume --shard 2/3 -o $work/s2p.h5" ] || fail "incomplete shard: exit $rc: $(cat "$work/err.txt")"
sweep_quiet $cmd || fail "the printed resume command failed: $cmd"
"$GD_BINARY" merge "$work/q.h5" "$work/s1.h5" "$work/s2p.h5" "$work/s3.h5" --overwrite >/dev/null ||
  fail "merge --overwrite after resuming the shard"
identical "$work/ref.h5" "$work/q.h5" >/dev/null || fail "merge of the resumed shard differs"
echo "ok: incomplete shard named with its resume command; resumed and merged (--overwrite) identical"

# Bad input: one line, exit 2, no output created, nothing changed.
sed 's/seed = 5/seed = 6/' "$g" >"$work/other.ini"
sweep_quiet "$work/other.ini" --shard 2/3 -o "$work/o2.h5"
sweep_quiet "$g" --shard 2/4 -o "$work/f2.h5"
cp "$work/s2.h5" "$work/forged.h5"
py "$work/forged.h5" <<<'import sys, h5py; h5py.File(sys.argv[1], "r+").attrs["shard_index"] = 0'
echo "not hdf5" >"$work/text.h5"
py "$work/plain.h5" <<<'import sys, h5py; h5py.File(sys.argv[1], "w")["runs"] = [1.0, 2.0]'
before=$(checksums "$work"/{s1,s2,s3,m}.h5)
x=$work/x.h5
expect_usage_error "shards of different grids" "s1.h5 and .*o2.h5 come from different grids \(line 3 is 'seed = 5'" -- \
  "$GD_BINARY" merge "$x" "$work/s1.h5" "$work/o2.h5"
expect_usage_error "the same shard twice" "s2.h5 and .*s2.h5 are both shard 2/3; give each shard once" -- \
  "$GD_BINARY" merge "$x" "$work/s2.h5" "$work/s1.h5" "$work/s2.h5"
expect_usage_error "overlapping rows" "run [0-9]+ is written in both .*(s2|forged).h5 and .*(forged|s2).h5" -- \
  "$GD_BINARY" merge "$x" "$work/s2.h5" "$work/forged.h5"
expect_usage_error "shards of another split" "s1.h5 is shard 1/3 but .*f2.h5 is shard 2/4: the shard counts differ" -- \
  "$GD_BINARY" merge "$x" "$work/s1.h5" "$work/f2.h5"
expect_usage_error "a text file" "text.h5 is not an HDF5 file" -- "$GD_BINARY" merge "$x" "$work/s1.h5" "$work/text.h5"
expect_usage_error "an HDF5 file not gdsweep's" "plain.h5 is not a gdsweep file" -- \
  "$GD_BINARY" merge "$x" "$work/plain.h5" "$work/s1.h5"
expect_usage_error "a missing file" "none.h5: no such file" -- "$GD_BINARY" merge "$x" "$work/none.h5"
expect_usage_error "no shard" "at least one shard file" -- "$GD_BINARY" merge "$x"
expect_usage_error "OUT exists" "m.h5 already exists; pass --overwrite" -- \
  "$GD_BINARY" merge "$work/m.h5" "$work/s1.h5" "$work/s2.h5" "$work/s3.h5"
expect_usage_error "OUT is an input" "s1.h5 is also one of the files to merge" -- \
  "$GD_BINARY" merge "$work/s1.h5" "$work/s1.h5" "$work/s2.h5" "$work/s3.h5" --overwrite
[ ! -e "$x" ] || fail "a refused merge created $x"
[ "$(checksums "$work"/{s1,s2,s3,m}.h5)" = "$before" ] || fail "a refused merge changed a file"
finish
