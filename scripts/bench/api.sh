#!/usr/bin/env bash
# Benchmark (not a test): fical-agent's two status routes under wrk, GET
# /v1/apps/{app}/envs/{env} and GET /healthz, with Docker connected (a private test
# environment, scripts/test-env.sh), one running container and a deployment in progress
# meanwhile, beside nginx serving a static file on the same machine in the same run. Prints
# req/s and p99 for each, the ratios, and the agent's idle RSS. Both servers write an access
# log line per request. Bounded: each wrk run lasts DURATION (default 10s); the deployment
# in progress ends by itself.
#   usage: scripts/bench/api.sh [path/to/fical-agent] [path/to/fical-client]
#   env:   FICAL_ENV_DIR (default /tmp/fical-bench-api-env), DURATION, CONNECTIONS, THREADS
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
agent=${1:-build/agent/fical-agent}
client=${2:-build/client/fical-client}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-50}
threads=${THREADS:-2}
export FICAL_ENV_DIR=${FICAL_ENV_DIR:-/tmp/fical-bench-api-env}
[[ -x $agent && -x $client ]] || { echo "bench: no agent or client binary at $agent, $client (build first)" >&2; exit 2; }
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then echo "bench: needs wrk and nginx" >&2; exit 2; fi

work=$(mktemp -d /tmp/fical-bench-api.XXXXXX)
agent_pid=
cleanup() {
  [[ -n $agent_pid ]] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null
  [[ -f $work/nginx/nginx.pid ]] && kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null
  bash "$root/scripts/test-env.sh" down >/dev/null 2>&1 || true
  sleep 0.2
  rm -rf "$work"
}
trap cleanup EXIT
bash "$root/scripts/test-env.sh" up >/dev/null
# shellcheck source=/dev/null
source "$FICAL_ENV_DIR/env.sh"

free_port() {  # a port nothing listens on (checked with ss)
  local port
  while :; do
    port=$((20000 + RANDOM % 12000))  # below the ephemeral range, where connections take ports
    ss -ltn "sport = :$port" | grep -q LISTEN || { echo "$port"; return; }
  done
}

token=bench-$RANDOM$RANDOM
agent_port=$(free_port)
# staging: one running container (a worker: nothing to route); busy: a deployment that
# stays in its health gate (min_healthy 60 s) while wrk runs.
cat >"$work/agent.yaml" <<YAML
listen: ["127.0.0.1:$agent_port"]
docker: { socket: $DOCKER_SOCKET, min_free_disk_mb: 0 }
state_dir: $work/state
tokens: [ { id: bench, sha256: "$(printf %s "$token" | sha256sum | cut -d' ' -f1)", scopes: [read, deploy] } ]
apps:
  web:
    environments:
      staging: { services: { app: { image: $TEST_IMAGE, health: { min_healthy: 1s } } } }
      busy: { services: { app: { image: $TEST_IMAGE, health: { min_healthy: 60s, deadline: 90s } } } }
YAML
"$agent" --config "$work/agent.yaml" 2>"$work/agent.log" &
agent_pid=$!

nginx_port=$(free_port)
mkdir -p "$work/nginx/logs" "$work/nginx/tmp" "$work/nginx/html"
curl_body=$(printf '{"app":"web","containers":[],"env":"staging","live":null,"running":null}')
printf '%s\n' "$curl_body" >"$work/nginx/html/status.json"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log $work/nginx/logs/access.log;
  client_body_temp_path $work/nginx/tmp/body;
  proxy_temp_path $work/nginx/tmp/proxy;
  fastcgi_temp_path $work/nginx/tmp/fastcgi;
  uwsgi_temp_path $work/nginx/tmp/uwsgi;
  scgi_temp_path $work/nginx/tmp/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    location / { root $work/nginx/html; default_type application/json; }
  }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/logs/error.log"

for _ in $(seq 1 200); do
  curl -sf -o /dev/null "http://127.0.0.1:$agent_port/healthz" &&
    curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/status.json" && break
  sleep 0.05
done
fical() { FICAL_URL=http://127.0.0.1:$agent_port FICAL_TOKEN=$token "$client" "$@"; }
fical deploy --app web --env staging --version v1 >"$work/deploy.out" 2>&1 ||
  { echo "bench: deploy v1 failed: $(tail -5 "$work/deploy.out")" >&2; exit 1; }
fical deploy --app web --env busy --version v1 --no-wait >"$work/busy.out" 2>&1 ||
  { echo "bench: the deploy in progress did not start: $(tail -5 "$work/busy.out")" >&2; exit 1; }
status_body=$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$agent_port/v1/apps/web/envs/staging")
printf '%s\n' "$status_body" >"$work/nginx/html/status.json"
sleep 0.5
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$agent_pid/status"; }
idle_before=$(rss_kb)

run_wrk() {  # prints "req/s p99" for a wrk run
  wrk -t"$threads" -c"$connections" -d"$duration" --latency "$@" >"$work/wrk.out"
  local rps p99
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk.out")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.out")
  echo "$rps $p99"
}

read -r status_rps status_p99 < <(run_wrk -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$agent_port/v1/apps/web/envs/staging")
read -r health_rps health_p99 < <(run_wrk "http://127.0.0.1:$agent_port/healthz")
read -r nginx_rps nginx_p99 < <(run_wrk "http://127.0.0.1:$nginx_port/status.json")
busy_state=$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$agent_port/v1/apps/web/envs/busy" |
  jq -r '.running.state // "none"')
sleep 1
idle_after=$(rss_kb)

ratio() { awk -v a="$1" -v n="$nginx_rps" 'BEGIN { printf "%.0f", 100 * a / n }'; }
echo "wrk -t$threads -c$connections -d$duration on $(nproc) cores, both with access logs; Docker connected,"
echo "one running container, a deployment in progress meanwhile (state at the end: ${busy_state:-?})"
printf '%-44s %12s req/s   p99 %s   (%s%% of nginx)\n' "fical-agent GET /v1/apps/web/envs/staging" "$status_rps" \
  "$status_p99" "$(ratio "$status_rps")"
printf '%-44s %12s req/s   p99 %s   (%s%% of nginx)\n' "fical-agent GET /healthz" "$health_rps" "$health_p99" \
  "$(ratio "$health_rps")"
printf '%-44s %12s req/s   p99 %s\n' "nginx static file (the status body)" "$nginx_rps" "$nginx_p99"
echo "targets: both >= 50% of nginx, p99 < 10 ms"
echo "fical-agent idle RSS: $((idle_before / 1024)).$(((idle_before % 1024) * 10 / 1024)) MB at start," \
     "$((idle_after / 1024)).$(((idle_after % 1024) * 10 / 1024)) MB after the load"
