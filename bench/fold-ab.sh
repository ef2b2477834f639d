#!/usr/bin/env bash
# Epochs in one fold (Training.Epochs) against a loop of Training.Epoch (a new state, so a fresh copy of the parameters
# and moments, every epoch), alternating in one matrix worker on the matrix's data (2,048 rows): median ms per step.
# Usage: bench/fold-ab.sh "relu adam 784-512-512-10 128" [epochs per measurement, 4] [measurements, 8] [threads, 2]
# Needs python3-numpy (for the data files); run from anywhere.
set -euo pipefail
ROW=$1; EPOCHS=${2:-4}; REPS=${3:-8}; THREADS=${4:-2}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
dotnet build -c Release "$ROOT/bench/Nn.Bench" -v q -nologo >/dev/null
(cd "$ROOT/bench" && /usr/bin/python3 -c "import matrix_common as mc; mc.write_data('$WORK', {2, 20, 32, 784}, {3, 4, 5, 10}, 2048)")
{
  for i in $(seq $((REPS + 1))); do echo "train $ROW $EPOCHS"; echo "train-by-epoch $ROW $EPOCHS"; done
  echo quit
} | dotnet "$ROOT/bench/Nn.Bench/bin/Release/net10.0/Nn.Bench.dll" matrix nn "$WORK" "$THREADS" 2048 | /usr/bin/python3 -c "
import statistics, sys
v = [1000 * float(l.split()[1]) / int(l.split()[2]) for l in sys.stdin if l.startswith('ok')][2:]  # first pair: warm-up
print('$ROW, $EPOCHS epochs: Training.Epochs %.3f ms/step, Training.Epoch loop %.3f ms/step' % (statistics.median(v[0::2]), statistics.median(v[1::2])))"
