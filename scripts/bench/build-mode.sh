#!/usr/bin/env bash
# Benchmark (not a test): request-to-live of build-mode deploys (a cold build after the
# context changed, a new commit with the context unchanged, the same commit again) beside
# a registry-mode deploy of the same app, one run each, against the real test environment.
#   usage: FICAL_ENV_DIR=/tmp/fical-env-<you> scripts/bench/build-mode.sh [build dir]
set -euo pipefail
build=${1:-build}
env_dir=${FICAL_ENV_DIR:-/tmp/fical-test-env}
[[ -f $env_dir/env.json ]] || { echo "bench: no test environment in $env_dir (scripts/test-env.sh up)" >&2; exit 2; }
cmake --build "$build" -j1 --target fical-build-mode-bench >/dev/null
FICAL_TEST_ENV=$env_dir/env.json timeout 600 "$build/tests/integration/source/fical-build-mode-bench" 2>/dev/null |
  grep -v '^\[20'
