"""test_image_formats.py - denoise reads PGM (libnetpbm) and HDF5 datasets (FILE.h5:/PATH).

- The same samples as PNG, binary PGM (P5), plain PGM (P2) and an HDF5 dataset, 8 and 16
  bits, give bit-identical runs (every result column, trajectory, final point and stored
  image); the stored image is numpy's samples / 255 (or / 65535), an image larger than a
  row block and a tile.
- noise = 0 denoises the file as it is: no PSNR (NaN), the energy recorded; noise > 0 gives
  PSNR against the file's image (numpy's 10 log10(1 / mse)).
- Two datasets of one .h5 file: one line per name in input_files, both with the SHA-256 of
  the file's bytes; two ranks, and three ranks of one thread, write the same results as one.
- Bad inputs (no dataset, wrong rank, NaN, values outside [0, 1], a .h5 named without its
  dataset, a bad PGM header, a cut PGM) stop the sweep before anything is created: exit 2,
  one line naming grid:line and the file.
- --resume is refused after the .h5 file changed (one sample), the output untouched.
"""
import hashlib
import os
import shutil

import h5py
import numpy as np
from PIL import Image

import gdtest
from gdtest import check, text

RNG = np.random.default_rng(13)


def write_pgm(path, a, maxval, plain=False):
    h, w = a.shape
    header = f"P{2 if plain else 5}\n# written by the test\n{w} {h}\n{maxval}\n".encode()
    if plain:
        body = "\n".join(" ".join(str(v) for v in row) for row in a).encode() + b"\n"
    else:
        body = a.astype(">u2" if maxval > 255 else "u1").tobytes()
    with open(path, "wb") as f:
        f.write(header + body)


def make_files(d):
    """Names of the same 8-bit image in each format, and of the same 16-bit image."""
    a8 = RNG.integers(0, 256, (70, 150), dtype=np.uint8)
    a16 = RNG.integers(0, 65536, (40, 33), dtype=np.uint16)
    Image.fromarray(a8, "L").save(os.path.join(d, "a8.png"))
    Image.fromarray(a16, "I;16").save(os.path.join(d, "a16.png"))
    check(np.array_equal(np.array(Image.open(os.path.join(d, "a16.png"))), a16),
          "PIL wrote the 16-bit PNG's samples as given")
    write_pgm(os.path.join(d, "a8.pgm"), a8, 255)
    write_pgm(os.path.join(d, "a8p.pgm"), a8, 255, plain=True)
    write_pgm(os.path.join(d, "a16.pgm"), a16, 65535)
    with h5py.File(os.path.join(d, "img.h5"), "w") as f:
        f["a8"] = a8
        f["deep/a16"] = a16
        f["line"] = np.zeros(10)
        f["nan"] = np.where(np.arange(12).reshape(3, 4) == 6, np.nan, 0.5)
        f["bright"] = np.full((3, 3), 1.25)
    return {"a8.png": ["a8.pgm", "a8p.pgm", "img.h5:/a8"],
            "a16.png": ["a16.pgm", "img.h5:/deep/a16"]}, {"a8.png": a8 / 255.0,
                                                           "a16.png": a16 / 65535.0}


GRID = """[sweep]
iterations = 6
[problem den]
type = denoise
image = {image}
noise = 0, 0.05
save_final = true
[optimizer gd]
lr = 0.05
[optimizer adam]
lr = 0.01
"""


def run(d, image, **kwargs):
    name = image.replace(":", "_").replace("/", "_").replace(".", "_")
    grid = gdtest.write_grid(d, name, GRID.format(image=image))
    out = os.path.join(d, name + ".h5out")
    gdtest.sweep(grid, out, **kwargs)
    return out


def check_same_runs(d, same, clean):
    for png, others in same.items():
        ref = run(d, png)
        with h5py.File(ref, "r") as f:
            stored = [g["clean"][...] for g in f["instances"].values()]
        check(all(np.array_equal(s, clean[png]) for s in stored),
              f"{png}: the stored image is numpy's samples scaled to [0, 1]")
        check_psnr(ref, clean[png])
        for other in others:
            diff = gdtest.sweep_differences(ref, run(d, other))
            check(not diff, f"{other} gives the very runs of {png} ({diff[:3]})")


