#!/usr/bin/env bash
# Interleaved pairs on one machine: tuned NumPy's MNIST-scale epoch and OpenBLAS dgemm 1024³, then Nn's warmed epoch and
# GEMM 1024³ (bench runner) and `nn train` end to end on the same data (one process: JIT and first-epoch costs included),
# then the small workload (plain NumPy, median of 3, against Nn's warmed median), PAIRS times in alternation, each
# pair's ratios and the median ratios. On a host whose speed drifts over minutes (a shared VM) a
# ratio taken seconds apart is steadier than columns measured minutes apart.
# Needs what compare.sh needs (apt-get install -y python3-numpy python3-torch libopenblas0-pthread).
# Usage: bench/paired.sh [pairs] [threads]   (defaults 7 and 2)
set -euo pipefail
PAIRS="${1:-7}"
THREADS="${2:-2}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY=/usr/bin/python3
"$PY" -c 'import numpy' 2>/dev/null || { echo "paired.sh needs NumPy for $PY: apt-get install -y python3-numpy libopenblas0-pthread" >&2; exit 2; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
PYENV=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$THREADS" OMP_NUM_THREADS="$THREADS" REPEATS=1)
echo "# machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; threads=$THREADS; pairs=$PAIRS" >&2
"$PY" "$ROOT/bench/compare_numpy.py" gen "$WORK"
dotnet build -c Release "$ROOT/bench/Nn.Bench" -v q -nologo >&2
dotnet build -c Release "$ROOT/src/Nn.Cli" -v q -nologo >&2
# How far apart the two cores are (a cache line's round trip between two threads): on a shared host it changes from
# hour to hour, and with it every split that moves data between cores each step.
echo "# $(dotnet "$ROOT/bench/Nn.Bench/bin/Release/net10.0/Nn.Bench.dll" quick 2 pingpong | grep core_round_trip)" >&2
BENCH=(dotnet "$ROOT/bench/Nn.Bench/bin/Release/net10.0/Nn.Bench.dll")
NN=(dotnet "$ROOT/src/Nn.Cli/bin/Release/net10.0/nn.dll")
# The flags of compare.sh's `nn train` run: one epoch of the MNIST-scale workload, SGD 0.01, batch 128, no validation.
TRAIN=(train --data "$WORK/mnist_x.npy" --labels "$WORK/mnist_y.npy" --layers 512,512 --lr 0.01 --epochs 1 --batch-size 128
  --out "$WORK/m.safetensors" --validation-fraction 0 --scale none --patience 0 --init he --activation relu --output softmax
  --loss cce --optimizer sgd --threads "$THREADS" --json --quiet)
: > "$WORK/pairs.txt"
for i in $(seq 1 "$PAIRS"); do
  np="$("${PYENV[@]}" "$PY" "$ROOT/bench/compare_numpy.py" epoch "$WORK")"
  ours="$(NN_BENCH_REPEATS=1 "${BENCH[@]}" quick "$THREADS" mnist; "${BENCH[@]}" quick "$THREADS" gemm1024)"
  train="$("${NN[@]}" "${TRAIN[@]}" | sed -n 's/.*"train_seconds":\([0-9.eE+-]*\).*/\1/p')"
  get() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | tail -1; }
  nps="$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$THREADS" OMP_NUM_THREADS="$THREADS" REPEATS=3 "$PY" "$ROOT/bench/compare_numpy.py" small "$WORK")"
  ourss="$("${BENCH[@]}" quick "$THREADS" small)"
  line="$(get "$np" numpy_mnist_epoch_seconds) $(get "$ours" mnist_epoch_seconds) $(get "$np" numpy_dgemm_1024_gflops) $(get "$ours" 'gemm\[1024x1024x1024\]_gflops') $(get "$nps" numpy_small_seconds) $(get "$ourss" small_seconds) $train"
  echo "$line" >> "$WORK/pairs.txt"
  echo "pair $i: $line" >&2
done
"$PY" - "$WORK/pairs.txt" <<'PYEOF'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
print(f"{'pair':>4} {'NumPy epoch':>12} {'Nn epoch':>9} {'Nn/NumPy':>9} {'nn train':>9} {'/NumPy':>7} {'dgemm GF/s':>11} {'Nn GF/s':>8}"
      f" {'Nn/dgemm':>9} {'NumPy small':>12} {'Nn small':>9} {'NumPy/Nn':>9}")
for i, (npe, nne, dg, ng, nps, ns, nt) in enumerate(rows, 1):
    print(f"{i:>4} {npe:12.3f} {nne:9.3f} {nne / npe:9.3f} {nt:9.3f} {nt / npe:7.3f} {dg:11.2f} {ng:8.2f} {ng / dg:9.3f}"
          f" {nps:12.4f} {ns:9.4f} {nps / ns:9.1f}")
med = statistics.median
print(f"median ratios: epoch Nn/NumPy {med(r[1] / r[0] for r in rows):.3f} (nn train end to end {med(r[6] / r[0] for r in rows):.3f}),"
      f" GEMM Nn/dgemm {med(r[3] / r[2] for r in rows):.3f},"
      f" small workload NumPy/Nn {med(r[4] / r[5] for r in rows):.1f}x"
      f"  (median times: NumPy {med(r[0] for r in rows):.3f} s, Nn {med(r[1] for r in rows):.3f} s; "
      f"median GFLOP/s: dgemm {med(r[2] for r in rows):.1f}, Nn {med(r[3] for r in rows):.1f}; "
      f"small: NumPy {med(r[4] for r in rows):.4f} s, Nn {med(r[5] for r in rows):.4f} s)")
PYEOF
