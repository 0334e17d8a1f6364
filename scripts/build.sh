#!/usr/bin/env bash
# Builds fical into build/ with Ninja (and ccache when present), installing missing
# Debian packages first. FICAL_BUILD_DIR and FICAL_BUILD_TYPE override the defaults.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FICAL_BUILD_DIR:-$root/build}

bash "$root/scripts/install-deps.sh"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="${FICAL_BUILD_TYPE:-RelWithDebInfo}" >/dev/null
cmake --build "$build" -j "$(nproc)"
