#!/usr/bin/env bash
# Benchmark (not a test) of issue 5: fical deploy and rollback versus the old flow,
# `docker-compose -p X up -d` with the new tag, in one run: the same test app and images,
# the same boot time and the same load through the same nginx. Brings up its own test
# environment (scripts/test-env.sh) and takes it down at the end; builds what it needs.
# The named-network case runs the same app on test-env's Docker network, where nginx
# reaches each color at the container's address (as fical writes it in the upstream).
# The limit (issue 17) runs in the same run: a hand-made optimal blue-green switch of the
# same app (tests/bench/limit_flow.hpp: the same migration, create and start through the
# Docker API, /health every 10 ms, upstream rename, SIGHUP), measured right after fical's
# deploy of the same versions; fical's time to live is reported as a ratio of it.
# Prints a table and the phases of each fical deployment. Bounded: every loop and the load
# stop by themselves. Exit 0 when fical met every target, 1 when it missed one.
#
#   usage: scripts/bench/deploy.sh
#   env:   FICAL_ENV_DIR (default /tmp/fical-bench-deploy-env), FICAL_ENV_REGISTRY_PORT,
#          FICAL_ENV_NGINX_PORT (test-env.sh's), FICAL_BUILD_DIR (default build),
#          FICAL_BUILD_JOBS (default 2), FICAL_BENCH_BOOT_SECONDS (default 2),
#          FICAL_BENCH_HEALTH (extra health keys for fical, e.g. "max_interval: 100ms"),
#          FICAL_BENCH_AGENT / FICAL_BENCH_CLIENT (binaries to measure; default: the built ones),
#          FICAL_BENCH_LIMIT_ROUNDS (extra pairs of fical and the limit, default 4)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
export FICAL_ENV_DIR=${FICAL_ENV_DIR:-/tmp/fical-bench-deploy-env}
build=${FICAL_BUILD_DIR:-build}
jobs=${FICAL_BUILD_JOBS:-2}
boot=${FICAL_BENCH_BOOT_SECONDS:-2}

bash scripts/install-deps.sh
command -v docker-compose >/dev/null || { echo "bench: needs docker-compose (scripts/install-deps.sh)" >&2; exit 2; }

[[ -f $build/build.ninja ]] || cmake -S . -B "$build" -G Ninja -DFICAL_TEST_ENV_DIR="$FICAL_ENV_DIR" >/dev/null
cmake --build "$build" -j"$jobs" --target fical-agent fical-client fical-deploy-bench

trap 'bash scripts/test-env.sh down >/dev/null 2>&1 || true' EXIT
bash scripts/test-env.sh up >/dev/null

health_args=()
[[ -n ${FICAL_BENCH_HEALTH:-} ]] && health_args=(--health "$FICAL_BENCH_HEALTH")
FICAL_TEST_ENV=$FICAL_ENV_DIR/env.json "$build/tests/bench/fical-deploy-bench" \
  --agent "${FICAL_BENCH_AGENT:-$build/agent/fical-agent}" \
  --client "${FICAL_BENCH_CLIENT:-$build/client/fical-client}" \
  --boot-seconds "$boot" --limit-rounds "${FICAL_BENCH_LIMIT_ROUNDS:-4}" --network "$(sed -n 's/^NETWORK=//p' "$FICAL_ENV_DIR/env.sh")" "${health_args[@]}"
