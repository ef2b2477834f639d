#!/usr/bin/env bash
# Packs the nn tool into OUTDIR as .NET 10 platform-specific tool packages:
#   Nn.Tool            what `dotnet tool install Nn.Tool` asks for; it names the two below and holds no code
#   Nn.Tool.any        nn JIT-compiled, for any platform with the .NET 10 runtime
#   Nn.Tool.linux-x64  the native nn (Native AOT: one executable, no runtime needed)
# `dotnet tool install` picks Nn.Tool.linux-x64 on linux-x64 and Nn.Tool.any elsewhere. The native compile links with
# Debian's clang and zlib1g-dev, installed here when missing (as root). Extra arguments go to every `dotnet pack`.
# Usage: eng/pack-tool.sh OUTDIR [dotnet pack arguments…]
set -euo pipefail
out="$(realpath -m "${1:?usage: eng/pack-tool.sh OUTDIR [dotnet pack arguments…]}")"
shift
cd "$(dirname "$0")/.."
if ! command -v clang > /dev/null || [ ! -f /usr/include/zlib.h ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
        apt-get -o DPkg::Lock::Timeout=900 update && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y clang zlib1g-dev
    else
        echo "pack-tool.sh: the native nn needs clang and zlib1g-dev (apt-get install clang zlib1g-dev)" >&2
        exit 2
    fi
fi
dotnet pack src/Nn.Cli --output "$out" "$@"
dotnet pack src/Nn.Cli -r any --output "$out" "$@"
dotnet pack src/Nn.Cli -r linux-x64 --output "$out" "$@"
