"""PyTorch worker of the benchmark matrix (bench/matrix.py): `python3 matrix_torch.py WORK NTRAIN`, then the line protocol
of matrix_common.serve on standard input. CPU, float64, torch.set_num_threads(THREADS) (the driver starts one worker per
thread count and also sets OMP_NUM_THREADS and OPENBLAS_NUM_THREADS to it). nn.Sequential of Linear layers and the
activation modules, F.cross_entropy on the logits (log-softmax + NLL: the softmax-cross-entropy of the other engines),
torch.optim.SGD / SGD(momentum=0.9) / Adam with their defaults otherwise; predict under torch.inference_mode()."""
import os
import sys
import time

import torch

import matrix_common as mc

MODULES = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid,
           "leaky-relu": lambda: torch.nn.LeakyReLU(mc.LEAKY_SLOPE)}


def network(widths, act):
    layers = []
    for i, (n_in, n_out) in enumerate(zip(widths, widths[1:])):
        linear = torch.nn.Linear(n_in, n_out).double()
        # He normal for the ReLU family, Xavier normal otherwise, zero biases (as the other engines; speed only)
        std = (2.0 / n_in) ** 0.5 if act in ("relu", "leaky-relu") else (2.0 / (n_in + n_out)) ** 0.5
        with torch.no_grad():
            linear.weight.normal_(0.0, std)
            linear.bias.zero_()
        layers.append(linear)
        if i < len(widths) - 2:
            layers.append(MODULES[act]())
    return torch.nn.Sequential(*layers)


def optimizer(name, parameters):
    if name == "sgd":
        return torch.optim.SGD(parameters, lr=mc.LR["sgd"])
    if name == "momentum":
        return torch.optim.SGD(parameters, lr=mc.LR["momentum"], momentum=mc.MOMENTUM)
    return torch.optim.Adam(parameters, lr=mc.LR["adam"], betas=(mc.BETA1, mc.BETA2), eps=mc.EPS)


def main():
    threads = int(os.environ.get("THREADS", "1"))
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    data, ntrain = mc.Data(sys.argv[1]), int(sys.argv[2])
    rows, predictors = {}, {}
    cross_entropy = torch.nn.functional.cross_entropy

    def train(act, opt, shape, batch, epochs):
        key = (act, opt, shape, batch)
        if key not in rows:
            w = mc.sizes(shape)
            model = network(w, act)
            x = torch.from_numpy(data.features(w[0])[:ntrain].copy())
            y = torch.from_numpy(data.labels(w[-1])[:ntrain].copy())
            rows[key] = (model, {k: v.clone() for k, v in model.state_dict().items()}, x, y)
        model, initial, x, y = rows[key]
        model.load_state_dict(initial)
        opt_ = optimizer(opt, model.parameters())
        g = torch.Generator().manual_seed(3)
        n, loss, steps = x.shape[0], None, 0
        t0 = time.perf_counter()
        for _ in range(epochs):
            perm = torch.randperm(n, generator=g)
            for start in range(0, n, batch):
                idx = perm[start:start + batch]
                opt_.zero_grad(set_to_none=True)
                loss = cross_entropy(model(x.index_select(0, idx)), y.index_select(0, idx))
                loss.backward()
                opt_.step()
                steps += 1
        seconds = time.perf_counter() - t0
        return seconds, steps, float(loss)

    def predict(act, shape, batch, calls):
        key = (act, shape, batch)
        if key not in predictors:
            w = mc.sizes(shape)
            predictors[key] = (network(w, act), torch.from_numpy(data.features(w[0])[:batch].copy()))
        model, x = predictors[key]
        with torch.inference_mode():
            t0 = time.perf_counter()
            for _ in range(calls):
                p = torch.softmax(model(x), dim=1)
            seconds = time.perf_counter() - t0
        return seconds, float(p[0, 0])

    mc.serve(f"torch{threads}", train, predict, f"torch={torch.__version__} intra-op-threads={torch.get_num_threads()}")


if __name__ == "__main__":
    main()
