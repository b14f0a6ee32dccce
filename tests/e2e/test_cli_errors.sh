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

"$GD_BINARY" --list >"$work/list.txt" || fail "--list exited non-zero"
for name in gd momentum nag adagrad rmsprop adam adamw amsgrad nadam inverse_time cosine \
            quadratic curvefit denoise rosenbrock grad_tol; do
  grep -q "$name" "$work/list.txt" || fail "--list lacks $name"
done
"$GD_BINARY" --version | grep -q "gdsweep" || fail "--version"
finish
