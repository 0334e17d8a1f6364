# Helpers for the API integration tests: a real fical-agent on a free loopback port and a
# unix socket in a temp dir, with a temp config. Source it; set AGENT to the binary first.
set -euo pipefail

WORK=$(mktemp -d /tmp/fical-api-test.XXXXXX)
AGENT_PIDS=()
cleanup() {
  local pid
  for pid in "${AGENT_PIDS[@]}"; do { kill -9 "$pid" && wait "$pid"; } 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; [[ -f $WORK/agent.log ]] && tail -20 "$WORK/agent.log" >&2; exit 1; }
pass() { echo "ok: $*"; }
expect_eq() { [[ "$1" == "$2" ]] || fail "$3: expected '$2', got '$1'"; }

sha256() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
READ_TOKEN=read-$RANDOM$RANDOM
DEPLOY_TOKEN=deploy-$RANDOM$RANDOM
WEB_TOKEN=web-$RANDOM$RANDOM

# write_config FILE LISTEN_YAML_LIST [EXTRA_YAML]
write_config() {
  cat >"$1" <<YAML
listen: $2
docker: { socket: $WORK/no-docker.sock }
state_dir: ${1%.yaml}-state
tokens:
  - { id: reader, sha256: "$(sha256 "$READ_TOKEN")", scopes: [read] }
  - { id: deployer, sha256: "$(sha256 "$DEPLOY_TOKEN")", scopes: [read, deploy] }
  - { id: web-only, sha256: "$(sha256 "$WEB_TOKEN")", scopes: [admin], apps: [web] }
apps:
  web:
    environments:
      staging: { services: { app: { image: 127.0.0.1:5000/web } } }
  blog:
    environments:
      prod: { services: { app: { image: 127.0.0.1:5000/blog } } }
${3:-}
YAML
}

# start_agent NAME LISTEN_TEMPLATE [EXTRA_YAML]: LISTEN_TEMPLATE may contain PORT, which is
# replaced by a random port (retried if taken). Sets PORT and PID; logs to $WORK/NAME.log.
start_agent() {
  local name=$1 template=$2 extra=${3:-} try
  for try in 1 2 3 4 5 6 7 8; do
    PORT=$((20000 + RANDOM % 30000))
    write_config "$WORK/$name.yaml" "${template//PORT/$PORT}" "$extra"
    "$AGENT" --config "$WORK/$name.yaml" 2>"$WORK/$name.log" &
    PID=$!
    AGENT_PIDS+=("$PID")
    local i
    for i in $(seq 1 100); do
      # Serving: ready, or (without Docker) waiting for it, which is logged after listening.
      if grep -qE "fical-agent ready|waiting for Docker" "$WORK/$name.log" 2>/dev/null; then return 0; fi
      if ! kill -0 "$PID" 2>/dev/null; then break; fi
      sleep 0.05
    done
    kill -9 "$PID" 2>/dev/null || true
    grep -q "Address already in use" "$WORK/$name.log" || { cat "$WORK/$name.log" >&2; fail "agent $name did not start"; }
  done
  fail "no free port for agent $name"
}

# status METHOD URL [curl args...]: prints the HTTP status
status() {
  local method=$1 url=$2
  shift 2
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X "$method" "$@" "$url"
}
