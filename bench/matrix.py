"""The benchmark matrix of issue 16, run by bench/matrix.sh: Nn, NumPy, PyTorch and ONNX Runtime side by side, interleaved.

Training rows: activations {relu, tanh, sigmoid, leaky-relu} x optimizers {sgd, momentum, adam} x shapes {2-32-3,
20-128-64-5, 784-512-512-10, 32-8x64-4 (eight hidden layers of 64)} x batch {32, 128}. Every engine runs the same maths
on the same data: hidden layers with the activation, a softmax output, mean categorical cross-entropy, f64; SGD lr 0.01,
momentum lr 0.01 beta 0.9 (v = beta v + g; theta -= lr v), Adam lr 0.001 (0.9, 0.999, 1e-8); 2,048 training rows of
uniform features and uniform labels, shuffled per epoch, in-place updates. A measurement is whole epochs from the same
initial parameters; the time per step is its seconds / steps.
Predict rows: forward only with softmax output at batch 1 and 10,000, for 20-128-128-5 and the training shapes.

Engines are long-lived worker processes (bench/Nn.Bench `matrix`, matrix_numpy.py, matrix_torch.py) that answer one
command per line, so the driver interleaves them: after a warm-up and calibration pass over every (row, engine) (which
fixes each engine's epochs or calls per measurement to about --target seconds), each round visits every row and, within
a row, every engine, in an order rotated per row and round. Before each measurement the driver waits until the previous
worker's threads have stopped spinning (OpenBLAS spins ~0.13 s of a core after a threaded product, ONNX Runtime ~0.04 s),
so no engine is timed against another's idle threads. Times are medians over rounds; ratios are medians of the per-round
ratios (steadier than ratios of medians on a host whose speed drifts).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

import matrix_common as mc

SHAPES = ["2-32-3", "20-128-64-5", "784-512-512-10", "32-8x64-4"]
PREDICT_SHAPES = ["20-128-128-5"] + SHAPES
BATCHES = [32, 128]
PREDICT_BATCHES = [1, 10_000]
N_TRAIN, N_DATA = 2048, 10_000
QUICK = dict(acts=["relu", "tanh"], opts=["sgd", "adam"], shapes=SHAPES, batches=[32],
             predict_acts=["relu", "tanh"], predict_shapes=["20-128-128-5", "784-512-512-10"])
FULL = dict(acts=mc.ACTIVATIONS, opts=mc.OPTIMIZERS, shapes=SHAPES, batches=BATCHES,
            predict_acts=mc.ACTIVATIONS, predict_shapes=PREDICT_SHAPES)
# The targets: training Nn <= 0.8 x NumPy and <= 0.5 x PyTorch; predict at 10,000 <= 1.0 x ORT, at 1 <= 0.5 x ORT.
TARGET_NUMPY, TARGET_TORCH, TARGET_ORT_LARGE, TARGET_ORT_ONE = 0.8, 0.5, 1.0, 0.5


class Worker:
    """One engine process speaking the line protocol."""

    def __init__(self, name, argv, env=None, cwd=None):
        self.name = name
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
                                     env={**os.environ, **(env or {})}, cwd=cwd)
        self.ready = self.proc.stdout.readline().strip()
        if not self.ready.startswith("ready"):
            raise SystemExit(f"{name}: worker did not start ({self.ready!r})")

    def call(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        reply = self.proc.stdout.readline().split()
        if not reply or reply[0] != "ok":
            raise SystemExit(f"{self.name}: {line!r} -> {' '.join(reply) or 'no reply (worker exited)'}")
        return reply[1:]

    def busy(self):
        """Whether any thread of this worker is running (state R in /proc: e.g. an idle BLAS thread still spinning)."""
        try:
            for t in os.listdir(f"/proc/{self.proc.pid}/task"):
                with open(f"/proc/{self.proc.pid}/task/{t}/stat") as f:
                    if f.read().rsplit(")", 1)[1].split()[0] == "R":
                        return True
        except (FileNotFoundError, ProcessLookupError):
            pass
        return False

    def settle(self, limit=0.5):
        """Waits until no thread of this worker runs in two checks 2 ms apart (its threads stopped spinning), at most
        `limit` seconds; returns the seconds waited."""
        start, quiet = time.perf_counter(), 0
        while quiet < 2 and time.perf_counter() - start < limit:
            quiet = 0 if self.busy() else quiet + 1
            if quiet < 2:
                time.sleep(0.002)
        return time.perf_counter() - start

    def close(self):
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
            self.proc.wait(timeout=30)
        except (BrokenPipeError, subprocess.TimeoutExpired):
            self.proc.kill()


class Engine:
    """A named way to run a row on a worker: its command for a row and unit count, and its steps per unit."""

    def __init__(self, name, worker, suffix="", group=None):
        self.name, self.worker, self.suffix, self.group = name, worker, suffix, group


class Settling:
    """The worker that ran last, and the seconds spent waiting for workers to settle."""
    last, waited = None, 0.0


def measure(engine, command, units):
    """Seconds and the reply of one measurement of `units` epochs or calls, after the previous worker has settled."""
    if Settling.last is not None:
        Settling.waited += Settling.last.settle()
    reply = engine.worker.call(f"{command} {units}{engine.suffix}")
    Settling.last = engine.worker
    return float(reply[0]), reply


def calibrate(engine, command, target, cap):
    """Warm-up calls with growing unit counts until one takes target / 4 seconds, then (unless that one already took
    2 x target) a timed one at that count. Returns the units (epochs or calls) that take about `target` seconds, in
    [1, cap], and the seconds per unit of the last call."""
    units = 1
    seconds, _ = measure(engine, command, units)
    while seconds < target / 4 and units < cap:
        units = min(cap, units * max(2, min(100, int(target / 4 / max(seconds, 1e-9)))))
        seconds, _ = measure(engine, command, units)
    if seconds < 2 * target:
        seconds, _ = measure(engine, command, units)
    return max(1, min(cap, round(units * target / max(seconds, 1e-9)))), seconds / units


def run_phase(rows, engines, rounds, target, cap, label, log):
    """Calibration, then `rounds` interleaved rounds. A thread placement (engines of one group, e.g. torch1 and torch2)
    that calibrated at more than twice its group's fastest is left out of the rounds for that row. Returns
    {row: {engine: [seconds per unit, ...]}} (empty for a placement left out), the units and the calibrated seconds."""
    units, calibrated, times = {}, {}, {r: {e.name: [] for e in engines} for r in rows}
    t0 = time.perf_counter()
    for row in rows:
        for e in engines:
            units[(row, e.name)], calibrated[(row, e.name)] = calibrate(e, row, target, cap)
    log(f"{label}: calibrated {len(rows)} rows x {len(engines)} engines in {time.perf_counter() - t0:.0f} s")
    timed = {}
    for row in rows:
        fastest = {}
        for e in engines:
            if e.group:
                fastest[e.group] = min(fastest.get(e.group, float("inf")), calibrated[(row, e.name)])
        timed[row] = [e for e in engines if not e.group or calibrated[(row, e.name)] <= 2 * fastest[e.group]]
    for r in range(rounds):
        t0 = time.perf_counter()
        for i, row in enumerate(rows):
            order = timed[row]
            k = (r + i) % len(order)
            for e in order[k:] + order[:k]:
                n = units[(row, e.name)]
                seconds, reply = measure(e, row, n)
                times[row][e.name].append(seconds / n)
        log(f"{label}: round {r + 1}/{rounds} in {time.perf_counter() - t0:.0f} s")
    return times, units, calibrated


def ratio(times, a, b):
    """Median over rounds of a's time / b's time in the same round."""
    return statistics.median(x / y for x, y in zip(times[a], times[b]))


def best(times, names):
    """The placement with the lowest median time (among those timed in the rounds)."""
    return min((n for n in names if times[n]), key=lambda n: statistics.median(times[n]))


def fmt_ms(seconds):
    ms = seconds * 1e3
    return f"{ms:.3g}" if ms >= 0.001 else f"{ms:.2e}"


def arrow(shape):
    return "→".join(("8×64" if p == "8x64" else p) for p in shape.split("-"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="relu and tanh, sgd and adam, batch 32; predict on two shapes")
    ap.add_argument("--target", type=float, default=0.1, help="seconds per measurement (calibrated per row and engine)")
    ap.add_argument("--work", required=True, help="folder for the data files")
    ap.add_argument("--bench", required=True, help="path of Nn.Bench.dll")
    ap.add_argument("--json", help="write every measurement here")
    ap.add_argument("--skip", default="", help="comma-separated phases to skip: train, alloc, predict")
    ap.add_argument("--only", default="", help="a regular expression: run only the rows whose command matches it "
                                               "(e.g. '2-32-3' or 'adam .*784')")
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    spec = QUICK if args.quick else FULL
    skip = set(filter(None, args.skip.split(",")))
    loads = []

    def log(s):
        with open("/proc/loadavg") as f:
            loads.append(float(f.read().split()[0]))
        print(f"# {s} (load {loads[-1]:.2f})", file=sys.stderr, flush=True)
    started = time.perf_counter()

    widths = [mc.sizes(s) for s in set(spec["shapes"]) | set(spec["predict_shapes"])]
    mc.write_data(args.work, {w[0] for w in widths}, {w[-1] for w in widths}, N_DATA)
    py = sys.executable
    blas_env = {"OPENBLAS_NUM_THREADS": str(args.threads), "OMP_NUM_THREADS": str(args.threads)}
    placements = sorted({1, args.threads})
    torch_env = lambda t: {"THREADS": str(t), "OMP_NUM_THREADS": str(t), "OPENBLAS_NUM_THREADS": str(t), "MKL_NUM_THREADS": str(t)}
    nn_argv = ["dotnet", args.bench, "matrix", "nn", args.work, str(args.threads), str(N_TRAIN)]

    def start_workers(with_ort):
        ws = {"nn": Worker("nn", nn_argv),
              "numpy": Worker("numpy", [py, os.path.join(here, "matrix_numpy.py"), args.work, str(N_TRAIN)], blas_env, here)}
        for t in placements:
            ws[f"torch{t}"] = Worker(f"torch{t}", [py, os.path.join(here, "matrix_torch.py"), args.work, str(N_TRAIN)], torch_env(t), here)
        if with_ort:
            ws["ort"] = Worker("ort", ["dotnet", args.bench, "matrix", "ort", args.work, str(args.threads), str(N_TRAIN)])
        Settling.last = None
        return ws

    def stop_workers(ws):
        for w in ws.values():
            w.close()
        Settling.last = None

    result = {"threads": args.threads, "rounds": args.rounds, "quick": args.quick, "target_seconds": args.target,
              "n_train": N_TRAIN, "train": {}, "predict": {}, "alloc": {}}
    only = re.compile(args.only) if args.only else None
    keep = lambda command: only is None or only.search(command) is not None
    train_rows = [(a, o, s, b) for s in spec["shapes"] for b in spec["batches"] for o in spec["opts"] for a in spec["acts"]
                  if keep(f"train {a} {o} {s} {b}")]
    torch_names = [f"torch{t}" for t in placements]
    ort_names = [f"ort{t}" for t in placements]

    if "train" not in skip or "alloc" not in skip:
        ws = start_workers(False)
        result["workers"] = [w.ready for w in ws.values()]
        log(f"workers: {'; '.join(w.ready for w in ws.values())}")
        if "train" not in skip:
            engines = [Engine("nn", ws["nn"]), Engine("numpy", ws["numpy"])] + [Engine(n, ws[n], group="torch") for n in torch_names]
            commands = {f"train {a} {o} {s} {b}": (a, o, s, b) for a, o, s, b in train_rows}
            times, units, calibrated = run_phase(list(commands), engines, args.rounds, args.target, 2000, "train", log)
            for cmd, key in commands.items():
                steps = (N_TRAIN + key[3] - 1) // key[3]
                per_step = {e: [t / steps for t in ts] for e, ts in times[cmd].items()}
                result["train"][" ".join(map(str, key))] = {
                    "seconds_per_step": per_step, "epochs": {e.name: units[(cmd, e.name)] for e in engines},
                    "calibrated_seconds_per_step": {e.name: calibrated[(cmd, e.name)] / steps for e in engines}}
        if "alloc" not in skip:
            for a in spec["acts"]:
                for o in spec["opts"]:
                    for s in spec["shapes"]:
                        reply = ws["nn"].call(f"alloc {a} {o} {s} 32 16")
                        f1t, f1p, f2t, f2p, ep, spe, pb = map(int, reply)
                        result["alloc"][f"{a} {o} {s} 32"] = {
                            "step_bytes_thread": (f2t - f1t) / 16, "step_bytes_process": (f2p - f1p) / 16,
                            "fold16_bytes_thread": f1t, "epoch_bytes_thread": ep, "steps_per_epoch": spe, "parameter_bytes": pb}
            log("alloc: done")
        stop_workers(ws)

    if "predict" not in skip:
        ws = start_workers(True)
        result["predict_workers"] = [w.ready for w in ws.values()]
        log(f"workers: {'; '.join(w.ready for w in ws.values())}")
        engines = ([Engine("nn", ws["nn"]), Engine("numpy", ws["numpy"])] + [Engine(n, ws[n], group="torch") for n in torch_names]
                   + [Engine(f"ort{t}", ws["ort"], f" {t}", "ort") for t in placements])
        commands = {f"predict {a} {s} {b}": (a, s, b) for s in spec["predict_shapes"] for b in PREDICT_BATCHES for a in spec["predict_acts"]
                    if keep(f"predict {a} {s} {b}")}
        times, units, calibrated = run_phase(list(commands), engines, args.rounds, args.target, 100_000, "predict", log)
        for cmd, key in commands.items():
            result["predict"][" ".join(map(str, key))] = {
                "seconds_per_call": times[cmd], "calls": {e.name: units[(cmd, e.name)] for e in engines},
                "calibrated_seconds_per_call": {e.name: calibrated[(cmd, e.name)] for e in engines}}
        stop_workers(ws)

    result["wall_seconds"] = time.perf_counter() - started
    result["settle_seconds"] = Settling.waited
    result["load_average_1min"] = loads
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    report(result, torch_names, ort_names)


def report(result, torch_names, ort_names):
    med = statistics.median
    geo = lambda xs: statistics.geometric_mean(xs) if xs else float("nan")
    print(f"threads={result['threads']} rounds={result['rounds']} quick={result['quick']} "
          f"wall={result['wall_seconds']:.0f}s (of which {result['settle_seconds']:.0f}s waiting for idle threads to stop spinning) (ms per step / per call: medians over rounds; ratios: medians of per-round ratios)")
    loads = result.get("load_average_1min") or [float("nan")]
    print(f"- 1-minute load average during the run (at each phase and round): {min(loads):.2f}–{max(loads):.2f} on "
          f"{os.cpu_count()} cores")
    spread = {}
    for phase in ("train", "predict"):
        for r in result[phase].values():
            for e, ts in next(v for k, v in r.items() if k.startswith("seconds_per")).items():
                if len(ts) > 1:
                    spread.setdefault(e, []).append((max(ts) - min(ts)) / med(ts))
    if spread:
        print("- noise, (slowest − fastest round) / median, median over rows: "
              + ", ".join(f"{e} {100 * med(v):.0f}%" for e, v in spread.items()))
    for line in dict.fromkeys(result.get("workers", []) + result.get("predict_workers", [])):
        print(f"- {line[6:]}")
    rows = []
    if result["train"]:
        print()
        print("| row | Nn ms/step | NumPy | PyTorch best (threads) | Nn/NumPy | Nn/PyTorch | targets |")
        print("|---|---|---|---|---|---|---|")
        for key, r in result["train"].items():
            t = r["seconds_per_step"]
            a, o, s, b = key.split()
            tb = best(t, torch_names)
            rn, rt = ratio(t, "nn", "numpy"), ratio(t, "nn", tb)
            ok = (rn <= TARGET_NUMPY) + (rt <= TARGET_TORCH)
            rows.append((a, o, s, int(b), rn, rt))
            marks = {2: "both", 1: "NumPy" if rn <= TARGET_NUMPY else "PyTorch", 0: "–"}[ok]
            print(f"| {a} {o} {arrow(s)} b{b} | {fmt_ms(med(t['nn']))} | {fmt_ms(med(t['numpy']))} | "
                  f"{fmt_ms(med(t[tb]))} ({tb[5:]}) | {rn:.2f} | {rt:.2f} | {marks} |")
        n = len(rows)
        meet_np = sum(r[4] <= TARGET_NUMPY for r in rows)
        meet_t = sum(r[5] <= TARGET_TORCH for r in rows)
        both = sum(r[4] <= TARGET_NUMPY and r[5] <= TARGET_TORCH for r in rows)
        print()
        print(f"Training: {both}/{n} rows meet both targets; Nn ≤ {TARGET_NUMPY}×NumPy in {meet_np}/{n}, "
              f"Nn ≤ {TARGET_TORCH}×PyTorch in {meet_t}/{n}.")
        print()
        print("| group | rows | geometric mean Nn/NumPy | worst Nn/NumPy | geometric mean Nn/PyTorch | worst Nn/PyTorch |")
        print("|---|---|---|---|---|---|")
        groups = [("shape " + arrow(s), lambda r, s=s: r[2] == s) for s in dict.fromkeys(r[2] for r in rows)]
        groups += [("optimizer " + o, lambda r, o=o: r[1] == o) for o in dict.fromkeys(r[1] for r in rows)]
        groups += [("activation " + a, lambda r, a=a: r[0] == a) for a in dict.fromkeys(r[0] for r in rows)]
        groups += [(f"batch {b}", lambda r, b=b: r[3] == b) for b in dict.fromkeys(r[3] for r in rows)]
        groups += [("all", lambda r: True)]
        for name, pred in groups:
            g = [r for r in rows if pred(r)]
            print(f"| {name} | {len(g)} | {geo([r[4] for r in g]):.2f} | {max(r[4] for r in g):.2f} | "
                  f"{geo([r[5] for r in g]):.2f} | {max(r[5] for r in g):.2f} |")
        worst = lambda i: ", ".join(f"{r[0]} {r[1]} {arrow(r[2])} b{r[3]} {r[i]:.2f}" for r in sorted(rows, key=lambda r: -r[i])[:5])
        print()
        print(f"Worst Nn/NumPy: {worst(4)}.")
        print(f"Worst Nn/PyTorch: {worst(5)}.")
    if result["predict"]:
        print()
        print("| predict row | Nn ms/call | ORT best (threads) | NumPy | PyTorch best (threads) | Nn/ORT | Nn/NumPy | Nn/PyTorch | target |")
        print("|---|---|---|---|---|---|---|---|---|")
        large, one = [], []
        for key, r in result["predict"].items():
            t = r["seconds_per_call"]
            a, s, b = key.split()
            ob, tb = best(t, ort_names), best(t, torch_names)
            ro = ratio(t, "nn", ob)
            limit = TARGET_ORT_ONE if b == "1" else TARGET_ORT_LARGE
            (one if b == "1" else large).append(ro <= limit)
            print(f"| {a} {arrow(s)} b{b} | {fmt_ms(med(t['nn']))} | {fmt_ms(med(t[ob]))} ({ob[3:]}) | {fmt_ms(med(t['numpy']))} | "
                  f"{fmt_ms(med(t[tb]))} ({tb[5:]}) | {ro:.2f} | {ratio(t, 'nn', 'numpy'):.2f} | {ratio(t, 'nn', tb):.2f} | "
                  f"{'met' if ro <= limit else '–'} (≤ {limit}) |")
        print()
        print(f"Predict: batch 10,000 ≤ {TARGET_ORT_LARGE}×ORT in {sum(large)}/{len(large)} rows; "
              f"batch 1 ≤ {TARGET_ORT_ONE}×ORT in {sum(one)}/{len(one)} rows.")
    if result["alloc"]:
        print()
        print("| optimizer | bytes per step in a fold (max over rows, this thread / process) | per step of a Training.Epoch loop "
              "(max; includes the first step's copy of the parameters and moments) | parameter bytes (largest shape) |")
        print("|---|---|---|---|")
        for o in dict.fromkeys(k.split()[1] for k in result["alloc"]):
            g = [v for k, v in result["alloc"].items() if k.split()[1] == o]
            print(f"| {o} | {max(v['step_bytes_thread'] for v in g):,.0f} / {max(v['step_bytes_process'] for v in g):,.0f} | "
                  f"{max(v['epoch_bytes_thread'] / v['steps_per_epoch'] for v in g):,.0f} | {max(v['parameter_bytes'] for v in g):,} |")
        print()
        print("| optimizer | shape | bytes per step in a fold (max over activations) | bytes per Training.Epoch of 64 steps (max) |")
        print("|---|---|---|---|")
        for o in dict.fromkeys(k.split()[1] for k in result["alloc"]):
            for s in dict.fromkeys(k.split()[2] for k in result["alloc"]):
                g = [v for k, v in result["alloc"].items() if k.split()[1] == o and k.split()[2] == s]
                print(f"| {o} | {arrow(s)} | {max(v['step_bytes_thread'] for v in g):,.0f} | {max(v['epoch_bytes_thread'] for v in g):,} |")


if __name__ == "__main__":
    main()
