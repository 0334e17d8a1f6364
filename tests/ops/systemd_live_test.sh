#!/usr/bin/env bash
# Runs systemd/fical-agent.service under a real systemd: systemd 252 boots as PID 1 of
# private pid, mount, network, uts, ipc and cgroup namespaces (a throwaway "container"
# whose /etc, /var, /opt and /usr/local are overlays on tmpfs), with the built agent
# installed at the unit's ExecStart path and a real dockerd as docker.service. Then:
#   - `systemctl start` returns only after READY=1: the API answers at once;
#   - docker.service was up before the agent started (After=/Wants=docker.service);
#   - the agent's log lines reach the journal through its journald sink;
#   - the watchdog is fed (the agent outlives WatchdogSec) and armed (a stopped agent
#     is killed and restarted);
#   - `kill -9` of the main pid is followed by a restart (Restart=on-failure);
#   - `systemctl stop` ends it cleanly (STOPPING=1) and removes /run/fical;
#   - the unit's hardening is in force on the running agent (NoNewPrivs, seccomp, the
#     capability bounding set, read-only file system, LimitNOFILE), and it reads Docker.
# The unit runs as written; one drop-in sets WatchdogSec=2s so the watchdog checks take
# seconds. No hardening directive had to be relaxed here.
# Nothing outside the namespaces and the temp dir is written, except one cgroup below
# this process's own (removed at the end); the namespaces die with their PID 1.
#
# Exits 77 (ctest SKIP_RETURN_CODE) when the namespace cannot be made: not root, no
# unshare/nsenter, systemd or dockerd missing, no cgroup2 mount.
#
# Usage: systemd_live_test.sh <repo root> <built fical-agent>
set -euo pipefail
source "$(dirname "$0")/lib.sh"

skip() {
  echo "SKIP: $*"
  exit 77
}

