#!/usr/bin/env bash
# The release tarball needs nothing from the host: release/check-deps.sh passes on the
# unpacked tarball (no program interpreter, no shared library, no GLIBC symbol version
# from a host glibc) and refuses what it must refuse: a dynamic build of fical-client
# (host libraries), and a program needing GLIBC_2.35 even where a host glibc is allowed.
# The binaries are stripped; the debug tarball holds their symbols, linked by CRC.
#
# Usage: deps_test.sh <repo root> <release tarball> <developer build's fical-client>
set -euo pipefail
repo=$1
tarball=$2
dynamic_client=$3
check=$repo/release/check-deps.sh
tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
passed=0
pass() {
  echo "ok: $*"
  passed=$((passed + 1))
}

mkdir -p "$tmp/release"
tar -xzf "$tarball" -C "$tmp/release"
top=$(cd "$tmp/release" && echo fical-*)
tree=$tmp/release/$top
out=$(bash "$check" "$tree") || fail "check-deps.sh refuses the release tarball: $out"
for exe in fical-agent fical-client; do
  grep -qx "ok: bin/$exe (static-pie linked; interpreter: none; shared libraries: none)" <<<"$out" ||
    fail "bin/$exe is not a static-pie binary without interpreter and libraries: $out"
  [[ -z $(readelf -lW "$tree/bin/$exe" | grep -i interp || true) ]] || fail "bin/$exe has an interpreter"
  [[ -z $(readelf -dW "$tree/bin/$exe" | grep NEEDED || true) ]] || fail "bin/$exe needs a shared library"
  [[ -z $(readelf -VW "$tree/bin/$exe" | grep -E 'GLIBC_|GLIBCXX_' || true) ]] ||
    fail "bin/$exe requires symbol versions"
done
pass "every ELF file of the tarball is static-pie: no interpreter, no shared library, no glibc version"

# --- The checker refuses what it must ---
mkdir -p "$tmp/dynamic/bin"
cp "$dynamic_client" "$tmp/dynamic/bin/fical-client"
if out=$(bash "$check" "$tmp/dynamic"); then fail "check-deps.sh accepted a dynamic fical-client: $out"; fi
grep -q "^FAIL: bin/fical-client needs the host's program interpreter /lib64/ld-linux-x86-64.so.2$" <<<"$out" ||
  fail "no interpreter failure for the dynamic client: $out"
grep -q "^FAIL: bin/fical-client needs the host's library libstdc++.so.6$" <<<"$out" ||
  fail "no library failure for the dynamic client: $out"

# GLIBC_2.35: _dl_find_object is new there. The same program without it passes, when the
# host's glibc is allowed, and is refused when it is not.
mkdir -p "$tmp/new/bin" "$tmp/old/bin"
printf '#define _GNU_SOURCE\n#include <dlfcn.h>\nint main(void) { struct dl_find_object o; return _dl_find_object((void*)main, &o); }\n' |
  gcc -x c -o "$tmp/new/bin/probe" -
printf 'int main(void) { return 0; }\n' | gcc -x c -o "$tmp/old/bin/probe" -
if out=$(bash "$check" --allow-host-glibc "$tmp/new"); then fail "a GLIBC_2.35 program passed: $out"; fi
grep -q "^FAIL: bin/probe needs GLIBC_2.35 (newer than GLIBC_2.34)$" <<<"$out" || fail "no version failure: $out"
out=$(bash "$check" --allow-host-glibc "$tmp/old") || fail "a program needing only old glibc was refused: $out"
if out=$(bash "$check" "$tmp/old"); then fail "a program needing the host's libc passed without --allow-host-glibc"; fi
grep -q "^FAIL: bin/probe needs the host's library libc.so.6$" <<<"$out" || fail "no host libc failure: $out"
pass "check-deps.sh refuses host interpreters, host libraries and glibc versions newer than 2.34"

# --- Stripped, with the symbols in the debug tarball ---
debug_tarball=${tarball%.tar.gz}-debug.tar.gz
tar -xzf "$debug_tarball" -C "$tmp/release"
for exe in fical-agent fical-client; do
  sections=$(readelf -SW "$tree/bin/$exe")
  [[ $sections != *" .symtab "* && $sections != *" .debug_info "* ]] || fail "bin/$exe is not stripped"
  [[ $sections == *" .gnu_debuglink "* ]] || fail "bin/$exe has no .gnu_debuglink"
  link=$(readelf -p .gnu_debuglink "$tree/bin/$exe" | sed -n 's/^ *\[ *0\] *//p')
  [[ $link == "$exe.debug" ]] || fail "bin/$exe links to '$link', not $exe.debug"
  debug_sections=$(readelf -SW "$tree/bin/$exe.debug")
  [[ $debug_sections == *" .debug_info "* && $debug_sections == *" .symtab "* ]] ||
    fail "bin/$exe.debug of the debug tarball has no symbols"
  id=$(readelf -n "$tree/bin/$exe" | sed -n 's/.*Build ID: //p')
  [[ -n $id && $id == "$(readelf -n "$tree/bin/$exe.debug" | sed -n 's/.*Build ID: //p')" ]] ||
    fail "bin/$exe and its debug file have different build ids"
  # The CRC32 in the debug link is that of the debug file (what gdb checks).
  crc=$(python3 -c 'import sys, zlib; print("%08x" % zlib.crc32(open(sys.argv[1], "rb").read()))' "$tree/bin/$exe.debug")
  stored=$(objcopy --dump-section .gnu_debuglink=/dev/stdout "$tree/bin/$exe" /dev/null | tail -c 4 | od -An -tx4 | tr -d ' ')
  [[ $crc == "$stored" ]] || fail "bin/$exe's debug link CRC $stored is not the debug file's $crc"
done
pass "the binaries are stripped; the debug tarball's bin/*.debug match them (build id, debug link CRC)"
echo "$passed passed, 0 failed"
