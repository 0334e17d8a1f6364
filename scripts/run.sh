#!/usr/bin/env bash
# Runs fical's main job on this machine: installs what is missing, builds, and starts
# fical-agent with a demo app. Until the agent's daemon lands (issues 3-5) it builds
# and prints the versions of what it built.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FICAL_BUILD_DIR:-$root/build}

bash "$root/scripts/build.sh"
"$build/agent/fical-agent" --version
"$build/client/fical-client" version
