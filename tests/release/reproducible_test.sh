#!/usr/bin/env bash
# Two runs of scripts/release.sh on one commit give the same bytes: the second run relinks
# both binaries (they are removed first) and packs again into another dist dir; both
# tarballs and both .sha256 files must be identical to the first run's.
#
# Usage: reproducible_test.sh <repo root> <build dir> <release tarball of the first run>
set -euo pipefail
repo=$1
build=$2
tarball=$3
debug_tarball=${tarball%.tar.gz}-debug.tar.gz
tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

for f in "$tarball" "$debug_tarball"; do
  [[ -f $f && -f $f.sha256 ]] || fail "$f (and its .sha256) not built"
done
first_agent=$(sha256sum <"$build/release/bin/fical-agent")
rm -f -- "$build/release/bin/fical-agent" "$build/release/bin/fical-client"
FICAL_BUILD_DIR=$build FICAL_DIST_DIR=$tmp/dist bash "$repo/scripts/release.sh" >"$tmp/out" 2>&1 ||
  fail "the second release.sh run failed: $(tail -20 "$tmp/out")"
[[ $(sha256sum <"$build/release/bin/fical-agent") == "$first_agent" ]] ||
  fail "relinking fical-agent gave another binary"
for f in "$tarball" "$debug_tarball"; do
  name=$(basename "$f")
  cmp -s "$f" "$tmp/dist/$name" || fail "$name differs between the two runs"
  cmp -s "$f.sha256" "$tmp/dist/$name.sha256" || fail "$name.sha256 differs between the two runs"
  echo "ok: $name is identical in both runs: $(cut -d' ' -f1 "$f.sha256")"
done
# The .sha256 files are what `sha256sum -c` checks.
(cd "$tmp/dist" && sha256sum --quiet -c "$(basename "$tarball").sha256") || fail "sha256sum -c fails"
echo "ok: sha256sum -c accepts the tarball's .sha256"
echo "3 passed, 0 failed"
