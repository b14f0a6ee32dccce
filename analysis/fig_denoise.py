"""fig_denoise.py - the article's denoising triptych: clean, noisy, denoised by the best run, with PSNR.

The run shown is the best (by the ranking) of one settings group: the group with the best PSNR
when the problem sweeps lambda or another value (best.chosen_group), named in the title.
"""
import numpy as np

from .best import best_run, chosen_group, setting_label
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
    """One row: clean, noisy, denoised (or a note when the final image was not stored).

    Returns (problem, run id drawn, its label); (problem, None, None) when every run diverged."""
    group = chosen_group(sweep, problem)
    row = best_run(group.runs, finite=True)
    if row is None:
        for ax in axes:
            note(ax, f"{problem}: every run diverged")
        return problem, None, None
    inputs = sweep.instance(row["instance"])
    clean, noisy = inputs["clean"], inputs["noisy"]
    show(axes[0], clean, clean, f"{problem}{group.title}:\nclean image ({clean.shape[0]}×{clean.shape[1]})")
    show(axes[1], noisy, clean, f"noisy (σ = {row['noise']:g}): PSNR {psnr(noisy, clean):.2f} dB")
    label = setting_label(sweep, row)
    final = sweep.final(row["run_id"])
    if final is None:
        note(axes[2], f"best run {row['run_id']}:\n{label}\n\nits final image was not stored\n"
                      f"(save_final = false)\n\nPSNR (runs table): {row['psnr']:.2f} dB")
        axes[2].set_title("denoised: image not stored")
        return problem, row["run_id"], label
    show(axes[2], final.reshape(clean.shape), clean,
         f"denoised, run {row['run_id']}: PSNR {row['psnr']:.2f} dB")
    axes[2].set_xlabel(f"{label}, {row['steps']} steps, λ = {row['lambda']:g}")
    return problem, row["run_id"], label


def make(sweep):
    """One triptych row per denoising problem (the best run of its chosen settings group)."""
    problems = sweep.problems("denoise")[:MAX_ROWS]
    if not problems:
        raise Skip("no denoising problem in this sweep")
    fig, axes = panels(3 * len(problems), ncols=3, size=(4.0, 4.1))
    drawn = [triptych(sweep, axes[3 * i:3 * i + 3], problem) for i, problem in enumerate(problems)]
    fig.suptitle("Image denoising by gradient descent (total variation)")
    shown = "; ".join(f"{p}: run {r} ({label})" for p, r, label in drawn if r is not None)
    caption = ("Clean and noisy image of the instance of each denoising problem's best run and that "
               "run's result from final/x, on the clean image's grey scale; PSNR against the clean image. "
               "Runs are ranked only against runs of the same settings; a problem that sweeps lambda (or "
               "another value) is shown at the settings with the best PSNR, named in the title. "
               f"Drawn: {shown}.")
    return [Made("denoise", "Image denoising", fig, caption)]
