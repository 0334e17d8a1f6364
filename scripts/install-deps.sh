#!/usr/bin/env bash
# Installs everything fical needs to build, test and run its demo, from Debian 12's
# packages only. Idempotent: does nothing when every package is already present.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build ccache pkg-config
  # fuzz targets (libFuzzer)
  clang libclang-rt-14-dev
  # libraries
  libboost1.81-dev libboost-url1.81-dev nlohmann-json3-dev libspdlog-dev libgit2-dev
  catch2 libyaml-cpp-dev libsqlite3-dev libcli11-dev libarchive-dev libssl-dev libsystemd-dev
  zlib1g-dev  # crc32, the hash nginx puts a canary's sticky key on
  # the static release binaries (scripts/release.sh): the static archives that
  # libarchive's pkg-config names, and the tools that strip and check them
  libacl1-dev libzstd-dev liblz4-dev binutils file
  # ops scripts and their tests (tests/ops): SSM JSON, lint, systemd-analyze, token
  jq shellcheck systemd openssl
  # the agent fetches env secrets from AWS Secrets Manager / SSM Parameter Store with it
  awscli
  # the real test environment
  docker.io docker-registry nginx busybox-static curl wrk procps apache2-utils iproute2
  # benchmarks: the old flow that fical replaces (scripts/bench/deploy.sh)
  docker-compose
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root to install them" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Services shipped by these packages (docker, nginx, registry) must not start on their
# own: fical's scripts start private instances. policy-rc.d stops invoke-rc.d from
# starting them while apt runs.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  created_policy=1
fi
trap '[[ $created_policy == 1 ]] && rm -f "$policy"' EXIT
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
