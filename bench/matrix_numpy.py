"""NumPy worker of the benchmark matrix (bench/matrix.py): `python3 matrix_numpy.py WORK NTRAIN`, then the line protocol
of matrix_common.serve on standard input. Written the tuned, in-place way: the parameters, gradients and optimizer moments
each live in one flat array (the layers' weights and biases are views into it), so an optimizer update is a few ufunc
calls over all parameters at once; every intermediate is preallocated and written with out=; activations overwrite
their pre-activations and the derivatives are taken from the activations. Threads: OPENBLAS_NUM_THREADS."""
import sys
import time

import numpy as np

import matrix_common as mc


class Net:
    """An MLP with `act` on hidden layers and a softmax output, its parameters views into one flat array."""

    def __init__(self, widths, act, seed=1):
        self.widths, self.act, self.layers = widths, act, len(widths) - 1
        count = sum(i * o + o for i, o in zip(widths, widths[1:]))
        self.theta, self.grad = np.zeros(count), np.zeros(count)
        self.w, self.b, self.gw, self.gb = [], [], [], []
        rng = np.random.default_rng(seed)
        off = 0
        for i, o in zip(widths, widths[1:]):
            for flat, ws, bs in ((self.theta, self.w, self.b), (self.grad, self.gw, self.gb)):
                ws.append(flat[off:off + i * o].reshape(i, o))
                bs.append(flat[off + i * o:off + i * o + o])
            # He normal for the ReLU family, Xavier normal otherwise, zero biases (as Init.DefaultFor in Nn)
            std = np.sqrt(2.0 / i) if act in ("relu", "leaky-relu") else np.sqrt(2.0 / (i + o))
            self.w[-1][...] = rng.standard_normal((i, o)) * std
            off += i * o + o
        self.initial = self.theta.copy()

    def buffers(self, batch):
        """Preallocated activations, deltas, derivative scratch and masks for batches of `batch` rows."""
        self.a = [np.empty((batch, o)) for o in self.widths[1:]]
        self.d = [np.empty((batch, o)) for o in self.widths[1:-1]]
        self.tmp = [np.empty((batch, o)) for o in self.widths[1:-1]]
        self.mask = [np.empty((batch, o), dtype=bool) for o in self.widths[1:-1]]
        self.rowmax, self.rowsum = np.empty((batch, 1)), np.empty((batch, 1))

    def activate(self, z, l):
        act = self.act
        if act == "relu":
            np.maximum(z, 0.0, out=z)
        elif act == "leaky-relu":
            np.multiply(z, mc.LEAKY_SLOPE, out=self.tmp[l])
            np.maximum(z, self.tmp[l], out=z)
        elif act == "tanh":
            np.tanh(z, out=z)
        else:  # sigmoid: 1 / (1 + exp(-z))
            np.negative(z, out=z)
            np.exp(z, out=z)
            z += 1.0
            np.reciprocal(z, out=z)

    def derivative(self, a, da, l):
        """da <- da * f'(z), from the activation a = f(z), in place."""
        act, tmp, mask = self.act, self.tmp[l], self.mask[l]
        if act == "relu":
            np.greater(a, 0.0, out=mask)
            da *= mask
        elif act == "leaky-relu":
            np.less_equal(a, 0.0, out=mask)
            np.multiply(da, mc.LEAKY_SLOPE, out=da, where=mask)
        elif act == "tanh":
            np.multiply(a, a, out=tmp)
            np.subtract(1.0, tmp, out=tmp)
            da *= tmp
        else:
            np.subtract(1.0, a, out=tmp)
            tmp *= a
            da *= tmp

    def forward(self, x):
        """Softmax probabilities of x into self.a[-1] (rows of x ≤ the buffers' batch)."""
        m, prev = x.shape[0], x
        for l in range(self.layers):
            z = self.a[l][:m]
            np.matmul(prev, self.w[l], out=z)
            z += self.b[l]
            if l < self.layers - 1:
                self.activate(z, l)
            prev = z
        mx, s = self.rowmax[:m], self.rowsum[:m]
        np.max(prev, axis=1, keepdims=True, out=mx)
        prev -= mx
        np.exp(prev, out=prev)
        np.sum(prev, axis=1, keepdims=True, out=s)
        return prev, s

    def gradients(self, x, y, labels):
        """Loss of the batch; self.grad holds the gradient of the mean cross-entropy."""
        m = x.shape[0]
        e, s = self.forward(x)
        loss = float(np.log(s).sum() - np.log(np.take_along_axis(e, labels[:, None], 1)).sum()) / m
        e /= s
        e -= y
        e *= 1.0 / m
        dz = e
        for l in range(self.layers - 1, -1, -1):
            prev = x if l == 0 else self.a[l - 1]
            np.matmul(prev.T, dz, out=self.gw[l])
            np.sum(dz, axis=0, out=self.gb[l])
            if l > 0:
                da = self.d[l - 1]
                np.matmul(dz, self.w[l].T, out=da)
                self.derivative(self.a[l - 1], da, l - 1)
                dz = da
        return loss


