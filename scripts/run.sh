#!/usr/bin/env bash
# Runs fical on this machine with a demo app: installs what is missing, builds, brings up
# a private Docker engine, registry (holding the demo app's images v1, v2, v3...) and
# nginx in $FICAL_DEMO_DIR (default /tmp/fical-demo), writes an agent config with a fresh
# token, prints how to use it, and runs fical-agent in the foreground. Ctrl-C stops the
# agent and takes the demo environment down again. Nothing on the host is touched: the
# demo's Docker, registry and nginx are its own, on loopback.
#
#   FICAL_DEMO_DIR   where everything lives (default /tmp/fical-demo)
#   FICAL_DEMO_PORT  the agent's port (default 7070, or the next free one)
#   FICAL_SKIP_BUILD=1  use the binaries already in the build dir
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FICAL_BUILD_DIR:-$root/build}
demo=${FICAL_DEMO_DIR:-/tmp/fical-demo}

[[ ${FICAL_SKIP_BUILD:-0} == 1 ]] || bash "$root/scripts/build.sh"
agent=$build/agent/fical-agent
client=$build/client/fical-client

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=${FICAL_DEMO_PORT:-7070}
while port_in_use "$port"; do port=$((port + 1)); done

mkdir -p "$demo"
export FICAL_ENV_DIR=$demo/env FICAL_ENV_REGISTRY_PORT=${FICAL_ENV_REGISTRY_PORT:-26000}
export FICAL_ENV_NGINX_PORT=${FICAL_ENV_NGINX_PORT:-29080}
bash "$root/scripts/test-env.sh" up >/dev/null
cleanup() {
  echo "run: stopping the demo environment" >&2
  bash "$root/scripts/test-env.sh" down >/dev/null 2>&1 || true
}
trap cleanup EXIT
# shellcheck source=/dev/null
source "$FICAL_ENV_DIR/env.sh"

# The site config an operator writes once: /demo/ goes to the app's upstream, which fical
# owns from now on. Until the first deploy it points nowhere.
echo "location /demo/ { proxy_pass http://demo-staging-web/; }" >"$NGINX_LOCATION_DIR/demo.conf"
[[ -f $NGINX_UPSTREAM_DIR/demo-staging-web.conf ]] ||
  echo "upstream demo-staging-web { server 127.0.0.1:9; }" >"$NGINX_UPSTREAM_DIR/demo-staging-web.conf"
nginx -t -q -p "$NGINX_PREFIX" -c "$NGINX_CONF" -e "$NGINX_PREFIX/logs/error.log"
kill -HUP "$(cat "$NGINX_PIDFILE")"

# A fresh token each run; agent.yaml keeps only its SHA-256.
token=$(openssl rand -hex 32)
(umask 077 && printf %s "$token" >"$demo/client.token")
# The demo app's two colors listen next to the agent's port.
blue=$((port + 100))
while port_in_use "$blue"; do blue=$((blue + 2)); done
green=$((blue + 1))
while port_in_use "$green" || ((green == blue)); do green=$((green + 1)); done
cat >"$demo/agent.yaml" <<EOF
# fical-agent's demo configuration, written by scripts/run.sh.
listen: ["127.0.0.1:$port", "unix:$demo/agent.sock"]
docker: { socket: $DOCKER_SOCKET }
state_dir: $demo/state
tokens:
  - { id: demo, sha256: "$(printf %s "$token" | sha256sum | cut -d' ' -f1)", scopes: [admin] }
nginx:
  upstream_dir: $NGINX_UPSTREAM_DIR
  reload: { pidfile: $NGINX_PIDFILE }
  test_command: [nginx, -t, -q, -p, $NGINX_PREFIX, -c, $NGINX_CONF, -e, $NGINX_PREFIX/logs/error.log]
  verify_url: http://127.0.0.1:$NGINX_PORT
apps:
  demo:
    environments:
      staging:
        drain: 2s
        verify_path: /demo/
        services:
          web:
            image: $TEST_IMAGE
            ports: { blue: $blue, green: $green }
            health: { http: /health, deadline: 30s }
            migrate: { command: [/app/migrate.sh] }
EOF
cat >"$demo/client.yaml" <<EOF
url: http://127.0.0.1:$port
token_file: $demo/client.token
EOF
"$agent" --check-config --config "$demo/agent.yaml" >/dev/null

cat <<EOF
fical-agent $("$agent" --version | cut -d' ' -f2) on http://127.0.0.1:$port and unix:$demo/agent.sock
token: $token
  (in $demo/client.token; agent.yaml holds only its sha256)

Try, in another terminal:
  $client --config $demo/client.yaml deploy --app demo --env staging --version v1
  curl http://127.0.0.1:$NGINX_PORT/demo/          # the app answers its version
  $client --config $demo/client.yaml deploy --app demo --env staging --version v2
  $client --config $demo/client.yaml rollback --app demo --env staging
  $client --config $demo/client.yaml status --app demo --env staging
  $client --config $demo/client.yaml history --app demo --env staging
  curl -H "Authorization: Bearer $token" http://127.0.0.1:$port/v1/apps
Versions v3-unhealthy, v3-crash and v3-badmigrate show failed deploys that leave the
live release serving. Ctrl-C stops the agent and the demo environment.

EOF
"$agent" --config "$demo/agent.yaml" &
agent_pid=$!
trap 'kill -TERM "$agent_pid" 2>/dev/null || true' INT TERM
wait "$agent_pid" || true
wait "$agent_pid" 2>/dev/null || true
