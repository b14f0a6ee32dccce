#!/usr/bin/env bash
# test_cli_errors.sh - bad command lines and output targets: one-line error, exit 2, no file.
source "$(dirname "$0")/common.sh"
grid=$work/ok.ini
cat >"$grid" <<'INI'
[sweep]
name = ok
iterations = 5
[problem quadratic]
[optimizer gd]
INI

expect_usage_error "no grid" "no grid file" -- "$GD_BINARY"
expect_usage_error "unknown flag" "unknown option '--bogus'" -- "$GD_BINARY" "$grid" --bogus
expect_usage_error "bad threads" "--threads" -- "$GD_BINARY" "$grid" --threads zero
expect_usage_error "missing -o value" "-o needs a file name" -- "$GD_BINARY" "$grid" -o
expect_usage_error "missing grid file" "nope.ini" -- "$GD_BINARY" "$work/nope.ini"
expect_usage_error "missing output dir" "no/such/dir" -- "$GD_BINARY" "$grid" -o "$work/no/such/dir/out.h5"
[ ! -e "$work/no" ] || fail "missing output dir: something was created"

echo keep >"$work/exists.h5"
expect_usage_error "output exists" "--overwrite" -- "$GD_BINARY" "$grid" -o "$work/exists.h5"
[ "$(cat "$work/exists.h5")" = keep ] || fail "output exists: the file was touched"

mkdir "$work/ro" && chmod 555 "$work/ro"
if [ "$(id -u)" -ne 0 ]; then
  expect_usage_error "unwritable dir" "not writable" -- "$GD_BINARY" "$grid" -o "$work/ro/out.h5"
fi

# Grid errors leave no output file behind.
printf '[sweep]\nname = bad\n[problem quadratic]\n[optimizer gd]\nlr = -1\n' >"$work/bad.ini"
expect_usage_error "bad lr" "bad.ini:5: .*lr" -- "$GD_BINARY" "$work/bad.ini" -o "$work/bad.h5"
[ ! -e "$work/bad.h5" ] || fail "bad lr: output file created"

# --dry-run runs nothing and creates nothing.
"$GD_BINARY" "$grid" --dry-run -o "$work/dry.h5" >"$work/dry.txt" || fail "dry-run failed"
grep -Eq "total +1$" "$work/dry.txt" || fail "dry-run total: $(cat "$work/dry.txt")"
[ ! -e "$work/dry.h5" ] || fail "dry-run created the output"

# getopt_long: --opt=value as well as --opt value, and -- ends the options.
"$GD_BINARY" "$grid" --output="$work/eq.h5" --threads=1 --quiet >/dev/null || fail "--output=: exit $?"
[ -e "$work/eq.h5" ] || fail "--output=x.h5 wrote no $work/eq.h5"
cp "$grid" "$work/-q.ini"
(cd "$work" && "$GD_BINARY" --quiet --threads 1 -o dash.h5 -- -q.ini >/dev/null) || fail "-- -q.ini failed"
[ -e "$work/dash.h5" ] || fail "-- did not make -q.ini the grid"
expect_usage_error "after --" "one grid file only .*'--quiet'" -- "$GD_BINARY" "$grid" -- --quiet

# A mistyped long flag gets the closest real one; an abbreviation is not guessed.
expect_usage_error "--dryrun" "unknown option '--dryrun'; did you mean '--dry-run'\?" -- "$GD_BINARY" "$grid" --dryrun
expect_usage_error "--overwrit" "unknown option '--overwrit'; did you mean '--overwrite'\?" -- "$GD_BINARY" "$grid" --overwrit
expect_usage_error "--threds=2" "did you mean '--threads'\?" -- "$GD_BINARY" "$grid" --threds=2
expect_usage_error "--quiet=1" "--quiet takes no value" -- "$GD_BINARY" "$grid" --quiet=1
expect_usage_error "--output=" "--output needs a file name" -- "$GD_BINARY" "$grid" --output=

# An HDF5 file given as the grid (signature at 0, or after a 512-byte user block) is
# refused before any INI error, with the commands that read it.
for h5 in "$work/eq.h5" "$work/userblock.h5"; do
  [ "$h5" = "$work/eq.h5" ] || { head -c 512 /dev/zero; cat "$work/eq.h5"; } >"$h5"
  expect_usage_error "HDF5 as grid ($(basename "$h5"))" \
    "is an HDF5 file.*gdsweep status $h5.*gdsweep summary $h5" -- "$GD_BINARY" "$h5"
done

