#!/usr/bin/env bash
# Connection limits over a real agent: slowloris dropped by the read deadline, oversized
# headers refused, 200 concurrent status requests all answered, the connection cap.
AGENT=$1
source "$(dirname "$0")/lib.sh"

start_agent agent '["127.0.0.1:PORT"]' \
  'limits: { read_timeout: 1s, idle_timeout: 30s, max_header_bytes: 4096 }'
base=http://127.0.0.1:$PORT
read_auth=(-H "Authorization: Bearer $READ_TOKEN")

# Slowloris: a header sent one byte every 0.25 s is cut off after the 1 s read deadline.
trap '' PIPE  # a write to the closed connection then fails instead of killing the shell
exec 3<>/dev/tcp/127.0.0.1/$PORT
started=$SECONDS
request=$'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaa'
for ((i = 0; i < ${#request}; i++)); do
  printf %s "${request:i:1}" >&3 2>/dev/null || break
  sleep 0.25
  ((SECONDS - started < 4)) || break
done
# The server closed the connection: reading ends at once (EOF) instead of timing out.
if ! timeout 3 cat <&3 >/dev/null 2>&1; then fail "slowloris connection still open"; fi
exec 3<&-
expect_eq "$(status GET $base/healthz)" 503 "agent still serves after slowloris"
pass "slowloris dropped"

# Oversized header: 400 with the JSON error, and the agent goes on.
big=$(head -c 8000 /dev/zero | tr '\0' 'a')
body=$(curl -s -w ' %{http_code}' -H "X-Big: $big" $base/healthz)
[[ $body == *'exceeds 4096 bytes'*' 400' ]] || fail "oversized header: $body"
pass "oversized headers refused"

# 200 concurrent status requests, all 200.
seq 200 | xargs -P 200 -I{} curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 \
  "${read_auth[@]}" $base/v1/apps/web/envs/staging >"$WORK/codes"
expect_eq "$(grep -c '^200$' "$WORK/codes")" 200 "concurrent 200s ($(sort "$WORK/codes" | uniq -c | tr '\n' ' '))"
pass "200 concurrent status requests"

# The connection cap: with max_connections 2 and two idle connections, a third gets 503.
start_agent capped '["127.0.0.1:PORT"]' 'limits: { max_connections: 2, idle_timeout: 30s }'
exec 4<>/dev/tcp/127.0.0.1/$PORT
exec 5<>/dev/tcp/127.0.0.1/$PORT
sleep 0.2
body=$(curl -s -w ' %{http_code}' "${read_auth[@]}" http://127.0.0.1:$PORT/v1/apps)
[[ $body == *'too many connections'*' 503' ]] || fail "connection cap: $body"
exec 4<&- 5<&-
sleep 0.3
expect_eq "$(status GET http://127.0.0.1:$PORT/v1/apps "${read_auth[@]}")" 200 "after the idle ones left"
pass "connection cap answers 503"
