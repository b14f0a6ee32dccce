"""test_denoise_memory.py - a large denoise run holds the arrays it needs, not copies (issue 18).

One denoise run of a 2048x2048 image (an array of n doubles is 32 MiB) may peak, above the
peak of the same grid on a 16x16 image (the process itself), at the arrays the run needs
plus half an array for the rest (row buffers, HDF5): x, its gradient, the noisy image
(also the start point) and the clean one (for PSNR) with gd, and adam's two state vectors
besides. The instance's inputs and the final point reach the file without copies. Before
this was fixed, the instance kept a copy of the noisy image as x0, and the result batch
copies of clean, noisy and the final point: 8.1 arrays with gd, 10.1 with adam.

The peak is gdsweep's ru_maxrss (os.wait4 in a bare interpreter). The file still holds what it must, checked
with numpy: clean is sin(5x) cos(5y) on linspace(-1, 1), noisy is clean plus noise of the
grid's standard deviation, and the PSNR of the stored final point against clean is the
runs table's.
"""
import os
import subprocess
import sys

import h5py
import numpy as np

import gdtest
from gdtest import check

SIZE = 2048
ARRAY_MIB = SIZE * SIZE * 8 / 2**20
MARGIN = 0.5  # arrays: row buffers, the runs table, HDF5's own buffers


def grid(size, optimizer, save_final="true"):
    return f"""[sweep]
name = denoise_memory
seed = 4
iterations = 3

[problem img]
type = denoise
size = {size}
noise = 0.2
lambda = 0.3
save_final = {save_final}

[optimizer {optimizer}]
lr = 0.01
"""


# A child's peak counts what it held before its exec: the forking process's pages. So a
# bare interpreter (no numpy: a few MiB, below gdsweep's own) starts gdsweep and reports
# its ru_maxrss in KiB.
LAUNCHER = """import os, sys
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ,
                     file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)])
_, status, usage = os.wait4(pid, 0)
print(usage.ru_maxrss)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def peak_mib(d, name, text):
    """Peak resident MiB of one single-threaded sweep of the grid TEXT."""
    path = gdtest.write_grid(d, name, text)
    out = os.path.join(d, name + ".h5")
    cmd = gdtest.command(path, "-o", out, "--quiet", "--threads", "1")
    p = subprocess.run([sys.executable, "-I", "-S", "-c", LAUNCHER, *cmd],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr}")
    return int(p.stdout) / 1024.0, out


def check_results(out):
    """clean, noisy and the final point's PSNR against numpy."""
    runs = gdtest.runs_table(out)
    with h5py.File(out, "r") as f:
        clean, noisy = f["instances/0/clean"][()], f["instances/0/noisy"][()]
        o, n = int(runs["final_offset"][0]), int(runs["final_count"][0])
        final = f["final/x"][o:o + n].reshape(SIZE, SIZE)
    xs = np.linspace(-1, 1, SIZE)
    want = np.sin(5 * xs)[None, :] * np.cos(5 * xs)[:, None]
    check(np.allclose(clean, want, rtol=0, atol=1e-14), "clean is sin(5x) cos(5y)")
    sd = float(np.std(noisy - clean))
    check(abs(sd - 0.2) < 0.002, f"noisy is clean plus noise of sd 0.2 ({sd:.4f})")
    mse = float(np.mean((final - want) ** 2))
    psnr = 10 * np.log10((want.max() - want.min()) ** 2 / mse)
    check(abs(psnr - runs["psnr"][0]) < 1e-9 * psnr,
          f"the stored final point's PSNR is the table's ({psnr:.12g} vs {runs['psnr'][0]:.12g})")


def main():
    d = gdtest.workdir()
    base, _ = peak_mib(d, "tiny", grid(16, "gd"))
    print(f"the process alone: {base:.1f} MiB; an array: {ARRAY_MIB:.0f} MiB")
    cases = [("gd", "true", 4), ("gd", "false", 4), ("adam", "true", 6)]
    for optimizer, save_final, needed in cases:
        mib, out = peak_mib(d, f"{optimizer}_{save_final}", grid(SIZE, optimizer, save_final))
        arrays = (mib - base) / ARRAY_MIB
        check(arrays <= needed + MARGIN,
              f"{optimizer}, save_final = {save_final}: peak {mib:.1f} MiB = {arrays:.2f} "
              f"arrays above the process, at most {needed} + {MARGIN}")
        if optimizer == "gd" and save_final == "true":
            check_results(out)
    gdtest.finish()


if __name__ == "__main__":
    main()
