#!/usr/bin/env bash
# Runs scripts/install.sh for real into temp roots: first install, an idempotent re-run,
# the release layout (binaries next to the script), --container-nginx, refusals of bad
# arguments, --uninstall and --uninstall --purge. Checks modes, that the printed token's
# SHA-256 is the stored hash, and that the token is in no file but the token file.
#
# The default config must pass `fical-agent --check-config`, and the installed agent,
# started on a temp unix socket with that config, must accept the printed token.
#
# The release layout is the unpacked release tarball (scripts/release.sh): its install.sh
# installs the tarball's static binaries with nothing on PATH but bash, coreutils and
# openssl (no compiler, no build tree), and the installed agent runs.
#
# Usage: install_test.sh <repo root> <cmake build dir with agent/ and client/ built>
#                        <release tarball>
set -euo pipefail
source "$(dirname "$0")/lib.sh"

repo=$1
build=$2
tarball=$3
[[ -f $tarball ]] || fail "$tarball is not built (scripts/release.sh)"
install_sh=$repo/scripts/install.sh
for b in "$build/agent/fical-agent" "$build/client/fical-client"; do
  [[ -x $b ]] || fail "$b is not built"
done

tmp=$(mktemp -d)
agent_pid=
cleanup() {
  if [[ -n $agent_pid ]]; then kill "$agent_pid" 2>/dev/null || true; wait "$agent_pid" 2>/dev/null || true; fi
  rm -rf -- "$tmp"
}
trap cleanup EXIT
root=$tmp/root
mkdir -p "$root"

# --- First install ---
out=$(bash "$install_sh" --build-dir "$build" --root "$root" --no-start)
mapfile -t tokens < <(grep -Eo '^ +[0-9a-f]{64}$' <<<"$out" | tr -d ' ')
assert_eq 1 "${#tokens[@]}" "tokens printed by the first install"
token=${tokens[0]}

cmp -s "$build/agent/fical-agent" "$root/usr/local/sbin/fical-agent" || fail "agent not installed"
cmp -s "$build/client/fical-client" "$root/usr/local/bin/fical-client" || fail "client not installed"
cmp -s "$repo/systemd/fical-agent.service" "$root/etc/systemd/system/fical-agent.service" ||
  fail "unit not installed"
assert_file_mode "$root/usr/local/sbin/fical-agent" 755
assert_file_mode "$root/usr/local/bin/fical-client" 755
assert_file_mode "$root/etc/systemd/system/fical-agent.service" 644
assert_file_mode "$root/etc/fical/client.token" 600
assert_file_mode "$root/etc/fical/agent.yaml" 600
assert_file_mode "$root/etc/fical/client.yaml" 644
[[ -d $root/opt/platform/nginx/upstreams ]] || fail "upstream dir not created"
[[ ! -e $root/etc/systemd/system/fical-agent.service.d ]] || fail "drop-in installed unasked"
if [[ $(id -u) -eq 0 ]]; then
  assert_eq 0 "$(stat -c %u "$root/etc/fical/client.token")" "token file owner"
fi
pass "files installed with the right modes"

stored=$(sed -nE 's/^  - \{ id: ssm-deploy, sha256: "([0-9a-f]{64})", scopes: \[read, deploy\] \}$/\1/p' \
  "$root/etc/fical/agent.yaml")
[[ -n $stored ]] || fail "no ssm-deploy token hash in agent.yaml"
expected=$(printf '%s' "$token" | sha256sum)
assert_eq "${expected%% *}" "$stored" "stored hash of the printed token"
assert_eq "$token" "$(cat "$root/etc/fical/client.token")" "token file content"
mapfile -t holders < <(grep -rlF -- "$token" "$root")
assert_eq "$root/etc/fical/client.token" "${holders[*]}" "files that contain the token"
pass "the printed token is stored only hashed, and in full only in the token file"

client_yaml=$(cat "$root/etc/fical/client.yaml")
assert_contains "$client_yaml" $'\nurl: http://127.0.0.1:7070\n' "client.yaml url"
assert_contains "$client_yaml" $'\ntoken_file: /etc/fical/client.token' "client.yaml token_file"
agent_yaml=$(cat "$root/etc/fical/agent.yaml")
for line in 'listen: ["127.0.0.1:7070", "unix:/run/fical/agent.sock"]' \
  'docker: { socket: /var/run/docker.sock }' 'state_dir: /var/lib/fical' \
  '  upstream_dir: /opt/platform/nginx/upstreams' '  reload: { pidfile: /run/nginx.pid }' \
  'apps: {}' '#   filter-ical:' '#             migrate: { command: [alembic, upgrade, head] }'; do
  assert_contains "$agent_yaml" "$line" "agent.yaml"