systemd_bin=/lib/systemd/systemd
path_env=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# --- Inside the namespaces (PID 1 until it execs systemd) ---
# Called as: systemd_live_test.sh --boot <temp dir> <built fical-agent>
if [[ ${1:-} == --boot ]]; then
  files=$2
  mount -t proc proc /proc
  mount -t tmpfs -o mode=0755 tmpfs /run
  mkdir -p /run/live-overlay
  for dir in etc var opt usr/local; do
    layer=/run/live-overlay/${dir//\//-}
    mkdir -p "$layer/upper" "$layer/work"
    mount -t overlay overlay -o "lowerdir=/$dir,upperdir=$layer/upper,workdir=$layer/work" "/$dir"
  done
  # The cgroup namespace's root is the cgroup made for this test.
  mount -t cgroup2 cgroup2 /sys/fs/cgroup
  # systemd writes to the console: keep it off the host's.
  touch /run/live-console
  mount --bind /run/live-console /dev/console
  cp -r "$files/etc/." /etc/
  # The built agent at the unit's ExecStart path, bound rather than copied.
  touch /usr/local/sbin/fical-agent
  mount --bind "$3" /usr/local/sbin/fical-agent
  mkdir -p /opt/platform/nginx/upstreams
  # PrivateTmp= and everything else written to /tmp stays in the namespace.
  mount -t tmpfs tmpfs /tmp
  exec env -i container=fical-live-test "$path_env" "$systemd_bin" --system \
    --unit=fical-live.target --log-target=journal --show-status=no
fi

repo=$1
agent=$(realpath -- "$2")
unit=$repo/systemd/fical-agent.service
[[ -x $agent ]] || fail "agent binary $agent is not executable (build the fical-agent target)"

[[ $(id -u) -eq 0 ]] || skip "needs root to create namespaces and boot systemd"
for tool in unshare nsenter setpriv curl; do
  command -v "$tool" >/dev/null || skip "$tool is missing"
done
[[ -x $systemd_bin ]] || skip "$systemd_bin is missing (apt-get install systemd)"
command -v dockerd >/dev/null || skip "dockerd is missing (scripts/install-deps.sh)"
if [[ $(stat -f -c %T /sys/fs/cgroup) == cgroup2fs ]]; then
  cgroup_mount=/sys/fs/cgroup
elif [[ $(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null) == cgroup2fs ]]; then
  cgroup_mount=/sys/fs/cgroup/unified
else
  skip "no cgroup2 hierarchy mounted (systemd needs one to track services)"
fi
if ! err=$(unshare --pid --fork --mount --net --uts --ipc --cgroup -- true 2>&1); then
  skip "cannot create namespaces here: $err"
fi

tmp=$(mktemp -d)
cgroup=$cgroup_mount$(sed -n 's/^0:://p' /proc/self/cgroup)
cgroup=${cgroup%/}/fical-live-test-$$
unshare_pid=
systemd_pid=
# Runs a command inside all the namespaces, bounded.
inside() {
  timeout 60 nsenter -t "$systemd_pid" -a -- env -i "$path_env" SYSTEMD_COLORS=0 "$@"
}

cleanup() {
  local status=$?
  if ((status != 0 && status != 77)) && [[ -n $systemd_pid ]]; then
    echo "--- the namespace's journal of fical-agent and docker, last 60 lines ---" >&2
    inside journalctl --no-pager -n 60 -u fical-agent.service -u docker.service >&2 || true
  fi
  # SIGKILL to the namespace's PID 1 kills every process in it; its mounts go with it.
  if [[ -n $systemd_pid ]]; then kill -KILL "$systemd_pid" 2>/dev/null || true; fi
  if [[ -n $unshare_pid ]]; then
    kill -KILL "$unshare_pid" 2>/dev/null || true
    wait "$unshare_pid" 2>/dev/null || true
  fi
  if [[ -d $cgroup ]]; then
    for _ in $(seq 50); do
      find "$cgroup" -depth -type d -exec rmdir {} + 2>/dev/null || true
      [[ -d $cgroup ]] || break
      sleep 0.1
    done
    [[ ! -d $cgroup ]] || echo "warning: could not remove $cgroup" >&2
  fi
  rm -rf -- "$tmp"
}
trap cleanup EXIT

# --- What the namespace boots with ---
files=$tmp/files
mkdir -p "$files/etc/systemd/system/fical-agent.service.d" "$files/etc/systemd/journald.conf.d" \
  "$files/etc/fical" "$files/etc/docker"
cp "$unit" "$files/etc/systemd/system/fical-agent.service"

# Only systemd's own journal and this target: nothing of the host's boot is started.
cat >"$files/etc/systemd/system/fical-live.target" <<'EOF'
[Unit]
Description=fical live test: the journal and nothing else
Wants=systemd-journald.socket systemd-journald.service
EOF
cat >"$files/etc/systemd/journald.conf.d/live-test.conf" <<'EOF'
[Journal]
Storage=volatile
ReadKMsg=no
EOF
# Debian's docker.service wants containerd.service and docker.socket and raises limits
# beyond what a namespace may; this one runs a private dockerd (its own containerd, no
# bridge, no iptables) that tells systemd READY like the real one.
cat >"$files/etc/systemd/system/docker.service" <<'EOF'
[Unit]
Description=private dockerd of the live test
[Service]
Type=notify
ExecStart=/usr/sbin/dockerd --host unix:///run/docker.sock --config-file /etc/docker/live-test.json --bridge=none --iptables=false --ip6tables=false --ip-masq=false --userland-proxy=false --log-level=warn
TimeoutStartSec=60s
Delegate=yes
KillMode=process
EOF
echo '{}' >"$files/etc/docker/live-test.json"

token=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
token_hash=$(printf '%s' "$token" | sha256sum)
token_hash=${token_hash%% *}
# The config install.sh writes, with a known token.
cat >"$files/etc/fical/agent.yaml" <<EOF
listen: ["127.0.0.1:7070", "unix:/run/fical/agent.sock"]
docker: { socket: /var/run/docker.sock }
state_dir: /var/lib/fical
tokens:
  - { id: live-test, sha256: "$token_hash", scopes: [read, deploy] }
nginx:
  upstream_dir: /opt/platform/nginx/upstreams
  reload: { pidfile: /run/nginx.pid }
apps:
  live:
    environments:
      test:
        network: none
        services:
          web:
            image: fical-live-test-empty
            port: 80
            health: { http: /health }
EOF
chmod 0600 "$files/etc/fical/agent.yaml"

# The one change to the unit, for time only; no hardening directive needed relaxing.
dropin=$files/etc/systemd/system/fical-agent.service.d/live-test.conf
{
  echo "[Service]"
  echo "# The watchdog tests wait a few multiples of WatchdogSec: 2 s instead of 30 s."
  echo "WatchdogSec=2s"
} >"$dropin"

# --- Boot ---
# Empty cgroups of earlier runs that were killed before their trap ran.
for stale in "${cgroup%/*}"/fical-live-test-*; do
  if [[ -d $stale ]] && ! kill -0 "${stale##*-}" 2>/dev/null; then
    find "$stale" -depth -type d -exec rmdir {} + 2>/dev/null || true
  fi
done
mkdir "$cgroup" 2>/dev/null || skip "cannot create the cgroup $cgroup (read-only cgroup2 mount?)"
console_log=$tmp/boot.log
# The new PID 1 moves itself into the test's cgroup before the cgroup namespace is made.
# Should this script be killed without its trap (ctest's timeout), the kernel takes the
# rest down: unshare gets SIGKILL when this shell dies (pdeathsig), and --kill-child
# sends SIGKILL to the namespace's PID 1 when unshare dies.
# shellcheck disable=SC2016  # $1..$4 are the inner shell's arguments
setpriv --pdeathsig KILL -- unshare --pid --kill-child --mount --net --uts --ipc --propagation private -- \
  bash -c 'echo 0 >"$1/cgroup.procs" && exec unshare --cgroup bash "$2" --boot "$3" "$4"' \
  boot "$cgroup" "$(realpath -- "$0")" "$files" "$agent" >"$console_log" 2>&1 &
unshare_pid=$!

for _ in $(seq 100); do
  systemd_pid=$(cat "/proc/$unshare_pid/task/$unshare_pid/children" 2>/dev/null || true)
  systemd_pid=${systemd_pid%% *}
  [[ -n $systemd_pid && $(readlink "/proc/$systemd_pid/exe" 2>/dev/null) == */systemd ]] && break
  systemd_pid=
  sleep 0.1
done
[[ -n $systemd_pid ]] || fail "systemd did not start in the namespace: $(cat "$console_log")"

state=
for _ in $(seq 200); do
  state=$(inside systemctl is-system-running 2>/dev/null || true)
  [[ $state == running || $state == degraded ]] && break
  sleep 0.1
done
[[ $state == running ]] ||
  fail "systemd in the namespace is '$state', not running: $(inside systemctl --failed --no-pager 2>&1 || true)"
pass "systemd $("$systemd_bin" --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p') runs as PID 1 of a private namespace"

# At debug level systemd logs each sd_notify message it accepts ("Got notification message
# from PID N (WATCHDOG=1)"). Only while no service starts: the debug lines of a forked,
# not yet exec'd child make journald attribute the new process's first lines to init.scope.
debug_log() {  # on|off
  if [[ $1 == on ]]; then inside systemd-analyze set-log-level debug; else inside systemd-analyze set-log-level info; fi
}
# Prints how many notifications `message` (WATCHDOG=1 ...) systemd accepted from `pid`.
notifications() {  # pid message
  journal -u fical-agent.service -o cat | grep -cxF "fical-agent.service: Got notification message from PID $1 ($2)" || true
}
# Prints one property of a unit, e.g. show_prop fical-agent MainPID.
show_prop() {
  inside systemctl show -P "$2" "$1.service"
}
api_status() {  # extra curl arguments (the address)...
  inside curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Authorization: Bearer $token" "$@"
}
journal() {  # journalctl arguments...
  inside journalctl --no-pager "$@"
}
# Waits until `show_prop unit property` prints the expected value, at most `seconds`.
wait_prop() {  # unit property expected seconds
  local deadline=$((SECONDS + $4)) value
  while value=$(show_prop "$1" "$2"); [[ $value != "$3" ]]; do
    ((SECONDS < deadline)) || fail "$1 $2 is '$value' after $4 s, expected '$3'"
    sleep 0.1
  done
}

# --- Start: returns after READY, with Docker up first ---
if ! out=$(inside systemctl start fical-agent.service 2>&1); then
  fail "systemctl start fical-agent failed: $out
$(inside systemctl status --no-pager -l fical-agent.service docker.service 2>&1 || true)"
fi
# No retry: the API must answer the moment start returns, or READY came too early.
assert_eq 200 "$(api_status http://127.0.0.1:7070/v1/apps)" "GET /v1/apps on 127.0.0.1:7070 right after start"
assert_eq 200 "$(api_status --unix-socket /run/fical/agent.sock http://localhost/v1/apps)" \
  "GET /v1/apps on /run/fical/agent.sock"
assert_eq active "$(inside systemctl is-active fical-agent.service)" "systemctl is-active fical-agent"
assert_eq notify "$(show_prop fical-agent Type)" "Type"
docker_up=$(show_prop docker ActiveEnterTimestampMonotonic)
agent_exec=$(show_prop fical-agent ExecMainStartTimestampMonotonic)
((docker_up > 0 && docker_up <= agent_exec)) ||
  fail "docker.service became active at $docker_up, after the agent started at $agent_exec"
# With Type=notify systemd logs "Started" only on READY=1, which the agent sends after it
# listens, Docker answers and it has reconciled (with Type=simple, "Started" would come first).
messages=$(journal -u fical-agent.service -o cat)
listening_at=$(grep -n -m1 -x 'listening on unix:/run/fical/agent.sock' <<<"$messages" | cut -d: -f1)
docker_at=$(grep -n -m1 '^Docker answers at /var/run/docker.sock; state reconciled' <<<"$messages" | cut -d: -f1)
started_at=$(grep -n -m1 '^Started fical-agent.service' <<<"$messages" | cut -d: -f1)
[[ -n $listening_at && -n $docker_at && -n $started_at ]] ||
  fail "no listening, Docker or Started line in the journal: $messages"
((listening_at < started_at && docker_at < started_at)) ||
  fail "systemd logged Started before the agent listened and reached Docker: $messages"
assert_eq ready "$(show_prop fical-agent StatusText)" "the agent's STATUS= in systemctl status"
pass "systemctl start returned after READY (after Docker answered): the API answered at once, on TCP and the unix socket"
pass "docker.service was pulled in and active before the agent started"

# --- The hardening is applied to the running agent, and it still reaches Docker ---
pid=$(show_prop fical-agent MainPID)
proc_status=$(inside cat "/proc/$pid/status")
assert_eq 1 "$(sed -n 's/^NoNewPrivs:\t//p' <<<"$proc_status")" "NoNewPrivs of the agent"
assert_eq 2 "$(sed -n 's/^Seccomp:\t//p' <<<"$proc_status")" "Seccomp mode of the agent (filter)"
assert_eq 0000000000000002 "$(sed -n 's/^CapBnd:\t//p' <<<"$proc_status")" \
  "capability bounding set of the agent (CAP_DAC_OVERRIDE only)"
for dir in /etc /usr /var/lib; do
  if inside nsenter -t "$pid" -m -- touch "$dir/fical-live-probe" 2>/dev/null; then
    fail "the agent can write to $dir (ProtectSystem=strict)"
  fi
done
# systemd 252 mounts a ConfigurationDirectory= writable even under ProtectSystem=strict;
# the unit's ReadOnlyPaths=/etc/fical keeps the config and tokens read-only for the agent.
if inside nsenter -t "$pid" -m -- touch /etc/fical/live-probe 2>/dev/null; then
  fail "/etc/fical is writable for the agent (ConfigurationDirectory= under ProtectSystem=strict)"
fi
# LimitNOFILE=65536; where this shell's hard limit is lower and CAP_SYS_RESOURCE withheld
# (a sandbox), systemd clamps it to that hard limit rather than failing.
want_nofile=65536
nofile_hard=$(ulimit -Hn)
cap_bound=$(sed -n 's/^CapBnd:\t//p' /proc/self/status)
if [[ $nofile_hard != unlimited ]] && ((nofile_hard < 65536)) && ! ((0x$cap_bound >> 24 & 1)); then
  want_nofile=$nofile_hard
fi
nofile=$(inside cat "/proc/$pid/limits" | awk '/^Max open files/ { print $4 " " $5 }')
assert_eq "$want_nofile $want_nofile" "$nofile" "open files limit (soft hard) of the agent"
inside nsenter -t "$pid" -m -- touch /var/lib/fical/probe /opt/platform/nginx/upstreams/probe ||
  fail "the agent cannot write its state or upstream dir"
# A container with the labels the agent's deployments carry, from an empty image: the
# status of live/test must list it, read through docker.sock from inside the sandbox.
tar -cf "$files/empty.tar" --files-from /dev/null
inside docker --host unix:///run/docker.sock import - fical-live-test-empty <"$files/empty.tar" >/dev/null ||
  fail "docker import failed"
inside docker --host unix:///run/docker.sock create --network none --name fical-live-test-web \
  --label fical.app=live --label fical.env=test --label fical.role=app --label fical.service=web \
  --label fical.color=blue fical-live-test-empty /none >/dev/null || fail "docker create failed"
# Status answers from the agent's view of Docker, refreshed by Docker's events (a create
# among them) and every 5 s: poll for it, bounded.
for _ in $(seq 1 50); do
  env_status=$(inside curl -s --max-time 10 -H "Authorization: Bearer $token" \
    http://127.0.0.1:7070/v1/apps/live/envs/test)
  [[ $env_status == *'"fical-live-test-web"'* ]] && break
  sleep 0.2
done
assert_contains "$env_status" '"fical-live-test-web"' "GET /v1/apps/live/envs/test"
assert_not_contains "$(journal -u fical-agent.service -o cat)" "Docker did not answer" "the agent's journal"
pass "the running agent has NoNewPrivs, a seccomp filter, only CAP_DAC_OVERRIDE, read-only /etc /usr /var/lib, $want_nofile open files, and reads Docker"

# --- Logs: the journald sink, with the unit's fields ---
ready_line=$(journal -u fical-agent.service -o verbose --output-fields=MESSAGE,SYSLOG_IDENTIFIER,_TRANSPORT,PRIORITY \
  MESSAGE="fical-agent ready")
assert_contains "$ready_line" "SYSLOG_IDENTIFIER=fical-agent" "the journal entry of the ready line"
assert_contains "$ready_line" "_TRANSPORT=journal" "the journal entry of the ready line"
assert_contains "$ready_line" "PRIORITY=6" "the journal entry of the ready line"
status=$(inside systemctl status --no-pager -l -n 20 fical-agent.service || true)
assert_contains "$status" "fical-agent ready" "systemctl status"
assert_contains "$status" "Active: active (running)" "systemctl status"
pass "the agent's log lines are in the journal (native protocol, identifier fical-agent) and in systemctl status"

# --- Watchdog: fed while the loop runs, and armed ---
pid=$(show_prop fical-agent MainPID)
first_ping=$(show_prop fical-agent WatchdogTimestampMonotonic)
debug_log on
sleep 5  # 2.5 times WatchdogSec
debug_log off
assert_eq active "$(inside systemctl is-active fical-agent.service)" "is-active after 2.5 x WatchdogSec"
assert_eq "$pid" "$(show_prop fical-agent MainPID)" "MainPID after 2.5 x WatchdogSec"
assert_eq 0 "$(show_prop fical-agent NRestarts)" "NRestarts after 2.5 x WatchdogSec"
last_ping=$(show_prop fical-agent WatchdogTimestampMonotonic)
((last_ping > first_ping)) || fail "WatchdogTimestamp did not move: $first_ping then $last_ping"
pings=$(notifications "$pid" WATCHDOG=1)
((pings >= 4)) || fail "only $pings WATCHDOG=1 from the agent in 5 s (expected one per WatchdogSec/2)"
pass "the watchdog is fed: the agent outlived WatchdogSec 2.5 times with $pings WATCHDOG=1"

# A stopped process sends no WATCHDOG=1: systemd must kill it (SIGABRT) and restart it.
inside kill -STOP "$pid"
wait_prop fical-agent NRestarts 1 15
wait_prop fical-agent ActiveState active 15
new_pid=$(show_prop fical-agent MainPID)
[[ $new_pid != "$pid" ]] || fail "MainPID is still $pid after the watchdog fired"
assert_contains "$(journal -u fical-agent.service -o cat)" "fical-agent.service: Failed with result 'watchdog'." \
  "the journal after a stopped agent"
assert_eq 200 "$(api_status http://127.0.0.1:7070/v1/apps)" "GET /v1/apps after the watchdog restart"
pass "the watchdog is armed: a stopped agent was killed and restarted"

# --- Restart=on-failure after kill -9 ---
pid=$new_pid
inside kill -KILL "$pid"
wait_prop fical-agent NRestarts 2 15
wait_prop fical-agent ActiveState active 15
new_pid=$(show_prop fical-agent MainPID)
[[ $new_pid != "$pid" ]] || fail "MainPID is still $pid after kill -9"
assert_eq 200 "$(api_status --unix-socket /run/fical/agent.sock http://localhost/v1/apps)" \
  "GET /v1/apps after the restart"
pass "kill -9 of the main pid: systemd restarted the agent, which serves again"

# --- Stop: clean, STOPPING=1, runtime dir removed ---
debug_log on
stop_from=$(inside date +%s.%N)
inside systemctl stop fical-agent.service || fail "systemctl stop fical-agent failed"
stop_took=$(inside date +%s.%N)
if ! inside systemctl is-active --quiet fical-agent.service; then :; else fail "still active after stop"; fi
assert_eq inactive "$(show_prop fical-agent ActiveState)" "ActiveState after stop"
assert_eq success "$(show_prop fical-agent Result)" "Result after stop"
assert_eq 0 "$(show_prop fical-agent ExecMainStatus)" "exit status after stop"
(( $(awk -v a="$stop_from" -v b="$stop_took" 'BEGIN { print (b - a < 15) }') )) ||
  fail "systemctl stop took $(awk -v a="$stop_from" -v b="$stop_took" 'BEGIN { print b - a }') s"
log=$(journal -u fical-agent.service -o cat _PID="$new_pid")
assert_contains "$log" "signal 15: shutting down" "the journal of the stopped agent"
assert_contains "$log" "fical-agent stopped" "the journal of the stopped agent"
assert_eq 1 "$(notifications "$new_pid" STOPPING=1)" "STOPPING=1 notifications from the stopped agent"
if inside test -e /run/fical; then fail "/run/fical remains after stop"; fi
pass "systemctl stop: SIGTERM, STOPPING=1, a clean exit 0 within seconds, /run/fical removed"
