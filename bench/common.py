"""Shared pieces of the comparison scripts: data generation, timing, and which BLAS kernel runs."""
import ctypes
import os
import statistics
import time

import numpy as np

MNIST_N, MNIST_D, MNIST_H, MNIST_C = 60_000, 784, 512, 10
SMALL_N, SMALL_H, SMALL_C = 1_000, 32, 3
REPEATS = int(os.environ.get("REPEATS", "3"))  # timed runs per workload; the median is reported


def generate(folder, mnist=True):
    """Writes the workloads' data as .npy: random MNIST-scale features/labels and a 3-arm spiral for the small net.
    With mnist=False the MNIST-scale arrays are still drawn (so the spiral is the same) but not written."""
    rng = np.random.default_rng(2024)
    mx = rng.uniform(-1.0, 1.0, (MNIST_N, MNIST_D))
    my = rng.integers(0, MNIST_C, MNIST_N).astype(np.int64)
    if mnist:
        np.save(os.path.join(folder, "mnist_x.npy"), mx)
        np.save(os.path.join(folder, "mnist_y.npy"), my)
    del mx, my
    per = SMALL_N // SMALL_C + 1
    xs, ys = [], []
    for c in range(SMALL_C):
        r = np.linspace(0.0, 1.0, per)
        t = np.linspace(c * 4.0, (c + 1) * 4.0, per) + rng.standard_normal(per) * 0.2
        xs.append(np.c_[r * np.sin(t), r * np.cos(t)])
        ys.append(np.full(per, c))
    np.save(os.path.join(folder, "small_x.npy"), np.concatenate(xs)[:SMALL_N])
    np.save(os.path.join(folder, "small_y.npy"), np.concatenate(ys)[:SMALL_N].astype(np.int64))


def load(folder, name):
    x = np.load(os.path.join(folder, f"{name}_x.npy"))
    y = np.load(os.path.join(folder, f"{name}_y.npy"))
    return x, y


def median_seconds(run, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def blas_kernel():
    """The loaded OpenBLAS library and the core type it dispatched to (openblas_get_corename)."""
    with open("/proc/self/maps") as maps:
        paths = sorted({line.split()[-1] for line in maps if "blas" in line.lower() and line.split()[-1].startswith("/")})
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_num_threads.restype = ctypes.c_int
            return f"{os.path.basename(path)} core={lib.openblas_get_corename().decode()} threads={lib.openblas_get_num_threads()}"
        except (OSError, AttributeError):
            continue
    return "unknown: " + ",".join(paths)


def dgemm_gflops(n=1024, repeats=9):
    a = np.random.default_rng(1).uniform(-1, 1, (n, n))
    b = np.random.default_rng(2).uniform(-1, 1, (n, n))
    c = np.empty((n, n))
    for _ in range(3):
        np.matmul(a, b, out=c)
    return 2.0 * n ** 3 / median_seconds(lambda: np.matmul(a, b, out=c), repeats) / 1e9
