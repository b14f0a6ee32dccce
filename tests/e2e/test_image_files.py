"""test_image_files.py - denoise reads the user's PNG (`image = FILE`), checked against PIL and numpy.

- The image each run denoises ("clean" of its instance) is the file's samples scaled to
  [0, 1], as PIL reads them: 8-bit, 16-bit, 1-bit, palette (also with a transparent
  entry), with alpha (ignored), and colour as Rec. 709 luminance of the stored values.
- On rectangular images larger than a row block (32 rows) and a tile (128 columns), in both
  orientations, the energy and one gradient step equal a numpy transcription of the
  model (docs/PROBLEMS.md) to 1e-12; PSNR is numpy's 10 log10(1 / mse) against the file;
  noise = 0 records no PSNR but the energy; every file meets the same noise field.
- Names are relative to the grid's directory; the runs table holds the index of the name
  in the root attribute input_files (name and SHA-256 of each file), instances the name;
  analysis.reader.load_runs, `gdsweep summary` and the report show the name.
- Bad files (missing, not a PNG, cut short, 1 pixel high, a FIFO) stop the sweep before
  anything is created (and never block): exit 2, one line naming grid:line and the file.
- The sweep's identity covers the files' contents: --resume and merge refuse a changed
  file without touching anything, and accept the same contents under another name.
- Two ranks write the same results as one.
"""
import hashlib
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np
from PIL import Image

import gdtest
from gdtest import check, text

RNG = np.random.default_rng(7)


def save(directory, name, array, mode, **options):
    path = os.path.join(directory, name)
    Image.fromarray(array, mode=mode).save(path, **options)
    return path


def make_images(d):
    """name -> expected values in [0, 1] (None: colour, checked separately)."""
    expected = {}
    g8 = RNG.integers(0, 256, (70, 300), dtype=np.uint8)
    save(d, "wide.png", g8, "L")
    expected["wide.png"] = g8 / 255.0
    g16 = RNG.integers(0, 65536, (300, 45), dtype=np.uint16)
    save(d, "tall16.png", g16, "I;16")
    expected["tall16.png"] = np.array(Image.open(os.path.join(d, "tall16.png")),
                                      dtype=np.float64) / 65535.0
    bits = RNG.integers(0, 2, (9, 13), dtype=np.uint8) * 255
    Image.fromarray(bits, mode="L").convert("1").save(os.path.join(d, "bits.png"))
    expected["bits.png"] = (np.array(Image.open(os.path.join(d, "bits.png"))) > 0) * 1.0
    small = RNG.integers(0, 256, (21, 19), dtype=np.uint8)
    save(d, "small.png", small, "L")
    expected["small.png"] = small / 255.0
    rgba = RNG.integers(0, 256, (12, 20, 4), dtype=np.uint8)
    save(d, "rgba.png", rgba, "RGBA")
    expected["rgba.png"] = None
    pal = Image.fromarray(RNG.integers(0, 256, (15, 11, 3), dtype=np.uint8), "RGB")
    pal.convert("P", palette=Image.ADAPTIVE, colors=16).save(os.path.join(d, "pal.png"))
    expected["pal.png"] = None
    pal.convert("P", palette=Image.ADAPTIVE, colors=16).save(os.path.join(d, "trns.png"),
                                                             transparency=0)
    expected["trns.png"] = None
    return expected


def luminance(path):
    rgb = np.array(Image.open(path).convert("RGB"), dtype=np.float64) / 255.0
    return 0.2126 * rgb[..., 0] + 0.7152 * rgb[..., 1] + 0.0722 * rgb[..., 2]


def instances_by_image(path):
    out = {}
    with h5py.File(path, "r") as f:
        for k, g in f["instances"].items():
            out.setdefault(text(g.attrs["image"]), []).append(
                {"clean": g["clean"][...], "noisy": g["noisy"][...], "id": int(k)})
    return out


