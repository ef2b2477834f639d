"""Shared pieces of the benchmark matrix (bench/matrix.py) and its Python workers: shape names, the data files, the
line protocol. The maths every engine runs is described in bench/matrix.py."""
import os
import sys

import numpy as np

ACTIVATIONS = ["relu", "tanh", "sigmoid", "leaky-relu"]
OPTIMIZERS = ["sgd", "momentum", "adam"]
LEAKY_SLOPE = 0.01
LR = {"sgd": 0.01, "momentum": 0.01, "adam": 0.001}
MOMENTUM = 0.9
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8


def sizes(shape):
    """Widths of a shape name: '20-128-64-5' -> [20, 128, 64, 5]; '32-8x64-4' -> [32, 64 (eight times), 4]."""
    out = []
    for part in shape.split("-"):
        if "x" in part:
            n, width = part.split("x")
            out += [int(width)] * int(n)
        else:
            out.append(int(part))
    return out


def write_data(folder, features, classes, rows, seed=2024):
    """The data every engine reads: x_D.f64 (rows x D, uniform in [-1, 1)) and y_C.i64 (labels uniform in [0, C))."""
    rng = np.random.default_rng(seed)
    for d in sorted(features):
        rng.uniform(-1.0, 1.0, (rows, d)).astype("<f8").tofile(os.path.join(folder, f"x_{d}.f64"))
    for c in sorted(classes):
        rng.integers(0, c, rows).astype("<i8").tofile(os.path.join(folder, f"y_{c}.i64"))


class Data:
    """The driver's files, read once per width."""

    def __init__(self, folder):
        self.folder, self.x, self.y = folder, {}, {}

    def features(self, d):
        if d not in self.x:
            self.x[d] = np.fromfile(os.path.join(self.folder, f"x_{d}.f64"), dtype="<f8").reshape(-1, d)
        return self.x[d]

    def labels(self, c):
        if c not in self.y:
            self.y[c] = np.fromfile(os.path.join(self.folder, f"y_{c}.i64"), dtype="<i8")
        return self.y[c]


def serve(name, train, predict, about=""):
    """The worker loop: 'train ACT OPT SHAPE BATCH EPOCHS' -> 'ok SECONDS STEPS LOSS', 'predict ACT SHAPE BATCH CALLS'
    -> 'ok SECONDS FIRST', 'quit'. train and predict return those tuples."""
    print(f"ready engine={name} {about}".rstrip(), flush=True)
    for line in sys.stdin:
        w = line.split()
        if not w:
            continue
        if w[0] == "quit":
            return
        try:
            if w[0] == "train":
                seconds, steps, loss = train(w[1], w[2], w[3], int(w[4]), int(w[5]))
                print(f"ok {seconds!r} {steps} {loss!r}", flush=True)
            elif w[0] == "predict":
                seconds, first = predict(w[1], w[2], int(w[3]), int(w[4]))
                print(f"ok {seconds!r} {first!r}", flush=True)
            else:
                print(f"error unknown command {w[0]!r}", flush=True)
        except Exception as e:  # the driver reports it and stops
            print(f"error {type(e).__name__}: {e}".replace("\n", " "), flush=True)
