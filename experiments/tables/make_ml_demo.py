"""make_ml_demo.py - writes ml_demo.csv, the table of experiments/ml.ini (numpy, seed 2026).

400 rows: four features x1..x4 (Gaussian, different scales and offsets) and three targets
computed from them: `response` (linear plus noise, for leastsq), `binary` (0/1, for logreg)
and `label` (0, 1, 2, for softmax). Run: /usr/bin/python3 experiments/tables/make_ml_demo.py
"""
import os

import numpy as np

rng = np.random.default_rng(2026)
x = rng.normal(size=(400, 4)) * [1.0, 10.0, 0.1, 3.0] + [0.0, 50.0, -1.0, 2.0]
z = (x - [0.0, 50.0, -1.0, 2.0]) / [1.0, 10.0, 0.1, 3.0] @ [1.0, -0.5, 0.8, 0.3]
response = 2.0 * z + 1.0 + rng.normal(size=400)
noisy = z + rng.normal(size=400)
binary = (noisy > 0).astype(int)
label = (noisy > -0.7).astype(int) + (noisy > 0.7).astype(int)
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ml_demo.csv")
with open(out, "w") as fh:
    fh.write("x1,x2,x3,x4,response,binary,label\n")
    for row, r, b, k in zip(x, response, binary, label):
        fh.write(",".join(f"{v:.10g}" for v in row) + f",{r:.10g},{b},{k}\n")
