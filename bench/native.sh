#!/usr/bin/env bash
# Whole-process timings of the native nn (Native AOT) against the JIT build (`dotnet nn.dll`) and the seed's plain NumPy
# code as a script: `nn --help`, and `nn train` on the small workload (2 → 32 → 3 ReLU/softmax, SGD 0.1, batch 64,
# 200 epochs, 1,000 rows of compare.sh's spiral) against `python3 compare_numpy.py small-once` (interpreter start, NumPy
# import, data load and the same training). RUNS rounds; each round runs every command once, in turn, so a drifting host
# slows all of them alike; medians (and minima) of wall time, and the median CPU time (user + system) per process.
# Also checks that the native and JIT builds write the same model bytes for the small workload.
# Needs NumPy for /usr/bin/python3 (apt-get install -y python3-numpy) and, to publish, clang and zlib1g-dev.
# Usage: bench/native.sh [runs] [threads] [native-nn]   (defaults 9, 2, and a fresh `dotnet publish -r linux-x64`)
set -euo pipefail
RUNS="${1:-9}"
THREADS="${2:-2}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY=/usr/bin/python3
"$PY" -c 'import numpy' 2>/dev/null || { echo "native.sh needs NumPy for $PY: apt-get install -y python3-numpy" >&2; exit 2; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
echo "# machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); threads=$THREADS; runs=$RUNS" >&2
"$PY" "$ROOT/bench/compare_numpy.py" gen-small "$WORK"
if [ -n "${3:-}" ]; then
  NATIVE="$3"
else
  echo "# publishing the native nn (Native AOT)" >&2
  dotnet publish "$ROOT/src/Nn.Cli" -c Release -r linux-x64 -o "$WORK/native" -v q -nologo >&2
  NATIVE="$WORK/native/nn"
fi
echo "# building the JIT nn (Release)" >&2
dotnet build -c Release "$ROOT/src/Nn.Cli" -v q -nologo >&2
JIT="$ROOT/src/Nn.Cli/bin/Release/net10.0/nn.dll"
TRAIN=(train --data "$WORK/small_x.npy" --labels "$WORK/small_y.npy" --layers 32 --lr 0.1 --epochs 200 --batch-size 64
  --validation-fraction 0 --scale none --patience 0 --init he --activation relu --output softmax --loss cce --optimizer sgd
  --threads "$THREADS" --quiet)
"$NATIVE" "${TRAIN[@]}" --out "$WORK/native.safetensors"
dotnet "$JIT" "${TRAIN[@]}" --out "$WORK/jit.safetensors"
cmp "$WORK/native.safetensors" "$WORK/jit.safetensors"
echo "# the native and JIT builds wrote the same model bytes: $(sha256sum < "$WORK/native.safetensors" | cut -c1-16)…" >&2

env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$THREADS" OMP_NUM_THREADS="$THREADS" \
  "$PY" - "$RUNS" "$NATIVE" "$JIT" "$PY" "$ROOT/bench/compare_numpy.py" "$WORK" "${TRAIN[@]}" <<'PYEOF'
import os, resource, statistics, subprocess, sys, time
runs, native, jit, py, script, work = int(sys.argv[1]), *sys.argv[2:7]
train = sys.argv[7:] + ["--out", os.path.join(work, "m.safetensors")]
commands = [
    ("nn --help, native", [native, "--help"]),
    ("nn --help, JIT", ["dotnet", jit, "--help"]),
    ("nn train small, native", [native] + train),
    ("nn train small, JIT", ["dotnet", jit] + train),
    ("NumPy script, small", [py, script, "small-once", work]),
]
wall = {name: [] for name, _ in commands}
cpu = {name: [] for name, _ in commands}
for _ in range(runs):
    for name, cmd in commands:
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
        wall[name].append(time.perf_counter() - t0)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu[name].append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
med = lambda name: statistics.median(wall[name])
print(f"{'whole process':26} {'median wall':>12} {'min wall':>9} {'median CPU':>11}")
for name, _ in commands:
    print(f"{name:26} {med(name) * 1e3:9.1f} ms {min(wall[name]) * 1e3:6.1f} ms {statistics.median(cpu[name]) * 1e3:8.1f} ms")
print(f"NumPy script / native nn train: {med('NumPy script, small') / med('nn train small, native'):.1f}x (median wall), "
      f"{statistics.median(cpu['NumPy script, small']) / statistics.median(cpu['nn train small, native']):.1f}x (median CPU); "
      f"JIT / native: --help {med('nn --help, JIT') / med('nn --help, native'):.1f}x, train {med('nn train small, JIT') / med('nn train small, native'):.1f}x")
PYEOF
