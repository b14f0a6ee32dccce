"""sklearn_tables.py - scikit-learn's bundled datasets as CSV tables gdsweep reads as they are.

Debian's python3-sklearn ships breast_cancer.csv, wine_data.csv, iris.csv and digits.csv.gz
under sklearn/datasets/data/, but not as plain tables: the first line of the first three
holds counts and class names ("569,30,malignant,benign"), and digits has no header at all.
This writes each as a CSV whose header names the columns (scikit-learn's feature names with
spaces and other non-identifier characters as '_', so `features = a b c` can name them;
the label column is `target`) and whose data rows are the shipped rows, byte for byte.

Usage: /usr/bin/python3 jobs/sklearn_tables.py OUTDIR   (run by
jobs/install-experiment-data.sh; needs python3-sklearn)
"""
import gzip
import os
import re
import sys

import sklearn
from sklearn import datasets

SOURCE = os.path.join(os.path.dirname(sklearn.__file__), "datasets", "data")

# output name, shipped file, loader (for the feature names), header line present
TABLES = [
    ("breast_cancer.csv", "breast_cancer.csv", datasets.load_breast_cancer, True),
    ("wine.csv", "wine_data.csv", datasets.load_wine, True),
    ("iris.csv", "iris.csv", datasets.load_iris, True),
    ("digits.csv.gz", "digits.csv.gz", datasets.load_digits, False),
]


def column_name(feature):
    return re.sub(r"[^0-9A-Za-z]+", "_", feature).strip("_")


def shipped_rows(path, has_header):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", newline="") as fh:
        lines = fh.read().splitlines()
    return lines[1:] if has_header else lines


def write_table(out_dir, name, source, loader, has_header):
    names = [column_name(f) for f in loader().feature_names] + ["target"]
    rows = shipped_rows(os.path.join(SOURCE, source), has_header)
    if any(r.count(",") != len(names) - 1 for r in rows if r):
        sys.exit(f"{source}: a row has another number of fields than {len(names)}")
    text = ",".join(names) + "\n" + "\n".join(r for r in rows if r) + "\n"
    path = os.path.join(out_dir, name)
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "wt", newline="") as fh:
        fh.write(text)
    print(f"{path}: {len(rows)} rows, {len(names) - 1} features and target")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: sklearn_tables.py OUTDIR")
    os.makedirs(sys.argv[1], exist_ok=True)
    for name, source, loader, has_header in TABLES:
        write_table(sys.argv[1], name, source, loader, has_header)


main()
