#!/usr/bin/env bash
# The API over a real agent: auth matrix, 400/404/405/413, a deploy without Docker,
# request ids in the access log without secrets, rate limiting of auth failures.
AGENT=$1
source "$(dirname "$0")/lib.sh"

start_agent agent '["127.0.0.1:PORT", "unix:'"$WORK"'/agent.sock"]' \
  'limits: { max_body_bytes: 2048, read_timeout: 2s }'
base=http://127.0.0.1:$PORT
read_auth=(-H "Authorization: Bearer $READ_TOKEN")
deploy_auth=(-H "Authorization: Bearer $DEPLOY_TOKEN")
web_auth=(-H "Authorization: Bearer $WEB_TOKEN")

# /healthz: no token; Docker is not there, so 503 with a JSON body.
expect_eq "$(status GET $base/healthz)" 503 "healthz without docker"
curl -s $base/healthz | grep -q '"docker":false' || fail "healthz body"

# Auth matrix.
headers=$(curl -s -D - -o /dev/null $base/v1/apps)
grep -q '^HTTP/1.1 401' <<<"$headers" || fail "no token is 401"
grep -qi '^WWW-Authenticate: Bearer realm="fical"' <<<"$headers" || fail "WWW-Authenticate"
expect_eq "$(status GET $base/v1/apps -H 'Authorization: Bearer wrong')" 401 "wrong token"
expect_eq "$(status GET $base/v1/apps "${read_auth[@]}")" 200 "read token reads"
expect_eq "$(status POST $base/v1/apps/web/envs/staging/deployments "${read_auth[@]}" -d '{"version":"v1"}')" 403 "read token deploys"
expect_eq "$(status POST $base/v1/apps/blog/envs/prod/deployments "${web_auth[@]}" -d '{"version":"v1"}')" 403 "web-only token on blog"
expect_eq "$(status GET $base/v1/apps/blog/envs/prod "${web_auth[@]}")" 403 "web-only token reads blog"
expect_eq "$(status GET $base/v1/apps/web/envs/staging "${web_auth[@]}")" 200 "web-only token reads web"
curl -s "${web_auth[@]}" $base/v1/apps | grep -q '"blog"' && fail "web-only token sees blog"
pass "auth matrix"

# The agent has never reached Docker: it serves, but refuses deployments (503) saying why.
body=$(curl -s -w ' %{http_code}' "${deploy_auth[@]}" -d '{"version":"v1"}' $base/v1/apps/web/envs/staging/deployments)
[[ $body == *'"unavailable"'*'waits for Docker to answer'*' 503' ]] || fail "deploy before Docker answers: $body"
expect_eq "$(status GET $base/v1/apps/web/envs/staging/releases "${read_auth[@]}")" 200 "releases"
expect_eq "$(status GET $base/v1/apps/web/envs/staging/deployments "${read_auth[@]}")" 200 "deployments"
expect_eq "$(status GET $base/v1/deployments/d-1/events "${read_auth[@]}")" 404 "events of an unknown deployment"
pass "a deploy before Docker answers is refused with the reason"

# 400 / 404 / 405 / 413.
body=$(curl -s "${deploy_auth[@]}" -d '{"version":"v1;reboot"}' $base/v1/apps/web/envs/staging/deployments)
grep -q '"message":"version: ' <<<"$body" || fail "bad version names the field: $body"
expect_eq "$(status GET $base/v1/apps/Web/envs/staging "${read_auth[@]}")" 400 "bad app name"
expect_eq "$(status GET "$base/v1/apps/web/envs/staging/logs?tail=10001" "${read_auth[@]}")" 400 "tail bound"
expect_eq "$(status GET $base/v1/apps/nope/envs/staging "${read_auth[@]}")" 404 "unknown app"
expect_eq "$(status GET $base/nothing "${read_auth[@]}")" 404 "unknown route"
headers=$(curl -s -D - -o /dev/null -X DELETE $base/v1/apps)
grep -q '^HTTP/1.1 405' <<<"$headers" || fail "405"
grep -qi '^Allow: GET' <<<"$headers" || fail "405 Allow"
big=$(head -c 4096 /dev/zero | tr '\0' 'a')
body=$(curl -s -w ' %{http_code}' "${deploy_auth[@]}" -d "{\"version\":\"$big\"}" $base/v1/apps/web/envs/staging/deployments)
[[ $body == *'"code":"payload_too_large"'*' 413' ]] || fail "413: $body"
# Ambiguous framing is refused (raw request: curl would fix it).
exec 3<>/dev/tcp/127.0.0.1/$PORT
printf 'POST /v1/apps HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' >&3
reply=$(timeout 5 head -c 12 <&3 || true)
exec 3<&-
expect_eq "$reply" "HTTP/1.1 400" "CL+TE"
pass "400/404/405/413 and framing"

# Request ids: in the response and in the access log, which never holds the token.
rid=$(curl -s -D - -o /dev/null "${read_auth[@]}" $base/v1/apps | tr -d '\r' | awk -F': ' 'tolower($1)=="x-request-id"{print $2}')
[[ ${#rid} == 16 ]] || fail "request id '$rid'"
sleep 0.2
grep -q "request_id=$rid method=GET route=/v1/apps status=200 .* token=reader" "$WORK/agent.log" || fail "access log line for $rid"
grep -q "$READ_TOKEN\|$DEPLOY_TOKEN\|$WEB_TOKEN" "$WORK/agent.log" && fail "a token reached the log"
pass "request ids and access log"

# The unix socket serves the same API; auth failures there are limited (10 a minute).
sock=(--unix-socket "$WORK/agent.sock")
expect_eq "$(status GET http://agent/v1/apps "${sock[@]}" "${read_auth[@]}")" 200 "unix socket"
for i in $(seq 1 10); do
  expect_eq "$(status GET http://agent/v1/apps "${sock[@]}" -H 'Authorization: Bearer nope')" 401 "failure $i"
done
headers=$(curl -s -D - -o /dev/null "${sock[@]}" "${read_auth[@]}" http://agent/v1/apps)
grep -q '^HTTP/1.1 429' <<<"$headers" || fail "429 after 10 failures"
grep -qi '^Retry-After: [0-9]' <<<"$headers" || fail "Retry-After"
expect_eq "$(status GET $base/v1/apps "${read_auth[@]}")" 200 "another peer is not limited"
pass "auth failure rate limit"

metrics=$(curl -s "${read_auth[@]}" $base/metrics)
grep -q 'fical_api_auth_failures_total{reason="unauthorized"} ' <<<"$metrics" || fail "metrics: $metrics"
pass "metrics"
