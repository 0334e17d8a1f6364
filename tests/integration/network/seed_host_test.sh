#!/usr/bin/env bash
# The user's host (issue 11), built for real: a private dockerd with live-restore and a
# user-defined network `platform`; a DNS stub on it answering NXDOMAIN (the dockerd's
# --dns, so no name leaves the machine); a shared nginx in a container FROM scratch
# (Debian's /usr/sbin/nginx and its libraries) publishing only a loopback port, with a
# staging and a production server block; an app `acc` with a backend (HTTP health,
# migration, a volume, a memory limit) and a frontend (image HEALTHCHECK) in both envs.
# Under load through that nginx:
#   - deploys of both envs fail no request; a failing release leaves both serving;
#   - the live backend stopped by hand: nginx -t passes, the nginx container restarts and
#     serves the other env, and a rollback brings the env back;
#   - dockerd restarted (live-restore): routes still point at running containers;
#   - a container given a new address: nginx follows within a second.
# Usage: seed_host_test.sh FICAL_AGENT FICAL_CLIENT DNS_STUB (the shared test env's
# registry comes from $FICAL_ENV_DIR/env.sh).
set -euo pipefail
agent=$1 client=$2 dns_stub=$3
# shellcheck source=/dev/null
source "${FICAL_ENV_DIR:-/tmp/fical-test-env}/env.sh"

work=$(mktemp -d /tmp/fical-seed.XXXXXX)
sock=$work/docker.sock
octet=$((100 + RANDOM % 100))  # a subnet of its own: 10.89.<octet>.0/24
subnet=10.89.$octet.0/24
dns_ip=10.89.$octet.2
token=seed-$RANDOM$RANDOM$RANDOM
agent_pid=
loads=()

