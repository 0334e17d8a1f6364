#!/usr/bin/env bash
# Benchmark (not a test): GET /v1/apps/{app}/envs/{env} on fical-agent under wrk, beside
# nginx serving a static file on the same machine in the same run. Prints req/s and p99
# for both, the ratio, and the agent's idle RSS. Both servers write an access log line per
# request. Bounded: each wrk run lasts DURATION (default 10s).
#   usage: scripts/bench/api.sh [path/to/fical-agent]
set -euo pipefail

agent=${1:-build/agent/fical-agent}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-50}
threads=${THREADS:-2}
[[ -x $agent ]] || { echo "bench: no agent binary at $agent (build it first)" >&2; exit 2; }
command -v wrk >/dev/null && command -v nginx >/dev/null || { echo "bench: needs wrk and nginx" >&2; exit 2; }

work=$(mktemp -d /tmp/fical-bench-api.XXXXXX)
agent_pid= nginx_pid=
cleanup() {
  [[ -n $agent_pid ]] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null
  [[ -f $work/nginx/nginx.pid ]] && kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null
  sleep 0.2
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {  # a port nothing listens on (checked with ss)
  local port
  while :; do
    port=$((20000 + RANDOM % 30000))
    ss -ltn "sport = :$port" | grep -q LISTEN || { echo "$port"; return; }
  done
}

token=bench-$RANDOM$RANDOM
agent_port=$(free_port)
cat >"$work/agent.yaml" <<YAML
listen: ["127.0.0.1:$agent_port"]
docker: { socket: $work/no-docker.sock }
state_dir: $work/state
tokens: [ { id: bench, sha256: "$(printf %s "$token" | sha256sum | cut -d' ' -f1)", scopes: [read] } ]
apps:
  web:
    environments:
      staging: { services: { app: { image: 127.0.0.1:5000/web } } }
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

for i in $(seq 1 100); do
  curl -sf -o /dev/null -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$agent_port/v1/apps/web/envs/staging" &&
    curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/status.json" && break
  sleep 0.05
done
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

read -r agent_rps agent_p99 < <(run_wrk -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$agent_port/v1/apps/web/envs/staging")
read -r nginx_rps nginx_p99 < <(run_wrk "http://127.0.0.1:$nginx_port/status.json")
sleep 1
idle_after=$(rss_kb)

ratio=$(awk -v a="$agent_rps" -v n="$nginx_rps" 'BEGIN { printf "%.0f", 100 * a / n }')
echo "wrk -t$threads -c$connections -d$duration on $(nproc) cores, both with access logs"
printf '%-44s %12s req/s   p99 %s\n' "fical-agent GET /v1/apps/web/envs/staging" "$agent_rps" "$agent_p99"
printf '%-44s %12s req/s   p99 %s\n' "nginx static file (same body)" "$nginx_rps" "$nginx_p99"
echo "ratio: fical-agent = ${ratio}% of nginx (target >= 50%)"
echo "fical-agent idle RSS: $((idle_before / 1024)).$(((idle_before % 1024) * 10 / 1024)) MB at start," \
     "$((idle_after / 1024)).$(((idle_after % 1024) * 10 / 1024)) MB idle after the load (target < 15 MB)"
