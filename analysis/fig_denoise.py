"""fig_denoise.py - the article's denoising triptych: clean, noisy, denoised by the best run, with PSNR."""
import numpy as np

from .best import best_run, setting_label
from .plotting import Made, Skip, note, panels

MAX_ROWS = 3


def psnr(image, clean):
    """PSNR in dB against the clean image, peak = max(clean) - min(clean) (denoise.c's metric)."""
    mse = np.mean((image - clean) ** 2)
    return 10 * np.log10((clean.max() - clean.min()) ** 2 / mse)


def show(ax, image, clean, title):
    ax.imshow(image, cmap="gray", vmin=clean.min(), vmax=clean.max(), interpolation="nearest")
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)


def triptych(sweep, axes, problem):
    """One row: clean, noisy, denoised (or a note when the final image was not stored)."""
    row = best_run(sweep.of(problem), finite=True)
    if row is None:
        for ax in axes:
            note(ax, f"{problem}: every run diverged")
        return
    inputs = sweep.instance(row["instance"])
    clean, noisy = inputs["clean"], inputs["noisy"]
    show(axes[0], clean, clean, f"{problem}: clean image ({clean.shape[0]}×{clean.shape[1]})")
    show(axes[1], noisy, clean, f"noisy (σ = {row['noise']:g}): PSNR {psnr(noisy, clean):.2f} dB")
    label = setting_label(sweep, sweep.of(problem, row["optimizer"]), row["optimizer"])
    final = sweep.final(row["run_id"])
    if final is None:
        note(axes[2], f"best run {row['run_id']}:\n{label}\n\nits final image was not stored\n"
                      f"(save_final = false)\n\nPSNR (runs table): {row['psnr']:.2f} dB")
        axes[2].set_title("denoised: image not stored")
        return
    show(axes[2], final.reshape(clean.shape), clean,
         f"denoised, run {row['run_id']}: PSNR {row['psnr']:.2f} dB")
    axes[2].set_xlabel(f"{label}, {row['steps']} steps, λ = {row['lambda']:g}")


def make(sweep):
    """One triptych row per denoising problem (its best run by final loss)."""
    problems = sweep.problems("denoise")[:MAX_ROWS]
    if not problems:
        raise Skip("no denoising problem in this sweep")
    fig, axes = panels(3 * len(problems), ncols=3, size=(4.0, 4.1))
    for i, problem in enumerate(problems):
        triptych(sweep, axes[3 * i:3 * i + 3], problem)
    fig.suptitle("Image denoising by gradient descent (total variation)")
    caption = ("Clean and noisy image of the instance of each denoising problem's best run (lowest "
               "final energy) and that run's result from final/x, on the clean image's grey scale. "
               "PSNR against the clean image.")
    return [Made("denoise", "Image denoising", fig, caption)]
