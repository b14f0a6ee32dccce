#!/usr/bin/env bash
# setup.sh - installs gdsweep's Debian packages when missing, then configures and builds.
#
# Usage: bash jobs/setup.sh [BUILD_DIR] [extra cmake args...]   (default BUILD_DIR: build)
# Used by the README's two commands (jobs/run-seed.sh, tests/run.sh) and by .ci/run.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-build}
shift || true

packages=(build-essential cmake pkg-config libopenmpi-dev openmpi-bin libhdf5-dev hdf5-tools
          libcmocka-dev libinih-dev libpng-dev libnetpbm-dev libcsv-dev zlib1g-dev nettle-dev
          python3-h5py python3-numpy python3-matplotlib python3-pandas man-db
          chromium)  # chromium: the report's browser test (tests/e2e/test_report_browser.py)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd=sudo
  $sudo_cmd apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

cd "$root"
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
cmake -S . -B "$build" -DGD_WERROR=$werror "$@" >/dev/null
cmake --build "$build" -j "$(nproc)" 2>&1 | grep -Ev '^\[ *[0-9]+%\]|^-- ' || true
test -x "$build/gdsweep" || { echo "setup: build failed" >&2; exit 1; }
