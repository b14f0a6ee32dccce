"""curve_plot.py - draws what Results.curves returns: one step line per group and its band (matplotlib)."""


def plot_curves(curves, ax=None, logy=True):
    """Draw `Results.curves` output: one step line per group (its statistic) and its band.

    Parameters
    ----------
    curves : pandas.DataFrame
        What `Results.curves` returned.
    ax : matplotlib.axes.Axes, optional
        Where to draw (default: a new figure).
    logy : bool
        Logarithmic y axis.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    x, stat = _axis_columns(curves)
    keys = list(curves.columns[:curves.columns.get_loc(x)])
    groups = curves.groupby(keys if len(keys) > 1 else keys[0], sort=False, dropna=False) if keys else [("", curves)]
    for key, g in groups:
        label = ", ".join(map(str, key)) if isinstance(key, tuple) else str(key)
        line, = ax.step(g[x], g[stat], where="post", label=label)
        if "lo" in g:
            ax.fill_between(g[x], g["lo"], g["hi"], step="post", color=line.get_color(), alpha=0.2, lw=0)
    ax.set_xlabel(x)
    ax.set_ylabel(f"{curves.attrs.get('y', '')} ({stat})".strip())
    if logy:
        ax.set_yscale("log")
    if keys:
        ax.legend()
    return ax


def _axis_columns(curves):
    """(x column, statistic column) of a curves frame: the two columns before lo/hi (or n)."""
    end = curves.columns.get_loc("lo" if "lo" in curves else "n")
    return curves.columns[end - 2], curves.columns[end - 1]
