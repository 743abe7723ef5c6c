#!/usr/bin/env bash
# Installs everything sockjs-cpp needs to build and test on Debian 12: the toolchains (g++,
# Emscripten), the libraries (POCO, Boost.JSON 1.81, Catch2 v2), Chromium for the browser
# tests, node + npm, and the project's npm packages (`npm ci`). Safe to run again: it installs
# only what is missing. Run as root (or with sudo available).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Debian packages, each checked by its package name. Boost stays on the 1.81 packages throughout
# (libboost1.81-dev conflicts with the default 1.74 libboost-dev).
packages=(
  cmake make g++ pkgconf git ca-certificates python3
  libpoco-dev libboost-json1.81-dev catch2
  libssl-dev openssl
  emscripten
  chromium chromium-driver
  libnss3-tools  # certutil: the browser TLS tests make Chromium trust their test CA
  clang-14 libclang-rt-14-dev  # libFuzzer and the sanitizer runtimes (scripts/fuzz.sh, tsan preset)
  redis-server haproxy nginx-light python3-websockets
  zlib1g-dev
  prometheus  # promtool: tests/server/server_promtool_test.cpp checks /metrics
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# node and npm are checked as commands: a node 20 from another source (which bundles npm)
# must not be replaced by Debian's node 18 + npm packages.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || { echo "setup: run as root (or install sudo)" >&2; exit 1; }
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
else
  echo "setup: Debian packages already installed"
fi

# npm packages from the lock file (sockjs, sockjs-client, playwright-core; no browser download:
# the tests drive Debian's /usr/bin/chromium). npm leaves node_modules/.package-lock.json
# behind; reinstall only when the lock file is newer than that.
if [[ -f package-lock.json ]]; then
  if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
    echo "setup: npm ci"
    npm ci --no-audit --no-fund </dev/null
  else
    echo "setup: node_modules up to date"
  fi
fi
