#!/usr/bin/env bash
# run.sh - builds the fuzz corpus and runs a libFuzzer target for a while (docs/HARDENING.md).
#
# Usage: bash tests/fuzz/run.sh [SECONDS] [TARGET]   (defaults: 60, grid)
# Builds build-fuzz/ (clang, ASan + UBSan + libFuzzer) when needed, makes the seed corpus
# (experiments/ and bench/ grids, every grid the grid unit tests parse, the committed
# regressions) and a dictionary from `gdsweep --list`, then fuzzes for SECONDS seconds
# in one process (CI machines have 2 cores).
# New interesting inputs accumulate in build-fuzz/corpus-TARGET/ (kept between runs).
# A crash leaves build-fuzz/crash-* and exits non-zero: copy the input into
# tests/fuzz/regressions/TARGET/ and fix the bug (the replay test then guards it).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seconds=${1:-60}
target=${2:-grid}
build=${GD_FUZZ_BUILD:-$root/build-fuzz}
cd "$root"

CC=clang cmake -S . -B "$build" -DGD_WERROR=ON -DGD_SANITIZE=ON -DGD_FUZZ=ON \
  -DGD_TESTS=OFF -DGD_BENCH=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" 2>&1 | grep -Ev '^\[ *[0-9]+%\]|^-- ' || true
fuzzer=$build/tests/fuzz/fuzz_$target
test -x "$fuzzer" || { echo "fuzz: $fuzzer was not built" >&2; exit 1; }

# Open MPI's init leaks are not ours (.ci/lsan.supp); the fuzz targets never call MPI.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/.ci/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

seeds=$build/seeds-$target corpus=$build/corpus-$target
rm -rf "$seeds"; mkdir -p "$seeds" "$corpus"
cp "$root"/tests/fuzz/regressions/"$target"/* "$seeds"/
if [ "$target" = grid ]; then
  cp "$root"/experiments/*.ini "$root"/bench/*.ini "$seeds"/
  for t in "$build"/tests/fuzz/seed_test_grid_*; do
    GD_FUZZ_SEED_DIR=$seeds "$t" >/dev/null 2>&1 || { echo "fuzz: $t failed" >&2; exit 1; }
  done
  # Dictionary: section kinds, generator names, every type and key `gdsweep --list` shows.
  { printf '"[sweep]"\n"[problem "\n"[optimizer "\n"linspace("\n"logspace("\n"range("\n'
    printf '"type = "\n"problems = "\n"schedule = "\n"repeats"\n"seed"\n"name"\n"output"\n'
    printf '"record_every"\n"inf"\n"nan"\n"e308"\n"e-320"\n'
    # The grammar's punctuation and line endings: CR, CRLF, BOM, continuation, comments.
    printf '"\\x0D"\n"\\x0D\\x0A"\n"\\x0A  "\n"\\xEF\\xBB\\xBF"\n"; "\n"# "\n" = "\n", "\n"]"\n"("\n")"\n'
    ASAN_OPTIONS=detect_leaks=0 "$build/gdsweep" --list 2>/dev/null | awk '/^  [a-z_0-9]+ - /{print "\"" $1 "\""}
                                               /^    [a-z_0-9]+ /{print "\"" $1 "\""}' | sort -u
  } >"$build/$target.dict"
fi
echo "fuzz: $target for ${seconds}s: $(ls "$seeds" | wc -l) seeds, $(ls "$corpus" | wc -l) corpus inputs"
cd "$build"
rc=0
# Tight limits, so that blow-ups are finds: 256 MB per allocation, 512 MB in all (ASan
# and the corpus alone reach ~280 MB; 256 gave false finds that replay in 2 MB), 2 s per
# input (parsing and checking one takes milliseconds).
"$fuzzer" -max_total_time="$seconds" -max_len=8192 -timeout=2 -rss_limit_mb=512 \
  -malloc_limit_mb=256 \
  -print_final_stats=1 -artifact_prefix="$build/" -dict="$build/$target.dict" \
  "$corpus" "$seeds" >"$build/fuzz-$target.log" 2>&1 || rc=$?
grep -Ev '^#[0-9]+\s+(NEW|REDUCE|pulse)' "$build/fuzz-$target.log" | tail -60
echo "fuzz: $target: exit $rc (log: $build/fuzz-$target.log)"
exit "$rc"
