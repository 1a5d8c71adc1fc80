#!/usr/bin/env bash
# libtorch's figures on this machine (issue 13's peer): builds bench/Kiln.Peer (TorchSharp 0.107 with libtorch 2.10 CPU,
# a 600 MB package restored on first use), runs the benchmark workloads there and writes
# BenchmarkDotNet.Artifacts/libtorch-peer.json, which `dotnet run -c Release --project bench/Kiln.Benchmarks` then divides
# by (when the CPU matches) instead of PERFORMANCE.md's figures from another VM.
#
#   scripts/peer.sh [rounds=3]
#
# TorchSharp's native glue (libLibTorchSharp.so) was built with GCC 13 and asks libstdc++ for GLIBCXX_3.4.32 for one
# symbol, std::ios_base_library_init(), which GCC 13's <iostream> calls and which an older libstdc++ (Debian 12's GCC 12)
# lacks: it sets up the standard streams, which the older libstdc++ does by itself. Where the system's libstdc++ lacks
# it, this script marks that version requirement weak in the build output's copy of the glue and preloads a one-line
# library that defines the symbol as doing nothing (built with the system's C compiler). Nothing outside bin/ and obj/
# is changed.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
project=bench/Kiln.Peer
dotnet build "$project" -c Release -v q -nologo | { grep -E "error|warning" || true; }
out="$project/bin/Release/net10.0"
glue="$out/runtimes/linux-x64/native/libLibTorchSharp.so"
preload=""
libstdcxx=$(ldconfig -p | awk '/libstdc\+\+\.so\.6 .*x86-64/ { print $NF; exit }')
if [ -f "$glue" ] && ! grep -q GLIBCXX_3.4.32 "$libstdcxx"; then
  python3 - "$glue" <<'PY'
import struct, sys
path = sys.argv[1]
elf = bytearray(open(path, 'rb').read())
shoff = struct.unpack_from('<Q', elf, 0x28)[0]
shentsize, shnum, shstrndx = struct.unpack_from('<HHH', elf, 0x3A)
sections = [struct.unpack_from('<IIQQQQIIQQ', elf, shoff + i * shentsize) for i in range(shnum)]
def cstr(offset): return elf[offset:elf.index(0, offset)].decode()
names = sections[shstrndx][4]
needs = next(s for s in sections if cstr(names + s[0]) == '.gnu.version_r')
strings = sections[needs[6]][4]
entry, marked = needs[4], 0
while True:   # Elf64_Verneed entries, each with its Elf64_Vernaux list
    _, count, _, aux, next_entry = struct.unpack_from('<HHIII', elf, entry)
    at = entry + aux
    for _ in range(count):
        _, flags, _, name, next_aux = struct.unpack_from('<IHHII', elf, at)
        if cstr(strings + name) == 'GLIBCXX_3.4.32':
            struct.pack_into('<H', elf, at + 4, flags | 2)   # VER_FLG_WEAK: a missing version is not an error
            marked += 1
        at += next_aux
    if next_entry == 0: break
    entry += next_entry
open(path, 'wb').write(elf)
print(f'marked {marked} GLIBCXX_3.4.32 requirement(s) weak in {path}', file=sys.stderr)
PY
  shim="$project/obj/ios_base_library_init.so"
  printf 'void _ZSt21ios_base_library_initv(void) {}\n' | cc -shared -fPIC -O2 -x c -o "$shim" -
  preload="$(pwd)/$shim"
fi
LD_PRELOAD="$preload" dotnet "$out/Kiln.Peer.dll" "$@"
