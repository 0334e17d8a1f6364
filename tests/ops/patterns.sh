# shellcheck shell=bash
# shellcheck disable=SC2034,SC2016,SC1003  # used by the sourcing tests; literal hostile values
# Good and hostile values for the SSM parameters, shared by ssm_document_test.sh and
# fical_deploy_test.sh (sourced). Names: ^[a-z0-9][a-z0-9-]{0,62}$; versions: Docker's
# tag grammar ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$.

long_name=$(printf 'a%.0s' {1..63})
long_version=$(printf 'v%.0s' {1..128})

good_names=(filter-ical staging production a 0app a-b-c "$long_name")
hostile_names=("" -a A Staging a_b "a b" "a;reboot" '$(id)' '`id`' "${long_name}x" $'a\nb'
  ../x a.b "a'" 'a"' "a|sh" "a&&b" "a>x" 'a\')
good_versions=(v1.2.3 1 _x V1_2-rc.1 0123456789abcdef0123456789abcdef01234567 "$long_version")
hostile_versions=("" .v1 -v1 "v1;reboot" '$(id)' "a b" "v1|sh" "v1&&x" "${long_version}x"
  $'v1\nreboot' $'v1\n' "v1'" 'v1"' v1/x v1:x 'v1`id`' "v1>x" 'v1\')
