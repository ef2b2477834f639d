"""scikit-learn MLPClassifier (float64, plain SGD: no momentum, no L2) equivalents of the workloads; prints key=value timings.

Optional in bench/compare.sh: it runs only when `import sklearn` works (apt-get install -y python3-sklearn)."""
import sys
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

import common


def mlp(hidden, batch, lr, epochs):
    # solver="sgd" with momentum 0 and alpha 0 is plain mini-batch SGD on the mean cross-entropy, as the other columns.
    return MLPClassifier(hidden_layer_sizes=hidden, activation="relu", solver="sgd", alpha=0.0, batch_size=batch,
                         learning_rate="constant", learning_rate_init=lr, momentum=0.0, nesterovs_momentum=False,
                         max_iter=epochs, shuffle=True, random_state=0, tol=0.0, n_iter_no_change=10**9)


def main():
    import sklearn
    folder = sys.argv[1]
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    x, y = common.load(folder, "mnist")
    mlp((common.MNIST_H, common.MNIST_H), 128, 0.01, 1).fit(x[:2048], y[:2048])  # warm-up
    print(f"sklearn_version={sklearn.__version__}")
    mnist = lambda: mlp((common.MNIST_H, common.MNIST_H), 128, 0.01, 1).fit(x, y)
    print(f"sklearn_mnist_epoch_seconds={common.median_seconds(mnist, common.REPEATS):.3f}")
    sx, sy = common.load(folder, "small")
    small = lambda: mlp((common.SMALL_H,), 64, 0.1, 200).fit(sx, sy)
    print(f"sklearn_small_seconds={common.median_seconds(small, common.REPEATS):.4f}")


if __name__ == "__main__":
    main()