done
check_config() {
  "$root/usr/local/sbin/fical-agent" --check-config --config "$1" >/dev/null
}
check_config "$root/etc/fical/agent.yaml" || fail "fical-agent --check-config rejects the default agent.yaml"
# The commented example app, uncommented, must be a valid config too.
sed -e '/^apps: {}/d' -e 's/^# apps:/apps:/' -e '/^#   /s/^# //' \
  "$root/etc/fical/agent.yaml" >"$tmp/example.yaml"
grep -q '^  filter-ical:$' "$tmp/example.yaml" || fail "the example app was not uncommented"
check_config "$tmp/example.yaml" ||
  fail "the agent's parser rejects the uncommented example in agent.yaml"
pass "agent.yaml and client.yaml have the agreed format, and fical-agent --check-config accepts them"

# --- The installed agent accepts the printed token (and only it) ---
socket=$tmp/agent.sock
sed -e "s|^listen: .*|listen: [\"unix:$socket\"]|" -e "s|^state_dir: .*|state_dir: $tmp/state|" \
  "$root/etc/fical/agent.yaml" >"$tmp/live.yaml"
mkdir -p "$tmp/state"
"$root/usr/local/sbin/fical-agent" --config "$tmp/live.yaml" >"$tmp/agent.log" 2>&1 &
agent_pid=$!
for _ in $(seq 100); do [[ -S $socket ]] && break; sleep 0.1; done
[[ -S $socket ]] || fail "the installed agent did not listen on $socket: $(cat "$tmp/agent.log")"
http_status() {  # token
  curl -s -o /dev/null -w '%{http_code}' --max-time 10 --unix-socket "$socket" \
    -H "Authorization: Bearer $1" http://localhost/v1/apps
}
assert_eq 200 "$(http_status "$token")" "GET /v1/apps with the printed token"
wrong=${token%?}
if [[ ${token: -1} == 0 ]]; then wrong+=1; else wrong+=0; fi
assert_eq 401 "$(http_status "$wrong")" "GET /v1/apps with a token differing in its last digit"
# fical-client reads the installed client.yaml keys and token file (paths moved below
# the temp root and to the temp socket) and is let in.
sed -e "s|^url: .*|url: unix:$socket|" -e "s|^token_file: /|token_file: $root/|" \
  "$root/etc/fical/client.yaml" >"$tmp/client.yaml"
client_out=$("$root/usr/local/bin/fical-client" --config "$tmp/client.yaml" status 2>&1) ||
  fail "fical-client status with the installed client config and token failed: $client_out"
kill "$agent_pid"
wait "$agent_pid" || true
agent_pid=
assert_not_contains "$(cat "$tmp/agent.log")" "$token" "agent log"
pass "the installed agent accepts the printed token (curl and fical-client) and refuses another"

# --- Re-run: keeps config and token; without --no-start it enables the unit offline ---
mkdir -p "$root/var/lib/fical/releases"
echo state >"$root/var/lib/fical/releases/marker"
before=$(sha256sum "$root/etc/fical/agent.yaml" "$root/etc/fical/client.token" "$root/etc/fical/client.yaml")
out2=$(bash "$install_sh" --build-dir "$build" --root "$root" 2>&1)
assert_eq "$before" "$(sha256sum "$root/etc/fical/agent.yaml" "$root/etc/fical/client.token" \
  "$root/etc/fical/client.yaml")" "config after a re-run"
assert_contains "$out2" "keeping the existing $root/etc/fical/agent.yaml" "re-run output"
assert_not_contains "$out2" "$token" "re-run output"
if grep -Eq '[0-9a-f]{64}' <<<"$out2"; then fail "re-run printed a token: $out2"; fi
[[ -L $root/etc/systemd/system/multi-user.target.wants/fical-agent.service ]] ||
  fail "re-run without --no-start did not enable the unit under --root"
pass "a re-run keeps the token hash and config, and enables the unit"

