#!/usr/bin/env bash
# install-experiment-data.sh - installs the Debian packages that carry the real-data
# experiments' files (no download of data: scikit-image's and scikit-learn's own copies) when
# they are missing, links camera.png and writes scikit-learn's tables (breast_cancer.csv,
# wine.csv, iris.csv, digits.csv.gz, with a header row: jobs/sklearn_tables.py) into
# experiments/data/ (git-ignored), and prints where each is.
#
# Usage: bash jobs/install-experiment-data.sh     (as root, or with sudo; apt-get, noninteractive)
# Exit 0 when every file is there afterwards; 3 when the packages cannot be installed (no root,
# no network, no apt): the message says why, and the tests that need the files skip.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dist=/usr/lib/python3/dist-packages
packages=(python3-skimage python3-sklearn)
files=(skimage/data/camera.png)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null && sudo -n true 2>/dev/null && sudo_cmd="sudo -n" || {
      echo "install-experiment-data: ${missing[*]} missing and not root (no sudo): run as root"
      exit 3; }
  fi
  command -v apt-get >/dev/null || {
    echo "install-experiment-data: ${missing[*]} missing and no apt-get here"; exit 3; }
  echo "install-experiment-data: installing ${missing[*]}"
  if ! { $sudo_cmd apt-get update -q >/dev/null &&
         DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q \
           --no-install-recommends "${missing[@]}" >/dev/null; }; then
    echo "install-experiment-data: apt-get could not install ${missing[*]} (offline?)"
    exit 3
  fi
fi

mkdir -p "$root/experiments/data"
status=0
for f in "${files[@]}"; do
  if [ -f "$dist/$f" ]; then
    ln -sf "$dist/$f" "$root/experiments/data/$(basename "$f")"
    echo "$dist/$f -> experiments/data/$(basename "$f")"
  else
    echo "install-experiment-data: $dist/$f is missing after the install"
    status=3
  fi
done
/usr/bin/python3 "$root/jobs/sklearn_tables.py" "$root/experiments/data" || status=3
exit $status
