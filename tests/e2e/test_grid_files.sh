#!/usr/bin/env bash
# test_grid_files.sh - grids and .h5 paths that are not regular files, or too big: one line,
# exit 2, at once (a FIFO or /dev/zero used to hang or grow without bound).
source "$(dirname "$0")/common.sh"
printf '[sweep]\nname = ok\niterations = 5\n[problem quadratic]\n[optimizer gd]\n' >"$work/ok.ini"
mkfifo "$work/fifo.ini"

# expect_refusal NAME PATTERN -- command...: as expect_usage_error, but killed after 20 s
# (a hang fails the test instead of blocking it) and memory capped at 1 GiB.
expect_refusal() {
  local name=$1 pattern=$2; shift 3
  expect_usage_error "$name" "$pattern" -- cap_memory 1048576 timeout -s KILL "$(seconds 20)" "$@"
}

expect_refusal "FIFO grid" "fifo.ini is a FIFO, not a regular file" -- "$GD_BINARY" "$work/fifo.ini" --dry-run
expect_refusal "/dev/zero grid" "/dev/zero is a character device" -- "$GD_BINARY" /dev/zero --dry-run
expect_refusal "directory grid" "is a directory, not a regular file" -- "$GD_BINARY" "$work" --dry-run
head -c $((16 * 1024 * 1024 + 1)) /dev/zero | tr '\0' ';' >"$work/big.ini"
expect_refusal "17 MiB grid" "big.ini: the grid file is larger than 16777216 bytes" -- "$GD_BINARY" "$work/big.ini" --dry-run

for cmd in status summary; do
  expect_refusal "$cmd FIFO" "fifo.ini is a FIFO" -- "$GD_BINARY" "$cmd" "$work/fifo.ini"
  expect_refusal "$cmd /dev/zero" "/dev/zero is a character device" -- "$GD_BINARY" "$cmd" /dev/zero
done
"$GD_BINARY" "$work/ok.ini" -o "$work/ok.h5" --quiet >/dev/null || fail "the ok sweep failed"
expect_refusal "merge FIFO" "fifo.ini is a FIFO" -- "$GD_BINARY" merge "$work/m.h5" "$work/ok.h5" "$work/fifo.ini"
[ ! -e "$work/m.h5" ] || fail "merge FIFO: an output was created"

# Parsing is linear: 200k sections (7 MB) in seconds (quadratic before: 80k took 13 s);
# 1M sections (35 MB) refused by the size cap at once, memory bounded.
sections() { /usr/bin/python3 -c 'import sys
n = int(sys.argv[1])
sys.stdout.write("[sweep]\nname = big\niterations = 1\n[optimizer gd]\n" +
                 "".join("[problem p%d]\ntype = quadratic\n" % i for i in range(n)))' "$1"; }
sections 200000 >"$work/s200k.ini"
start=$(date +%s)
timeout -s KILL "$(seconds 30)" "$GD_BINARY" "$work/s200k.ini" --dry-run >/dev/null || fail "200k sections: exit $?"
[ $(($(date +%s) - start)) -le "$(seconds 15)" ] || fail "200k sections: $(($(date +%s) - start)) s"
sections 1000000 >"$work/s1m.ini"
expect_refusal "1M sections" "s1m.ini: the grid file is larger than 16777216 bytes" -- "$GD_BINARY" "$work/s1m.ini" --dry-run
rm -f "$work/s200k.ini" "$work/s1m.ini"

# A million sections or a million keys in one section within the size cap (16 MB, 12 MB):
# read whole in seconds, then refused at the first bad section or the repeated last key
# (keys were checked against every earlier key: 40k keys took 3 s, 1M did not finish).
/usr/bin/python3 -c 'import numpy as np, sys
labels = np.char.mod("%x", np.arange(10**6))
sys.stdout.write("[sweep]\nname = big\n[optimizer gd]\n" + "".join("[problem %s]\n" % l for l in labels))' >"$work/s1m.ini"
expect_refusal "1M sections in 16 MB" "s1m.ini:4: unknown problem type '0'" -- "$GD_BINARY" "$work/s1m.ini" --dry-run
/usr/bin/python3 -c 'import sys
keys = ["k%d = 1" % i for i in range(10**6)] + ["k5 = 2"]
sys.stdout.write("[problem quadratic]\n[optimizer gd]\n" + "\n".join(keys) + "\n")' >"$work/k1m.ini"
expect_refusal "1M keys in one section" "k1m.ini:1000003: 'k5' is given twice in this section \\(first at line 8\\)" -- "$GD_BINARY" "$work/k1m.ini" --dry-run
rm -f "$work/s1m.ini" "$work/k1m.ini"

# SIGTERM while a large grid (350k sections, 12 MB: seconds to read) is read: exit 3 at
# once (about 0.5 s alone; 10 s allowed on a loaded machine), nothing created (it used to
# read on for 517 s, then create the file and stop there).
/usr/bin/python3 -c 'import sys
sys.stdout.write("[sweep]\niterations = 1\n[optimizer gd]\n" +
                 "".join("[problem p%x]\ntype = quadratic\n" % i for i in range(350000)))' >"$work/big.ini"
for mode in sweep --dry-run; do
  args=(-o "$work/big.h5" --quiet); [ "$mode" = sweep ] || args+=("$mode")
  "$GD_BINARY" "$work/big.ini" "${args[@]}" >"$work/out.txt" 2>"$work/err.txt" & pid=$!
  sleep 0.5; start=$(date +%s%N); kill -TERM "$pid"; rc=0; wait "$pid" || rc=$?
  ms=$((($(date +%s%N) - start) / 1000000))
  if [ "$rc" -ne 3 ]; then fail "SIGTERM while reading ($mode): exit $rc, $(cat "$work/err.txt")"
  elif ! grep -q "big.ini: interrupted while reading the grid; nothing was written" "$work/err.txt"; then
    fail "SIGTERM while reading ($mode): $(cat "$work/err.txt")"
  elif [ "$ms" -gt "$(seconds 10000)" ]; then fail "SIGTERM while reading ($mode): exit after $ms ms"
  elif ls "$work"/big.h5* >/dev/null 2>&1; then fail "SIGTERM while reading ($mode): $(ls "$work"/big.h5*)"
  else echo "ok: SIGTERM while reading ($mode): exit 3 after $ms ms"; fi
done
rm -f "$work/big.ini"

# Messages escape control bytes and non-UTF-8 from the grid, and keep their reason when
# the path is longer than the message (a 4,090-byte -o gave exit 1 and no reason).
printf '[sweep]\nname = e\n[problem quadratic]\n[optimizer gd]\nlr = \001\377\033[2J\n' >"$work/esc.ini"
expect_usage_error "escaped grid text" "esc.ini:5: lr: '\\\\x01\\\\xFF\\\\x1B\\[2J' is not a number" -- "$GD_BINARY" "$work/esc.ini"
long=$work; seg=$(printf 'd%.0s' $(seq 1 200))
while [ ${#long} -lt 3800 ]; do long=$long/$seg; done
mkdir -p "$long"
name=$(printf 'c%.0s' $(seq 1 246)).h5
expect_usage_error "long -o" " \\.\\.\\. .*cc\\.h5: the file name is longer than 246 bytes" -- "$GD_BINARY" "$work/ok.ini" -o "$long/$name"
[ "$(wc -c <"$work/err.txt")" -lt 1100 ] || fail "long -o: message of $(wc -c <"$work/err.txt") bytes"
finish
