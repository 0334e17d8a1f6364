#!/usr/bin/env bash
# README command 1, as a newcomer runs it: scripts/run.sh starts the agent with the demo
# app and prints how to deploy; the printed deploy line makes v1 live behind nginx; TERM
# stops the agent and takes the demo environment down.
set -euo pipefail
root=$1
demo=$(mktemp -d /tmp/fical-demo-test.XXXXXX)
fail() { echo "FAIL: $*" >&2; tail -20 "$demo/err" >&2 2>/dev/null || true; exit 1; }
pass() { echo "ok: $*"; }

# Ports below the kernel's ephemeral range (32768-60999), where other tests' free ports live.
export FICAL_SKIP_BUILD=1 FICAL_DEMO_DIR=$demo FICAL_DEMO_PORT=$((29200 + RANDOM % 600))
export FICAL_ENV_REGISTRY_PORT=23000 FICAL_ENV_NGINX_PORT=24080
setsid bash "$root/scripts/run.sh" >"$demo/out" 2>"$demo/err" &
run_pid=$!
cleanup() {
  kill -TERM "$run_pid" 2>/dev/null || true
  wait "$run_pid" 2>/dev/null || true
  FICAL_ENV_DIR=$demo/env bash "$root/scripts/test-env.sh" down >/dev/null 2>&1 || true
  rm -rf "$demo"
}
trap cleanup EXIT

for _ in $(seq 1 600); do
  grep -q "fical-agent ready" "$demo/err" 2>/dev/null && break
  kill -0 "$run_pid" 2>/dev/null || fail "run.sh exited early"
  sleep 0.1
done
grep -q "fical-agent ready" "$demo/err" || fail "the agent did not become ready"
grep -q '^token: [0-9a-f]\{64\}$' "$demo/out" || fail "no token printed"
token=$(sed -n 's/^token: //p' "$demo/out")
grep -q "$token" "$demo/agent.yaml" && fail "the token itself is in agent.yaml"
pass "run.sh starts the agent and prints a fresh token"

deploy=$(grep -- '--version v1$' "$demo/out" | sed 's/^ *//')
[[ -n $deploy ]] || fail "no deploy line printed"
bash -c "$deploy" >"$demo/deploy.out" 2>&1 || fail "the printed deploy line failed: $(cat "$demo/deploy.out")"
grep -q "v1 is live" "$demo/deploy.out" || fail "deploy output: $(cat "$demo/deploy.out")"
curl_line=$(grep -o 'curl http://127.0.0.1:[0-9]*/demo/' "$demo/out")
[[ $($curl_line -s) == v1 ]] || fail "nginx does not serve v1 at ${curl_line#curl }"
pass "the printed deploy line makes v1 live behind nginx"

kill -TERM "$run_pid"
for _ in $(seq 1 300); do kill -0 "$run_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$run_pid" 2>/dev/null && fail "run.sh did not stop on TERM"
[[ -z $(pgrep -f -- "$demo/" || true) ]] || fail "processes left: $(pgrep -af -- "$demo/")"
pass "TERM stops the agent and the demo environment"
echo "3 passed, 0 failed"