def check_psnr(out, clean):
    runs = gdtest.runs_table(out)
    with h5py.File(out, "r") as f:
        for i in range(len(runs["run_id"])):
            o, n = int(runs["final_offset"][i]), int(runs["final_count"][i])
            x = f["final/x"][o:o + n].reshape(clean.shape) if n else None
            if runs["noise"][i] == 0:
                check(np.isnan(runs["psnr"][i]) and np.isfinite(runs["loss_final"][i]),
                      f"run {i}: noise = 0 records no PSNR, but the energy")
            elif x is not None:
                want = 10 * np.log10(1.0 / np.mean((x - clean) ** 2))
                check(abs(runs["psnr"][i] - want) <= 1e-9 * abs(want),
                      f"run {i}: PSNR {runs['psnr'][i]:.6f} is numpy's {want:.6f}")


def check_one_file_two_datasets(d):
    grid = gdtest.write_grid(d, "two", GRID.format(image="img.h5:/a8, img.h5:/deep/a16"))
    one, two = os.path.join(d, "two1.h5out"), os.path.join(d, "two2.h5out")
    gdtest.sweep(grid, one)
    with open(os.path.join(d, "img.h5"), "rb") as fh:
        digest = hashlib.sha256(fh.read()).hexdigest()
    with h5py.File(one, "r") as f:
        lines = text(f.attrs["input_files"]).splitlines()
    rows = sorted(tuple(l.split("\t")[1:]) for l in lines)
    check(rows == [("img.h5:/a8", digest), ("img.h5:/deep/a16", digest)],
          f"input_files: each dataset's name with the file's SHA-256 ({rows})")
    gdtest.sweep(grid, two, mpi_ranks=2)
    diff = gdtest.sweep_differences(one, two)
    check(not diff, f"two ranks write the same results as one ({diff[:3]})")
    three = os.path.join(d, "two3.h5out")
    gdtest.sweep(grid, three, "--threads", "1", mpi_ranks=3)
    diff = gdtest.sweep_differences(one, three)
    check(not diff, f"three ranks of one thread write the same results ({diff[:3]})")


def check_bad_inputs(d):
    with open(os.path.join(d, "a8.pgm"), "rb") as fh:
        pgm = fh.read()
    with open(os.path.join(d, "cut.pgm"), "wb") as fh:
        fh.write(pgm[:len(pgm) - 10])
    with open(os.path.join(d, "zero.pgm"), "wb") as fh:
        fh.write(b"P5\n4 4\n0\n" + bytes(16))
    cases = {"img.h5:/none": "no such dataset", "img.h5:/line": "1-dimensional",
             "img.h5:/nan": "value [1][2] is nan", "img.h5:/bright": "outside [0, 1]",
             "img.h5": "name its image's 2-D dataset", "a8.png:/x": "cannot open",
             "cut.pgm": "give a valid PGM file", "zero.pgm": "maxval"}
    for name, words in cases.items():
        grid = gdtest.write_grid(d, "bad", f"""[problem den]
type = denoise
image = a8.pgm, {name}
[optimizer gd]
lr = 0.1
""")
        gdtest.check_bad_file(grid, 3, name, words)


def check_resume_refused(d):
    shutil.copy(os.path.join(d, "img.h5"), os.path.join(d, "res.h5"))
    grid = gdtest.write_grid(d, "res", GRID.format(image="res.h5:/a8"))
    out = os.path.join(d, "res.h5out")
    gdtest.sweep(grid, out, "--shard", "1/2")
    p = gdtest.sweep(grid, out, "--shard", "1/2", "--resume", check_rc=False)
    check(p.returncode == 0, f"--resume with the same .h5 is accepted ({p.stderr.strip()})")
    with h5py.File(os.path.join(d, "res.h5"), "r+") as f:
        f["a8"][0, 0] ^= 1
    with open(out, "rb") as fh:
        before = fh.read()
    p = gdtest.sweep(grid, out, "--shard", "1/2", "--resume", check_rc=False)
    with open(out, "rb") as fh:
        after = fh.read()
    check(p.returncode == 2 and "res.h5:/a8" in p.stderr and before == after,
          f"--resume after one sample of the .h5 changed: exit 2 naming the file, output "
          f"untouched ({p.returncode}: {p.stderr.strip()})")


def main():
    d = gdtest.workdir()
    same, clean = make_files(d)
    check_same_runs(d, same, clean)
    check_one_file_two_datasets(d)
    check_bad_inputs(d)
    check_resume_refused(d)
    shutil.rmtree(d)
    gdtest.finish()


main()
