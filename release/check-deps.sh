#!/usr/bin/env bash
# Fails when an ELF file under DIR (an unpacked release tarball) would need something from
# the host beyond the kernel: a program interpreter or a shared library that DIR does not
# hold, or, with --allow-host-glibc, a glibc symbol version newer than GLIBC_2.34 (Amazon
# Linux 2023's glibc) from a host glibc. A glibc that DIR itself holds may be any version.
# Prints one line per ELF file; exits 1 on the first violation found in each file.
#
# Usage: check-deps.sh [--allow-host-glibc] DIR
set -euo pipefail

allow_host_glibc=0
if [[ ${1:-} == --allow-host-glibc ]]; then allow_host_glibc=1; shift; fi
dir=${1:?usage: check-deps.sh [--allow-host-glibc] DIR}
max_glibc=2.34
# The libraries of glibc itself: a host may provide them under --allow-host-glibc.
glibc_libs=" libc.so.6 libm.so.6 libpthread.so.0 libdl.so.2 librt.so.1 libresolv.so.2 ld-linux-x86-64.so.2 "

bundled() {  # soname: held anywhere in dir?
  [[ -n $(find "$dir" -name "$1" -print -quit) ]]
}

version_newer() {  # a b: a > b as dotted versions
  [[ $1 != "$2" && $(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -1) == "$1" ]]
}

failures=0
elf_files=0
while IFS= read -r -d '' file; do
  [[ $(head -c 4 "$file" | od -An -c | tr -d ' ') == 177ELF ]] || continue
  elf_files=$((elf_files + 1))
  rel=${file#"$dir"/}
  problems=()
  machine=$(readelf -hW "$file" | sed -n 's/^ *Machine: *//p')
  [[ $machine == "Advanced Micro Devices X86-64" ]] || problems+=("machine is $machine, not x86-64")

  interp=$(readelf -lW "$file" | sed -n 's/.*\[Requesting program interpreter: \(.*\)\]/\1/p')
  if [[ -n $interp ]] && ! bundled "$(basename "$interp")"; then
    if ! ((allow_host_glibc == 1)) || [[ $glibc_libs != *" $(basename "$interp") "* ]]; then
      problems+=("needs the host's program interpreter $interp")
    fi
  fi
  mapfile -t needed < <(readelf -dW "$file" | sed -n 's/.*(NEEDED).*Shared library: \[\(.*\)\]/\1/p')
  for lib in "${needed[@]}"; do
    bundled "$lib" && continue
    if ((allow_host_glibc == 1)) && [[ $glibc_libs == *" $lib "* ]]; then continue; fi
    problems+=("needs the host's library $lib")
  done
  # Symbol versions required from a host glibc.
  if ! bundled libc.so.6; then
    while read -r v; do
      version_newer "$v" "$max_glibc" && problems+=("needs GLIBC_$v (newer than GLIBC_$max_glibc)")
    done < <(readelf -VW "$file" | sed -n 's/.*Name: GLIBC_\([0-9.]*\) .*/\1/p' | sort -uV)
  fi

  if ((${#problems[@]} == 0)); then
    kind=$(file -b "$file" | grep -oE 'static-pie linked|statically linked|dynamically linked' || echo ELF)
    echo "ok: $rel ($kind; interpreter: ${interp:-none}; shared libraries: ${needed[*]:-none})"
  else
    failures=$((failures + 1))
    for p in "${problems[@]}"; do echo "FAIL: $rel $p"; done
  fi
done < <(find "$dir" -type f -print0 | sort -z)

((elf_files > 0)) || { echo "FAIL: no ELF file under $dir"; exit 1; }
((failures == 0)) || exit 1
