#!/usr/bin/env bash
# Builds libFuzzer targets with clang++ in their own build directory and runs each for a
# bounded time from its seed corpus (tests/fuzz/corpus/<name>/, never modified).
#
#   scripts/fuzz.sh <name>...      e.g. scripts/fuzz.sh docker_json_lines docker_log_frames
#
# FICAL_FUZZ_SECONDS   seconds per target (default 15)
# FICAL_FUZZ_BUILD_DIR where to build (default <repo>/build/sanitize-address, scripts/sanitize.sh)
# A crash leaves its input under <build>/artifacts/<name>/ and fails the script.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FICAL_FUZZ_BUILD_DIR:-$root/build/sanitize-address}
seconds=${FICAL_FUZZ_SECONDS:-15}
(($# > 0)) || { echo "usage: $0 <fuzz target name>..." >&2; exit 2; }
[[ $seconds =~ ^[0-9]+$ ]] || { echo "fuzz: FICAL_FUZZ_SECONDS must be a number" >&2; exit 2; }

log() { echo "fuzz: $*" >&2; }

targets=()
for name in "$@"; do
  [[ $name =~ ^[a-z0-9_]+$ ]] || { log "bad target name '$name'"; exit 2; }
  targets+=("${name}_fuzz")
done

# The fuzz build is the ASan+UBSan build (its libraries carry libFuzzer's coverage).
FICAL_SANITIZE_BUILD_DIR=$build bash "$root/scripts/sanitize.sh" build address "${targets[@]}"

failures=0
passes=0
for name in "$@"; do
  seeds=$root/tests/fuzz/corpus/$name
  work=$build/corpus/$name
  artifacts=$build/artifacts/$name/
  mkdir -p "$work" "$artifacts"
  [[ -d $seeds ]] || log "no seed corpus for $name at $seeds"
  log "running $name for ${seconds}s"
  # New inputs go to the work corpus; the seeds are read only.
  if "$build/tests/fuzz/${name}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts" "$work" \
    $([[ -d $seeds ]] && echo "$seeds") >"$build/$name.log" 2>&1; then
    log "ok: $name ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$build/$name.log" |
      grep -o '[0-9]*$' || echo '?') runs)"
    passes=$((passes + 1))
  else
    tail -40 "$build/$name.log" >&2
    log "FAIL: $name; inputs in $artifacts"
    failures=$((failures + 1))
  fi
done
echo "$passes passed, $failures failed"
((failures == 0))
