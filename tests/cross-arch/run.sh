#!/usr/bin/env bash
# The D3 proof on a second architecture (docs/determinism-tiers.md): publishes `nn` self-contained for linux-x64 and
# linux-arm64, runs the arm64 build under user-mode emulation (qemu-aarch64-static), trains the same matrix of
# configurations on both and compares the model files byte for byte. Prints a table; exits 1 on any difference, 2 when
# it cannot run. Installs what it needs from Debian when missing (run as root on a fresh machine with the .NET SDK).
#
#   tests/cross-arch/run.sh [--keep DIR]     # DIR keeps the builds and models (default: a temporary folder)
#
# Also trains a few configurations with the SIMD paths narrowed or off (DOTNET_PreferredVectorBitWidth=128 on x64 takes
# the 128-bit kernels ARM64 runs; DOTNET_EnableHWIntrinsic=0 the scalar ones), which must give the same bytes too.
set -euo pipefail
cd "$(dirname "$0")/../.."

keep=""
if [[ "${1:-}" == "--keep" ]]; then keep="${2:?--keep needs a folder}"; fi
if [[ -n "$keep" ]]; then work="$keep"; mkdir -p "$work"; else work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT; fi

# --- Dependencies: the emulator and the arm64 C and C++ runtimes (the .NET runtime's native parts link against them),
# then arm64's OpenSSL (the runtime's SHA-256, behind every model file's parameters_sha256), downloaded as a .deb from
# Debian's arm64 lists (kept in a private folder, so the machine's own APT state is untouched) and unpacked into a
# private copy of the emulator's prefix. No ICU: the tool runs with InvariantGlobalization.
cross=/usr/aarch64-linux-gnu
need=()
command -v qemu-aarch64-static > /dev/null || need+=(qemu-user-static)
[[ -e "$cross/lib/ld-linux-aarch64.so.1" ]] || need+=(libc6-arm64-cross)
[[ -e "$cross/lib/libstdc++.so.6" ]] || need+=(libstdc++6-arm64-cross)
if (( ${#need[@]} > 0 )); then
    if [[ $(id -u) -ne 0 ]]; then echo "cross-arch: missing ${need[*]} and not root to install them" >&2; exit 2; fi
    echo "cross-arch: installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends "${need[@]}" > "$work/apt.log" 2>&1 \
        || { apt-get update > /dev/null && apt-get install -y --no-install-recommends "${need[@]}" > "$work/apt.log" 2>&1; } \
        || { cat "$work/apt.log" >&2; echo "cross-arch: could not install ${need[*]}" >&2; exit 2; }
fi
sysroot="$work/sysroot"
if [[ ! -e "$sysroot/usr/lib/aarch64-linux-gnu/libssl.so.3" ]]; then
    echo "cross-arch: fetching arm64 libssl3"
    apt="$work/apt"
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/debs"
    arm=(-o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" -o APT::Architecture=arm64 -o APT::Architectures::=arm64 -o Debug::NoLocking=1)
    { apt-get "${arm[@]}" update && (cd "$apt/debs" && apt-get "${arm[@]}" download libssl3:arm64); } > "$work/apt-arm64.log" 2>&1 \
        || { tail -20 "$work/apt-arm64.log" >&2; echo "cross-arch: could not download arm64 libssl3" >&2; exit 2; }
    rm -rf "$sysroot"
    cp -a "$cross/." "$sysroot"
    dpkg-deb -x "$apt"/debs/libssl3_*_arm64.deb "$sysroot"
fi

# --- Two self-contained builds of the same sources; the runtime packs come from NuGet. Both are JIT builds
# (PublishAot=false): a Native AOT arm64 build would need an arm64 linker and sysroot, and the native x64 build is
# compared with the JIT build byte for byte by NativeAotTests.
for rid in linux-x64 linux-arm64; do
    if [[ ! -x "$work/$rid/nn" ]]; then
        echo "cross-arch: publishing nn for $rid"
        dotnet publish src/Nn.Cli -c Release -r "$rid" --self-contained -o "$work/$rid" -p:ContinuousIntegrationBuild=true -p:PublishAot=false \
            > "$work/publish-$rid.log" 2>&1 || { tail -30 "$work/publish-$rid.log" >&2; exit 2; }
    fi
done
file "$work/linux-arm64/nn" 2> /dev/null | grep -q aarch64 || [[ ! -x /usr/bin/file ]] || { echo "cross-arch: the arm64 build is not an aarch64 executable" >&2; exit 2; }

# --- The matrix: name | data | flags. Every hidden activation, every output/loss pairing, dropout, every optimizer,
# every schedule, clipping, --threads 1 and 2, on the bundled data sets.
matrix=(
    "iris-relu-adam|data/iris.csv|--layers 16 --activation relu --optimizer adam --lr 0.01 --epochs 40 --threads 1"
    "iris-relu-adam-t2|data/iris.csv|--layers 16 --activation relu --optimizer adam --lr 0.01 --epochs 40 --threads 2"
    "iris-tanh-sgd|data/iris.csv|--layers 8,8 --activation tanh --optimizer sgd --lr 0.1 --epochs 40"
    "iris-sigmoid-momentum-xavier|data/iris.csv|--layers 12 --activation sigmoid --optimizer momentum --lr 0.05 --init xavier --epochs 40"
    "iris-leaky-nesterov|data/iris.csv|--layers 16 --activation leaky-relu --optimizer nesterov --lr 0.05 --epochs 40"
    "spiral3-relu-dropout-rmsprop|data/spiral3.csv|--layers 32,32 --activation relu --dropout 0.2 --optimizer rmsprop --lr 0.005 --epochs 20"
    "binary-tanh-sigmoid-bce-adamw|data/seed_binary.csv|--layers 16 --activation tanh --output sigmoid --loss bce --optimizer adamw --lr 0.01 --l2 0.001 --epochs 20"
    "binary-relu-sigmoid-mse|data/seed_binary.csv|--layers 16 --activation relu --output sigmoid --loss mse --optimizer adam --lr 0.01 --epochs 20"
    "regression-relu-linear-mse|data/seed_regression.csv|--layers 32 --activation relu --output linear --loss mse --optimizer sgd --lr 0.01 --epochs 20"
    "blobs3-tanh-softmax-mse|data/blobs3.csv|--layers 16 --activation tanh --output softmax --loss mse --optimizer momentum --lr 0.05 --epochs 20"
    "blobs3-relu-cce-batch64-t2|data/blobs3.csv|--layers 32 --activation relu --output softmax --loss cce --optimizer sgd --lr 0.1 --batch-size 64 --epochs 20 --threads 2"
    "spiral3-sigmoid-step-clip|data/spiral3.csv|--layers 24 --activation sigmoid --optimizer sgd --lr 0.5 --schedule step --lr-every 5 --clip-norm 0.5 --epochs 20"
    "binary-leaky-exponential-lecun|data/seed_binary.csv|--layers 16 --activation leaky-relu --optimizer rmsprop --lr 0.01 --schedule exponential --init lecun-uniform --epochs 20"
    "digits-relu-cosine-clip-t2|data/digits.csv|--layers 64 --activation relu --optimizer adam --lr 0.01 --schedule cosine --warmup 2 --clip-norm 1 --batch-size 64 --epochs 4 --threads 2"
)

# Extra runs: configuration name | which build | environment. Each must match the plain x64 bytes of its configuration.
variants=(
    "iris-relu-adam|x64|DOTNET_PreferredVectorBitWidth=128"
    "iris-relu-adam|x64|DOTNET_EnableHWIntrinsic=0"
    "blobs3-relu-cce-batch64-t2|x64|DOTNET_PreferredVectorBitWidth=128"
    "digits-relu-cosine-clip-t2|x64|DOTNET_PreferredVectorBitWidth=128"
    "binary-tanh-sigmoid-bce-adamw|x64|DOTNET_EnableHWIntrinsic=0"
    "iris-relu-adam|arm64|DOTNET_EnableHWIntrinsic=0"
    "binary-tanh-sigmoid-bce-adamw|arm64|DOTNET_EnableHWIntrinsic=0"
    "blobs3-relu-cce-batch64-t2|arm64|DOTNET_PreferredVectorBitWidth=128"
)

# train BUILD NAME ENV... -- ARGS: trains into $work/models/NAME.BUILD[.tag].safetensors and prints its SHA-256.
train() {
    local build="$1" out="$2"; shift 2
    local envs=()
    while [[ "$1" != "--" ]]; do envs+=("$1"); shift; done
    shift
    local cmd=("$work/linux-$build/nn")
    # The emulator passes the environment on to the arm64 process; QEMU_LD_PREFIX is where it finds arm64's libraries.
    [[ "$build" == arm64 ]] && cmd=(qemu-aarch64-static "${cmd[@]}") && envs+=("QEMU_LD_PREFIX=$sysroot")
    if ! env "${envs[@]}" "${cmd[@]}" train "$@" --seed 7 --quiet --out "$out" > "$out.log" 2>&1; then
        echo "FAILED"
        return
    fi
    sha256sum "$out" | cut -c1-16
}

mkdir -p "$work/models"
declare -A hash
status=0
start=$SECONDS
row() { printf '%-34s %-44s %-17s %-17s %s\n' "$@"; }
row configuration "run" "x64 sha256" "arm64 sha256" "same?"
for entry in "${matrix[@]}"; do
    IFS='|' read -r name data flags <<< "$entry"
    # shellcheck disable=SC2086 # the flags are words
    hx="$(train x64 "$work/models/$name.x64.safetensors" -- --data "$data" $flags)"
    # shellcheck disable=SC2086
    ha="$(train arm64 "$work/models/$name.arm64.safetensors" -- --data "$data" $flags)"
    hash[$name]="$hx"
    same=yes
    if [[ "$hx" == FAILED || "$hx" != "$ha" ]]; then same=NO; status=1; fi
    row "$name" "default" "$hx" "$ha" "$same"
done
for entry in "${variants[@]}"; do
    IFS='|' read -r name build envs <<< "$entry"
    for m in "${matrix[@]}"; do [[ "${m%%|*}" == "$name" ]] && { IFS='|' read -r _ data flags <<< "$m"; }; done
    tag="${envs//[^A-Za-z0-9]/-}"
    # shellcheck disable=SC2086
    hv="$(train "$build" "$work/models/$name.$build.$tag.safetensors" $envs -- --data "$data" $flags)"
    same=yes
    if [[ "$hv" == FAILED || "$hv" != "${hash[$name]}" ]]; then same=NO; status=1; fi
    if [[ "$build" == x64 ]]; then row "$name" "$envs" "$hv" "(x64 default)" "$same"
    else row "$name" "$envs" "(x64 default)" "$hv" "$same"; fi
done
echo "cross-arch: ${#matrix[@]} configurations on both, ${#variants[@]} variants, $((SECONDS - start)) s"
if (( status != 0 )); then
    echo "cross-arch: DIFFERENT BYTES (logs and models in $work)" >&2
    [[ -n "$keep" ]] || trap - EXIT
fi
exit $status