def check_values(d):
    expected = make_images(d)
    names = ", ".join(expected)
    grid = gdtest.write_grid(d, "values", f"""[sweep]
iterations = 1
[problem den]
type = denoise
image = {names}
noise = 0, 0.05
save_final = true
[optimizer gd]
lr = 0.1
""")
    out = os.path.join(d, "values.h5")
    elsewhere = os.path.join(d, "cwd")
    os.mkdir(elsewhere)
    p = subprocess.run(gdtest.command(grid, "-o", out, "--quiet"), cwd=elsewhere,
                       capture_output=True, text=True)
    check(p.returncode == 0, f"a grid naming {len(expected)} images runs from another "
          f"directory (names relative to the grid's): {p.stderr.strip()}")
    inst = instances_by_image(out)
    for name, want in expected.items():
        got = inst.get(name, [{}])[0].get("clean")
        if want is None:
            want = luminance(os.path.join(d, name))
            ok = got is not None and got.shape == want.shape and \
                np.max(np.abs(got - want)) <= 1e-15
            check(ok, f"{name}: Rec. 709 luminance of PIL's RGB samples (to 1e-15)")
        else:
            ok = got is not None and got.shape == want.shape and np.array_equal(got, want)
            check(ok, f"{name}: the stored image equals PIL's samples scaled to [0, 1]")
    check_model(out, inst)
    check_table(out, d, list(expected))
    return grid, out


def check_model(out, inst):
    runs = gdtest.runs_table(out)
    with h5py.File(out, "r") as f:
        finals = [f["final/x"][int(o):int(o) + int(n)]
                  for o, n in zip(runs["final_offset"], runs["final_count"])]
        images = {int(k): text(g.attrs["image"]) for k, g in f["instances"].items()}
    by_instance = {e["id"]: e for v in inst.values() for e in v}
    worst = 0.0
    for i in range(len(runs["run_id"])):
        e = by_instance[int(runs["instance"][i])]
        f0 = e["noisy"]
        e0, g0 = gdtest.tv_energy(f0, f0, 0.1, 0.1)
        x1 = f0 - 0.1 * g0
        e1, _ = gdtest.tv_energy(x1, f0, 0.1, 0.1)
        got_x1 = finals[i].reshape(f0.shape)
        worst = max(worst, abs(runs["loss_initial"][i] - e0) / e0,
                    abs(runs["loss_final"][i] - e1) / e1,
                    np.max(np.abs(got_x1 - x1)) / np.max(np.abs(x1)))
        if runs["noise"][i] > 0:
            psnr = 10 * np.log10(1.0 / np.mean((got_x1 - e["clean"]) ** 2))
            check(abs(runs["psnr"][i] - psnr) <= 1e-9 * abs(psnr),
                  f"run {i} ({images[int(runs['instance'][i])]}): PSNR {runs['psnr'][i]:.6f} "
                  f"is numpy's 10 log10(1/mse) {psnr:.6f}")
        else:
            check(np.isnan(runs["psnr"][i]) and np.isfinite(runs["loss_final"][i]),
                  f"run {i}: noise = 0 records no PSNR but the energy")
    check(worst <= 1e-12, f"energy, one step and the next energy equal numpy's on every "
          f"image (worst relative difference {worst:.2e})")
    wide = [e for e in inst["wide.png"] if not np.array_equal(e["noisy"], e["clean"])]
    laced = [e for e in inst["small.png"] if not np.array_equal(e["noisy"], e["clean"])]
    draws_a = (wide[0]["noisy"] - wide[0]["clean"]).ravel()[:50]
    draws_b = (laced[0]["noisy"] - laced[0]["clean"]).ravel()[:50]
    check(np.allclose(draws_a, draws_b, rtol=0, atol=1e-12),
          "every file meets the same noise field (file keys are not in the RNG key)")


def check_table(out, d, names):
    runs = gdtest.runs_table(out)
    with h5py.File(out, "r") as f:
        lines = text(f.attrs["input_files"]).splitlines()
        images = {int(k): text(g.attrs["image"]) for k, g in f["instances"].items()}
    table = {int(l.split("\t")[0]): l.split("\t")[1:] for l in lines}
    ok = sorted(n for n, _ in table.values()) == sorted(names)
    for n, h in table.values():
        with open(os.path.join(d, n), "rb") as fh:
            ok = ok and hashlib.sha256(fh.read()).hexdigest() == h
    check(ok, "input_files lists every image with the SHA-256 of its bytes")
    ok = all(table[int(runs["image"][i])][0] == images[int(runs["instance"][i])]
             for i in range(len(runs["run_id"])))
    check(ok, "the runs table's image column indexes input_files (the instance's image)")
    sys.path.insert(0, gdtest.SOURCE)
    from analysis import reader
    frame = reader.load_runs(out)
    ok = all(frame["image"].loc[i] == images[int(runs["instance"][i])]
             for i in range(len(runs["run_id"])))
    check(ok, "analysis.reader.load_runs names each run's image (file_columns)")
    summary = gdtest.gdsweep("summary", out).stdout
    check(all(f"image={n}" in summary for n in names),
          "gdsweep summary names the image of each setting")
    report = os.path.join(d, "report")
    p = subprocess.run(["/usr/bin/python3", "-m", "analysis.report", out, "-o", report],
                       cwd=gdtest.SOURCE, capture_output=True, text=True)
    check(p.returncode == 0 and "failed" not in p.stdout + p.stderr and
          os.path.exists(os.path.join(report, "problem_parameters.png")),
          f"the report draws every figure, images on a categorical axis: {p.stderr.strip()}")


