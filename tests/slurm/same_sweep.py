"""same_sweep.py - exit 0 when two gdsweep files hold bit-identical results, else 1.

Usage: /usr/bin/python3 tests/slurm/same_sweep.py A.h5 B.h5
Compares with tests/e2e/gdtest.py's sweep_differences (every result column, trajectory,
path, final point and instance input; not where or when a run ran).
"""
import os
import sys

os.environ.setdefault("GD_BINARY", "unused")  # gdtest wants it; nothing here runs gdsweep
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from gdtest import sweep_differences  # noqa: E402

if len(sys.argv) != 3:
    sys.exit(__doc__.strip())
for path in sys.argv[1:]:
    if not os.path.isfile(path):
        sys.exit(f"{path}: no such file")
differences = sweep_differences(sys.argv[1], sys.argv[2])
if differences:
    print(f"{len(differences)} difference(s), e.g. {', '.join(differences[:5])}")
    sys.exit(1)
print("identical results")
