#!/usr/bin/env bash
# Runs shellcheck over the ops scripts and their tests: a warning fails the test.
#
# Usage: shellcheck_test.sh <repo root>
set -euo pipefail
repo=$1
command -v shellcheck >/dev/null || { echo "FAIL: shellcheck missing (scripts/install-deps.sh)" >&2; exit 1; }
cd "$repo"
shellcheck -x --source-path=SCRIPTDIR scripts/install.sh scripts/release.sh scripts/fical-deploy tests/ops/*.sh \
  tests/ops/fake-aws/aws release/*.sh tests/release/*.sh
echo "ok: shellcheck is clean"
