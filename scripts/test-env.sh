#!/usr/bin/env bash
# The real test environment: a private dockerd, a local registry and nginx, all on
# loopback, private to one directory and never clashing with a system install.
#
#   scripts/test-env.sh up       start what is not running yet, build and push test images
#   scripts/test-env.sh down     stop everything and remove the directory
#   scripts/test-env.sh status   say what answers; exit 1 when a part is down
#
# The directory is $FICAL_ENV_DIR (default /tmp/fical-test-env). After `up` it holds
# env.sh (shell variables) and env.json (the same for the tests).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dir=${FICAL_ENV_DIR:-/tmp/fical-test-env}
# Debian's docker client; a newer client elsewhere on PATH may insist on BuildKit.
docker_cli=/usr/bin/docker
[[ -x $docker_cli ]] || docker_cli=docker

sock=$dir/docker.sock
dockerd_pid=$dir/dockerd.pid
registry_pid=$dir/registry.pid
# A second registry that demands a login (htpasswd), standing in for a private GHCR.
auth_registry_pid=$dir/auth-registry.pid
auth_user=fical
auth_password_file=$dir/auth-registry.password
# A user-defined network for tests of the named-network topology, with a DNS stub on it
# that answers NXDOMAIN: dockerd's --dns, so no name its embedded DNS does not know leaves
# the machine. Its subnet follows from the directory, so that environments side by side
# (the demo's, the smoke test's) do not route the same addresses to two bridges.
network=fical-test
subnet_octet=$(($(cksum <<<"$dir" | cut -d' ' -f1) % 90))
network_subnet=10.89.$subnet_octet.0/24
dns_stub_ip=10.89.$subnet_octet.2
nginx_prefix=$dir/nginx
nginx_pid=$nginx_prefix/nginx.pid
test_tags=(v1 v2 v3 v3-unhealthy v3-crash v3-badmigrate v3-badverify v3-needsenv v3-flaky v3-laggy)

log() { echo "test-env: $*" >&2; }
die() { log "error: $*"; exit 1; }

# Polls a command every 100 ms until it succeeds or `seconds` pass.
wait_for() {
  local what=$1 seconds=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
  log "$what answers"
}

alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# A loopback TCP port that nothing listens on, from /proc/net/tcp{,6}.
free_port() {
  local port used
  # Listening TCP ports (mawk, Debian's awk, has no strtonum for /proc/net/tcp's hex).
  used=$(ss -Htln | awk '{ n = split($4, a, ":"); print a[n] }' | sort -u)
  for ((port = $1; port < $1 + 1000; port++)); do
    grep -qx "$port" <<<"$used" || { echo "$port"; return; }
  done
  die "no free port from $1"
}

