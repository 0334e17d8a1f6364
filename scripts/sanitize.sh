#!/usr/bin/env bash
# The sanitizer builds: every target compiled with clang++ and instrumented, each in a build
# dir of its own, and the unit and integration suites run against those binaries.
#
#   scripts/sanitize.sh build <address|thread> [target...]   configure and build (default: all)
#   scripts/sanitize.sh test <address|thread> [ctest args...] run the suites, fail on any report
#
# address is ASan+UBSan (and the fuzz build: scripts/fuzz.sh builds its targets there),
# thread is TSan.
# FICAL_SANITIZE_BUILD_DIR  the build dir (default <FICAL_BUILD_DIR or build>/sanitize-<kind>)
# FICAL_TEST_ENV_DIR        the test environment the integration tests use (configure time;
#                           unset: as configured before, else $FICAL_ENV_DIR or /tmp/fical-test-env)
#
# A sanitizer's report is written to <build>/reports/ (log_path), never only to a stderr a
# test may swallow, and `test` fails when any report is there: an agent that a test stops
# with SIGTERM or SIGKILL may never pass its sanitizer's exit code on to the test.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log() { echo "sanitize: $*" >&2; }
usage() { echo "usage: $0 build|test address|thread [args...]" >&2; exit 2; }

(($# >= 2)) || usage
command=$1 kind=$2
shift 2
[[ $kind == address || $kind == thread ]] || usage
build=${FICAL_SANITIZE_BUILD_DIR:-${FICAL_BUILD_DIR:-$root/build}/sanitize-$kind}

configure() {
  command -v clang++ >/dev/null || { log "clang++ is missing: run scripts/install-deps.sh"; exit 1; }
  local fuzz=OFF
  [[ $kind == address ]] && fuzz=ON
  # -O1 and line tables only: the sanitizers' own advice, and a third less compile time
  # than RelWithDebInfo's -O2 -g; their stacks still name files and lines.
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" \
    -DFICAL_SANITIZE="$kind" -DFICAL_FUZZ="$fuzz" -DBUILD_TESTING=ON \
    ${FICAL_TEST_ENV_DIR:+-DFICAL_TEST_ENV_DIR="$FICAL_TEST_ENV_DIR"} \
    >"$build.configure.log" 2>&1 || { cat "$build.configure.log" >&2; exit 1; }
}

# The options every instrumented process of the run gets (children inherit them).
export_options() {
  local reports=$1 common
  common="log_path=$reports/$kind:halt_on_error=1:print_suppressions=0"
  if [[ $kind == address ]]; then
    export ASAN_OPTIONS="$common:detect_leaks=1"
    export LSAN_OPTIONS="suppressions=$root/tests/sanitize/leak.supp"
    export UBSAN_OPTIONS="log_path=$reports/ubsan:halt_on_error=1:print_stacktrace=1"
  else
    export TSAN_OPTIONS="$common:second_deadlock_stack=1:suppressions=$root/tests/sanitize/thread.supp"
  fi
}

case $command in
  build)
    configure
    cmake --build "$build" -j "$(nproc)" ${1:+--target "$@"}
    ;;
  test)
    [[ -f $build/CTestTestfile.cmake ]] || { log "no build in $build: run '$0 build $kind' first"; exit 1; }
    reports=$build/reports
    rm -rf "$reports"
    mkdir -p "$reports"
    export_options "$reports"
    status=0
    (cd "$build" && ctest --output-on-failure --timeout 900 -j "$(nproc)" "$@") || status=$?
    if ((status != 0)); then
      # The suite's own output is long and a CI log shows its start and end: the failed
      # tests once more, alone, put their output last (the run fails either way).
      log "the failed tests again, alone, for their output:"
      (cd "$build" && ctest --rerun-failed --output-on-failure --timeout 900 "$@" 2>&1 | tail -200) >&2 || true
    fi
    shopt -s nullglob
    found=("$reports"/*)
    if ((${#found[@]} > 0)); then
      for report in "${found[@]}"; do
        log "REPORT $report"
        head -60 "$report" >&2
      done
      log "FAIL: ${#found[@]} sanitizer report(s) in $reports"
      exit 1
    fi
    ((status == 0)) || { log "FAIL: ctest exited $status"; exit "$status"; }
    log "ok: no $kind sanitizer reports"
    ;;
  *) usage ;;
esac