# --- Refusals: clear errors, nothing done ---
expect_refusal() {  # expected-message args...
  local msg=$1 err
  shift
  if err=$(bash "$install_sh" "$@" 2>&1); then fail "install.sh $* succeeded"; fi
  assert_contains "$err" "$msg" "error of install.sh $*"
}
expect_refusal "unknown argument: --bogus" --root "$root" --bogus
expect_refusal "--url must be" --root "$root" --no-start --build-dir "$build" --url 'http://x;reboot'
# shellcheck disable=SC2016  # a literal command substitution is the hostile value
expect_refusal "--url must be" --root "$root" --no-start --build-dir "$build" --url '$(id)'
expect_refusal "is not a directory" --root "$tmp/nope" --no-start
expect_refusal "not found or not executable" --root "$root" --no-start --build-dir "$tmp"
expect_refusal "--purge only goes with --uninstall" --root "$root" --purge
cp "$root/etc/fical/agent.yaml" "$tmp/agent.yaml.good"
echo "bogus_key: 1" >>"$root/etc/fical/agent.yaml"
expect_refusal "agent.yaml is invalid" --root "$root" --no-start --build-dir "$build"
cp "$tmp/agent.yaml.good" "$root/etc/fical/agent.yaml"
pass "bad arguments and an invalid agent.yaml are refused with clear errors"

# --- The unpacked release tarball, with only bash, coreutils and openssl; --container-nginx ---
mkdir -p "$tmp/unpacked" "$tmp/root2" "$tmp/minimal-path"
tar -xzf "$tarball" -C "$tmp/unpacked"
release=$(echo "$tmp"/unpacked/fical-*)
[[ -f $release/install.sh ]] || fail "no install.sh at the top of the tarball"
for prog in bash openssl $(dpkg -L coreutils | grep -E '^/(usr/)?bin/[^/]+$' | xargs -n1 basename); do
  p=$(command -v "$prog") && ln -sf "$p" "$tmp/minimal-path/$prog"
done
out3=$(env -i PATH="$tmp/minimal-path" "$tmp/minimal-path/bash" "$release/install.sh" --root "$tmp/root2" \
  --no-start --container-nginx --url unix:/run/fical/agent.sock) ||
  fail "the tarball's install.sh failed with only bash, coreutils and openssl on PATH: $out3"
for f in bin/fical-agent:usr/local/sbin/fical-agent bin/fical-client:usr/local/bin/fical-client \
  systemd/fical-agent.service:etc/systemd/system/fical-agent.service \
  docs/operator-guide.md:usr/local/share/doc/fical/operator-guide.md; do
  cmp -s "$release/${f%%:*}" "$tmp/root2/${f#*:}" || fail "the tarball's ${f%%:*} is not installed as /${f#*:}"
done
cmp -s "$release/systemd/fical-agent.service.d/container-nginx.conf" \
  "$tmp/root2/etc/systemd/system/fical-agent.service.d/container-nginx.conf" ||
  fail "--container-nginx did not install the drop-in"
assert_contains "$(cat "$tmp/root2/etc/fical/agent.yaml")" "  reload: { container: nginx-platform }" \
  "agent.yaml with --container-nginx"
assert_contains "$(cat "$tmp/root2/etc/fical/client.yaml")" "url: unix:/run/fical/agent.sock" \
  "client.yaml with --url"
check_config "$tmp/root2/etc/fical/agent.yaml" ||
  fail "the agent's parser rejects agent.yaml written with --container-nginx"
token2=$(grep -Eo '^ +[0-9a-f]{64}$' <<<"$out3" | tr -d ' ')
[[ $token2 != "$token" ]] || fail "two installs generated the same token"
pass "the unpacked tarball's install.sh (bash, coreutils, openssl only) installs its binaries; --container-nginx and --url work"

# --- Uninstall keeps config and state; --purge removes them ---
bash "$install_sh" --uninstall --root "$root" >/dev/null
for f in usr/local/sbin/fical-agent usr/local/bin/fical-client etc/systemd/system/fical-agent.service \
  etc/systemd/system/multi-user.target.wants/fical-agent.service; do
  [[ ! -e $root/$f && ! -L $root/$f ]] || fail "--uninstall left $f"
done
[[ -f $root/etc/fical/client.token && -f $root/var/lib/fical/releases/marker ]] ||
  fail "--uninstall removed config or state"
[[ -d $root/opt/platform/nginx/upstreams ]] || fail "--uninstall removed the upstream dir"
pass "--uninstall removes binaries and unit, keeps config and state"

bash "$install_sh" --uninstall --root "$tmp/root2" --no-start >/dev/null
[[ ! -e $tmp/root2/etc/systemd/system/fical-agent.service.d ]] || fail "--uninstall left the drop-in"
bash "$install_sh" --uninstall --purge --root "$root" --no-start >/dev/null
[[ ! -e $root/etc/fical && ! -e $root/var/lib/fical ]] || fail "--purge left config or state"
pass "--uninstall --purge removes config and state"
