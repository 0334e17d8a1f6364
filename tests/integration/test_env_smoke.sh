#!/usr/bin/env bash
# Proves scripts/test-env.sh brings up real parts and takes them all down again:
# the private dockerd answers /_ping on its own socket, an app image pulled from the
# local registry runs and answers on loopback, nginx proxies to it, and `down` leaves
# no process and no directory behind.
set -euo pipefail
test_env=$1
failures=0
passes=0
pass() { echo "ok: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# Polls until curl returns `want` at `url`, for at most 10 s.
poll_body() {
  local url=$1 want=$2 body=""
  for _ in $(seq 1 100); do
    body=$(curl -s --max-time 1 "$url" || true)
    [[ $body == "$want" ]] && return 0
    sleep 0.1
  done
  echo "last body from $url: '$body'" >&2
  return 1
}

export FICAL_ENV_DIR
FICAL_ENV_DIR=$(mktemp -d /tmp/fical-smoke.XXXXXX)
# Base ports below the kernel's ephemeral range (32768-60999), where tests' free ports live.
export FICAL_ENV_REGISTRY_PORT=21000 FICAL_ENV_NGINX_PORT=22080
trap 'bash "$test_env" down >/dev/null 2>&1 || true' EXIT

bash "$test_env" up >/dev/null
# shellcheck source=/dev/null
source "$FICAL_ENV_DIR/env.sh"
docker_cli=/usr/bin/docker
[[ -x $docker_cli ]] || docker_cli=docker
dockercli() { DOCKER_HOST=unix://$DOCKER_SOCKET "$docker_cli" "$@"; }

# 1. The private dockerd: /_ping on its socket, data under our directory.
if [[ $(curl -s --max-time 5 --unix-socket "$DOCKER_SOCKET" http://docker/_ping) == OK ]]; then
  pass "dockerd answers /_ping on $DOCKER_SOCKET"
else
  fail "dockerd does not answer /_ping on $DOCKER_SOCKET"
fi
root=$(dockercli info --format '{{.DockerRootDir}}')
[[ $root == "$FICAL_ENV_DIR/docker-data" ]] && pass "dockerd is private (data root $root)" ||
  fail "dockerd data root is $root, not under $FICAL_ENV_DIR"

# 2. An image pulled from the local registry runs and answers on loopback.
image=$TEST_IMAGE:v2
if dockercli image inspect "$image" >/dev/null 2>&1; then
  fail "$image is present before the pull: the pull would prove nothing"
fi
if dockercli pull -q "$image" >/dev/null && dockercli image inspect "$image" \
  --format '{{join .RepoDigests " "}}' | grep -q "^$REGISTRY/fical/test-app@sha256:"; then
  pass "pulled $image from the local registry"
else
  fail "could not pull $image from $REGISTRY"
fi
app_port=$((NGINX_PORT + 100))
dockercli run -d --name smoke-app --network host -e PORT=$app_port "$image" >/dev/null
if poll_body "http://127.0.0.1:$app_port/" v2; then
  pass "the app container answers v2 on 127.0.0.1:$app_port"
else
  fail "the app container does not answer on 127.0.0.1:$app_port"
fi

# 3. nginx proxies to it through an upstream file in the include dir.
echo "upstream smoke { server 127.0.0.1:$app_port; }" >"$NGINX_UPSTREAM_DIR/smoke.conf"
echo "location /smoke/ { proxy_pass http://smoke/; }" >"$NGINX_LOCATION_DIR/smoke.conf"
nginx -t -q -p "$NGINX_PREFIX" -c "$NGINX_CONF" -e "$NGINX_PREFIX/logs/error.log" &&
  kill -HUP "$(cat "$NGINX_PIDFILE")"
if poll_body "http://127.0.0.1:$NGINX_PORT/smoke/" v2; then
  pass "nginx on 127.0.0.1:$NGINX_PORT proxies to the app"
else
  fail "nginx does not proxy to the app"
fi

# 4. `down` leaves no process, mount or directory; status then says down.
bash "$test_env" down >/dev/null
if pgrep -f -- "$FICAL_ENV_DIR/" >/dev/null; then
  fail "processes left after down: $(pgrep -af -- "$FICAL_ENV_DIR/")"
else
  pass "down leaves no process"
fi
grep -q -- "$FICAL_ENV_DIR" /proc/mounts && fail "mounts left after down" || pass "down leaves no mount"
[[ ! -e $FICAL_ENV_DIR ]] && pass "down removes $FICAL_ENV_DIR" || fail "$FICAL_ENV_DIR still exists"
curl -s --max-time 1 "http://127.0.0.1:$app_port/" >/dev/null && fail "the app still answers after down" ||
  pass "the app no longer answers after down"
bash "$test_env" status 2>/dev/null && fail "status says up after down" || pass "status says down"

echo "$passes passed, $failures failed"
((failures == 0))
