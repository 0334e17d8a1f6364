#!/usr/bin/env bash
# Lifecycle of a real agent: SIGTERM with connections open exits 0 promptly; the unix
# socket's mode and stale-socket handling; refusal of a non-loopback address without TLS;
# TLS with a self-signed certificate; --check-config.
AGENT=$1
source "$(dirname "$0")/lib.sh"
read_auth=(-H "Authorization: Bearer $READ_TOKEN")

# --check-config prints "ok", or every error with its path, and exits 0 or 1.
write_config "$WORK/good.yaml" '["127.0.0.1:7070"]'
expect_eq "$("$AGENT" --config "$WORK/good.yaml" --check-config)" ok "check-config ok"
write_config "$WORK/bad.yaml" '["127.0.0.1:7070"]' 'limits: { max_body_bytes: 5 }'
if "$AGENT" --config "$WORK/bad.yaml" --check-config >"$WORK/out" 2>&1; then fail "bad config accepted"; fi
grep -q 'limits.max_body_bytes' "$WORK/out" || fail "error path: $(cat "$WORK/out")"
pass "check-config"

# A non-loopback address without TLS is refused (exit 1, the reason printed).
write_config "$WORK/open.yaml" '["0.0.0.0:7070"]'
if "$AGENT" --config "$WORK/open.yaml" >"$WORK/out" 2>&1; then fail "0.0.0.0 without tls started"; fi
grep -q 'not a loopback address' "$WORK/out" || fail "refusal reason: $(cat "$WORK/out")"
pass "non-loopback without TLS refused"

# The unix socket: mode 0660; a stale one (agent killed) is replaced; a live one or a
# non-socket file is not.
sock=$WORK/agent.sock
start_agent first '["unix:'"$sock"'"]'
expect_eq "$(stat -c %a "$sock")" 660 "socket mode"
# The same config twice is refused by the state lock; a second state dir reaches the socket.
if "$AGENT" --config "$WORK/first.yaml" >"$WORK/out" 2>&1; then fail "second agent on the same state"; fi
grep -q "another fical-agent is using" "$WORK/out" || fail "state lock reason: $(cat "$WORK/out")"
sed "s|first-state|other-state|" "$WORK/first.yaml" >"$WORK/other.yaml"
if "$AGENT" --config "$WORK/other.yaml" >"$WORK/out" 2>&1; then fail "second agent on a live socket"; fi
grep -q 'another process is listening' "$WORK/out" || fail "live socket reason: $(cat "$WORK/out")"
kill -9 "$PID"; wait "$PID" 2>/dev/null || true
[[ -S $sock ]] || fail "the killed agent left no stale socket to test with"
start_agent second '["unix:'"$sock"'"]'
expect_eq "$(status GET http://agent/v1/apps --unix-socket "$sock" "${read_auth[@]}")" 200 "after stale replaced"
kill -TERM "$PID"; wait "$PID" || fail "exit status after SIGTERM"
[[ -e $sock ]] && fail "socket left after a clean shutdown"
echo "not a socket" >"$sock"
if "$AGENT" --config "$WORK/second.yaml" >"$WORK/out" 2>&1; then fail "started over a regular file"; fi
expect_eq "$(cat "$sock")" "not a socket" "the regular file is untouched"
rm -f "$sock"
pass "unix socket mode and stale socket handling"

# SIGTERM with an idle keep-alive connection and a half-sent request: exit 0 promptly.
start_agent term '["127.0.0.1:PORT"]' 'limits: { idle_timeout: 60s, read_timeout: 30s }'
exec 3<>/dev/tcp/127.0.0.1/$PORT
printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' >&3
exec 4<>/dev/tcp/127.0.0.1/$PORT
printf 'POST /v1/apps/web/envs/staging/deployments HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"ver' >&4
sleep 0.3
started=$(date +%s%N)
kill -TERM "$PID"
wait "$PID" || fail "exit status after SIGTERM with open connections"
elapsed_ms=$((($(date +%s%N) - started) / 1000000))
((elapsed_ms < 3000)) || fail "shutdown took ${elapsed_ms} ms"
head -c 12 <&3 | grep -q 'HTTP/1.1 503' || fail "the answered request's reply"
exec 3<&- 4<&-
grep -q 'fical-agent stopped' "$WORK/term.log" || fail "no stop line"
pass "SIGTERM exits 0 in ${elapsed_ms} ms with connections open"

# TLS: a self-signed certificate; HTTPS works, plain HTTP on that port does not.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
start_agent tls '["127.0.0.1:PORT"]' "tls: { cert_file: $WORK/cert.pem, key_file: $WORK/key.pem }"
expect_eq "$(status GET https://127.0.0.1:$PORT/v1/apps --cacert "$WORK/cert.pem" "${read_auth[@]}")" 200 "https"
expect_eq "$(status GET https://127.0.0.1:$PORT/v1/apps --cacert "$WORK/cert.pem")" 401 "https without token"
expect_eq "$(status GET http://127.0.0.1:$PORT/v1/apps "${read_auth[@]}" || true)" 000 "plain http on the TLS port"
kill -TERM "$PID"; wait "$PID" || fail "TLS agent exit status"
pass "TLS"

# IPv6 loopback, where the host has it.
if ip -6 addr show dev lo 2>/dev/null | grep -q '::1'; then
  start_agent six '["[::1]:PORT"]'
  expect_eq "$(status GET "http://[::1]:$PORT/v1/apps" -g "${read_auth[@]}")" 200 "ipv6"
  pass "IPv6 loopback"
else
  echo "skip: no ::1 on this host"
fi
