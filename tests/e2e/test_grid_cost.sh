# test_grid_cost.sh - validation and --dry-run cost follows the grid's text, not its run
# count: 10^14-run grids (10^14 combinations of problem-type values with a cross-key
# check; 10^14 optimizer combinations) finish --allow-huge --dry-run in seconds (a
# SIGKILL at 10 s makes a hang fail, not block), and a failing combination hidden among
# 10^14 is still found (only the corners of each key's values are checked).
source "$(dirname "$0")/common.sh"

# dry_run_fast NAME GRID: --allow-huge --dry-run exits 0 within 10 s and counts 10^14 runs.
dry_run_fast() {
  local name=$1 rc=0
  timeout -s KILL "$(seconds 10)" "$GD_BINARY" --allow-huge --dry-run "$2" >"$work/out.txt" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then fail "$name: exit $rc (137: killed after 10 s)"
  elif ! grep -q "total  *100000000000000$" "$work/out.txt"; then fail "$name: $(cat "$work/out.txt")"
  else echo "ok: $name"; fi
}

hundred='range(0, 100, 1)'
cat >"$work/types.ini" <<INI
[problem c]
type = curvefit
noise = $hundred
x_min = $hundred
x_max = range(100, 200, 1)
c0 = $hundred
c1 = $hundred
c2 = $hundred
c3 = $hundred
[optimizer gd]
INI
dry_run_fast "10^14 problem settings" "$work/types.ini"

cat >"$work/optimizers.ini" <<INI
[problem q]
type = quadratic
[optimizer a]
type = adamw
lr = range(1, 101, 1)
beta1 = linspace(0, 0.9, 100)
beta2 = linspace(0, 0.9, 100)
eps = range(1, 101, 1)
weight_decay = $hundred
schedule = exponential
gamma = linspace(0.01, 1, 100)
decay_steps = range(1, 101, 1)
INI
dry_run_fast "10^14 optimizer combinations" "$work/optimizers.ini"

# x_max's smallest value 99 meets x_min's largest 99 in one of the 10^14 settings.
sed 's/^x_max = .*/x_max = range(99, 199, 1)/' "$work/types.ini" >"$work/bad.ini"
expect_usage_error "the failing setting among 10^14" \
  "bad.ini:1: .*x_min = 99 must be less than x_max = 99" -- \
  timeout -s KILL "$(seconds 10)" "$GD_BINARY" --allow-huge --dry-run "$work/bad.ini"

# A [sweep] list of 6 million iterations inherited by 200 problem sections (1.2 * 10^9
# runs): refused as too large with one line, memory for the list once (not 200 copies,
# 9.6 GB before): a 1 GB address-space limit makes a copy per section fail.
{ echo "[sweep]"; echo "iterations = range(1, 6000001, 1)"
  for i in $(seq 200); do printf '[problem q%d]\ntype = quadratic\n' "$i"; done
  echo "[optimizer gd]"; } >"$work/copies.ini"
expect_usage_error "a [sweep] list in 200 sections" "copies.ini:[0-9]+: the grid has 1200000000 runs" -- \
  cap_memory 1000000 timeout -s KILL "$(seconds 20)" "$GD_BINARY" --dry-run "$work/copies.ini"

# Memory and time follow the text, not what it expands to:
# - 50 sections of lr = linspace(.., 10^7) (3 KB) took 3.9 GB and 33 s: all the lists
#   together hold at most 2^24 values, counted before they are made;
{ echo "[problem quadratic]"
  for i in $(seq 50); do printf '[optimizer o%d]\ntype = gd\nlr = linspace(0.001, 1, 10000000)\n' "$i"; done; } >"$work/lists.ini"
expect_usage_error "50 lists of 10^7 values" "lists.ini:7: lr: the grid's value lists would hold more than 16777216 values" -- \
  cap_memory 1000000 timeout -s KILL "$(seconds 20)" "$GD_BINARY" --dry-run "$work/lists.ini"
# - 20,000 problem x 20,000 optimizer sections (1.1 MB) made a 400 MB applies table and a
#   dry run of 4 * 10^8 lines (killed after 120 s): at most 2^24 pairs;
/usr/bin/python3 -c 'n = 20000
print("[sweep]\niterations = 1\n" + "".join("[problem p%x]\ntype=quadratic\n" % i for i in range(n)) +
      "".join("[optimizer o%x]\ntype=gd\n" % i for i in range(n)))' >"$work/pairs.ini"
expect_usage_error "20k x 20k sections" "pairs.ini:[0-9]+: 20000 problem sections x 20000 optimizer sections make more than 16777216 pairs" -- \
  cap_memory 1000000 timeout -s KILL "$(seconds 20)" "$GD_BINARY" --dry-run "$work/pairs.ini"
# - a problems = list of 600,000 labels over 300,000 sections (14 MB, on one line) was
#   searched label by label (quadratic, minutes): sorted labels, 2-3 s alone (the bound is
#   wide because CI runs this beside other memory-hungry tests on a slow-to-fault VM);
/usr/bin/python3 -c 'n = 300000
print("[sweep]\niterations = 1\n" + "".join("[problem p%x]\ntype=quadratic\n" % i for i in range(n)) +
      "[optimizer gd]\nproblems = " + ", ".join("p%x" % (i % n) for i in range(2 * n)))' >"$work/labels.ini"
timeout -s KILL "$(seconds 90)" "$GD_BINARY" --dry-run "$work/labels.ini" >"$work/out.txt" 2>&1 || fail "600k labels: exit $?"
grep -q "^total  *300000$" "$work/out.txt" && echo "ok: 600k labels" || fail "600k labels: $(tail -3 "$work/out.txt")"
# - the same list as 1.5 million indented continuation lines (11 MB) was joined with a
#   strlen and a realloc per line (quadratic: over 2 minutes); now doubling, seconds;
/usr/bin/python3 -c 'n = 10000
print("[sweep]\niterations = 1\n" + "".join("[problem p%x]\ntype=quadratic\n" % i for i in range(n)) +
      "[optimizer gd]\nproblems = p0\n" + "".join("  p%x\n" % (i % n) for i in range(1500000)))' >"$work/cont.ini"
timeout -s KILL "$(seconds 30)" "$GD_BINARY" --dry-run "$work/cont.ini" >"$work/cont.txt" 2>&1 || fail "1.5M continuation lines: exit $?"
grep -q "^total  *10000$" "$work/cont.txt" && echo "ok: 1.5M continuation lines" || fail "1.5M continuation lines: $(tail -3 "$work/cont.txt")"
# - and the dry run lists the first 1000 pairs, then the rest in one line.
grep -q "^\.\.\. 299000 more pairs  *299000$" "$work/out.txt" && echo "ok: dry-run rows" || fail "dry-run rows: $(tail -3 "$work/out.txt")"
[ "$(wc -l <"$work/out.txt")" -eq 1005 ] || fail "dry-run rows: $(wc -l <"$work/out.txt") lines"
rm -f "$work/pairs.ini" "$work/labels.ini" "$work/cont.ini"

[ "$failures" -eq 0 ]
