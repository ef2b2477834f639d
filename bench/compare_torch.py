"""PyTorch (CPU, float64, torch.set_num_threads(THREADS)) equivalents of the workloads; prints key=value timings."""
import os
import sys

import numpy as np
import torch

import common


def net(d, h, c, hidden_layers):
    layers, width = [], d
    for _ in range(hidden_layers):
        layers += [torch.nn.Linear(width, h), torch.nn.ReLU()]
        width = h
    layers.append(torch.nn.Linear(width, c))
    return torch.nn.Sequential(*layers).double()


def train(model, x, y, epochs, batch, lr, seed=0):
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    n = x.shape[0]
    for _ in range(epochs):
        perm = torch.randperm(n, generator=g)
        for start in range(0, n, batch):
            idx = perm[start:start + batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()


def main():
    folder = sys.argv[1]
    torch.set_num_threads(int(os.environ.get("THREADS", "2")))
    torch.manual_seed(0)
    x, y = (torch.from_numpy(a) for a in common.load(folder, "mnist"))
    mnist = lambda: train(net(common.MNIST_D, common.MNIST_H, common.MNIST_C, 2), x, y, 1, 128, 0.01)
    train(net(common.MNIST_D, common.MNIST_H, common.MNIST_C, 2), x[:2048], y[:2048], 1, 128, 0.01)  # warm-up
    print(f"torch_version={torch.__version__} threads={torch.get_num_threads()}")
    print(f"torch_mnist_epoch_seconds={common.median_seconds(mnist, common.REPEATS):.3f}")
    sx, sy = (torch.from_numpy(a) for a in common.load(folder, "small"))
    small = lambda: train(net(2, common.SMALL_H, common.SMALL_C, 1), sx, sy, 200, 64, 0.1)
    print(f"torch_small_seconds={common.median_seconds(small, common.REPEATS):.4f}")


if __name__ == "__main__":
    main()
