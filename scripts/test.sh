#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, then runs every unit and
# integration test through ctest. ctest brings the real test environment (private
# dockerd, registry, nginx; scripts/test-env.sh) up and down itself. Exits non-zero
# on any failure. Extra arguments go to ctest (e.g. -L unit, -R docker).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FICAL_BUILD_DIR:-$root/build}
export FICAL_ENV_DIR=${FICAL_ENV_DIR:-/tmp/fical-test-env}

bash "$root/scripts/build.sh"

# Start from a clean environment: a killed earlier run may have left one half up.
bash "$root/scripts/test-env.sh" down >/dev/null 2>&1 || true
trap 'bash "$root/scripts/test-env.sh" down >/dev/null 2>&1 || true' EXIT

cd "$build"
ctest --output-on-failure --timeout 900 -j "$(nproc)" "$@"