class Optimizer:
    """In-place updates of the flat parameter array (the formulas of Nn's Optimizers, as PyTorch's torch.optim)."""

    def __init__(self, name, net):
        self.name, self.theta, self.g = name, net.theta, net.grad
        self.m, self.v, self.tmp = np.zeros_like(self.theta), np.zeros_like(self.theta), np.empty_like(self.theta)
        self.t, self.lr = 0, mc.LR[name]

    def step(self):
        theta, g, lr = self.theta, self.g, self.lr
        if self.name == "sgd":  # theta -= lr g
            g *= lr
            theta -= g
        elif self.name == "momentum":  # v = beta v + g; theta -= lr v
            v = self.m
            v *= mc.MOMENTUM
            v += g
            np.multiply(v, lr, out=g)
            theta -= g
        else:  # Adam: theta -= lr m^ / (sqrt(v^) + eps)
            self.t += 1
            m, v, tmp = self.m, self.v, self.tmp
            np.multiply(g, g, out=tmp)
            tmp *= 1.0 - mc.BETA2
            v *= mc.BETA2
            v += tmp
            g *= 1.0 - mc.BETA1
            m *= mc.BETA1
            m += g
            c1, c2 = 1.0 - mc.BETA1 ** self.t, 1.0 - mc.BETA2 ** self.t
            np.multiply(v, 1.0 / c2, out=tmp)
            np.sqrt(tmp, out=tmp)
            tmp += mc.EPS
            np.divide(m, tmp, out=tmp)
            tmp *= lr / c1
            theta -= tmp


def main():
    np.seterr(over="ignore", under="ignore")  # exp(-z) of a sigmoid may overflow to inf: 1 / (1 + inf) = 0 is right
    data, ntrain = mc.Data(sys.argv[1]), int(sys.argv[2])
    rows, predictors = {}, {}

    def train(act, opt, shape, batch, epochs):
        key = (act, opt, shape, batch)
        if key not in rows:
            w = mc.sizes(shape)
            net = Net(w, act)
            net.buffers(batch)
            x = data.features(w[0])[:ntrain]
            labels = data.labels(w[-1])[:ntrain]
            onehot = np.eye(w[-1])[labels]
            rows[key] = (net, x, labels, onehot, np.empty((batch, w[0])), np.empty((batch, w[-1])), np.empty(batch, dtype=np.int64))
        net, x, labels, onehot, xb_, yb_, lb_ = rows[key]
        np.copyto(net.theta, net.initial)
        optimizer = Optimizer(opt, net)
        rng = np.random.default_rng(3)
        n, loss, steps = x.shape[0], float("nan"), 0
        t0 = time.perf_counter()
        for _ in range(epochs):
            perm = rng.permutation(n)
            for start in range(0, n, batch):
                idx = perm[start:start + batch]
                m = len(idx)
                xb, yb, lb = xb_[:m], yb_[:m], lb_[:m]
                np.take(x, idx, axis=0, out=xb)
                np.take(onehot, idx, axis=0, out=yb)
                np.take(labels, idx, out=lb)
                loss = net.gradients(xb, yb, lb)
                optimizer.step()
                steps += 1
        return time.perf_counter() - t0, steps, loss

    def predict(act, shape, batch, calls):
        key = (act, shape, batch)
        if key not in predictors:
            w = mc.sizes(shape)
            net = Net(w, act)
            net.buffers(batch)
            predictors[key] = (net, np.ascontiguousarray(data.features(w[0])[:batch]))
        net, x = predictors[key]
        t0 = time.perf_counter()
        for _ in range(calls):
            e, s = net.forward(x)
            e /= s
        return time.perf_counter() - t0, float(e[0, 0])

    import common  # bench/common.py: which OpenBLAS kernel runs
    x = np.ones((256, 256))
    np.matmul(x, x)
    mc.serve("numpy", train, predict, f"numpy={np.__version__} blas={common.blas_kernel().replace(' ', ',')}")


if __name__ == "__main__":
    main()
