#!/usr/bin/env bash
# Benchmark (not a test) of issue 15: how fast a bad canary is aborted. A canary answering
# 500 for 30% of its requests gets 10% of 50 req/s (1000 cookie clients) through nginx;
# prints, per round, the time from the first bad answer to the abort and the requests that
# failed meanwhile (tests/bench/canary_bench.cpp). Brings up its own test environment and
# takes it down at the end; builds what it needs. Bounded: each round ends with the abort
# or its 150 s load limit.
#
#   usage: scripts/bench/canary-abort.sh [ROUNDS]     (default 3)
#   env:   FICAL_ENV_DIR (default /tmp/fical-bench-canary-env), FICAL_ENV_REGISTRY_PORT,
#          FICAL_ENV_NGINX_PORT (test-env.sh's), FICAL_BUILD_DIR (default build),
#          FICAL_BUILD_JOBS (default 2)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
export FICAL_ENV_DIR=${FICAL_ENV_DIR:-/tmp/fical-bench-canary-env}
build=${FICAL_BUILD_DIR:-build}
jobs=${FICAL_BUILD_JOBS:-2}
rounds=${1:-3}
[[ $rounds =~ ^[0-9]+$ ]] || { echo "usage: $0 [ROUNDS]" >&2; exit 2; }

[[ -f $build/build.ninja ]] || cmake -S . -B "$build" -G Ninja -DFICAL_TEST_ENV_DIR="$FICAL_ENV_DIR" >/dev/null
cmake --build "$build" -j"$jobs" --target fical-canary-bench

trap 'bash scripts/test-env.sh down >/dev/null 2>&1 || true' EXIT
bash scripts/test-env.sh up >/dev/null
FICAL_TEST_ENV=$FICAL_ENV_DIR/env.json "$build/tests/bench/fical-canary-bench" "$rounds"
