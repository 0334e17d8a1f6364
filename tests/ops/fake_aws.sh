# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154  # sets status/out/log for the test that sources it; $deploy is the test's
# Shared by the fical-deploy tests: the stand-in `aws` (tests/ops/fake-aws/aws) first on
# PATH, a temp dir, and run_deploy, which runs scripts/fical-deploy with a scenario's
# canned answers. Source after lib.sh with $here and $deploy set.
command -v jq >/dev/null || fail "jq missing (scripts/install-deps.sh)"
tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
export PATH="$here/fake-aws:$PATH"
export FICAL_DEPLOY_POLL_SECONDS=0.05
run=0

# Runs fical-deploy with the scenario's fixtures; sets status, out and log (the
# recorded aws calls, one per line, as printf %q would quote them).
run_deploy() {  # scenario args...
  run=$((run + 1))
  export FAKE_AWS_FIXTURES=$here/fixtures/$1 FAKE_AWS_LOG=$tmp/aws.$run.log
  shift
  : >"$FAKE_AWS_LOG"
  status=0
  out=$(timeout 60 bash "$deploy" "$@" 2>&1) || status=$?
  log=$(cat "$FAKE_AWS_LOG")
}

# The log line aws would record for exactly these arguments.
call() {
  printf '%q ' "$@"
}
