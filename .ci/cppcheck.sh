#!/usr/bin/env bash
# cppcheck.sh - static analysis of src/ (docs/HARDENING.md); any finding fails.
#
# Checks: warning (undefined behaviour, null and out-of-bounds access, leaks, bad format
# strings), performance and portability. Not `style`: in cppcheck 2.10 it is mostly
# knownConditionTrueFalse false positives on size_t minima and const-ness advice.
# Findings that are not bugs are listed, with why, in .ci/cppcheck.supp.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cppcheck --quiet --std=c11 --enable=warning,performance,portability --inline-suppr \
  --suppressions-list=.ci/cppcheck.supp --error-exitcode=1 -j "$(nproc)" \
  -I include -D_POSIX_C_SOURCE=200809L '-DGD_VERSION="0"' src/
echo "cppcheck: src/ clean ($(find src -name '*.c' | wc -l) files)"
