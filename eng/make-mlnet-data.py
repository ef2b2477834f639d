#!/usr/bin/env python3
"""Writes data/wine.csv, data/breast_cancer.csv and data/diabetes.csv (and their 80/20 splits) from the copies that
Debian's python3-sklearn bundles (/usr/lib/python3/dist-packages/sklearn/datasets/data), in the format of data/README.md.
The split is stratified for the classifiers, drawn with random.Random(20) (file order within each class, shuffled)."""
import csv, gzip, random, sys
src = sys.argv[1] if len(sys.argv) > 1 else "/usr/lib/python3/dist-packages/sklearn/datasets/data"
num = lambda s: repr(float(s)).removesuffix(".0") if float(s).is_integer() else repr(float(s))

def write(name, header, rows, stratify):
    with open(f"data/{name}.csv", "w", newline="") as f:
        f.write(",".join(header) + "\n")
        for r in rows: f.write(",".join(r) + "\n")
    rng = random.Random(20)
    groups = {}
    for i, r in enumerate(rows): groups.setdefault(r[-1] if stratify else "", []).append(i)
    test = set()
    for key in sorted(groups):
        idx = groups[key][:]; rng.shuffle(idx)
        test.update(idx[:round(len(idx) * 0.2)])
    with open(f"data/splits/{name}.csv", "w") as f:
        f.write("row,split\n")
        for i in range(len(rows)): f.write(f"{i},{'test' if i in test else 'train'}\n")

wine = list(csv.reader(open(f"{src}/wine_data.csv")))[1:]
write("wine", ["alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols", "flavanoids",
               "nonflavanoid_phenols", "proanthocyanins", "color_intensity", "hue", "od280_od315", "proline", "label"],
      [[num(v) for v in r[:-1]] + [r[-1]] for r in wine], True)

cancer = list(csv.reader(open(f"{src}/breast_cancer.csv")))[1:]
parts = ["radius", "texture", "perimeter", "area", "smoothness", "compactness", "concavity", "concave_points", "symmetry", "fractal_dimension"]
write("breast_cancer", [f"{k}_{p}" for k in ("mean", "error", "worst") for p in parts] + ["label"],
      [[num(v) for v in r[:-1]] + [r[-1]] for r in cancer], True)

x = [l.split() for l in gzip.open(f"{src}/diabetes_data_raw.csv.gz", "rt").read().splitlines() if l.strip()]
y = [l.strip() for l in gzip.open(f"{src}/diabetes_target.csv.gz", "rt").read().splitlines() if l.strip()]
assert len(x) == len(y) == 442
write("diabetes", ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6", "target"],
      [[num(v) for v in a] + [num(t)] for a, t in zip(x, y)], False)