def check_bad_files(d):
    shutil.copy(os.path.join(d, "wide.png"), os.path.join(d, "ok.png"))
    with open(os.path.join(d, "text.png"), "w") as fh:
        fh.write("not an image\n")
    with open(os.path.join(d, "wide.png"), "rb") as fh:
        data = fh.read()
    with open(os.path.join(d, "cut.png"), "wb") as fh:
        fh.write(data[:len(data) // 2])
    save(d, "line.png", RNG.integers(0, 256, (1, 40), dtype=np.uint8), "L")
    os.mkfifo(os.path.join(d, "pipe.png"))
    cases = {"missing.png": "cannot open", "text.png": "is neither a PNG nor a PGM file",
             "cut.png": "give a valid PNG file", "line.png": "at least 2x2",
             "pipe.png": "is a FIFO, not a regular file"}
    for name, words in cases.items():
        grid = gdtest.write_grid(d, "bad", f"""[problem den]
type = denoise
image = ok.png, {name}
[optimizer gd]
lr = 0.1
""")
        gdtest.check_bad_file(grid, 3, name, words)


def rewrite_pixel(path):
    a = np.array(Image.open(path))
    a[0, 0] ^= 1
    Image.fromarray(a, mode="L").save(path)


def check_identity(d):
    save(d, "id.png", RNG.integers(0, 256, (40, 40), dtype=np.uint8), "L")
    grid = gdtest.write_grid(d, "ident", """[problem den]
type = denoise
image = id.png
noise = 0.1
[optimizer gd]
lr = 0.01, 0.02, 0.03, 0.04
""")
    out = os.path.join(d, "ident.h5")
    gdtest.sweep(grid, out, "--shard", "1/2")
    gdtest.sweep(grid, os.path.join(d, "ident2.h5"), "--shard", "2/2")
    with open(out, "rb") as fh:
        before = fh.read()
    p = gdtest.sweep(grid, out, "--shard", "1/2", "--resume", check_rc=False)
    check(p.returncode == 0, f"--resume with the same file contents is accepted: {p.stderr}")
    shutil.copy(os.path.join(d, "id.png"), os.path.join(d, "id.orig"))
    rewrite_pixel(os.path.join(d, "id.png"))
    with open(out, "rb") as fh:
        before = fh.read()
    p = gdtest.sweep(grid, out, "--shard", "1/2", "--resume", check_rc=False)
    with open(out, "rb") as fh:
        after = fh.read()
    check(p.returncode == 2 and "other contents of the files" in p.stderr and "id.png" in
          p.stderr and before == after,
          f"--resume after a pixel changed: exit 2 naming the file, output untouched "
          f"({p.returncode}: {p.stderr.strip()})")
    merged = os.path.join(d, "merged.h5")
    p = gdtest.gdsweep("merge", merged, out, os.path.join(d, "ident2.h5"), check_rc=False)
    check(p.returncode == 2 and "have changed" in p.stderr and not os.path.exists(merged),
          f"merge after the file changed: exit 2, nothing written ({p.stderr.strip()})")
    shutil.copy(os.path.join(d, "id.orig"), os.path.join(d, "id.png"))
    p = gdtest.gdsweep("merge", merged, out, os.path.join(d, "ident2.h5"), check_rc=False)
    check(p.returncode == 0, f"merge with the files restored: {p.stderr.strip()}")


def check_ranks(d, grid, out):
    two = os.path.join(d, "two.h5")
    gdtest.sweep(grid, two, mpi_ranks=2)
    diff = gdtest.sweep_differences(out, two)
    check(not diff, f"two ranks write the same results as one: {diff[:3]}")


def main():
    d = gdtest.workdir()
    grid, out = check_values(d)
    check_ranks(d, grid, out)
    check_bad_files(d)
    check_identity(d)
    shutil.rmtree(d)
    gdtest.finish()


main()
