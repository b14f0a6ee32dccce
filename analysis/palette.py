"""palette.py - one colour, marker and dash pattern per optimizer label for all figures; status colours."""
import matplotlib
import matplotlib.colors as mcolors

BASE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
        "#7f7f7f", "#bcbd22", "#17becf"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "<", ">", "h"]
DASHES = ["-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (8, 2)), (0, (1, 3)), (0, (3, 1, 3, 4))]

STATUS = {"converged": "#4575b4", "max_iter": "#fdd166", "diverged": "#d73027"}
STATUS_CODES = {1: "converged", 0: "max_iter", -1: "diverged"}


def _extended(n):
    """n distinct colours: tab10, then tab20's light tones, then evenly spaced hues."""
    colours = list(BASE)
    colours += [mcolors.to_hex(c) for c in matplotlib.colormaps["tab20"].colors[1::2]]
    while len(colours) < n:
        k = len(colours)
        colours.append(mcolors.to_hex(mcolors.hsv_to_rgb(((k * 0.618) % 1, 0.65, 0.8))))
    return colours


class Palette:
    """Colour, marker and dash pattern of each optimizer label, fixed once for the report (in sweep order)."""

    def __init__(self, labels):
        labels = list(dict.fromkeys(labels))
        colours = _extended(len(labels))
        self.colours = {lab: colours[i] for i, lab in enumerate(labels)}
        self.markers = {lab: MARKERS[i % len(MARKERS)] for i, lab in enumerate(labels)}
        self.dashes = {lab: DASHES[i % len(DASHES)] for i, lab in enumerate(labels)}

    def colour(self, label):
        return self.colours.get(label, "#000000")

    def marker(self, label):
        return self.markers.get(label, "o")

    def dash(self, label):
        return self.dashes.get(label, "-")