docker_ping() { curl -sf -o /dev/null --max-time 2 --unix-socket "$sock" http://docker/_ping; }
registry_ping() { curl -sf -o /dev/null --max-time 2 "http://$registry/v2/"; }
# Without credentials the auth registry answers 401: that it answers is enough.
auth_registry_ping() { [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$auth_registry/v2/") == 401 ]]; }
nginx_ping() { curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$nginx_port/_env/health"; }
dockercli() { DOCKER_HOST=unix://$sock DOCKER_BUILDKIT=0 "$docker_cli" "$@"; }

load_ports() {
  if [[ -f $dir/ports ]]; then
    # shellcheck source=/dev/null
    source "$dir/ports"
  else
    registry_port=$(free_port "${FICAL_ENV_REGISTRY_PORT:-25000}")
    nginx_port=$(free_port "${FICAL_ENV_NGINX_PORT:-28080}")
    printf 'registry_port=%s\nnginx_port=%s\n' "$registry_port" "$nginx_port" >"$dir/ports"
  fi
  if [[ -z ${auth_registry_port:-} ]]; then # also for a directory made before it existed
    auth_registry_port=$(free_port "$((registry_port + 1))")
    printf 'auth_registry_port=%s\n' "$auth_registry_port" >>"$dir/ports"
  fi
  registry=127.0.0.1:$registry_port
  auth_registry=127.0.0.1:$auth_registry_port
}

start_dockerd() {
  if alive "$dockerd_pid" && docker_ping; then return; fi
  mkdir -p "$dir/docker-data" "$dir/docker-exec"
  echo '{}' >"$dir/daemon.json"
  setsid dockerd --host "unix://$sock" --data-root "$dir/docker-data" \
    --exec-root "$dir/docker-exec" --pidfile "$dockerd_pid" --config-file "$dir/daemon.json" \
    --bridge=none --iptables=false --ip6tables=false --ip-masq=false --userland-proxy=false \
    --insecure-registry 127.0.0.0/8 --dns "$dns_stub_ip" \
    </dev/null >"$dir/dockerd.log" 2>&1 9>&- &
  wait_for "dockerd on $sock" 60 docker_ping || die "dockerd did not answer; see $dir/dockerd.log"
}

start_network() {
  if ! dockercli network inspect "$network" >/dev/null 2>&1; then
    dockercli network create --driver bridge --subnet "$network_subnet" "$network" >/dev/null
  fi
  if [[ $(dockercli inspect -f '{{.State.Running}}' fical-dns-stub 2>/dev/null) != true ]]; then
    local ctx=$dir/dns-stub
    mkdir -p "$ctx"
    g++ -O2 -static -o "$ctx/dns-stub" "$here/../tests/integration/network/dns_stub.cpp" ||
      die "cannot build the DNS stub"
    printf 'FROM scratch\nCOPY dns-stub /dns-stub\nENTRYPOINT ["/dns-stub"]\n' >"$ctx/Dockerfile"
    dockercli build -q -t fical-test/dns-stub "$ctx" >/dev/null || die "building the DNS stub image failed"
    dockercli rm -f fical-dns-stub >/dev/null 2>&1 || true
    dockercli run -d --name fical-dns-stub --network "$network" --ip "$dns_stub_ip" \
      --restart unless-stopped fical-test/dns-stub >/dev/null || die "the DNS stub did not start"
  fi
  log "network $network ($network_subnet), DNS stub at $dns_stub_ip"
}

start_registry() {
  if alive "$registry_pid" && registry_ping; then return; fi
  mkdir -p "$dir/registry-data"
  cat >"$dir/registry.yml" <<EOF
version: 0.1
log: { level: warn }
storage:
  filesystem: { rootdirectory: $dir/registry-data }
  delete: { enabled: true }
http:
  addr: $registry
EOF
  setsid docker-registry serve "$dir/registry.yml" </dev/null >"$dir/registry.log" 2>&1 9>&- &
  echo $! >"$registry_pid"
  wait_for "registry on $registry" 30 registry_ping || die "registry did not answer; see $dir/registry.log"
}

start_auth_registry() {
  if alive "$auth_registry_pid" && auth_registry_ping; then return; fi
  mkdir -p "$dir/auth-registry-data"
  if [[ ! -s $auth_password_file ]]; then
    (umask 077 && head -c 18 /dev/urandom | base64 | tr '+/' '-_' >"$auth_password_file")
  fi
  # bcrypt (-B), password read from stdin (-i): it never appears on a command line.
  htpasswd -niB "$auth_user" <"$auth_password_file" >"$dir/auth-registry.htpasswd"
  cat >"$dir/auth-registry.yml" <<EOF
version: 0.1
log: { level: warn }
storage:
  filesystem: { rootdirectory: $dir/auth-registry-data }
auth:
  htpasswd: { realm: fical-test, path: $dir/auth-registry.htpasswd }
http:
  addr: $auth_registry
EOF
  setsid docker-registry serve "$dir/auth-registry.yml" </dev/null >"$dir/auth-registry.log" 2>&1 9>&- &
  echo $! >"$auth_registry_pid"
  wait_for "auth registry on $auth_registry" 30 auth_registry_ping ||
    die "auth registry did not answer; see $dir/auth-registry.log"
}

# Pushes test-app:v1 to the auth registry. DOCKER_CONFIG keeps the login inside $dir.
push_auth_image() {
  local image=$auth_registry/fical/test-app:v1
  DOCKER_CONFIG=$dir/docker-config dockercli login -u "$auth_user" --password-stdin \
    "$auth_registry" <"$auth_password_file" >/dev/null 2>&1 || die "login to $auth_registry failed"
  dockercli tag fical-test-app:v1 "$image"
  DOCKER_CONFIG=$dir/docker-config dockercli push -q "$image" >/dev/null || die "pushing $image failed"
  dockercli rmi "$image" >/dev/null
  log "test image v1 pushed to $auth_registry/fical/test-app (login $auth_user)"
}

start_nginx() {
  if alive "$nginx_pid" && nginx_ping; then return; fi
  mkdir -p "$nginx_prefix"/{logs,tmp,upstreams,locations}
  cat >"$nginx_prefix/nginx.conf" <<EOF
worker_processes 1;
pid $nginx_pid;
error_log $nginx_prefix/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $nginx_prefix/tmp/body;
  proxy_temp_path $nginx_prefix/tmp/proxy;
  fastcgi_temp_path $nginx_prefix/tmp/fastcgi;
  uwsgi_temp_path $nginx_prefix/tmp/uwsgi;
  scgi_temp_path $nginx_prefix/tmp/scgi;
  # Upstream files are written by fical-agent (one per app, env and service).
  include $nginx_prefix/upstreams/*.conf;
  server {
    listen 127.0.0.1:$nginx_port;
    location = /_env/health { return 200 "ok\n"; }
    # Tests add locations that proxy_pass to those upstreams.
    include $nginx_prefix/locations/*.conf;
  }
}
EOF
  nginx -p "$nginx_prefix" -c "$nginx_prefix/nginx.conf" -e "$nginx_prefix/logs/error.log" \
    </dev/null >"$dir/nginx.log" 2>&1 9>&- || die "nginx did not start; see $dir/nginx.log"
  wait_for "nginx on 127.0.0.1:$nginx_port" 30 nginx_ping || die "nginx did not answer"
}

build_images() {
  local ctx=$dir/test-app tag
  rm -rf "$ctx"
  cp -r "$here/test-app" "$ctx"
  cp "$(command -v busybox)" "$ctx/busybox"
  for tag in "${test_tags[@]}"; do
    local args=(--build-arg "APP_VERSION=$tag")
    case $tag in
      *-unhealthy) args+=(--build-arg HEALTH_FAIL=1) ;;
      *-crash) args+=(--build-arg CRASH_ON_START=1) ;;
      *-badmigrate) args+=(--build-arg MIGRATE_FAIL=1) ;;
      *-badverify) args+=(--build-arg VERIFY_FAIL=1) ;;
      *-flaky) args+=(--build-arg FAIL_PERCENT=30) ;;
      *-laggy) args+=(--build-arg LAG_SECONDS=0.3) ;;
      *-needsenv) args+=(--build-arg "REQUIRED_ENV=APP_SECRET APP_REGION") ;;
    esac
    dockercli build -q "${args[@]}" -t "fical-test-app:$tag" -t "$registry/fical/test-app:$tag" \
      "$ctx" >/dev/null || die "building test-app:$tag failed"
    dockercli push -q "$registry/fical/test-app:$tag" >/dev/null || die "pushing test-app:$tag failed"
    # Keep only the local build tag, so a deploy of the registry name really pulls.
    dockercli rmi "$registry/fical/test-app:$tag" >/dev/null
  done
  log "test images ${test_tags[*]} pushed to $registry/fical/test-app"
}

write_env() {
  cat >"$dir/env.sh" <<EOF
FICAL_ENV_DIR=$dir
DOCKER_SOCKET=$sock
REGISTRY=$registry
AUTH_REGISTRY=$auth_registry
AUTH_REGISTRY_USER=$auth_user
AUTH_REGISTRY_PASSWORD_FILE=$auth_password_file
TEST_IMAGE=$registry/fical/test-app
TEST_TAGS="${test_tags[*]}"
NETWORK=$network
NGINX_PORT=$nginx_port
NGINX_PREFIX=$nginx_prefix
NGINX_CONF=$nginx_prefix/nginx.conf
NGINX_PIDFILE=$nginx_pid
NGINX_UPSTREAM_DIR=$nginx_prefix/upstreams
NGINX_LOCATION_DIR=$nginx_prefix/locations
EOF
  local tags_json
  tags_json=$(printf '"%s",' "${test_tags[@]}")
  cat >"$dir/env.json" <<EOF
{
  "dir": "$dir",
  "docker_socket": "$sock",
  "registry": "$registry",
  "auth_registry": "$auth_registry",
  "auth_registry_user": "$auth_user",
  "auth_registry_password_file": "$auth_password_file",
  "test_image": "$registry/fical/test-app",
  "test_tags": [${tags_json%,}],
  "network": "$network",
  "nginx_port": $nginx_port,
  "nginx_prefix": "$nginx_prefix",
  "nginx_conf": "$nginx_prefix/nginx.conf",
  "nginx_pidfile": "$nginx_pid",
  "nginx_upstream_dir": "$nginx_prefix/upstreams",
  "nginx_location_dir": "$nginx_prefix/locations"
}
EOF
}

up() {
  local started=$SECONDS
  for prog in dockerd docker-registry nginx busybox curl htpasswd; do
    command -v "$prog" >/dev/null || die "$prog is missing: run scripts/install-deps.sh"
  done
  mkdir -p "$dir"
  exec 9>"$dir/.lock"
  flock -w 300 9 || die "another test-env.sh holds $dir/.lock"
  load_ports
  start_dockerd
  start_network
  start_registry
  start_auth_registry
  start_nginx
  # Rebuilt when the test app or the list of tags changed since the last build.
  local images_stamp
  images_stamp=$( (echo "${test_tags[*]}"; find "$here/test-app" -type f -print0 | sort -z |
    xargs -0 cat) | sha256sum)
  if [[ $(cat "$dir/images.done" 2>/dev/null) != "$images_stamp" ]]; then
    build_images
    echo "$images_stamp" >"$dir/images.done"
  fi
  if [[ ! -f $dir/auth-images.done ]]; then
    push_auth_image
    touch "$dir/auth-images.done"
  fi
  write_env
  log "up in $((SECONDS - started))s: docker $sock, registry $registry, nginx 127.0.0.1:$nginx_port"
  cat "$dir/env.sh"
}

# Sends TERM, waits up to `seconds`, then KILL.
stop_pid() {
  local pid=$1 seconds=$2 deadline
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + seconds))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
}

# Processes whose command line names the directory (dockerd, containerd, shims, nginx, registry).
leftover_pids() { pgrep -f -- "$dir/" || true; }

down() {
  [[ -d $dir ]] || { log "nothing to stop"; return; }
  if alive "$dockerd_pid" && docker_ping; then
    local ids
    ids=$(dockercli ps -aq 2>/dev/null || true)
    [[ -z $ids ]] || dockercli rm -f $ids >/dev/null 2>&1 || true
    # Its bridge would outlive dockerd and clash with the next `up`'s network.
    dockercli network rm "$network" >/dev/null 2>&1 || true
  fi
  [[ -f $nginx_pid ]] && stop_pid "$(cat "$nginx_pid")" 10
  [[ -f $registry_pid ]] && stop_pid "$(cat "$registry_pid")" 10
  [[ -f $auth_registry_pid ]] && stop_pid "$(cat "$auth_registry_pid")" 10
  [[ -f $dockerd_pid ]] && stop_pid "$(cat "$dockerd_pid")" 30
  local pid
  for pid in $(leftover_pids); do stop_pid "$pid" 5; done
  # Container root filesystems and dockerd's own mounts, deepest first.
  awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r mnt; do umount -l "$mnt" 2>/dev/null || true; done
  rm -rf "$dir"
  [[ -z $(leftover_pids) ]] || die "processes left behind: $(leftover_pids | tr '\n' ' ')"
  log "down: nothing left running"
}

status() {
  local ok=0
  [[ -f $dir/ports ]] || { log "down (no $dir/ports)"; return 1; }
  load_ports
  if docker_ping; then log "dockerd: up on $sock"; else log "dockerd: down"; ok=1; fi
  if registry_ping; then log "registry: up on $registry"; else log "registry: down"; ok=1; fi
  if auth_registry_ping; then log "auth registry: up on $auth_registry"; else log "auth registry: down"; ok=1; fi
  if nginx_ping; then log "nginx: up on 127.0.0.1:$nginx_port"; else log "nginx: down"; ok=1; fi
  return $ok
}

case ${1:-} in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status   (directory: \$FICAL_ENV_DIR, default /tmp/fical-test-env)" >&2; exit 2 ;;
esac
