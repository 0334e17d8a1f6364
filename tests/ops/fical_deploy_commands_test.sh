#!/usr/bin/env bash
# Runs the other fical-deploy commands (rollback, status, history, logs) against the
# stand-in `aws` (tests/ops/fake-aws/aws) and the canned answers of tests/ops/fixtures/:
# each sends its own document with its own parameters, rollback exits like deploy
# (0 live, 1 failed on an instance, 4 timed out), fleet targeting passes through, and bad
# or hostile values exit 2 before aws is called.
#
# Usage: fical_deploy_commands_test.sh <repo root>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/patterns.sh"

repo=$1
deploy=$repo/scripts/fical-deploy
source "$here/fake_aws.sh"
first_call() { head -1 <<<"$log"; }

# The patterns of fical-deploy agree with the documents'.
for pair in limit_pattern:fical-history.Limit tail_pattern:fical-logs.Tail; do
  var=${pair%%:*} doc=${pair#*:}
  assert_eq "$var='$(jq -r ".parameters.${doc#*.}.allowedPattern" "$repo/scripts/ssm/${doc%.*}.json")'" \
    "$(grep "^$var=" "$deploy")" "fical-deploy's $var vs ${doc%.*}.json"
done

ids=(--instance-ids "i-0aaa1111bbbb2222c,i-0ddd3333eeee4444f")
id_args=(--instance-ids i-0aaa1111bbbb2222c i-0ddd3333eeee4444f)

# --- rollback: the previous release, pinned env ---
run_deploy success "${ids[@]}" rollback filter-ical staging
assert_eq 0 "$status" "rollback exit status on success (output: $out)"
params='{"App":["filter-ical"],"Environment":["staging"],"Release":[""],"CurrentEnv":["false"],"TimeoutSeconds":["900"]}'
assert_eq "$(call ssm send-command --document-name fical-rollback --comment "fical-deploy rollback filter-ical staging" \
  --parameters "$params" --output json "${id_args[@]}")" "$(first_call)" "rollback send-command"
assert_contains "$out" "filter-ical/staging previous release is live again on 2 instance(s)" "rollback summary"
run_deploy success "${ids[@]}" --region eu-west-1 rollback --release v1.2.2 --current-env filter-ical staging
assert_eq 0 "$status" "rollback --release exit status (output: $out)"
params='{"App":["filter-ical"],"Environment":["staging"],"Release":["v1.2.2"],"CurrentEnv":["true"],"TimeoutSeconds":["900"]}'
assert_eq "$(call ssm send-command --document-name fical-rollback \
  --comment "fical-deploy rollback filter-ical staging v1.2.2" --parameters "$params" --output json \
  --region eu-west-1 "${id_args[@]}")" "$(first_call)" "rollback --release --current-env send-command"
run_deploy one-failed "${ids[@]}" rollback filter-ical staging
assert_eq 1 "$status" "rollback exit status with a failed instance"
assert_contains "$out" "FAILED on: i-0ddd3333eeee4444f (Failed, exit 1)" "rollback failed instances"
run_deploy timeout "${ids[@]}" --timeout 2 rollback filter-ical staging
assert_eq 4 "$status" "rollback exit status on timeout"
run_deploy send-denied "${ids[@]}" rollback filter-ical staging
assert_eq 3 "$status" "rollback exit status when send-command fails"
pass "rollback: its document and parameters; exits 0, 1, 3, 4 like deploy"

# --- status, history, logs across a fleet ---
fleet=(--targets tag:fical-env=staging --max-concurrency 1 --max-errors 0)
fleet_args=(--targets '[{"Key":"tag:fical-env","Values":["staging"]}]' --max-concurrency 1 --max-errors 0)
run_deploy success "${fleet[@]}" status filter-ical staging
assert_eq 0 "$status" "status exit status (output: $out)"
assert_eq "$(call ssm send-command --document-name fical-status --comment "fical-deploy status filter-ical staging" \
  --parameters '{"App":["filter-ical"],"Environment":["staging"],"TimeoutSeconds":["120"]}' --output json \
  "${fleet_args[@]}")" "$(first_call)" "status send-command"
assert_contains "$out" "=== i-0aaa1111bbbb2222c (ip-10-0-0-1): Success" "status output per instance"
run_deploy success "${fleet[@]}" history --limit 5 filter-ical staging
assert_eq 0 "$status" "history exit status (output: $out)"
assert_eq "$(call ssm send-command --document-name fical-history --comment "fical-deploy history filter-ical staging" \
  --parameters '{"App":["filter-ical"],"Environment":["staging"],"Limit":["5"],"TimeoutSeconds":["120"]}' \
  --output json "${fleet_args[@]}")" "$(first_call)" "history send-command"
run_deploy success "${fleet[@]}" --document my-logs --timeout 30 logs --service api --tail 50 filter-ical staging
assert_eq 0 "$status" "logs exit status (output: $out)"
assert_eq "$(call ssm send-command --document-name my-logs --comment "fical-deploy logs filter-ical staging api" \
  --parameters '{"App":["filter-ical"],"Environment":["staging"],"Service":["api"],"Tail":["50"],"TimeoutSeconds":["30"]}' \
  --output json "${fleet_args[@]}")" "$(first_call)" "logs send-command"
run_deploy one-failed "${fleet[@]}" status filter-ical staging
assert_eq 1 "$status" "status exit status with a failed instance"
pass "status, history, logs: their documents and parameters, fleet targeting, exit status"

# --- Bad and hostile values: exit 2, aws never called ---
refuse() {  # expected-message args...
  local msg=$1
  shift
  run_deploy success "$@"
  assert_eq 2 "$status" "exit status of fical-deploy $* (output: $out)"
  assert_contains "$out" "$msg" "error of fical-deploy $*"
  assert_eq "" "$log" "aws calls for fical-deploy $*"
}
for v in "${hostile_versions[@]:1}"; do
  refuse "invalid --release" "${ids[@]}" rollback --release "$v" filter-ical staging
done
for n in "${hostile_names[@]:1}"; do  # an empty --service is "logs needs --service"
  refuse "invalid service name" "${ids[@]}" logs --service "$n" filter-ical staging
done
for n in "${hostile_names[@]}"; do
  refuse "invalid app name" "${ids[@]}" -- status "$n" staging
done
refuse "logs needs --service" "${ids[@]}" logs filter-ical staging
refuse "invalid --tail" "${ids[@]}" logs --service api --tail 10001 filter-ical staging
refuse "invalid --tail" "${ids[@]}" logs --service api --tail '5;x' filter-ical staging
refuse "invalid --limit" "${ids[@]}" history --limit 0 filter-ical staging
refuse "invalid --limit" "${ids[@]}" history --limit 101 filter-ical staging
refuse "--release is for rollback" "${ids[@]}" status --release v1 filter-ical staging
refuse "--current-env is for rollback" "${ids[@]}" --current-env filter-ical staging v1
refuse "--limit is for history" "${ids[@]}" logs --service api --limit 5 filter-ical staging
refuse "--service and --tail are for logs" "${ids[@]}" status --service api filter-ical staging
refuse "expected rollback <app> <env>" "${ids[@]}" rollback filter-ical staging v1
refuse "expected status <app> <env>" "${ids[@]}" status filter-ical
refuse "exactly one of --instance-ids and --targets" rollback filter-ical staging
pass "bad and hostile values exit 2 before aws is called"
