#!/usr/bin/env bash
# Idle memory of fical-agent binaries: starts each given agent on the test environment
# ($FICAL_ENV_DIR, scripts/test-env.sh up first) with one app configured, waits until it
# is ready (Docker answered, state reconciled), lets it idle, and prints its VmRSS and
# VmHWM from /proc. Used for docs/benchmarks.md (developer build versus release binary).
#
# Usage: FICAL_ENV_DIR=... scripts/bench/idle-rss.sh AGENT [AGENT...]
set -euo pipefail
# shellcheck source=/dev/null
source "${FICAL_ENV_DIR:?set FICAL_ENV_DIR to a test environment that is up}/env.sh"
idle_seconds=${FICAL_IDLE_SECONDS:-10}
work=$(mktemp -d /tmp/fical-idle-rss.XXXXXX)
pid=
cleanup() {
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf -- "$work"
}
trap cleanup EXIT

printf '%-60s %10s %10s\n' agent "VmRSS kB" "VmHWM kB"
for agent in "$@"; do
  rm -rf "$work/state"
  cat >"$work/agent.yaml" <<YAML
listen: ["unix:$work/agent.sock"]
docker: { socket: $DOCKER_SOCKET }
state_dir: $work/state
tokens:
  - { id: bench, sha256: "$(printf bench | sha256sum | cut -d' ' -f1)", scopes: [read] }
nginx:
  upstream_dir: $work
  reload: { pidfile: $NGINX_PIDFILE }
apps:
  idle:
    environments:
      staging:
        services:
          web: { image: $TEST_IMAGE, ports: { blue: 28801, green: 28802 }, health: { http: /health } }
YAML
  "$agent" --config "$work/agent.yaml" 2>"$work/agent.log" &
  pid=$!
  for _ in $(seq 100); do
    grep -q "fical-agent ready" "$work/agent.log" && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/agent.log" >&2; exit 1; }
    sleep 0.1
  done
  grep -q "fical-agent ready" "$work/agent.log" || { echo "$agent did not get ready" >&2; exit 1; }
  sleep "$idle_seconds"
  printf '%-60s %10s %10s\n' "$agent" "$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")" \
    "$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=
done
