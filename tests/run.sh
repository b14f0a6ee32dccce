#!/usr/bin/env bash
# run.sh - the README's second command: set up, build and run the whole test suite.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/jobs/setup.sh" build
cd "$root/build"
ctest --output-on-failure -j 2 --timeout 900
