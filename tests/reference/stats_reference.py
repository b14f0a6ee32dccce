"""stats_reference.py - scipy/numpy's numbers that tests/test_stats.c hard-codes (run: /usr/bin/python3 THIS).

Prints one C initializer line per case: the Wilcoxon statistic and two-sided p-value of
scipy.stats.wilcoxon with the options docs/STATISTICS.md names (exact without zeros or ties
and n <= 50; else zero_method="pratt", correction=False, method="approx"), and numpy's
percentile (linear) of a fixed array. Made with scipy 1.10.1 and numpy 1.24.2 (Debian 12).
"""
import numpy as np
from scipy import stats

CASES = {
    "exact_corn": [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75],
    "exact_all_positive": [0.5, 1.25, 2.0, 3.5, 0.75, 4.0, 9.0],
    "exact_centre": [1, -2, -3, 4, 5, -6, -7, 8],
    "approx_ties_zeros": [1.5, -0.5, 0, 2, 2, -3, 0, 4.5, 1.5, 2, -1, 5],
    "approx_ties_small": [1, 1, -1, 2, 3, 3, 4],
    "approx_large": [float(np.sin(1.7 * i) * (i + 1)) for i in range(60)],
    "approx_infinite": [np.inf, np.inf, -np.inf, 1.0, 2.0, -0.5, 0.0, 3.0],
}
# scipy returns NaN for infinite differences; gdsweep ranks them above every finite one
# (a run that failed against one that did not), as a huge finite value would rank.
HUGE = 1e300


def variant(d):
    d = np.clip(np.asarray(d, float), -HUGE, HUGE)
    exact = len(d) <= 50 and not (d == 0).any() and len(np.unique(np.abs(d))) == len(d)
    if exact:
        return stats.wilcoxon(d, method="exact"), 1
    return stats.wilcoxon(d, zero_method="pratt", correction=False, method="approx"), 0


def main():
    for name, d in CASES.items():
        r, exact = variant(d)
        print(f"/* {name} */ {{{r.statistic!r}, {float(r.pvalue)!r}, {exact}}},")
    v = np.array([3.0, -1.0, 7.5, 2.25, 0.0, 11.0, 4.0, 4.0, -6.0, 1.0])
    print("/* percentiles of", sorted(v), "*/",
          [float(np.percentile(v, q * 100)) for q in (0.025, 0.25, 0.5, 0.975)])


if __name__ == "__main__":
    main()
