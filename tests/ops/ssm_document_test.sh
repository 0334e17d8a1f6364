#!/usr/bin/env bash
# Checks scripts/ssm/fical-deploy.json: valid JSON, schemaVersion 2.2, one
# aws:runShellScript step running exactly the fical-client command, every interpolated
# parameter guarded by an allowedPattern, and each pattern accepting good values and
# rejecting hostile ones (matched with grep -zE, so a newline cannot split a value).
#
# Usage: ssm_document_test.sh <repo root>
set -euo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
source "$here/patterns.sh"

doc=$1/scripts/ssm/fical-deploy.json
command -v jq >/dev/null || fail "jq missing (scripts/install-deps.sh)"
jq -e . "$doc" >/dev/null || fail "$doc is not valid JSON"
q() { jq -r "$1" "$doc"; }

assert_eq 2.2 "$(q .schemaVersion)" "schemaVersion"
assert_eq "App Environment TimeoutSeconds Version" "$(q '.parameters | keys | join(" ")')" "parameters"
assert_eq 1 "$(q '.mainSteps | length')" "number of steps"
assert_eq aws:runShellScript "$(q '.mainSteps[0].action')" "step action"
assert_eq 'fical-client deploy --app {{App}} --env {{Environment}} --version {{Version}}' \
  "$(q '.mainSteps[0].inputs.runCommand | join("\n")')" "runCommand"
assert_eq '{{TimeoutSeconds}}' "$(q '.mainSteps[0].inputs.timeoutSeconds')" "timeoutSeconds"
assert_eq 900 "$(q '.parameters.TimeoutSeconds.default')" "TimeoutSeconds default"
pass "document structure"

# Every {{Parameter}} used anywhere in the steps is declared and has an allowedPattern.
mapfile -t used < <(q '.mainSteps | tostring' | grep -Eo '\{\{ *[A-Za-z]+ *\}\}' | tr -d '{} ' | sort -u)
((${#used[@]} == 4)) || fail "expected 4 interpolated parameters, found: ${used[*]}"
for p in "${used[@]}"; do
  assert_eq String "$(q ".parameters.$p.type")" "type of $p"
  [[ $(q ".parameters.$p.allowedPattern") == ^*'$' ]] || fail "$p has no anchored allowedPattern"
done
pass "every interpolated parameter has an anchored allowedPattern"

matches() {  # pattern value
  printf '%s' "$2" | grep -zEq -- "$1"
}
check_pattern() {  # parameter, then good values, --, hostile values
  local param=$1 pattern seen_separator=0 v
  pattern=$(q ".parameters.$param.allowedPattern")
  shift
  for v in "$@"; do
    if [[ $v == -- && $seen_separator == 0 ]]; then seen_separator=1; continue; fi
    if ((seen_separator == 0)); then
      matches "$pattern" "$v" || fail "$param pattern rejects good value '$v'"
    else
      if matches "$pattern" "$v"; then fail "$param pattern accepts hostile value '$v'"; fi
    fi
  done
}
assert_eq '^[a-z0-9][a-z0-9-]{0,62}$' "$(q .parameters.App.allowedPattern)" "App pattern"
assert_eq '^[a-z0-9][a-z0-9-]{0,62}$' "$(q .parameters.Environment.allowedPattern)" "Environment pattern"
assert_eq '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$' "$(q .parameters.Version.allowedPattern)" "Version pattern"
check_pattern App "${good_names[@]}" -- "${hostile_names[@]}"
check_pattern Environment "${good_names[@]}" -- "${hostile_names[@]}"
check_pattern Version "${good_versions[@]}" -- "${hostile_versions[@]}"
# shellcheck disable=SC2016  # literal hostile value
check_pattern TimeoutSeconds 1 900 99999 -- "" 0 012 100000 "9;x" "1 0" '$(id)'
pass "patterns accept good values and reject hostile ones"
