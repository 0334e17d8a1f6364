#!/usr/bin/env bash
# Checks the SSM documents beside fical-deploy.json (fical-rollback, -status, -history,
# -logs): structure, every interpolated parameter declared with an anchored allowedPattern
# that accepts good values and rejects hostile ones, and that each document's command is
# one the real fical-client accepts: the rendered runCommand runs with a recording
# fical-client first on PATH, and the argv it records is then parsed by the built client
# (exit 3, agent unreachable, means every flag and value was accepted; 2 would be usage).
#
# Usage: ssm_commands_test.sh <repo root> <fical-client binary>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/patterns.sh"

repo=$1 client=$2
command -v jq >/dev/null || fail "jq missing (scripts/install-deps.sh)"
[[ -x $client ]] || fail "fical-client not built: $client"
tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT

deploy_doc=$repo/scripts/ssm/fical-deploy.json
name_pattern=$(jq -r .parameters.App.allowedPattern "$deploy_doc")
version_pattern=$(jq -r .parameters.Version.allowedPattern "$deploy_doc")

matches() {  # pattern value (grep -z sees no record in an empty value: bash matches that one)
  if [[ -z $2 ]]; then [[ "" =~ $1 ]]; return; fi
  printf '%s' "$2" | grep -zEq -- "$1"
}
check_pattern() {  # document parameter, then good values, --, hostile values
  local doc=$1 param=$2 pattern seen_separator=0 v
  pattern=$(jq -r ".parameters.$param.allowedPattern" "$doc")
  shift 2
  for v in "$@"; do
    if [[ $v == -- && $seen_separator == 0 ]]; then seen_separator=1; continue; fi
    if ((seen_separator == 0)); then
      matches "$pattern" "$v" || fail "$doc: $param pattern rejects good value '$v'"
    else
      if matches "$pattern" "$v"; then fail "$doc: $param pattern accepts hostile value '$v'"; fi
    fi
  done
}

# --- Structure and patterns of every document ---
declare -A expected_parameters=(
  [rollback]="App CurrentEnv Environment Release TimeoutSeconds"
  [status]="App Environment TimeoutSeconds"
  [history]="App Environment Limit TimeoutSeconds"
  [logs]="App Environment Service Tail TimeoutSeconds"
)
for command in rollback status history logs; do
  doc=$repo/scripts/ssm/fical-$command.json
  jq -e . "$doc" >/dev/null || fail "$doc is not valid JSON"
  assert_eq 2.2 "$(jq -r .schemaVersion "$doc")" "$command: schemaVersion"
  assert_eq "${expected_parameters[$command]}" "$(jq -r '.parameters | keys | join(" ")' "$doc")" \
    "$command: parameters"
  assert_eq 1 "$(jq -r '.mainSteps | length' "$doc")" "$command: number of steps"
  assert_eq aws:runShellScript "$(jq -r '.mainSteps[0].action' "$doc")" "$command: step action"
  assert_eq '{{TimeoutSeconds}}' "$(jq -r '.mainSteps[0].inputs.timeoutSeconds' "$doc")" \
    "$command: timeoutSeconds"
  mapfile -t used < <(jq -r '.mainSteps | tostring' "$doc" | grep -Eo '\{\{ *[A-Za-z]+ *\}\}' |
    tr -d '{} ' | sort -u)
  assert_eq "${expected_parameters[$command]}" "$(sort <<<"$(printf '%s\n' "${used[@]}")" | tr '\n' ' ' |
    sed 's/ $//')" "$command: every parameter is used and every used one declared"
  for p in "${used[@]}"; do
    assert_eq String "$(jq -r ".parameters.$p.type" "$doc")" "$command: type of $p"
    [[ $(jq -r ".parameters.$p.allowedPattern" "$doc") == ^*'$' ]] ||
      fail "$command: $p has no anchored allowedPattern"
  done
  assert_eq "$name_pattern" "$(jq -r .parameters.App.allowedPattern "$doc")" "$command: App pattern"
  assert_eq "$name_pattern" "$(jq -r .parameters.Environment.allowedPattern "$doc")" \
    "$command: Environment pattern"
  check_pattern "$doc" App "${good_names[@]}" -- "${hostile_names[@]}"
  # shellcheck disable=SC2016  # literal hostile value
  check_pattern "$doc" TimeoutSeconds 1 120 99999 -- "" 0 012 100000 "9;x" '$(id)'
done
rollback_doc=$repo/scripts/ssm/fical-rollback.json
assert_eq "^(${version_pattern:1:-1})?\$" "$(jq -r .parameters.Release.allowedPattern "$rollback_doc")" \
  "Release pattern: the version pattern or empty"
