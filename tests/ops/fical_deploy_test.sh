#!/usr/bin/env bash
# Runs scripts/fical-deploy against a stand-in `aws` (tests/ops/fake-aws/aws) that records
# its arguments and replays canned answers from tests/ops/fixtures/<scenario>/:
# success on two instances, one failed instance, a timeout, a refused send-command,
# hostile values that must never reach aws, and --targets/concurrency pass-through.
#
# Usage: fical_deploy_test.sh <repo root>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/patterns.sh"

repo=$1
deploy=$repo/scripts/fical-deploy
doc=$repo/scripts/ssm/fical-deploy.json
source "$here/fake_aws.sh"
cid=0b2f1a34-5c6d-4e7f-8a9b-0c1d2e3f4a5b

[[ $(command -v aws) == "$here/fake-aws/aws" ]] || fail "the stand-in aws is not first on PATH"

# --- The patterns agree with the SSM document ---
assert_eq "name_pattern='$(jq -r .parameters.App.allowedPattern "$doc")'" \
  "$(grep '^name_pattern=' "$deploy")" "fical-deploy's name pattern vs the document"
assert_eq "version_pattern='$(jq -r .parameters.Version.allowedPattern "$doc")'" \
  "$(grep '^version_pattern=' "$deploy")" "fical-deploy's version pattern vs the document"

# --- Success on two instances ---
run_deploy success --instance-ids i-0aaa1111bbbb2222c,i-0ddd3333eeee4444f --region eu-west-1 \
  filter-ical staging v1.2.3
assert_eq 0 "$status" "exit status on success (output: $out)"
params='{"App":["filter-ical"],"Environment":["staging"],"Version":["v1.2.3"],"TimeoutSeconds":["900"]}'
assert_contains "$log" "$(call ssm send-command --document-name fical-deploy \
  --comment "fical-deploy filter-ical staging v1.2.3" --parameters "$params" --output json \
  --region eu-west-1 --instance-ids i-0aaa1111bbbb2222c i-0ddd3333eeee4444f)" "send-command call"
assert_contains "$log" "$(call ssm list-command-invocations --command-id "$cid" --details \
  --output json --region eu-west-1)" "list-command-invocations call"
assert_contains "$log" "$(call ssm list-commands --command-id "$cid" --output json --region eu-west-1)" \
  "list-commands call"
(($(grep -c list-command-invocations <<<"$log") == 2)) || fail "expected 2 polls, log: $log"
assert_contains "$out" "=== i-0aaa1111bbbb2222c (ip-10-0-0-1): Success" "success output"
assert_contains "$out" "live (release 7, 19s)" "instance 1 output"
assert_contains "$out" "live (release 7, 20s)" "instance 2 output"
assert_contains "$out" "i-0ddd3333eeee4444f: Pending" "progress output"
assert_contains "$out" "filter-ical/staging v1.2.3 is live on 2 instance(s)" "summary"
pass "success on two instances: exit 0, both outputs shown"

# --- One instance fails ---
run_deploy one-failed --instance-ids i-0aaa1111bbbb2222c,i-0ddd3333eeee4444f filter-ical staging v1.2.3
assert_eq 1 "$status" "exit status with a failed instance"
assert_contains "$out" "FAILED in health gate: backend /health answered 500" "failed instance's output"
assert_contains "$out" "live (release 7, 19s)" "the other instance's output"
assert_contains "$out" "FAILED on: i-0ddd3333eeee4444f (Failed, exit 1)" "failed instances line"
assert_not_contains "$out" "FAILED on: i-0aaa1111bbbb2222c" "failed instances line"
pass "one failed instance: exit 1, its output and id shown"

# --- Timeout: bounded, exit 4, names the unfinished instance ---
start=$SECONDS
run_deploy timeout --instance-ids i-0aaa1111bbbb2222c,i-0ddd3333eeee4444f --timeout 2 \
  filter-ical staging v1.2.3
assert_eq 4 "$status" "exit status on timeout (output: $out)"
((SECONDS - start < 10)) || fail "--timeout 2 took $((SECONDS - start))s"
assert_contains "$out" "timed out after 2s waiting for SSM command $cid (still running: i-0aaa1111bbbb2222c)" \
  "timeout message"
assert_contains "$out" "aws ssm list-command-invocations --command-id $cid --details" "follow-up hint"
assert_contains "$log" "$(printf '%q' '"TimeoutSeconds":["2"]')" "--timeout passed to the document"
pass "timeout: exit 4 within the bound, unfinished instance named"

