#!/usr/bin/env bash
# Installs what the build and the tests need, only when it is missing, so that `make build` is
# fast on a machine that already has everything. Debian 12, as root.
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages=(
  g++ cmake ninja-build pkg-config make git curl openssl ca-certificates
  libboost1.81-all-dev libboost-json1.81-dev libboost-url1.81-dev libssl-dev
  libsoci-dev libsqlite3-dev sqlite3 libpq-dev postgresql
  libkainjow-mustache-dev libtoml11-dev libspdlog-dev libfmt-dev
  libqrencode-dev libidn2-dev libxlsxwriter-dev libcurl4-openssl-dev prometheus-cpp-dev
  # nginx: the baseline of `make bench`, which starts its own (Debian's service is not used).
  libp11-dev softhsm2 opensc libgtest-dev googletest libbenchmark-dev nginx
  chromium fonts-dejavu-core clang-format
)
# Node.js may come from Debian (nodejs + npm) or from elsewhere with npm bundled (then Debian's
# npm package conflicts): ask for the commands, not the packages.
command -v node >/dev/null 2>&1 || debian_packages+=(nodejs)
command -v npm >/dev/null 2>&1 || debian_packages+=(npm)

missing=()
for package in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q '^install ok installed$' ||
    missing+=("$package")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm ci only when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi
