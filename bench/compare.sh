#!/usr/bin/env bash
# Side-by-side comparison on one machine, in one run: tuned NumPy, PyTorch, scikit-learn's MLPClassifier (when
# installed) and Nn (the `nn` command end to end, and the bench runner warmed up) on the same generated data, then the
# ratios. Installs nothing; it needs
#   apt-get install -y python3-numpy python3-torch libopenblas0-pthread     (and python3-sklearn for its column)
# Usage: bench/compare.sh [threads]   (default 2; run from anywhere)
set -euo pipefail
THREADS="${1:-2}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY=/usr/bin/python3
if ! "$PY" -c 'import numpy, torch' 2>/dev/null; then
  echo "compare.sh needs NumPy with OpenBLAS and PyTorch for $PY; install them with:" >&2
  echo "  apt-get install -y python3-numpy python3-torch libopenblas0-pthread" >&2
  exit 2
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE may be set on this machine for old OpenBLAS builds; unset them here only, so
# OpenBLAS picks its own kernel (the NumPy script prints which one runs).
PYENV=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$THREADS" OMP_NUM_THREADS="$THREADS" THREADS="$THREADS")

echo "# machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; threads=$THREADS" >&2
"$PY" "$ROOT/bench/compare_numpy.py" gen "$WORK"
echo "# building (Release)" >&2
dotnet build -c Release "$ROOT/src/Nn.Cli" -v q -nologo >&2
dotnet build -c Release "$ROOT/bench/Nn.Bench" -v q -nologo >&2
NN=(dotnet "$ROOT/src/Nn.Cli/bin/Release/net10.0/nn.dll")

echo "# numpy" >&2
"${PYENV[@]}" "$PY" "$ROOT/bench/compare_numpy.py" run "$WORK" | tee "$WORK/numpy.txt"
echo "# pytorch" >&2
(cd "$ROOT/bench" && "${PYENV[@]}" "$PY" compare_torch.py "$WORK") | tee "$WORK/torch.txt"
: > "$WORK/sklearn.txt"
if "$PY" -c 'import sklearn' 2>/dev/null; then
  echo "# scikit-learn" >&2
  (cd "$ROOT/bench" && "${PYENV[@]}" "$PY" compare_sklearn.py "$WORK") | tee "$WORK/sklearn.txt"
else
  echo "# scikit-learn: not installed (apt-get install -y python3-sklearn), its column is left out" >&2
fi
echo "# nn (bench runner: warmed up, median)" >&2
dotnet "$ROOT/bench/Nn.Bench/bin/Release/net10.0/Nn.Bench.dll" quick "$THREADS" | tee "$WORK/ours.txt"
echo "# nn train (end to end, one process per run: includes JIT warm-up)" >&2
common=(--validation-fraction 0 --scale none --patience 0 --init he --activation relu --output softmax --loss cce --optimizer sgd --threads "$THREADS" --json --quiet)
# Peak resident memory of the MNIST-scale run, by GNU time where installed (Debian's `time` package).
TIMECMD=()
if [ -x /usr/bin/time ]; then TIMECMD=(/usr/bin/time -f %M -o "$WORK/nn_mnist_rss_kb.txt"); fi
"${TIMECMD[@]}" "${NN[@]}" train --data "$WORK/mnist_x.npy" --labels "$WORK/mnist_y.npy" --layers 512,512 --lr 0.01 --epochs 1 --batch-size 128 --out "$WORK/m.safetensors" "${common[@]}" > "$WORK/nn_mnist.json"
"${NN[@]}" train --data "$WORK/small_x.npy" --labels "$WORK/small_y.npy" --layers 32 --lr 0.1 --epochs 200 --batch-size 64 --out "$WORK/s.safetensors" "${common[@]}" > "$WORK/nn_small.json"

"$PY" - "$WORK" <<'PYEOF'
import json, sys, os
w = sys.argv[1]
kv = {}
for name in ("numpy.txt", "torch.txt", "sklearn.txt", "ours.txt"):
    for line in open(os.path.join(w, name)):
        for part in line.split():
            if "=" in part:
                k, v = part.split("=", 1)
                kv[k] = v
f = lambda k: float(kv[k])
nn_mnist = json.load(open(os.path.join(w, "nn_mnist.json")))["train_seconds"]
nn_small = json.load(open(os.path.join(w, "nn_small.json")))["train_seconds"]
sk = lambda k: float(kv[k]) if k in kv else float("nan")
rows = [
    ("MNIST-scale epoch, nn train (s)", nn_mnist, f("numpy_mnist_epoch_seconds"), f("torch_mnist_epoch_seconds"), sk("sklearn_mnist_epoch_seconds")),
    ("MNIST-scale epoch, warmed (s)", f("mnist_epoch_seconds"), f("numpy_mnist_epoch_seconds"), f("torch_mnist_epoch_seconds"), sk("sklearn_mnist_epoch_seconds")),
    ("small workload, nn train (s)", nn_small, f("numpy_small_seconds"), f("torch_small_seconds"), sk("sklearn_small_seconds")),
    ("small workload, warmed (s)", f("small_seconds"), f("numpy_small_seconds"), f("torch_small_seconds"), sk("sklearn_small_seconds")),
]
print()
print(f"{'workload':34} {'Nn':>9} {'NumPy':>9} {'PyTorch':>9} {'sklearn':>9} {'Nn/NumPy':>9} {'Nn/PyTorch':>10} {'Nn/sklearn':>10}")
for name, ours, npy, tch, skl in rows:
    print(f"{name:34} {ours:9.3f} {npy:9.3f} {tch:9.3f} {skl:9.3f} {ours / npy:9.3f} {ours / tch:10.3f} {ours / skl:10.3f}")
g_ours, g_np = f("gemm[1024x1024x1024]_gflops"), f("numpy_dgemm_1024_gflops")
print(f"{'GEMM 1024³ (GFLOP/s)':34} {g_ours:9.2f} {g_np:9.2f} {'':9} {g_ours / g_np:9.3f}   (Nn / OpenBLAS dgemm)")
print(f"NumPy BLAS: {kv.get('numpy_blas', '?')} core={kv.get('core', '?')}")
rss = os.path.join(w, "nn_mnist_rss_kb.txt")
if os.path.exists(rss):
    data_mb = os.path.getsize(os.path.join(w, "mnist_x.npy")) / 1e6
    peak_mb = int(open(rss).read().split()[-1]) / 1e3
    print(f"nn train MNIST-scale peak RSS: {peak_mb:.0f} MB (data {data_mb:.0f} MB; data + 300 MB = {data_mb + 300:.0f} MB)")
PYEOF
