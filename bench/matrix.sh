#!/usr/bin/env bash
# The benchmark matrix of issue 16 (bench/matrix.py describes it): Nn, tuned NumPy, PyTorch (1 and 2 intra-op threads,
# the faster quoted) and, for predict, ONNX Runtime for .NET on Nn's exported model, interleaved in one run on the same
# data; prints markdown tables (ms per step, ratios, the issue's targets met, Nn's bytes allocated per step).
# Installs nothing; it needs
#   apt-get install -y python3-numpy python3-torch libopenblas0-pthread
# and restores Microsoft.ML.OnnxRuntime 1.32.0 for bench/Nn.Bench from the NuGet feed.
# Usage: bench/matrix.sh [threads] [rounds] [--quick]   (defaults 2 and 5; run from anywhere)
#   --quick: relu and tanh, sgd and adam, batch 32; predict on 20→128→128→5 and 784→512→512→10 (rounds default 3).
#   MATRIX_JSON=path keeps every measurement as JSON; MATRIX_SKIP=train,alloc,predict skips phases;
#   MATRIX_ONLY=regex runs only the rows whose command ("train relu adam 2-32-3 32", "predict tanh 784-512-512-10 1") matches.
set -euo pipefail
QUICK=()
POS=()
for a in "$@"; do
  case "$a" in
    --quick) QUICK=(--quick) ;;
    *) POS+=("$a") ;;
  esac
done
THREADS="${POS[0]:-2}"
ROUNDS="${POS[1]:-$([ ${#QUICK[@]} -gt 0 ] && echo 3 || echo 5)}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY=/usr/bin/python3
if ! "$PY" -c 'import numpy, torch' 2>/dev/null; then
  echo "matrix.sh needs NumPy with OpenBLAS and PyTorch for $PY; install them with:" >&2
  echo "  apt-get install -y python3-numpy python3-torch libopenblas0-pthread" >&2
  exit 2
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
START=$(date +%s)
echo "# machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; threads=$THREADS rounds=$ROUNDS ${QUICK[*]}" >&2
echo "# building bench/Nn.Bench (Release)" >&2
dotnet build -c Release "$ROOT/bench/Nn.Bench" -v q -nologo >&2
# How far apart the two cores are (a cache line's round trip between two threads): on a shared host it changes from
# hour to hour, and with it every split that moves data between cores each step.
echo "# $(dotnet "$ROOT/bench/Nn.Bench/bin/Release/net10.0/Nn.Bench.dll" quick 2 pingpong | grep core_round_trip)" >&2
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE may be set on this machine for old OpenBLAS builds; unset them so OpenBLAS picks
# its own kernel (as bench/compare.sh does).
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" "$ROOT/bench/matrix.py" --threads "$THREADS" --rounds "$ROUNDS" "${QUICK[@]}" \
  --work "$WORK" --bench "$ROOT/bench/Nn.Bench/bin/Release/net10.0/Nn.Bench.dll" ${MATRIX_JSON:+--json "$MATRIX_JSON"} \
  ${MATRIX_SKIP:+--skip "$MATRIX_SKIP"} ${MATRIX_ONLY:+--only "$MATRIX_ONLY"}
echo "# matrix.sh: $(( $(date +%s) - START )) s in all, build included" >&2