check_pattern "$rollback_doc" Release "" "${good_versions[@]}" -- "${hostile_versions[@]:1}"
check_pattern "$rollback_doc" CurrentEnv true false -- "" True yes "true;x" $'true\n'
check_pattern "$repo/scripts/ssm/fical-logs.json" Service "${good_names[@]}" -- "${hostile_names[@]}"
check_pattern "$repo/scripts/ssm/fical-logs.json" Tail 0 1 99 100 9999 10000 -- "" 01 10001 -1 "5 5" "5;x"
check_pattern "$repo/scripts/ssm/fical-history.json" Limit 1 9 20 99 100 -- "" 0 01 101 -1 "5;x"
pass "documents: structure, anchored patterns, good and hostile values"

# --- Each document's command, rendered, is one fical-client accepts ---
mkdir -p "$tmp/bin"
# The client's settings: an agent address where nothing listens, a token in the environment.
echo "url: http://127.0.0.1:9" >"$tmp/client.yaml"
cat >"$tmp/bin/fical-client" <<'STANDIN'
#!/usr/bin/env bash
printf '%s\n' "$@" >"$FICAL_ARGV_FILE"
STANDIN
chmod +x "$tmp/bin/fical-client"

# Renders the document's runCommand with the values (NAME=VALUE...), runs it as SSM would
# (bash, a script of the lines) with the stand-in client, and sets argv (one per line).
render_and_run() {  # document NAME=VALUE...
  local doc=$1 script kv
  shift
  script=$(jq -r '.mainSteps[0].inputs.runCommand | join("\n")' "$doc")
  for kv in "$@"; do
    script=${script//"{{${kv%%=*}}}"/${kv#*=}}
  done
  [[ $script != *'{{'* ]] || fail "$doc: unrendered parameter in: $script"
  FICAL_ARGV_FILE=$tmp/argv PATH="$tmp/bin:$PATH" bash -c "$script" ||
    fail "$doc: the rendered command failed"
  argv=$(cat "$tmp/argv")
}

# The real client parses argv: 3 (unreachable agent) means the flags were accepted.
client_accepts() {  # what
  local status=0 args
  mapfile -t args <<<"$argv"
  FICAL_TOKEN=ssm-test-token timeout 20 "$client" \
    --config "$tmp/client.yaml" "${args[@]}" >"$tmp/client.out" 2>&1 || status=$?
  assert_eq 3 "$status" "fical-client ${args[*]} ($1; output: $(cat "$tmp/client.out"))"
}

lines() { printf '%s\n' "$@"; }

render_and_run "$deploy_doc" App=filter-ical Environment=staging Version=v1.2.3
assert_eq "$(lines deploy --app filter-ical --env staging --version v1.2.3)" "$argv" "deploy argv"
client_accepts deploy

render_and_run "$rollback_doc" App=web Environment=prod Release= CurrentEnv=false
assert_eq "$(lines rollback --app web --env prod)" "$argv" "rollback argv, defaults"
client_accepts "rollback, defaults"
render_and_run "$rollback_doc" App=web Environment=prod Release=v1.2.2 CurrentEnv=true
assert_eq "$(lines rollback --app web --env prod --release v1.2.2 --current-env)" "$argv" \
  "rollback argv, release and current env"
client_accepts "rollback --release --current-env"

render_and_run "$repo/scripts/ssm/fical-status.json" App=web Environment=prod
assert_eq "$(lines status --app web --env prod)" "$argv" "status argv"
client_accepts status

for limit in 1 100; do
  render_and_run "$repo/scripts/ssm/fical-history.json" App=web Environment=prod Limit=$limit
  assert_eq "$(lines history --app web --env prod --limit $limit)" "$argv" "history argv"
  client_accepts "history --limit $limit"
done

for tail_lines in 0 10000; do
  render_and_run "$repo/scripts/ssm/fical-logs.json" App=web Environment=prod Service=api Tail=$tail_lines
  assert_eq "$(lines logs --app web --env prod --service api --tail $tail_lines)" "$argv" "logs argv"
  client_accepts "logs --tail $tail_lines"
done

# The defaults of the documents are values the client accepts too, and the client refuses
# just beyond the patterns' bounds, as the patterns do (the two agree on the ranges).
assert_eq 20 "$(jq -r .parameters.Limit.default "$repo/scripts/ssm/fical-history.json")" "Limit default"
assert_eq 100 "$(jq -r .parameters.Tail.default "$repo/scripts/ssm/fical-logs.json")" "Tail default"
for bad in "history --app web --env prod --limit 101" "logs --app web --env prod --service api --tail 10001"; do
  status=0
  # shellcheck disable=SC2086  # word splitting of the fixed argument list is intended
  FICAL_TOKEN=ssm-test-token "$client" --config "$tmp/client.yaml" $bad \
    >/dev/null 2>&1 || status=$?
  assert_eq 2 "$status" "fical-client $bad"
done
pass "each document's rendered command is accepted by fical-client; bounds agree"
