#!/usr/bin/env bash
# Link launcher of the fully static release executables (release/CMakeLists.txt): CMake
# runs it with the executable's ordinary link command as arguments, after its own
# options, and it links the same objects and libraries fully static (-static-pie):
#   - a shared library with a replacement (--replace libsystemd=ARCHIVE) gives way to it
#     (in the group at the end);
#   - any other shared library libX.so* is replaced by libX.a from the same directory,
#     followed by the private dependencies pkg-config names for it (--static);
#   - a shared library with neither fails the link, naming it: no dependency of the
#     developer build can leak into the release binaries unnoticed.
#   - archives given with --whole are linked whole, before everything else: stand-ins
#     for objects of the libraries that must not be pulled in (release/link_stubs.cpp).
# Usage: static-link.sh [--replace NAME=ARCHIVE]... [--whole ARCHIVE]... -- COMPILER ARGS...
set -euo pipefail

declare -A replace=()
whole=()
while [[ ${1:-} == --replace || ${1:-} == --whole ]]; do
  if [[ $1 == --replace ]]; then replace[${2%%=*}]=${2#*=}; else whole+=("$2"); fi
  shift 2
done
[[ ${1:-} == -- ]] || { echo "static-link.sh: usage: [--replace NAME=ARCHIVE]... -- COMMAND..." >&2; exit 2; }
shift

args=()
private=()
first=1
declare -A seen=()
for arg in "$@"; do
  case $arg in
    -Wl,-rpath,* | -rdynamic) continue ;;
    *.so | *.so.[0-9]*)
      file=${arg##*/}
      name=${file%%.so*}
      if [[ -n ${seen[$name]:-} ]]; then continue; fi
      seen[$name]=1
      if [[ -n ${replace[$name]:-} ]]; then
        private+=("${replace[$name]}")
        continue
      fi
      archive=$(dirname "$arg")/$name.a
      if [[ ! -f $archive ]]; then
        echo "static-link.sh: error: $arg has no static archive $archive and no replacement:" \
          "the release binaries cannot link it (install its -dev package's .a, or add a replacement" \
          "in release/CMakeLists.txt)" >&2
        exit 1
      fi
      args+=("$archive")
      for module in "$name" "${name#lib}"; do
        if pkg-config --exists "$module" 2>/dev/null; then
          read -ra libs <<<"$(pkg-config --static --libs-only-l "$module")"
          private+=("${libs[@]}")
          break
        fi
      done
      ;;
    *)
      args+=("$arg")
      # Right after the compiler: the stand-ins come before every object and library.
      if ((first == 1)); then
        first=0
        for w in "${whole[@]}"; do args+=("-Wl,--whole-archive" "$w" "-Wl,--no-whole-archive"); done
      fi
      ;;
  esac
done

# The archives linked in, for the release's license files: OUTPUT.archives.
out=
for ((i = 0; i < ${#args[@]} - 1; i++)); do
  [[ ${args[i]} == -o ]] && out=${args[i + 1]}
done
if [[ -n $out ]]; then
  for lib in "${private[@]}"; do
    case $lib in
      -l*)
        file=$(gcc -print-file-name="lib${lib#-l}.a")
        if [[ $file == /* ]]; then readlink -f "$file"; fi
        ;;
    esac
  done
  for arg in "${args[@]}"; do
    if [[ $arg == /*.a ]]; then readlink -f "$arg"; fi
  done
fi | sort -u >"${out:-/dev/null}.archives"

# The private dependencies go last, in one group: their order among themselves no longer
# matters.
exec "${args[@]}" -static-pie -Wl,--start-group "${private[@]}" -Wl,--end-group
