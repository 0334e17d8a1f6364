#!/usr/bin/env bash
# Benchmark (not a test): fical-agent over a state dir of N deployments (10-50 events each)
# across 20 environments, for N in $SIZES (default "0 10000 100000"). Per N: the agent's RSS
# after start, start to ready (until the API answers a history request), p50/p99 of history
# (limit 20), env status and deployment show over HTTP (curl keep-alive, 300 requests each),
# and the cost of one event to a running deployment (in-process, 500 events): what the deploy's
# thread pays (the event is queued for the group commit), how long until it is durable and
# served (committed with synchronous=FULL), and a synchronous one-transaction append for comparison.
# Generation writes rows directly (fical-state-bench generate), not through deploys; retention
# is raised so the background pruner keeps all N during the run.
#   usage: scripts/bench/state.sh [build dir]
set -euo pipefail

build=${1:-build}
agent=$build/agent/fical-agent
helper=$build/tests/bench/fical-state-bench
sizes=${SIZES:-0 10000 100000}
envs=20
requests=${REQUESTS:-300}
[[ -x $agent && -x $helper ]] || { echo "bench: build $agent and $helper first" >&2; exit 2; }

work=$(mktemp -d /tmp/fical-bench-state.XXXXXX)
agent_pid=
cleanup() {
  [[ -n $agent_pid ]] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 30000))
    ss -ltn "sport = :$port" | grep -q LISTEN || { echo "$port"; return; }
  done
}

token=bench-$RANDOM$RANDOM
percentiles() {  # stdin: seconds, one a line -> "p50 p99" in ms
  sort -g | awk '{ v[NR] = $1 } END { i50 = int(NR * 0.5); i99 = int(NR * 0.99); if (i50 < 1) i50 = 1;
    if (i99 < 1) i99 = 1; printf "%.2f %.2f", v[i50] * 1000, v[i99] * 1000 }'
}
timed_gets() {  # URLs... -> one time_total a line, over one keep-alive connection
  local args=()
  for url in "$@"; do args+=(-o /dev/null -w '%{http_code} %{time_total}\n' "$url"); done
  curl -s -H "Authorization: Bearer $token" "${args[@]}" | awk '$1 != 200 { bad = 1 } { print $2 }
    END { if (bad) { print "bench: a request failed" > "/dev/stderr"; exit 1 } }'
}

printf '%-8s %-8s %-9s %-10s %-17s %-17s %-17s %-16s %-16s %-14s\n' N db_MB RSS_MB ready_ms "history p50/p99" \
  "status p50/p99" "show p50/p99" "event p50/p99" "durable p50/p99" "sync p50/p99"
for n in $sizes; do
  state=$work/state-$n
  "$helper" generate "$state" "$n" "$envs"
  port=$(free_port)
  {
    echo "listen: [\"127.0.0.1:$port\"]"
    echo "docker: { socket: $work/no-docker.sock }"
    echo "state_dir: $state"
    echo "state: { keep_deployments: 1000000 }"  # measure reads over all N, not the pruner
    echo "tokens: [ { id: bench, sha256: \"$(printf %s "$token" | sha256sum | cut -d' ' -f1)\", scopes: [read] } ]"
    echo "apps:"
    echo "  web:"
    echo "    environments:"
    for ((e = 0; e < envs; e++)); do
      printf '      e%02d: { services: { app: { image: 127.0.0.1:5000/web } } }\n' "$e"
    done
  } >"$work/agent.yaml"
  sync
  start=$(date +%s%N)
  "$agent" --config "$work/agent.yaml" 2>"$work/agent-$n.log" &
  agent_pid=$!
  ready=
  for _ in $(seq 1 600); do
    if curl -sf -o /dev/null -H "Authorization: Bearer $token" \
      "http://127.0.0.1:$port/v1/apps/web/envs/e00/deployments?limit=20"; then
      ready=$((($(date +%s%N) - start) / 1000000))
      break
    fi
    sleep 0.01
  done
  [[ -n $ready ]] || { echo "bench: the agent did not answer; its log:" >&2; cat "$work/agent-$n.log" >&2; exit 1; }
  base=http://127.0.0.1:$port/v1
  history_urls=() status_urls=() show_urls=()
  for ((i = 0; i < requests; i++)); do
    e=$(printf 'e%02d' $((RANDOM % envs)))
    history_urls+=("$base/apps/web/envs/$e/deployments?limit=20")
    status_urls+=("$base/apps/web/envs/$e")
  done
  if ((n > 0)); then
    mapfile -t ids < <(sqlite3 "file:$state/fical.db?mode=ro" \
      "SELECT id FROM deployments ORDER BY random() LIMIT $requests")
    for id in "${ids[@]}"; do show_urls+=("$base/deployments/$id"); done
  fi
  history=$(timed_gets "${history_urls[@]}" | percentiles)
  status=$(timed_gets "${status_urls[@]}" | percentiles)
  show="- -"
  ((n > 0)) && show=$(timed_gets "${show_urls[@]}" | percentiles)
  rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$agent_pid/status")
  kill "$agent_pid"
  wait "$agent_pid" 2>/dev/null || true
  agent_pid=
  event=$("$helper" events "$state" 500)
  db_mb=$(du -sm "$state/fical.db" | cut -f1)
  read -r q50 q99 d50 d99 s50 s99 <<<"$event"
  printf '%-8s %-8s %-9s %-10s %-17s %-17s %-17s %-16s %-16s %-14s\n' "$n" "$db_mb" \
    "$((rss_kb / 1024)).$(((rss_kb % 1024) * 10 / 1024))" "$ready" "${history/ //}" "${status/ //}" "${show/ //}" \
    "$q50/$q99" "$d50/$d99" "$s50/$s99"
  rm -rf "$state"
done
echo "($(nproc) cores; times in ms; RSS after the reads; ready = start until a history request answers;" \
     "event = what one event costs the deploy's thread (queued for the group commit, no I/O);" \
     "durable = queued until committed with synchronous=FULL (fsync included) and so served;" \
     "sync = one append_events transaction per event, the design before group commit)"