log() { echo "seed-host: $*"; }
fail() {
  echo "FAIL: $*" >&2
  tail -30 "$work/agent.log" >&2 2>/dev/null || true
  exit 1
}
pass() { echo "ok: $*"; }
dockercli() { DOCKER_HOST=unix://$sock DOCKER_BUILDKIT=0 /usr/bin/docker "$@"; }
fical() { FICAL_URL=http://127.0.0.1:$agent_port FICAL_TOKEN=$token "$client" "$@"; }

free_port() {
  local port used
  # Listening TCP ports (mawk, Debian's awk, has no strtonum for /proc/net/tcp's hex).
  used=$(ss -Htln | awk '{ n = split($4, a, ":"); print a[n] }' | sort -u)
  for ((port = $1 + RANDOM % 500; port < $1 + 2000; port++)); do
    grep -qx "$port" <<<"$used" || { echo "$port"; return; }
  done
  fail "no free port from $1"
}

start_dockerd() {
  setsid dockerd --host "unix://$sock" --data-root "$work/data" --exec-root "$work/exec" \
    --pidfile "$work/dockerd.pid" --config-file "$work/daemon.json" \
    --bridge=none --iptables=false --ip6tables=false --ip-masq=false \
    --userland-proxy=true --userland-proxy-path /usr/sbin/docker-proxy --live-restore \
    --dns "$dns_ip" --insecure-registry 127.0.0.0/8 </dev/null >>"$work/dockerd.log" 2>&1 &
  local i
  for i in $(seq 1 300); do
    curl -sf -o /dev/null --max-time 2 --unix-socket "$sock" http://docker/_ping && return 0
    sleep 0.1
  done
  fail "dockerd did not answer; $(tail -5 "$work/dockerd.log")"
}

stop_dockerd() {
  local pid
  pid=$(cat "$work/dockerd.pid" 2>/dev/null) || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local pid
  for pid in "${loads[@]}"; do kill "$pid" 2>/dev/null || true; done
  [[ -n $agent_pid ]] && kill -9 "$agent_pid" 2>/dev/null || true
  if [[ -S $sock ]]; then
    local ids
    ids=$(dockercli ps -aq 2>/dev/null || true)
    [[ -z $ids ]] || dockercli rm -f $ids >/dev/null 2>&1 || true
    dockercli network rm platform >/dev/null 2>&1 || true
  fi
  stop_dockerd
  for pid in $(pgrep -f -- "$work/" || true); do kill -KILL "$pid" 2>/dev/null || true; done
  awk -v d="$work/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r mnt; do umount -l "$mnt" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# --- the host --------------------------------------------------------------------------
echo '{}' >"$work/daemon.json"
start_dockerd
dockercli network create --driver bridge --subnet "$subnet" platform >/dev/null
mkdir -p "$work/dns"
cp "$dns_stub" "$work/dns/dns-stub"
printf 'FROM scratch\nCOPY dns-stub /dns-stub\nENTRYPOINT ["/dns-stub"]\n' >"$work/dns/Dockerfile"
dockercli build -q -t fical-test/dns-stub "$work/dns" >/dev/null
dockercli run -d --name dns-stub --network platform --ip "$dns_ip" --restart unless-stopped \
  fical-test/dns-stub >/dev/null
pass "private dockerd with network platform ($subnet) and a DNS stub at $dns_ip"

# The shared nginx: Debian's binary and the libraries it loads, nothing else.
root=$work/nginx/rootfs
mkdir -p "$root"/{usr/sbin,etc/nginx/upstreams,tmp,var/log/nginx,lib64}
cp /usr/sbin/nginx "$root/usr/sbin/"
for lib in $(ldd /usr/sbin/nginx | grep -o '/[^ ]*'); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
printf 'root:x:0:0:root:/root:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
cat >"$root/etc/nginx/nginx.conf" <<'EOF'
worker_processes 1;
pid /tmp/nginx.pid;
error_log stderr warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path /tmp/body;
  proxy_temp_path /tmp/proxy;
  fastcgi_temp_path /tmp/fastcgi;
  uwsgi_temp_path /tmp/uwsgi;
  scgi_temp_path /tmp/scgi;
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  # fical-agent writes one file per app, env and service here.
  include /etc/nginx/upstreams/*.conf;
  server {
    listen 80 default_server;
    location = /_health { return 200 "ok\n"; }
    # fical's verify requests (one verify_path per environment).
    location /_staging/ { proxy_pass http://acc-staging-frontend/; }
    location /_production/ { proxy_pass http://acc-production-frontend/; }
  }
  server {
    listen 80;
    server_name staging.acc.test;
    location /api/ { proxy_pass http://acc-staging-backend/; }
    location / { proxy_pass http://acc-staging-frontend; }
  }
  server {
    listen 80;
    server_name acc.test;
    location /api/ { proxy_pass http://acc-production-backend/; }
    location / { proxy_pass http://acc-production-frontend; }
  }
}
EOF
cat >"$work/nginx/Dockerfile" <<'EOF'
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/sbin:/usr/bin
CMD ["/usr/sbin/nginx", "-e", "stderr", "-g", "daemon off;"]
EOF
dockercli build -q -t fical-test/nginx "$work/nginx" >/dev/null

# The frontend: the test app with an image HEALTHCHECK, in the shared registry.
mkdir -p "$work/frontend"
for tag in v1 v2 v3-unhealthy; do
  cat >"$work/frontend/Dockerfile" <<EOF
FROM $TEST_IMAGE:$tag
HEALTHCHECK --interval=300ms --timeout=2s --retries=2 CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/health"]
EOF
  dockercli build -q -t "$REGISTRY/fical/test-frontend:$tag" "$work/frontend" >/dev/null
  dockercli push -q "$REGISTRY/fical/test-frontend:$tag" >/dev/null
  dockercli rmi "$REGISTRY/fical/test-frontend:$tag" >/dev/null
done
pass "nginx image FROM scratch and frontend images with a HEALTHCHECK"

# --- fical -----------------------------------------------------------------------------
agent_port=$(free_port 21000)
nginx_port=$(free_port 24000)
mkdir -p "$work/upstreams"
env_yaml() { # NAME
  cat <<EOF
      $1:
        network: platform
        drain: 1s
        stop_timeout: 2s
        retain: 3
        verify_path: /_$1/
        services:
          backend:
            image: $REGISTRY/fical/test-app
            port: 8080
            env: { LISTEN: 0.0.0.0 }
            health: { http: /health, deadline: 20s }
            migrate: { command: [/app/migrate.sh] }
            volumes: ["acc-$1-data:/data"]
            memory: 64m
            log: { max_size: 1m, max_file: 2 }
          frontend:
            image: $REGISTRY/fical/test-frontend
            port: 8080
            env: { LISTEN: 0.0.0.0 }
            health: { docker: true, deadline: 20s }
            init: true
EOF
}
cat >"$work/agent.yaml" <<EOF
listen: ["127.0.0.1:$agent_port"]
docker: { socket: $sock, min_free_disk_mb: 0 }
state_dir: $work/state
tokens:
  - { id: ci, sha256: "$(printf %s "$token" | sha256sum | cut -d' ' -f1)", scopes: [read, deploy] }
nginx:
  upstream_dir: $work/upstreams
  reload: { container: nginx-platform }
  verify_url: http://127.0.0.1:$nginx_port
apps:
  acc:
    environments:
$(env_yaml staging)
$(env_yaml production)
EOF
"$agent" --config "$work/agent.yaml" 2>"$work/agent.log" &
agent_pid=$!
for _ in $(seq 1 200); do grep -q "fical-agent ready" "$work/agent.log" && break; sleep 0.05; done
grep -q "fical-agent ready" "$work/agent.log" || fail "the agent did not become ready"
# nginx starts before anything is deployed: fical wrote an upstream file per service.
dockercli run -d --name nginx-platform --network platform -p "127.0.0.1:$nginx_port:80" \
  -v "$work/upstreams:/etc/nginx/upstreams:ro" --restart unless-stopped fical-test/nginx >/dev/null
nginx_up() { [[ $(curl -s --max-time 2 "http://127.0.0.1:$nginx_port/_health") == ok ]]; }
for _ in $(seq 1 100); do nginx_up && break; sleep 0.1; done
nginx_up || fail "the nginx container does not serve before the first deploy: $(dockercli logs nginx-platform 2>&1 | tail -3)"
pass "agent ready; nginx (in a container) starts before any release, on fical's empty upstreams"

# get HOST PATH: the body nginx answers (empty on failure)
get() { curl -s --max-time 5 -H "Host: $1" "http://127.0.0.1:$nginx_port$2" || true; }
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Host: $1" "http://127.0.0.1:$nginx_port$2" || true; }
# load NAME HOST PATH COUNT [BASE]: COUNT requests at 40/s over kept-alive connections, as
# a browser would, to nginx's published loopback port (or BASE); one status code per line
# in $work/NAME.codes, bodies in $work/NAME/.
load() {
  mkdir -p "$work/$1"
  curl -s --rate 40/s --max-time 5 --create-dirs -H "Host: $2" -o "$work/$1/#1" -w '%{http_code}\n' \
    "${5:-http://127.0.0.1:$nginx_port}$3?n=[1-$4]" >"$work/$1.codes" 2>/dev/null &
  loads+=($!)
}
# settle NAME...: waits for the loads, then fails unless every answer was a 200.
settle() {
  local pid name bad
  for pid in "${loads[@]}"; do wait "$pid" || true; done
  loads=()
  for name in "$@"; do
    bad=$(grep -cv '^200$' "$work/$name.codes" || true)
    [[ $bad == 0 && -s $work/$name.codes ]] || fail "$name: $bad of $(wc -l <"$work/$name.codes") requests failed: $(sort "$work/$name.codes" | uniq -c | tr '\n' ' ')"
  done
}

for env in staging production; do
  fical deploy --app acc --env $env --version v1 >"$work/deploy-$env-v1.out" 2>&1 ||
    fail "first deploy of $env: $(tail -5 "$work/deploy-$env-v1.out")"
done
[[ $(get staging.acc.test /) == v1 && $(get staging.acc.test /api/) == v1 ]] || fail "staging does not serve v1"
[[ $(get acc.test /) == v1 && $(get acc.test /api/) == v1 ]] || fail "production does not serve v1"
grep -q 'server 10\.89\.' "$work/upstreams/acc-staging-backend.conf" || fail "the upstream does not hold an address"
backend=$(dockercli ps -q --filter label=fical.app=acc --filter label=fical.env=staging --filter label=fical.service=backend)
[[ $(dockercli inspect -f '{{.HostConfig.Memory}} {{range .Mounts}}{{.Name}}:{{.Destination}}{{end}}' "$backend") == "67108864 acc-staging-data:/data" ]] ||
  fail "the backend runs without its memory limit and volume"
# Names Docker's DNS does not know are answered by the stub, never forwarded further.
dockercli exec "$backend" nslookup fical-unknown-name.invalid >/dev/null 2>&1 && fail "an unknown name resolved"
dockercli logs dns-stub 2>&1 | grep -q "queries answered" || fail "the DNS stub saw no query"
pass "v1 live in both envs through the nginx container, at container addresses; volume, limit, DNS stub"

# --- zero failed requests --------------------------------------------------------------
load s-front staging.acc.test / 600
load s-back staging.acc.test /api/ 600
load p-front acc.test / 600
load p-back acc.test /api/ 600
sleep 1
for env in staging production; do
  fical deploy --app acc --env $env --version v2 >"$work/deploy-$env-v2.out" 2>&1 ||
    fail "deploy v2 of $env: $(tail -5 "$work/deploy-$env-v2.out")"
done
sleep 1
[[ $(get staging.acc.test /api/) == v2 && $(get acc.test /) == v2 ]] || fail "v2 is not served"
# A failing release: staging's new color never becomes healthy; both envs keep serving v2.
fical deploy --app acc --env staging --version v3-unhealthy >"$work/deploy-bad.out" 2>&1 &&
  fail "a release that never becomes healthy was reported live"
settle s-front s-back p-front p-back
grep -qh '^v2$' "$work/s-back"/* && grep -qh '^v1$' "$work/s-back"/* || fail "the load did not see v1 turn into v2"
[[ $(get staging.acc.test /) == v2 && $(get acc.test /api/) == v2 ]] || fail "v2 does not serve after the failed release"
pass "deploys of both envs and a failed release under load: 2400 requests, none failed"

# --- the live backend stopped by hand --------------------------------------------------
# color_of ENV SERVICE: the live color, from the comment fical writes in the upstream file.
color_of() { sed -n 's/.*color=\([a-z]*\).*/\1/p' "$work/upstreams/acc-$1-$2.conf"; }
prod_color=$(color_of production backend)
dockercli stop -t 2 "acc-production-backend-$prod_color" >/dev/null
for _ in $(seq 1 50); do grep -q ' down;' "$work/upstreams/acc-production-backend.conf" && break; sleep 0.05; done
grep -q ' down;' "$work/upstreams/acc-production-backend.conf" || fail "the upstream of a stopped container was not taken down"
dockercli exec nginx-platform nginx -t -q >/dev/null 2>&1 || fail "nginx -t fails with a live container stopped"
dockercli restart -t 2 nginx-platform >/dev/null
for _ in $(seq 1 100); do nginx_up && break; sleep 0.1; done
nginx_up || fail "the nginx container did not come back"
[[ $(get staging.acc.test /api/) == v2 ]] || fail "staging does not serve while production's backend is down"
[[ $(code acc.test /api/) == 502 ]] || fail "production's stopped backend should answer 502"
fical rollback --app acc --env production >"$work/rollback.out" 2>&1 || fail "rollback: $(tail -5 "$work/rollback.out")"
[[ $(get acc.test /api/) == v1 && $(get acc.test /) == v1 ]] || fail "production does not serve v1 after the rollback"
pass "live backend stopped: nginx -t passes, nginx restarts, staging serves, rollback brings production back"

# --- dockerd restarted with live-restore -----------------------------------------------
# The load goes to the nginx container's own address: the published port's docker-proxy
# is dockerd's child and stops with it (on a real host iptables forwards that port).
nginx_ip=$(dockercli inspect -f '{{(index .NetworkSettings.Networks "platform").IPAddress}}' nginx-platform)
load s-front staging.acc.test / 200 "http://$nginx_ip"
load p-back acc.test /api/ 200 "http://$nginx_ip"
stop_dockerd
start_dockerd
settle s-front p-back
for _ in $(seq 1 100); do nginx_up && break; sleep 0.1; done
for service in backend frontend; do
  for env in staging production; do
    color=$(color_of $env $service)
    ip=$(dockercli inspect -f '{{.State.Running}} {{(index .NetworkSettings.Networks "platform").IPAddress}}' "acc-$env-$service-$color")
    grep -q "server ${ip#true }:8080;" "$work/upstreams/acc-$env-$service.conf" && [[ $ip == true* ]] ||
      fail "acc-$env-$service does not point at its running container after the dockerd restart ($ip)"
  done
done
[[ $(get staging.acc.test /api/) == v2 && $(get acc.test /api/) == v1 ]] || fail "not served after the dockerd restart"
pass "dockerd restarted (live-restore): no request to nginx failed, routes still point at running containers"

# --- a container with a new address ----------------------------------------------------
color=$(color_of staging frontend)
moved=10.89.$octet.200
dockercli network disconnect platform "acc-staging-frontend-$color"
started=$(date +%s%N)
dockercli network connect --ip "$moved" platform "acc-staging-frontend-$color"
connected=$(date +%s%N)
# Followed: nginx answers through the new address (file rewritten, tested, reloaded). Short
# probes: one sent while nginx still has the old address waits for that address's ARP.
until [[ $(curl -s --max-time 0.3 -H "Host: staging.acc.test" "http://127.0.0.1:$nginx_port/") == v2 ]]; do
  (($(date +%s%N) - connected < 3000000000)) || fail "nginx did not follow the new address within 3 s: $(cat "$work/upstreams/acc-staging-frontend.conf")"
  sleep 0.01
done
followed_ms=$((($(date +%s%N) - connected) / 1000000))
grep -q "server $moved:8080;" "$work/upstreams/acc-staging-frontend.conf" || fail "the upstream does not name $moved"
((followed_ms <= 1000)) || fail "nginx followed the new address after ${followed_ms} ms, more than a second"
pass "a container moved to $moved: nginx serves it ${followed_ms} ms after it joined (it was off the network for $(((connected - started) / 1000000)) ms)"
echo "seed-host: all passed"
