"""NumPy equivalents of the benchmark workloads (float64). `python3 compare_numpy.py gen DIR` writes the data;
`python3 compare_numpy.py run DIR` (or `epoch DIR`: dgemm and the MNIST-scale epoch only; `small-once DIR`: the small
workload once, as one whole process, for bench/native.sh) prints key=value timings: the tuned MNIST-scale epoch (preallocated buffers,
in-place BLAS calls), the small workload written the plain way (as the seed code is), and dgemm at 1024³."""
import sys

import numpy as np

import common


def he(rng, fan_in, fan_out):
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)


def mnist_epoch_tuned(x, labels, batch=128, lr=0.01, seed=0):
    """784→512 ReLU→512 ReLU→10 softmax-CE, SGD: every intermediate preallocated and written with out=."""
    rng = np.random.default_rng(seed)
    n, d = x.shape
    h, c = common.MNIST_H, common.MNIST_C
    w1, w2, w3 = he(rng, d, h), he(rng, h, h), he(rng, h, c)
    b1, b2, b3 = np.zeros(h), np.zeros(h), np.zeros(c)
    eye = np.eye(c)
    xb_, yb_ = np.empty((batch, d)), np.empty((batch, c))
    z1_, z2_, z3_ = np.empty((batch, h)), np.empty((batch, h)), np.empty((batch, c))
    da1_, da2_ = np.empty((batch, h)), np.empty((batch, h))
    dw1, dw2, dw3 = np.empty_like(w1), np.empty_like(w2), np.empty_like(w3)
    mask_ = np.empty((batch, h), dtype=bool)
    perm = rng.permutation(n)
    loss = 0.0
    for start in range(0, n, batch):
        idx = perm[start:start + batch]
        m = len(idx)
        xb, yb = xb_[:m], yb_[:m]
        np.take(x, idx, axis=0, out=xb)
        np.take(eye, labels[idx], axis=0, out=yb)
        z1, z2, z3, da1, da2, mask = z1_[:m], z2_[:m], z3_[:m], da1_[:m], da2_[:m], mask_[:m]
        np.matmul(xb, w1, out=z1); z1 += b1; np.maximum(z1, 0.0, out=z1)          # z1 now holds a1
        np.matmul(z1, w2, out=z2); z2 += b2; np.maximum(z2, 0.0, out=z2)          # z2 now holds a2
        np.matmul(z2, w3, out=z3); z3 += b3
        z3 -= z3.max(axis=1, keepdims=True)
        np.exp(z3, out=z3)
        s = z3.sum(axis=1, keepdims=True)
        loss = float(np.log(s).sum() - np.log(np.take_along_axis(z3, labels[idx][:, None], 1)).sum()) / m
        z3 /= s
        z3 -= yb; z3 *= 1.0 / m                                                    # z3 now holds dZ3
        np.matmul(z2.T, z3, out=dw3); db3 = z3.sum(axis=0)
        np.matmul(z3, w3.T, out=da2); np.greater(z2, 0.0, out=mask); da2 *= mask  # dZ2
        np.matmul(z1.T, da2, out=dw2); db2 = da2.sum(axis=0)
        np.matmul(da2, w2.T, out=da1); np.greater(z1, 0.0, out=mask); da1 *= mask  # dZ1
        np.matmul(xb.T, da1, out=dw1); db1 = da1.sum(axis=0)
        for w, dw in ((w1, dw1), (w2, dw2), (w3, dw3)):
            dw *= lr; w -= dw
        b1 -= lr * db1; b2 -= lr * db2; b3 -= lr * db3
    return loss


def small_plain(x, labels, epochs=200, batch=64, lr=0.1, seed=0):
    """2→32 ReLU→3 softmax-CE, SGD, written the plain NumPy way (a fresh array per operation), as the seed code is."""
    rng = np.random.default_rng(seed)
    w1, b1 = he(rng, 2, common.SMALL_H), np.zeros(common.SMALL_H)
    w2, b2 = he(rng, common.SMALL_H, common.SMALL_C), np.zeros(common.SMALL_C)
    y = np.eye(common.SMALL_C)[labels]
    n = len(x)
    for _ in range(epochs):
        perm = rng.permutation(n)
        for start in range(0, n, batch):
            idx = perm[start:start + batch]
            xb, yb = x[idx], y[idx]
            m = len(idx)
            z1 = xb @ w1 + b1
            a1 = np.maximum(z1, 0)
            z2 = a1 @ w2 + b2
            e = np.exp(z2 - z2.max(axis=1, keepdims=True))
            p = e / e.sum(axis=1, keepdims=True)
            dz2 = (p - yb) / m
            dw2, db2 = a1.T @ dz2, dz2.sum(axis=0)
            dz1 = (dz2 @ w2.T) * (z1 > 0)
            dw1, db1 = xb.T @ dz1, dz1.sum(axis=0)
            w1 -= lr * dw1; b1 -= lr * db1; w2 -= lr * dw2; b2 -= lr * db2


def main():
    mode, folder = sys.argv[1], sys.argv[2]
    if mode == "gen":
        common.generate(folder)
        return
    if mode == "gen-small":  # bench/native.sh: the small workload's data only
        common.generate(folder, mnist=False)
        return
    if mode == "small-once":  # bench/native.sh: the small workload once, untimed: the whole process is what is measured
        sx, sy = common.load(folder, "small")
        small_plain(sx, sy)
        return
    if mode == "small":  # bench/paired.sh: the small workload only
        sx, sy = common.load(folder, "small")
        print(f"numpy_small_seconds={common.median_seconds(lambda: small_plain(sx, sy), common.REPEATS):.4f}")
        return
    x, y = common.load(folder, "mnist")
    mnist_epoch_tuned(x[:2048], y[:2048])  # warm-up: BLAS threads, page faults
    print(f"numpy_blas={common.blas_kernel()}")
    print(f"numpy_dgemm_1024_gflops={common.dgemm_gflops():.2f}")
    print(f"numpy_mnist_epoch_seconds={common.median_seconds(lambda: mnist_epoch_tuned(x, y), common.REPEATS):.3f}")
    if mode == "epoch":  # bench/paired.sh: the MNIST-scale epoch and dgemm only
        return
    sx, sy = common.load(folder, "small")
    print(f"numpy_small_seconds={common.median_seconds(lambda: small_plain(sx, sy), common.REPEATS):.4f}")


if __name__ == "__main__":
    main()
