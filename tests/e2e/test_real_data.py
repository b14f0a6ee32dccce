"""test_real_data.py - the real-data experiments run as written (experiments/camera.ini).

jobs/install-experiment-data.sh installs Debian's python3-skimage / python3-sklearn when
missing and links their files into experiments/data/; where that cannot be done (no root,
no network) the test prints why and exits 77, which ctest reports as skipped.

- camera.ini runs from its own directory's names (512 x 512: the image stays out of
  /instances, its SHA-256 in input_files).
- Every run's PSNR is above the noisy image's (numpy's 10 log10(1 / mse) of the stored noisy
  image against the clean one) by 1 dB or more, the best run's by 5 dB or more, and the best
  run's recorded PSNR equals numpy's on its final image against PIL's camera.png / 255.
"""
import os

import h5py
import numpy as np
from PIL import Image

import gdtest
from gdtest import check

def psnr(u, clean):
    return 10 * np.log10(1.0 / np.mean((u - clean) ** 2))


def check_camera(d):
    grid = os.path.join(gdtest.SOURCE, "experiments", "camera.ini")
    out = os.path.join(d, "camera.h5")
    gdtest.sweep(grid, out)
    camera = os.path.join(gdtest.SOURCE, "experiments", "data", "camera.png")
    want = np.array(Image.open(camera).convert("L"), dtype=np.float64) / 255.0
    runs = gdtest.runs_table(out)
    with h5py.File(out, "r") as f:
        inst = f["instances"][str(int(runs["instance"][0]))]
        noisy = inst["noisy"][...]
        check("clean" not in inst, "the file's image (over 131,072 values) is not copied "
              "into /instances (input_files' SHA-256 stands for it)")
        best = int(np.argmax(runs["psnr"]))
        o, n = int(runs["final_offset"][best]), int(runs["final_count"][best])
        final = f["final/x"][o:o + n].reshape(want.shape)
    clean = want
    check(clean.shape == (512, 512), "camera.png is 512 x 512")
    before = psnr(noisy, clean)
    worst = float(np.min(runs["psnr"]))
    check(worst >= before + 1 and runs["psnr"][best] >= before + 5,
          f"every run improves the PSNR (by 1 dB or more, the best by 5): noisy "
          f"{before:.2f} dB, worst run {worst:.2f}, best {runs['psnr'][best]:.2f}")
    check(abs(runs["psnr"][best] - psnr(final, clean)) <= 1e-9 * runs["psnr"][best],
          "the best run's recorded PSNR is numpy's on its final image against PIL's "
          "camera.png / 255 (the image denoised is the file's)")


def main():
    gdtest.install_experiment_data()
    d = gdtest.workdir()
    check_camera(d)
    gdtest.finish()


main()
