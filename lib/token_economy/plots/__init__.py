"""One consistent matplotlib look for every figure in the collection.

Figures are made with :func:`new_figure`, which builds a ``matplotlib.figure.Figure``
directly (not through ``pyplot``): a function can return it, a notebook shows it
once as the cell's value, and nothing lingers in pyplot's global state. Stage
specific plots live in submodules (``plots.tokens``, ``plots.factory`` ...).

    >>> fig, ax = new_figure()
    >>> type(fig).__name__
    'Figure'

What it leaves out: interactive backends; the explorers redraw a figure into a
PNG image (see :class:`token_economy.widgets.FigureView`).
"""

from __future__ import annotations

import io

import matplotlib
from matplotlib.figure import Figure

#: Colours used across notebooks, so that a layer or an encoding keeps its colour.
COLOURS = {
    "o200k_base": "#2563eb",
    "cl100k_base": "#f97316",
    "input": "#2563eb",
    "output": "#dc2626",
    "cached": "#16a34a",
    "memory": "#7c3aed",
    "compute": "#ea580c",
    "hardware": "#7c3aed",
    "model": "#2563eb",
    "reseller": "#16a34a",
    "electricity": "#ca8a04",
    "grey": "#6b7280",
}
CYCLE = ["#2563eb", "#f97316", "#16a34a", "#dc2626", "#7c3aed", "#0891b2", "#ca8a04", "#db2777", "#6b7280", "#65a30d"]

STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.prop_cycle": matplotlib.cycler(color=CYCLE),
    "legend.frameon": False,
    "svg.hashsalt": "token-economy",
}
matplotlib.rcParams.update(STYLE)


def _show_figures_in_ipython() -> None:
    """Let a notebook show a returned ``Figure`` as a PNG, with no pyplot and no ``%matplotlib``.

    Figures built outside pyplot have no display hook of their own; registering
    one PNG formatter makes ``fig`` as a cell's last line render as an image, the
    same way in JupyterLab, under nbclient and in the built book.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        return
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["image/png"].for_type(Figure, to_png)


def new_figure(width: float = 7.0, height: float = 4.0, nrows: int = 1, ncols: int = 1, **subplot_kw):
    """A ``(Figure, axes)`` pair in the collection's style, outside pyplot."""
    from .. import checks

    width = checks.number("width", width, strictly_positive=True, maximum=40)
    height = checks.number("height", height, strictly_positive=True, maximum=40)
    nrows = checks.whole("nrows", nrows, minimum=1, maximum=20)
    ncols = checks.whole("ncols", ncols, minimum=1, maximum=20)
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(nrows, ncols, **subplot_kw)
    return fig, axes


def to_png(fig: Figure, dpi: int = 100, fast: bool = False) -> bytes:
    """The figure as PNG bytes.

    ``fast=True`` is for explorers that redraw on every change: no font hinting
    (text is most of the drawing time; it renders about a fifth faster and looks
    the same at screen size) and light PNG compression.
    """
    from .. import checks

    dpi = checks.number("dpi", dpi, minimum=10, maximum=600)
    buf = io.BytesIO()
    if fast:
        with matplotlib.rc_context({"text.hinting": "none"}):
            fig.savefig(buf, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
    else:
        fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def source_note(ax, text: str) -> None:
    """A small grey source line under an axes."""
    ax.annotate(text, xy=(0, 0), xycoords="axes fraction", xytext=(0, -32),
                textcoords="offset points", fontsize=7, color=COLOURS["grey"], va="top")


_show_figures_in_ipython()
