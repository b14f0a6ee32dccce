"""poly.py - polynomials for the figures: the quadratic problem's cost from a runs row, and readable text."""
import numpy as np

SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def quadratic_coefs(row):
    """(a, b, c) of a quadratic run's f(x) = a x^2 + b x + c, highest power first."""
    return np.array([row["a"], row["b"], row["c"]], dtype=float)


def vertex(coefs):
    """(x*, f*) of a quadratic with a > 0."""
    a, b, c = coefs
    return -b / (2 * a), c - b * b / (4 * a)


def _number(v, digits):
    return f"{v:.{digits}g}"


def poly_text(coefs, digits=4, var="x"):
    """`2x² − 5x + 3` for coefficients highest power first (zeros left out)."""
    n = len(coefs) - 1
    terms = []
    for k, c in enumerate(coefs):
        power = n - k
        if c == 0 and len(coefs) > 1:
            continue
        mag = _number(abs(c), digits)
        if power > 0 and mag == "1":
            mag = ""
        base = "" if power == 0 else var if power == 1 else var + str(power).translate(SUPERSCRIPT)
        sign = "−" if c < 0 else "+"
        terms.append((sign, mag + base))
    if not terms:
        return "0"
    first_sign, first = terms[0]
    text = ("−" if first_sign == "−" else "") + first
    return text + "".join(f" {s} {t}" for s, t in terms[1:])
