#!/usr/bin/env bash
# Builds the release: dist/fical-<version>-linux-x86_64.tar.gz (and .sha256), which runs
# on any x86_64 Linux with a kernel from 3.2 on (Amazon Linux 2023 and 2, RHEL 8+, Debian
# 11+, Ubuntu 20.04+) without one library from the host, and
# dist/fical-<version>-linux-x86_64-debug.tar.gz with the debug symbols for gdb.
#
# The two binaries are fully static (static-pie) twins of the developer build's
# (release/CMakeLists.txt), built in the same build dir from its libraries: nothing is
# compiled twice. release/check-deps.sh then fails the release if any binary would need
# a library the tarball does not hold. Reproducible: two runs on one commit give the
# same bytes (SOURCE_DATE_EPOCH from the commit, sorted tar, fixed owner, mode and
# time, gzip -n).
#
#   FICAL_BUILD_DIR   the CMake build dir (default build/; the developer build's)
#   FICAL_DIST_DIR    where the tarballs go (default dist/)
#   SOURCE_DATE_EPOCH the files' time (default: the commit time of HEAD)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FICAL_BUILD_DIR:-$root/build}
dist=${FICAL_DIST_DIR:-$root/dist}

say() { echo "release: $*" >&2; }

bash "$root/scripts/install-deps.sh"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="${FICAL_BUILD_TYPE:-RelWithDebInfo}" >/dev/null
cmake --build "$build" --target release-binaries -j "$(nproc)"

if [[ -z ${SOURCE_DATE_EPOCH:-} ]]; then
  SOURCE_DATE_EPOCH=$(git -C "$root" log -1 --format=%ct 2>/dev/null) ||
    { say "error: not a git checkout: set SOURCE_DATE_EPOCH"; exit 1; }
fi
export SOURCE_DATE_EPOCH
bin=$build/release/bin
version=$("$bin/fical-agent" --version)
version=${version#fical-agent }
[[ $version =~ ^[0-9A-Za-z._+-]+$ ]] || { say "error: unexpected version '$version'"; exit 1; }
name=fical-$version
arch=x86_64

stage=$build/release/stage
rm -rf -- "$stage"
top=$stage/main/$name
debug_top=$stage/debug/$name
mkdir -p "$top/bin" "$top/systemd/fical-agent.service.d" "$top/ssm" "$top/docs" "$top/licenses" \
  "$debug_top/bin"

# Binaries: stripped, with a debug link to bin/NAME.debug of the debug tarball (unpack
# both into one directory and gdb finds the symbols next to the binary).
for exe in fical-agent fical-client; do
  objcopy --only-keep-debug --compress-debug-sections=zlib "$bin/$exe" "$debug_top/bin/$exe.debug"
  objcopy --strip-all --add-gnu-debuglink="$debug_top/bin/$exe.debug" "$bin/$exe" "$top/bin/$exe"
done
cp "$root/scripts/fical-deploy" "$top/bin/fical-deploy"
cp "$root/scripts/install.sh" "$top/install.sh"
cp "$root/systemd/fical-agent.service" "$top/systemd/"
cp "$root/systemd/fical-agent.service.d/container-nginx.conf" "$top/systemd/fical-agent.service.d/"
cp "$root/scripts/ssm/fical-deploy.json" "$top/ssm/"
cp "$root/docs/operator-guide.md" "$top/docs/"

# The licenses of what is linked in: the Debian packages of the static archives that
# static-link.sh used (it lists them next to each binary; those it names but did not need
# are listed too), of the C and C++ runtimes and of spdlog and fmt (release/*_compiled.cpp).
mapfile -t archives < <(cat "$bin"/*.archives | sort -u)
mapfile -t packages < <(
  { dpkg -S "${archives[@]}" 2>/dev/null | cut -d: -f1 | tr ',' '\n' || true
    dpkg -S "$(readlink -f "$(gcc -print-file-name=libstdc++.a)")" "$(readlink -f "$(gcc -print-file-name=libc.a)")" \
      /usr/include/spdlog/spdlog.h /usr/include/fmt/format.h | cut -d: -f1
  } | tr -d ' ' | sort -u)
for p in "${packages[@]}"; do
  [[ -f /usr/share/doc/$p/copyright ]] && cp "/usr/share/doc/$p/copyright" "$top/licenses/$p"
done
printf '%s\n' "${packages[@]}" >"$top/licenses/PACKAGES"

find "$stage" -type d -exec chmod 0755 {} +
find "$stage" -type f -exec chmod 0644 {} +
chmod 0755 "$top/bin/"* "$top/install.sh"

# Nothing may need a library from the host.
bash "$root/release/check-deps.sh" "$top"

mkdir -p "$dist"
tarball() {  # dir-with-top out
  tar --create --directory "$1" --sort=name --format=gnu --owner=0 --group=0 --numeric-owner \
    --mtime="@$SOURCE_DATE_EPOCH" --no-acls --no-xattrs "$name" | gzip -n -9 >"$2.tmp"
  mv -f "$2.tmp" "$2"
  (cd "$(dirname "$2")" && sha256sum "$(basename "$2")" >"$(basename "$2").sha256")
}
tarball "$stage/main" "$dist/$name-linux-$arch.tar.gz"
tarball "$stage/debug" "$dist/$name-linux-$arch-debug.tar.gz"
for f in "$dist/$name-linux-$arch.tar.gz" "$dist/$name-linux-$arch-debug.tar.gz"; do
  say "$f $(stat -c %s "$f") bytes, sha256 $(cut -d' ' -f1 "$f.sha256")"
done
