# shellcheck shell=bash
# Assertion helpers shared by the ops tests (sourced, not run). Each failure prints what
# was expected and what was found, and exits the test with status 1.

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

pass() {
  echo "ok: $*"
}

assert_eq() {  # expected actual what
  [[ $1 == "$2" ]] || fail "$3: expected '$1', got '$2'"
}

assert_file_mode() {  # path mode
  local actual
  actual=$(stat -c '%a' "$1") || fail "$1 does not exist"
  [[ $actual == "$2" ]] || fail "$1: mode $actual, expected $2"
}

assert_contains() {  # haystack needle what
  [[ $1 == *"$2"* ]] || fail "$3: '$2' not found in: $1"
}

assert_not_contains() {  # haystack needle what
  [[ $1 != *"$2"* ]] || fail "$3: '$2' unexpectedly found in: $1"
}
