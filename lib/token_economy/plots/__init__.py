"""One consistent matplotlib look for every figure in the collection: style, colours, alt text.

Figures are made with :func:`new_figure`, which builds a ``matplotlib.figure.Figure``
directly (not through ``pyplot``): a function can return it, a notebook shows it
once as the cell's value, and nothing lingers in pyplot's global state. Stage
specific plots live in submodules (``plots.tokens``, ``plots.factory`` ...).

    >>> fig, ax = new_figure()
    >>> type(fig).__name__
    'Figure'

**Colours.** One colour-blind-safe palette, Okabe and Ito's eight colours (``PALETTE``),
and semantic names for what the collection draws (``COLOURS``: ``input``, ``output``,
``gain``, ``loss`` ...), so that a layer or an encoding keeps its colour in every
notebook. Plot modules take colours from ``COLOURS``, ``CYCLE`` or ``PALETTE`` only.
:func:`colour_clashes` finds pairs a reader with a colour-vision deficiency cannot tell
apart (red next to green, or too close once simulated), and :func:`figure_colour_clashes`
applies it to the colours that tell categories apart in a figure.

**Alt text.** Every figure shown in a notebook carries a text alternative: the one given with
:func:`describe`, or one derived from its titles, axis labels and legend (:func:`alt_text`).
A notebook shows a figure as ``<img alt="...">`` (and as a plain PNG for other front ends),
so the alt text reaches JupyterLab and the rendered pages.

    >>> _ = ax.set_title("Price per million tokens"), ax.set_xlabel("month"), ax.plot([1, 2], [3, 1], label="o200k_base")
    >>> alt_text(fig)
    'Line chart "Price per million tokens": x axis month, from 1 to 2; series: o200k_base.'
    >>> alt_text(describe(fig, "Prices fall by two thirds in a month."))
    'Prices fall by two thirds in a month.'

What it leaves out: interactive backends; the explorers redraw a figure into a
PNG image (see :class:`token_economy.widgets.FigureView`).
"""

from __future__ import annotations

import base64
import colorsys
import html
import io
import itertools
import math
import re

import matplotlib
import numpy as np
from matplotlib import dates as mdates
from matplotlib.colors import to_hex, to_rgba
from matplotlib.figure import Figure

#: Okabe and Ito's colour-blind-safe palette (M. Okabe, K. Ito, "Color Universal Design (CUD): how
#: to make figures and presentations that are friendly to colorblind people", J*Fly, 2008), plus a
#: neutral grey of our own (5.7:1 against white, readable as small text). Yellow is light: use it
#: for large areas, not for thin lines or text on white.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "bluish_green": "#009E73",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "sky_blue": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
    "grey": "#666666",
}

