#!/usr/bin/env bash
# The release tarball on a system that has nothing else: an image FROM scratch holding
# only the unpacked tarball (at /opt/fical) and an agent.yaml, on the test environment's
# dockerd. There `fical-client version`, `fical-agent --version` and `--check-config` run;
# then the agent itself runs from the image (host network, the dockerd's socket mounted,
# the host's pid namespace to signal the environment's nginx by its pidfile): /healthz
# answers with Docker reachable, and deploys of the test app through that agent go live
# behind nginx: pulled from the registry, and built from a git tag (build mode: the static
# libgit2 fetches, the static libarchive packs the build context).
#
# `nginx -t` cannot run in an image that holds only fical, so the agent's nginx test
# command there is `fical-client version`; the reload itself is the real SIGHUP, and the
# deploy's verify phase checks the new release through nginx.
#
# Usage: image_test.sh <release tarball>   (FICAL_ENV_DIR: the test environment)
set -euo pipefail
tarball=$1
# shellcheck source=/dev/null
source "${FICAL_ENV_DIR:?}/env.sh"

work=$(mktemp -d /tmp/fical-release-image.XXXXXX)
tag=fical-release-test:$$
app=relimg$$
built=relbuild$$
agent_container=fical-release-agent-$$
docker() { DOCKER_HOST=unix://$DOCKER_SOCKET DOCKER_BUILDKIT=0 /usr/bin/docker "$@"; }
cleanup() {
  docker rm -f "$agent_container" "$agent_container-files" >/dev/null 2>&1 || true
  local ids
  for a in "$app" "$built"; do
    ids=$(docker ps -aq --filter "label=fical.app=$a" 2>/dev/null || true)
    # shellcheck disable=SC2086  # one id per word
    [[ -z $ids ]] || docker rm -f $ids >/dev/null 2>&1 || true
    rm -f -- "$NGINX_LOCATION_DIR/$a.conf" "$NGINX_UPSTREAM_DIR/$a-"*.conf
  done
  ids=$(docker images -q "fical/$built-web" 2>/dev/null || true)
  # shellcheck disable=SC2086  # one id per word
  [[ -z $ids ]] || docker rmi -f $ids >/dev/null 2>&1 || true
  docker rmi -f "$tag" >/dev/null 2>&1 || true
  kill -HUP "$(cat "$NGINX_PIDFILE")" 2>/dev/null || true
  rm -rf -- "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  docker logs --tail 30 "$agent_container" >&2 2>/dev/null || true
  exit 1
}
passed=0
pass() {
  echo "ok: $*"
  passed=$((passed + 1))
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p
  for _ in $(seq 50); do
    p=$((21000 + RANDOM % 9000))
    port_in_use "$p" || { echo "$p"; return; }
  done
  fail "no free port"
}

# --- The image: the tarball's tree and a config, nothing else ---
mkdir -p "$work/context" "$work/state"
tar -xzf "$tarball" -C "$work/context"
top=$(cd "$work/context" && echo fical-*)
[[ -d $work/context/$top/bin ]] || fail "the tarball has no $top/bin"
token=$(openssl rand -hex 32)
(umask 077 && printf %s "$token" >"$work/client.token")
port=$(free_port)
blue=$(free_port)
green=$(free_port)
while ((green == blue)); do green=$(free_port); done
hash=$(printf %s "$token" | sha256sum | cut -d' ' -f1)
# The build-mode app's origin: a bare repository whose tag b1 builds on the test image.
git init -q --bare "$work/origin.git"
git init -q "$work/src"
mkdir -p "$work/src/app"
printf 'FROM %s:v1\nENV APP_VERSION=b1\n' "$TEST_IMAGE" >"$work/src/app/Dockerfile"
git -C "$work/src" add app
git -C "$work/src" -c user.name=fical -c user.email=fical@localhost commit -q -m b1
git -C "$work/src" tag b1
git -C "$work/src" push -q "$work/origin.git" HEAD:refs/heads/main b1
bblue=$(free_port)
bgreen=$(free_port)
while ((bgreen == bblue)); do bgreen=$(free_port); done
cat >"$work/context/agent.yaml" <<YAML
listen: ["127.0.0.1:$port"]
docker: { socket: /var/run/docker.sock }
state_dir: /var/lib/fical
tokens:
  - { id: release-test, sha256: "$hash", scopes: [admin] }
nginx:
  upstream_dir: $NGINX_UPSTREAM_DIR
  reload: { pidfile: $NGINX_PIDFILE }
  test_command: [/opt/fical/bin/fical-client, version]
  verify_url: http://127.0.0.1:$NGINX_PORT
apps:
  $app:
    environments:
      staging:
        drain: 1s
        verify_path: /$app/
        services:
          web:
            image: $TEST_IMAGE
            ports: { blue: $blue, green: $green }
            health: { http: /health, deadline: 30s }
  $built:
    source: { repo: "file://$work/origin.git" }
    environments:
      staging:
        drain: 1s
        verify_path: /$built/
        services:
          web:
            build: { context: app }
            ports: { blue: $bblue, green: $bgreen }
            health: { http: /health, deadline: 30s }
YAML
printf 'FROM scratch\nCOPY %s/ /opt/fical/\nCOPY agent.yaml /etc/fical/agent.yaml\n' "$top" \
  >"$work/context/Dockerfile"
docker build -q -t "$tag" "$work/context" >/dev/null 2>"$work/build.err" ||
  fail "docker build of the FROM scratch image: $(cat "$work/build.err")"

# What the image holds, file by file, against the tarball's files and agent.yaml.
docker create --name "$agent_container-files" "$tag" /opt/fical/bin/fical-agent >/dev/null
docker export "$agent_container-files" | tar -t | grep -v '/$' | sort >"$work/image.files"
docker rm "$agent_container-files" >/dev/null
{ (cd "$work/context/$top" && find . -type f) | sed "s|^\./|opt/fical/|"
  echo etc/fical/agent.yaml; } | sort >"$work/expected.files"
# Docker adds its own mount points to every container: .dockerenv, etc/hosts, dev/...
extra=$(comm -23 "$work/image.files" "$work/expected.files" |
  grep -vxE '\.dockerenv|etc/(hosts|hostname|resolv\.conf|mtab)|dev/.*|proc|sys' || true)
[[ -z $extra ]] || fail "the image holds more than the tarball and agent.yaml: $extra"
missing=$(comm -13 "$work/image.files" "$work/expected.files")
[[ -z $missing ]] || fail "the image lacks: $missing"
pass "the image FROM scratch holds the tarball's files and agent.yaml ($(wc -l <"$work/expected.files") files), nothing else"

# --- The binaries run there ---
version=${top#fical-}
out=$(docker run --rm "$tag" /opt/fical/bin/fical-client version) || fail "fical-client version: $out"
[[ $out == *"$version"* ]] || fail "fical-client version printed '$out', not $version"
out=$(docker run --rm "$tag" /opt/fical/bin/fical-agent --version) || fail "fical-agent --version: $out"
[[ $out == "fical-agent $version" ]] || fail "fical-agent --version printed '$out'"
docker run --rm "$tag" /opt/fical/bin/fical-agent --check-config --config /etc/fical/agent.yaml >/dev/null ||
  fail "fical-agent --check-config rejects the image's agent.yaml"
{ cat "$work/context/agent.yaml"; echo "bogus_key: 1"; } >"$work/bad.yaml"
if docker run --rm -v "$work/bad.yaml:/bad.yaml:ro" "$tag" \
  /opt/fical/bin/fical-agent --check-config --config /bad.yaml >/dev/null 2>&1; then
  fail "fical-agent --check-config in the image accepted an invalid config"
fi
pass "fical-client version, fical-agent --version and --check-config (valid and invalid) run in the image"

# --- The agent from the image: healthy, with Docker ---
pid_dir=$(dirname "$NGINX_PIDFILE")
docker run -d --name "$agent_container" --network host --pid host \
  -v "$DOCKER_SOCKET:/var/run/docker.sock" -v "$work/state:/var/lib/fical" \
  -v "$NGINX_UPSTREAM_DIR:$NGINX_UPSTREAM_DIR" -v "$pid_dir:$pid_dir:ro" -v "$work/origin.git:$work/origin.git:ro" \
  "$tag" /opt/fical/bin/fical-agent --config /etc/fical/agent.yaml >/dev/null || fail "docker run of the agent"
health=
for _ in $(seq 150); do
  health=$(curl -s --max-time 2 "http://127.0.0.1:$port/healthz" || true)
  [[ $health == *'"status":"ok"'* ]] && break  # "starting" (docker:true) until reconciled
  [[ $(docker inspect -f '{{.State.Running}}' "$agent_container") == true ]] || fail "the agent container exited"
  sleep 0.2
done
[[ $health == *'"status":"ok"'* && $health == *'"docker":true'* ]] || fail "/healthz answered: $health"
pass "the agent runs from the image; /healthz answers ok with Docker reachable"

# --- Deploys through that agent, with the tarball's client on the host ---
for a in "$app" "$built"; do
  echo "location /$a/ { proxy_pass http://$a-staging-web/; }" >"$NGINX_LOCATION_DIR/$a.conf"
  echo "upstream $a-staging-web { server 127.0.0.1:9; }" >"$NGINX_UPSTREAM_DIR/$a-staging-web.conf"
done
nginx -t -q -p "$NGINX_PREFIX" -c "$NGINX_CONF" -e "$NGINX_PREFIX/logs/error.log"
kill -HUP "$(cat "$NGINX_PIDFILE")"
printf 'url: http://127.0.0.1:%s\ntoken_file: %s\n' "$port" "$work/client.token" >"$work/client.yaml"
client=$work/context/$top/bin/fical-client
for v in v1 v2; do
  out=$("$client" --config "$work/client.yaml" deploy --app "$app" --env staging --version "$v" 2>&1) ||
    fail "deploy $v through the agent in the image: $out"
  served=
  for _ in $(seq 50); do
    served=$(curl -s --max-time 2 "http://127.0.0.1:$NGINX_PORT/$app/" || true)
    [[ $served == "$v" ]] && break
    sleep 0.1
  done
  [[ $served == "$v" ]] || fail "nginx serves '$served' after deploying $v"
done
pass "v1 and then v2, deployed through the agent in the image, go live behind nginx (pidfile reload from the container)"

out=$("$client" --config "$work/client.yaml" deploy --app "$built" --env staging --version b1 2>&1) ||
  fail "build-mode deploy of b1 through the agent in the image: $out"
served=$(curl -s --max-time 2 "http://127.0.0.1:$NGINX_PORT/$built/" || true)
[[ $served == b1 ]] || fail "nginx serves '$served' for the build-mode app, not b1"
pass "build mode from the image: tag b1 fetched with libgit2, its context packed with libarchive, built and live"

# --- Names: only glibc's built-in NSS modules, whatever nsswitch.conf names ---
# A static program cannot load the host's NSS modules (another glibc). With an
# nsswitch.conf naming only a module that does not exist, the client still resolves
# localhost from /etc/hosts (release/nss_builtin.cpp: files, then dns).
printf 'hosts: fical-no-such-module\n' >"$work/nsswitch.conf"
out=$(docker run --rm --network host -e "FICAL_TOKEN=$token" -v "$work/nsswitch.conf:/etc/nsswitch.conf:ro" \
  "$tag" /opt/fical/bin/fical-client --config /dev/null --url "http://localhost:$port" status 2>&1) ||
  fail "the client in the image did not resolve localhost with a foreign nsswitch.conf: $out"
pass "the client in the image resolves localhost with glibc's built-in modules, ignoring nsswitch.conf's others"

# --- TLS in the image: the static client finds the CA bundle where the host keeps it ---
# An https agent (the tarball's, on the host) with a self-signed certificate; the client
# in the image trusts it only when it is the system bundle at Debian's or Amazon Linux's
# path, or named by SSL_CERT_FILE.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=fical-release-test \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
tls_port=$(free_port)
mkdir -p "$work/tls-state" "$work/tls-upstreams"
cat >"$work/tls.yaml" <<YAML
listen: ["127.0.0.1:$tls_port"]
tls: { cert_file: $work/tls.crt, key_file: $work/tls.key }
docker: { socket: $DOCKER_SOCKET }
state_dir: $work/tls-state
tokens:
  - { id: release-test, sha256: "$hash", scopes: [admin] }
nginx: { upstream_dir: $work/tls-upstreams, reload: { pidfile: $NGINX_PIDFILE } }
YAML
"$work/context/$top/bin/fical-agent" --config "$work/tls.yaml" 2>"$work/tls-agent.log" &
tls_pid=$!
for _ in $(seq 100); do
  curl -sk --max-time 1 -o /dev/null "https://127.0.0.1:$tls_port/healthz" && break
  kill -0 "$tls_pid" 2>/dev/null || fail "the https agent exited: $(cat "$work/tls-agent.log")"
  sleep 0.1
done
client_in_image() {  # docker run options...
  docker run --rm --network host -e "FICAL_TOKEN=$token" "$@" "$tag" \
    /opt/fical/bin/fical-client --config /dev/null --url "https://127.0.0.1:$tls_port" status >/dev/null 2>&1
}
status=0
client_in_image || status=$?
[[ $status == 3 ]] || { kill "$tls_pid"; fail "without a CA bundle the client exited $status, not 3 (TLS)"; }
for bundle in /etc/pki/tls/certs/ca-bundle.crt /etc/ssl/certs/ca-certificates.crt; do
  client_in_image -v "$work/tls.crt:$bundle:ro" || { kill "$tls_pid"; fail "the client did not trust $bundle"; }
done
client_in_image -v "$work/tls.crt:/ca.pem:ro" -e SSL_CERT_FILE=/ca.pem || { kill "$tls_pid"; fail "SSL_CERT_FILE ignored"; }
kill "$tls_pid"
wait "$tls_pid" 2>/dev/null || true
pass "the client in the image verifies TLS against the host's bundle (Amazon Linux's or Debian's path, SSL_CERT_FILE), and refuses without one"
echo "$passed passed, 0 failed"
