"""`nn train` with its defaults against scikit-learn's MLP (its defaults) and a linear baseline, on scikit-learn's bundled
diabetes, wine and breast-cancer sets: one fixed 80/20 split per set (random_state 0, stratified for classification),
5 seeds each; prints a Markdown table of test metrics (mean, min–max over seeds).

    apt-get install -y python3-sklearn        # scikit-learn's datasets, models and metrics
    dotnet build src/Nn.Cli -c Release
    /usr/bin/python3 bench/sklearn_defaults.py [NN_DLL] [WORK_DIR]

Both sides get standardised features (nn's default `--scale standard`; scikit-learn through a StandardScaler in the
pipeline, as its user guide recommends for MLPs). Nothing here is tuned: every model runs with its defaults."""
import json
import os
import subprocess
import sys
import warnings

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, log_loss, r2_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

SEEDS = range(5)
SETS = [("diabetes", load_diabetes, "regression"), ("wine", load_wine, "classification"),
        ("breast-cancer", load_breast_cancer, "classification")]


def write_csv(path, x, y, names):
    with open(path, "w") as f:
        f.write(",".join(names + ["target"]) + "\n")
        for row, t in zip(x, y):
            f.write(",".join(repr(float(v)) for v in row) + "," + (repr(float(t)) if isinstance(t, float) else str(t)) + "\n")


def nn_metrics(dll, work, name, task, seed):
    out = os.path.join(work, f"{name}-{seed}.safetensors")
    args = ["dotnet", dll, "train", "--data", os.path.join(work, f"{name}-train.csv"),
            "--test-data", os.path.join(work, f"{name}-test.csv"), "--task", task, "--seed", str(seed),
            "--out", out, "--json", "--quiet"]
    result = json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)
    test = result["test"]
    return (test["r2"],) if task == "regression" else (test["accuracy"], test["log_loss"])


def sk_metrics(model, task, x_test, y_test):
    if task == "regression":
        return (r2_score(y_test, model.predict(x_test)),)
    return (accuracy_score(y_test, model.predict(x_test)), log_loss(y_test, model.predict_proba(x_test)))


def summary(values):
    values = np.array(values)
    return f"{values.mean():.3f} ({values.min():.3f}–{values.max():.3f})"


def main():
    dll = sys.argv[1] if len(sys.argv) > 1 else "src/Nn.Cli/bin/Release/net10.0/nn.dll"
    work = sys.argv[2] if len(sys.argv) > 2 else "/tmp/nn-sklearn-defaults"
    os.makedirs(work, exist_ok=True)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    print("| data set (train/test rows) | metric | nn defaults | MLP defaults (scikit-learn) | MLP, early stopping + scaled target | linear baseline |")
    print("|---|---|---|---|---|---|")
    for name, load, task in SETS:
        data = load()
        x, y = data.data, data.target
        if task == "regression":
            y = y.astype(float)
        x_train, x_test, y_train, y_test = train_test_split(
            x, y, test_size=0.2, random_state=0, stratify=None if task == "regression" else y)
        names = [n.replace(" ", "_") for n in data.feature_names]
        write_csv(os.path.join(work, f"{name}-train.csv"), x_train, y_train, names)
        write_csv(os.path.join(work, f"{name}-test.csv"), x_test, y_test, names)
        nn = [nn_metrics(dll, work, name, task, s) for s in SEEDS]
        if task == "regression":
            mlp = lambda s: make_pipeline(StandardScaler(), MLPRegressor(random_state=s))
            tuned = lambda s: TransformedTargetRegressor(
                make_pipeline(StandardScaler(), MLPRegressor(random_state=s, early_stopping=True)), transformer=StandardScaler())
            linear = make_pipeline(StandardScaler(), Ridge()).fit(x_train, y_train)
            metrics = ["test R²"]
        else:
            mlp = lambda s: make_pipeline(StandardScaler(), MLPClassifier(random_state=s))
            tuned = lambda s: make_pipeline(StandardScaler(), MLPClassifier(random_state=s, early_stopping=True))
            linear = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(x_train, y_train)
            metrics = ["test accuracy", "test log loss"]
        sk = [sk_metrics(mlp(s).fit(x_train, y_train), task, x_test, y_test) for s in SEEDS]
        sk2 = [sk_metrics(tuned(s).fit(x_train, y_train), task, x_test, y_test) for s in SEEDS]
        lin = sk_metrics(linear, task, x_test, y_test)
        for i, metric in enumerate(metrics):
            label = f"{name} ({len(y_train)}/{len(y_test)})" if i == 0 else ""
            print(f"| {label} | {metric} | {summary([m[i] for m in nn])} | {summary([m[i] for m in sk])} | "
                  f"{summary([m[i] for m in sk2])} | "
                  f"{lin[i]:.3f} |")


if __name__ == "__main__":
    main()