#: What the collection draws, by meaning, so that a layer or an encoding keeps its colour across
#: notebooks. Categories shown together take different entries (input/cached/output, memory/compute,
#: the layers of the industry); ``gain``/``loss`` and ``human``/``synthetic`` are blue against
#: vermillion, never green against red.
COLOURS = {
    # encodings (notebooks 00-02)
    "o200k_base": PALETTE["blue"],
    "cl100k_base": PALETTE["orange"],
    # the parts of a bill (05)
    "input": PALETTE["blue"],
    "cached": PALETTE["bluish_green"],
    "cache_write": PALETTE["reddish_purple"],
    "output": PALETTE["vermillion"],
    # the factory (03, 04)
    "memory": PALETTE["reddish_purple"],
    "compute": PALETTE["orange"],
    "weights": PALETTE["blue"],
    # the layers of the industry (06, 08)
    "hardware": PALETTE["reddish_purple"],
    "chip": PALETTE["reddish_purple"],
    "memory_maker": PALETTE["vermillion"],
    "cloud": PALETTE["sky_blue"],
    "model": PALETTE["blue"],
    "reseller": PALETTE["bluish_green"],
    "electricity": PALETTE["yellow"],
    "suppliers": PALETTE["grey"],
    "capital": PALETTE["orange"],
    # meanings
    "gain": PALETTE["blue"],
    "loss": PALETTE["vermillion"],
    "human": PALETTE["blue"],
    "synthetic": PALETTE["vermillion"],
    "highlight": PALETTE["vermillion"],
    "reference": PALETTE["black"],
    "grey": PALETTE["grey"],
}
#: The order in which series take colours when none is given (yellow last: it is light on white).
CYCLE = [PALETTE[k] for k in ("blue", "orange", "bluish_green", "vermillion", "reddish_purple", "sky_blue",
                              "grey", "yellow")]

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
    """Let a notebook show a returned ``Figure``, with no pyplot and no ``%matplotlib``.

    Figures built outside pyplot have no display hook of their own; one mime-bundle
    formatter makes ``fig`` as a cell's last line render as ``<img alt="...">`` (HTML, which
    JupyterLab and the rendered pages prefer) and as a plain PNG for other front ends, the
    same way in JupyterLab, under nbclient and in the built book. The HTML's metadata records
    the alt text and any colour clashes (:func:`figure_colour_clashes`) for the tests.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        return
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.mimebundle_formatter.for_type(Figure, figure_bundle)


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


# --- alt text ---------------------------------------------------------------------------------------

#: Longest alt text derived from a figure (a screen reader reads all of it; the prose says the rest).
ALT_MAX_CHARS = 600
_ALT_ATTRIBUTE = "_token_economy_alt"


def describe(fig: Figure, text: str) -> Figure:
    """Give ``fig`` an alt text (what a reader who cannot see it should know); returns ``fig``.

    >>> fig, _ = new_figure()
    >>> alt_text(describe(fig, "  Costs fall as the batch grows. "))
    'Costs fall as the batch grows.'
    """
    if not isinstance(fig, Figure):
        raise ValueError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("text must be a non-empty string describing the figure")
    setattr(fig, _ALT_ATTRIBUTE, " ".join(text.split()))
    return fig


def _number(value: float) -> str:
    """A data value as a reader says it: ``1,234,567``, ``0.0123``, ``12.5``."""
    if not math.isfinite(value):
        return str(value)
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _listing(items: list[str], most: int = 8) -> str:
    items = [i for i in dict.fromkeys(items) if i]
    if len(items) > most:
        return ", ".join(items[:most]) + f" and {len(items) - most} more"
    return ", ".join(items)


def _tick_words(axis) -> list[str]:
    """The tick labels of a categorical axis (labels with letters), else []."""
    words = [t.get_text().strip() for t in axis.get_ticklabels()]
    plain = [re.sub(r"\$[^$]*\$", "", w) for w in words]  # numbers typeset as maths: $10^{-3}$
    return words if any(any(ch.isalpha() for ch in w) for w in plain) else []


def _axis_words(ax, which: str) -> str:
    axis = ax.xaxis if which == "x" else ax.yaxis
    label = axis.get_label().get_text().strip()
    categories = _tick_words(axis)
    if categories:
        return f"{which} axis {label + ': ' if label else ''}{_listing(categories)}"
    if not label:
        return ""
    data = ax.dataLim.intervalx if which == "x" else ax.dataLim.intervaly
    view = sorted(ax.get_xlim() if which == "x" else ax.get_ylim())
    low, high = max(float(min(data)), view[0]), min(float(max(data)), view[1])  # the data in view
    words = f"{which} axis {label}"
    if np.isfinite(data).all() and low <= high:
        if isinstance(axis.get_major_formatter(), (mdates.AutoDateFormatter, mdates.DateFormatter,
                                                   mdates.ConciseDateFormatter)):
            words += f", from {mdates.num2date(low):%Y-%m-%d} to {mdates.num2date(high):%Y-%m-%d}"
        else:
            words += f", from {_number(low)} to {_number(high)}"
    if axis.get_scale() == "log":
        words += " (log scale)"
    return words


def _chart_kind(ax) -> str:
    from matplotlib.collections import PathCollection
    from matplotlib.container import BarContainer

    if any(isinstance(c, BarContainer) for c in ax.containers):
        return "Bar chart"
    if any(isinstance(c, PathCollection) for c in ax.collections):
        return "Scatter plot"
    if any(line.get_transform() is ax.transData for line in ax.get_lines()):  # not axhline/axvline
        return "Line chart"
    return "Chart"


def _series(ax) -> list[str]:
    labels = [lab for _, lab in zip(*ax.get_legend_handles_labels())]
    legend = ax.get_legend()
    if legend is not None:
        labels += [t.get_text() for t in legend.get_texts()]
    return [" ".join(lab.split()) for lab in labels if lab and not lab.startswith("_")]


def _describe_axes(ax) -> str:
    title = " ".join(part for loc in ("left", "center", "right") if (part := ax.get_title(loc=loc).strip()))
    words = _chart_kind(ax) + (f' "{title}"' if title else "")
    details = [w for w in (_axis_words(ax, "x"), _axis_words(ax, "y")) if w]
    series = _series(ax)
    if series:
        details.append(f"series: {_listing(series)}")
    return words + (": " + "; ".join(details) if details else "") + "."


def alt_text(fig: Figure) -> str:
    """A text alternative for ``fig``: the one given with :func:`describe`, else one derived from it.

    The derived text names the kind of chart, its title, its axes (label and data range, or the
    categories) and its series, panel by panel.

    >>> fig, axes = new_figure(nrows=1, ncols=2)
    >>> _ = fig.suptitle("Two GPUs")
    >>> _ = axes[0].barh(["H100", "H200"], [3.5, 2.9]); _ = axes[0].set_xlabel("USD per hour")
    >>> print(alt_text(fig))
    Figure "Two GPUs", 2 panels. Bar chart: x axis USD per hour, from 0 to 3.5; y axis H100, H200. Chart.
    """
    explicit = getattr(fig, _ALT_ATTRIBUTE, "")
    if explicit:
        return explicit
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.axison]
    suptitle = fig._suptitle.get_text().strip() if getattr(fig, "_suptitle", None) is not None else ""
    head = ""
    if suptitle or len(panels) > 1:
        head = "Figure" + (f' "{suptitle}"' if suptitle else "") + (f", {len(panels)} panels" if len(panels) > 1 else "")
        head += ". "
    text = head + " ".join(_describe_axes(ax) for ax in panels)
    text = text.strip() or "Figure with nothing drawn."
    if len(text) > ALT_MAX_CHARS:
        text = text[:ALT_MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return text


def figure_html(fig: Figure, png: bytes | None = None) -> str:
    """``<img>`` of ``fig`` (PNG inline) with its alt text, as a notebook and the pages show it.

    >>> fig, ax = new_figure(2, 1)
    >>> figure_html(describe(fig, 'Costs "fall" <fast>'))[:64]
    '<img class="te-figure" alt="Costs &quot;fall&quot; &lt;fast&gt;"'
    """
    data = base64.b64encode(png if png is not None else to_png(fig)).decode("ascii")
    return (f'<img class="te-figure" alt="{html.escape(alt_text(fig), quote=True)}" '
            f'src="data:image/png;base64,{data}" style="max-width:100%;height:auto">')


def figure_bundle(fig: Figure) -> tuple[dict, dict]:
    """The mime bundle a notebook shows for ``fig``: HTML ``<img alt>`` and plain PNG, drawn once."""
    png = to_png(fig)
    data = {"text/html": figure_html(fig, png), "image/png": base64.b64encode(png).decode("ascii")}
    meta = {"text/html": {"token_economy": {"alt": alt_text(fig), "colour_clashes": figure_colour_clashes(fig)}}}
    return data, meta


# --- colour keys in HTML -----------------------------------------------------------------------------

#: The shapes :func:`key_mark` draws, by name, and their classes in collection.css.
KEY_SHAPES = {"swatch": "te-swatch", "band": "te-swatch te-band", "loss": "te-swatch te-bar-loss",
              "line": "te-line", "dashed": "te-line te-line-dashed", "dotted": "te-line te-line-dotted"}


def css_colour(colour) -> str:
    """A colour for inline CSS: ``#rrggbb``; black becomes ``currentColor`` (the text colour, so that
    it shows in a dark theme too).

    >>> css_colour(PALETTE["blue"]), css_colour("black")
    ('#0072b2', 'currentColor')
    """
    hex_colour = to_hex(_on_white(colour))
    return "currentColor" if hex_colour == "#000000" else hex_colour


def key_mark(colour, shape: str = "swatch") -> str:
    """A colour key's shape as HTML, to put before a plain label: a filled swatch (``swatch``, a paler
    ``band``, a hatched ``loss``) or a short line (``line``, ``dashed``, ``dotted``).

    HTML keys and bars show colour as shapes, never as coloured text: the label beside the shape stays
    in the theme's text colour (readable in light and dark themes) and says what the colour means.

    >>> key_mark(COLOURS["input"])
    '<span class="te-swatch" style="background:#0072b2"></span>'
    >>> key_mark("black", "dashed")
    '<span class="te-line te-line-dashed" style="border-color:currentColor"></span>'
    """
    if shape not in KEY_SHAPES:
        raise ValueError(f"shape must be one of {', '.join(KEY_SHAPES)}, got {shape!r}")
    prop = "border-color" if KEY_SHAPES[shape].startswith("te-line") else "background"
    return f'<span class="{KEY_SHAPES[shape]}" style="{prop}:{css_colour(colour)}"></span>'


# --- colour-blind checks -----------------------------------------------------------------------------

#: Machado, Oliveira and Fernandes (2009), "A physiologically-based model for simulation of color
#: vision deficiency", IEEE TVCG 15(6): full-severity matrices, applied to linear RGB.
CVD_MATRICES = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
#: Smallest CIELAB distance (CIE76) two category colours keep under each simulated deficiency.
#: Okabe and Ito's colours keep at least 14; blue next to violet (#2563eb, #7c3aed) keeps 2.
MIN_DELTA_E = 12.0


def _on_white(colour, name: str = "colour") -> np.ndarray:
    """sRGB (0-1) of ``colour``, its transparency composited on white."""
    try:
        r, g, b, a = to_rgba(colour)
    except (ValueError, TypeError):
        raise ValueError(f"{name}: {str(colour)[:40]!r} is not a colour (try a name or '#rrggbb')") from None
    return np.array([r, g, b]) * a + (1 - a)


def _linear(rgb: np.ndarray) -> np.ndarray:
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear_rgb
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def hue_family(colour: str) -> str | None:
    """``"red"``, ``"green"`` or None: the families a red-green colour-blind reader confuses.

    >>> hue_family("#dc2626"), hue_family("#16a34a"), hue_family(PALETTE["vermillion"]), hue_family("grey")
    ('red', 'green', None, None)
    """
    h, s, v = colorsys.rgb_to_hsv(*_on_white(colour, "colour"))
    if s < 0.3 or v < 0.25:
        return None
    degrees = h * 360
    if degrees < 18 or degrees >= 340:
        return "red"
    if 75 <= degrees <= 165:
        return "green"
    return None


def colour_clashes(colours: list[str], min_delta_e: float = MIN_DELTA_E) -> list[tuple[str, str, str]]:
    """Pairs among ``colours`` that a colour-blind reader may not tell apart, with the reason.

    Two rules: red next to green (however different they look to others), and two colours closer
    than ``min_delta_e`` in CIELAB once protanopia, deuteranopia or tritanopia is simulated.

    >>> colour_clashes(["#dc2626", "#16a34a"])
    [('#dc2626', '#16a34a', 'red next to green')]
    >>> colour_clashes(["#2563eb", "#7c3aed"])
    [('#2563eb', '#7c3aed', 'alike under deuteranopia (delta E 1.7)')]
    >>> colour_clashes(list(PALETTE.values()))
    []
    """
    from .. import checks

    if isinstance(colours, str) or not isinstance(colours, (list, tuple)):
        raise ValueError("colours must be a list of colours, such as ['#0072B2', '#D55E00']")
    min_delta_e = checks.number("min_delta_e", min_delta_e, minimum=0, maximum=100)
    hexes = list(dict.fromkeys(to_hex(_on_white(c, "colours")) for c in colours))
    found = []
    for a, b in itertools.combinations(hexes, 2):
        if {hue_family(a), hue_family(b)} == {"red", "green"}:
            found.append((a, b, "red next to green"))
            continue
        la, lb = _linear(_on_white(a)), _linear(_on_white(b))
        for name, m in CVD_MATRICES.items():
            d = float(np.linalg.norm(_lab(np.clip(m @ la, 0, 1)) - _lab(np.clip(m @ lb, 0, 1))))
            if d < min_delta_e:
                found.append((a, b, f"alike under {name} (delta E {d:.1f})"))
                break
    return found


def _handle_colour(handle):
    """The colour a legend handle shows (line colour, face colour, or edge colour when unfilled)."""
    from matplotlib.collections import Collection
    from matplotlib.container import Container
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if isinstance(handle, Container):
        handle = next(iter(handle), None)
    if isinstance(handle, Line2D):
        return handle.get_color()
    if isinstance(handle, Patch):
        face = handle.get_facecolor()
        return face if face[3] > 0 else handle.get_edgecolor()
    if isinstance(handle, Collection):
        faces = handle.get_facecolor()
        if len(faces) and faces[0][3] > 0:
            return faces[0]
        edges = handle.get_edgecolor()
        return edges[0] if len(edges) else None
    return None


def category_colours(ax) -> dict[str, str]:
    """The colours that tell categories apart in ``ax``: its legend entries, and bars or points
    coloured one by one, as ``{label: hex}``."""
    from matplotlib.collections import PathCollection
    from matplotlib.container import BarContainer

    found: dict[str, str] = {}
    handles, labels = ax.get_legend_handles_labels()
    legend = ax.get_legend()
    if legend is not None:
        handles = [*handles, *legend.legend_handles]
        labels = [*labels, *(t.get_text() for t in legend.get_texts())]
    for handle, label in zip(handles, labels):
        colour = _handle_colour(handle)
        if colour is not None and label and not label.startswith("_"):
            found.setdefault(label, to_hex(_on_white(colour)))
    for container in (c for c in ax.containers if isinstance(c, BarContainer)):
        bars = list(container)
        if len({to_hex(_on_white(b.get_facecolor())) for b in bars}) > 1:  # bars coloured one by one
            for n, bar in enumerate(bars, start=1):
                found.setdefault(_bar_name(ax, container, bar, n), to_hex(_on_white(bar.get_facecolor())))
    for collection in (c for c in ax.collections if isinstance(c, PathCollection)):
        distinct = list(dict.fromkeys(to_hex(_on_white(f)) for f in collection.get_facecolor()))
        if len(distinct) > 1:
            for j, colour in enumerate(distinct, start=1):
                found.setdefault(f"points of colour {j}", colour)
    return found


def _bar_name(ax, container, bar, n: int) -> str:
    """A bar's category: the tick label at its position on a categorical axis, else "bar n"."""
    horizontal = getattr(container, "orientation", "vertical") == "horizontal"
    axis = ax.yaxis if horizontal else ax.xaxis
    labels = [t.get_text() for t in axis.get_ticklabels()]
    if not _tick_words(axis):
        return f"bar {n}"
    where = bar.get_y() + bar.get_height() / 2 if horizontal else bar.get_x() + bar.get_width() / 2
    ticks = list(axis.get_majorticklocs())
    nearest = min(range(len(ticks)), key=lambda i: abs(ticks[i] - where)) if ticks else None
    return labels[nearest] if nearest is not None and nearest < len(labels) and labels[nearest] else f"bar {n}"


def figure_colour_clashes(fig: Figure) -> list[str]:
    """Colour problems in ``fig``, panel by panel: categories a colour-blind reader cannot tell apart.

    >>> fig, ax = new_figure()
    >>> _ = ax.plot([0, 1], color="#16a34a", label="human data"); _ = ax.plot([1, 0], color="#dc2626", label="model data")
    >>> figure_colour_clashes(fig)
    ['panel 1: "human data" (#16a34a) and "model data" (#dc2626): red next to green']
    >>> fig, ax = new_figure()
    >>> _ = ax.plot([0, 1], color=COLOURS["human"], label="human data"); _ = ax.plot([1, 0], color=COLOURS["synthetic"], label="model data")
    >>> figure_colour_clashes(fig)
    []
    """
    problems = []
    for n, ax in enumerate(fig.axes, start=1):
        named = category_colours(ax)
        by_colour: dict[str, list[str]] = {}
        for label, colour in named.items():
            by_colour.setdefault(colour, []).append(label)
        for a, b, why in colour_clashes(list(by_colour)):
            problems.append(f'panel {n}: "{by_colour[a][0]}" ({a}) and "{by_colour[b][0]}" ({b}): {why}')
    return problems


_show_figures_in_ipython()