# --- aws refuses send-command ---
run_deploy send-denied --instance-ids i-0aaa1111bbbb2222c filter-ical staging v1.2.3
assert_eq 3 "$status" "exit status when send-command fails"
assert_contains "$out" "AccessDeniedException" "aws's error shown"
(($(wc -l <<<"$log") == 1)) || fail "polled after a failed send-command: $log"
pass "a failed send-command exits 3 with aws's error and polls nothing"

# --- --targets and rolling-deploy flags are passed through ---
run_deploy success --targets tag:fical-env=staging --targets 'tag:Role=web,api' \
  --max-concurrency 1 --max-errors 0 --document my-fical-deploy --timeout 600 \
  filter-ical staging 0123456789abcdef0123456789abcdef01234567
assert_eq 0 "$status" "exit status with --targets (output: $out)"
params='{"App":["filter-ical"],"Environment":["staging"],"Version":["0123456789abcdef0123456789abcdef01234567"],"TimeoutSeconds":["600"]}'
targets='[{"Key":"tag:fical-env","Values":["staging"]},{"Key":"tag:Role","Values":["web","api"]}]'
assert_eq "$(call ssm send-command --document-name my-fical-deploy \
  --comment "fical-deploy filter-ical staging 0123456789abcdef0123456789abcdef01234567" \
  --parameters "$params" --output json --targets "$targets" --max-concurrency 1 --max-errors 0)" \
  "$(head -1 <<<"$log")" "send-command call with --targets"
run_deploy success --targets tag:fical-env=staging --max-concurrency 25% --max-errors 10% \
  filter-ical staging v2
assert_eq 0 "$status" "exit status with percentages"
assert_contains "$(head -1 <<<"$log")" "--max-concurrency 25% --max-errors 10% " "percent flags"
pass "--targets, --max-concurrency, --max-errors, --document pass through"

# --- Hostile or bad values: exit 2, aws never called ---
refuse() {  # expected-message args...
  local msg=$1
  shift
  run_deploy success "$@"
  assert_eq 2 "$status" "exit status of fical-deploy $* (output: $out)"
  assert_contains "$out" "$msg" "error of fical-deploy $*"
  assert_eq "" "$log" "aws calls for fical-deploy $*"
}
for v in "${hostile_versions[@]}"; do
  refuse "invalid version" --instance-ids i-0aaa1111bbbb2222c -- filter-ical staging "$v"
done
for n in "${hostile_names[@]}"; do
  refuse "invalid app name" --instance-ids i-0aaa1111bbbb2222c -- "$n" staging v1
  refuse "invalid env name" --instance-ids i-0aaa1111bbbb2222c -- filter-ical "$n" v1
done
refuse "exactly one of --instance-ids and --targets" filter-ical staging v1
refuse "exactly one of --instance-ids and --targets" --instance-ids i-0aaa1111bbbb2222c \
  --targets tag:a=b filter-ical staging v1
# shellcheck disable=SC2016  # a literal command substitution is the hostile value
refuse "invalid instance id" --instance-ids 'i-0aaa1111bbbb2222c,$(id)' filter-ical staging v1
refuse "invalid --targets" --targets 'tag:a=b;reboot' filter-ical staging v1
refuse "invalid --targets" --targets 'Role=web' filter-ical staging v1
refuse "invalid --max-concurrency" --targets tag:a=b --max-concurrency 0 filter-ical staging v1
refuse "invalid --max-errors" --targets tag:a=b --max-errors '1;x' filter-ical staging v1
refuse "invalid --region" --targets tag:a=b --region 'eu-west-1 --debug' filter-ical staging v1
refuse "invalid --timeout" --targets tag:a=b --timeout 0 filter-ical staging v1
refuse "invalid --document" --targets tag:a=b --document 'x y' filter-ical staging v1
refuse "expected <app> <env> <version>" --targets tag:a=b filter-ical staging
refuse "unknown option: --force" --targets tag:a=b --force filter-ical staging v1
pass "hostile and bad values exit 2 before aws is called"
for v in "${good_versions[@]}"; do
  run_deploy success --instance-ids i-0aaa1111bbbb2222c filter-ical staging "$v"
  assert_eq 0 "$status" "exit status for good version '$v'"
done
pass "good versions are accepted"
