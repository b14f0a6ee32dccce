#!/usr/bin/env bash
# run-seed.sh - the README's first command: set up, build, run the seed article's sweep.
#
# Installs what is missing (Debian packages), builds gdsweep in build/, runs
# experiments/seed.ini into out/seed.h5, prints where the file is and its results, and
# writes the report with the article's figures to out/seed-report/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/jobs/setup.sh" build
cd "$root"
mkdir -p out
./build/gdsweep experiments/seed.ini -o out/seed.h5 --overwrite
echo "HDF5 file: $root/out/seed.h5  (layout: docs/FORMAT.md)"
/usr/bin/python3 -m analysis.report out/seed.h5 -o out/seed-report
echo "report: $root/out/seed-report/index.html"