# Every command's errors go through one printer: "gdsweep[ COMMAND]: " and one line.
expect_usage_error "status usage" "^gdsweep: usage: gdsweep status OUT.h5$" -- "$GD_BINARY" status
expect_usage_error "summary no file" "^gdsweep summary: .*no such file" -- "$GD_BINARY" summary "$work/none.h5"
expect_usage_error "merge no shard" "^gdsweep: merge needs the output file" -- "$GD_BINARY" merge "$work/m.h5"

# merge, status and summary read their flags through the same tables: --opt=value, --,
# a suggestion for a typo, --help from the table.
cat >"$work/three.ini" <<'INI'
[sweep]
name = three
iterations = 5
[problem quadratic]
[optimizer gd]
lr = 0.1, 0.2, 0.3
INI
for k in 1 2; do
  "$GD_BINARY" "$work/three.ini" --quiet --threads 1 --shard "$k/2" -o "$work/part$k.h5" >/dev/null ||
    fail "shard $k/2 exited $?"
done
"$GD_BINARY" merge --output="$work/all.h5" "$work/part1.h5" "$work/part2.h5" >/dev/null ||
  fail "merge --output=all.h5: exit $?"
"$GD_BINARY" status "$work/all.h5" >/dev/null || fail "merge --output=all.h5 wrote no complete all.h5"
cp "$work/part1.h5" "$work/-p1.h5"
(cd "$work" && "$GD_BINARY" merge -o mdash.h5 -- -p1.h5 part2.h5 >/dev/null) || fail "merge -o mdash.h5 -- -p1.h5: exit $?"
"$GD_BINARY" status "$work/mdash.h5" >/dev/null || fail "merge -- -p1.h5 wrote no complete mdash.h5"
expect_usage_error "merge --ouput" "^gdsweep: unknown option '--ouput'; did you mean '--output'\? \(see gdsweep merge --help\)$" -- \
  "$GD_BINARY" merge --ouput="$work/typo.h5" "$work/part1.h5" "$work/part2.h5"
[ ! -e "$work/typo.h5" ] || fail "merge --ouput: created $work/typo.h5"
expect_usage_error "merge --overwrit" "did you mean '--overwrite'\?" -- \
  "$GD_BINARY" merge "$work/typo.h5" "$work/part1.h5" --overwrit
expect_usage_error "merge --output=" "--output needs a file name" -- \
  "$GD_BINARY" merge --output= "$work/part1.h5" "$work/part2.h5"
[ ! -e "$work/typo.h5" ] && [ ! -e "$work/typo.h5.lock" ] || fail "a refused merge created a file"
"$GD_BINARY" merge --help >"$work/merge-help.txt" || fail "merge --help exited non-zero"
for line in "usage: gdsweep merge OUT.h5 SHARD.h5" "-o, --output OUT.h5" "--overwrite" "-h, --help"; do
  grep -qF -- "$line" "$work/merge-help.txt" || fail "merge --help lacks '$line'"
done
expect_usage_error "status --hlep" "did you mean '--help'\? \(see gdsweep status --help\)" -- \
  "$GD_BINARY" status --hlep
"$GD_BINARY" status --help | grep -qF "usage: gdsweep status OUT.h5" || fail "status --help"
expect_usage_error "summary --metirc" "^gdsweep summary: unknown option '--metirc'; did you mean '--metric'\?" -- \
  "$GD_BINARY" summary "$work/all.h5" --metirc=gap
expect_usage_error "summary --metric at the end" "--metric needs a value" -- \
  "$GD_BINARY" summary "$work/all.h5" --metric
"$GD_BINARY" summary --csv -- "$work/all.h5" >/dev/null || fail "summary --csv -- FILE: exit $?"

# --help is made from the table of commands and options.
"$GD_BINARY" --help >"$work/help.txt" || fail "--help exited non-zero"
for line in "usage: gdsweep GRID.ini" "gdsweep status OUT.h5" "gdsweep summary OUT.h5" \
            "gdsweep merge OUT.h5 SHARD.h5" "-o, --output OUT.h5" "--threads=2" "-- ends the options"; do
  grep -qF -- "$line" "$work/help.txt" || fail "--help lacks '$line'"
done

"$GD_BINARY" --list >"$work/list.txt" || fail "--list exited non-zero"
for name in gd momentum nag adagrad rmsprop adam adamw amsgrad nadam inverse_time cosine \
            quadratic curvefit denoise rosenbrock grad_tol; do
  grep -q "$name" "$work/list.txt" || fail "--list lacks $name"
done
"$GD_BINARY" --version | grep -q "gdsweep" || fail "--version"
finish
