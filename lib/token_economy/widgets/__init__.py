"""The explorers: thin ipywidgets over the library's pure functions.

Every explorer is a subclass of :class:`Explorer` registered with
:func:`register`. The base class does the plumbing the collection promises:

- one redraw per change (``set`` batches several changes into one redraw);
- bad input never shows a traceback: a ``ValueError`` from the library becomes
  a message in the widget (escaped) that names the *control* by its label in
  quotes (“batch (sequences)”) instead of the library's argument (``batch``); an
  explorer's own message names the control by its key the same way
  (``"price must be above $0"`` shows as “Your starting price ($/unit)” must ...); anything
  unexpected becomes a message too, even a ``BaseException`` such as pyo3's
  ``PanicException`` (only ``KeyboardInterrupt``, ``SystemExit`` and
  ``GeneratorExit`` pass through). The error is kept in ``last_error`` so tests
  can tell the two apart, and the old result is hidden while the message shows;
- an explorer whose controls cannot even be built (a damaged data table) shows
  the reason instead of raising while the notebook builds it;
- ``static()`` returns the default state as a plain figure or table (the
  explorer's *static twin* for readers without a kernel);
- ``sample_settings(rng)`` gives varied valid settings, which the benchmarks and
  browser tests use to drive every explorer without knowing it.

Each stage keeps its explorers in its own submodule (``widgets.start``,
``widgets.tokens`` ...); :func:`all_explorers` imports them all.

    >>> from token_economy.widgets import all_explorers
    >>> "start" in all_explorers()
    True

What it leaves out: no model logic; an explorer only reads controls, calls
library functions and draws.
"""

from __future__ import annotations

import contextlib
import html
import importlib
import pkgutil
import re
import time
from typing import ClassVar

import ipywidgets as W
import traitlets

from .. import display, plots

EXPLORERS: dict[str, type["Explorer"]] = {}

#: Exceptions an explorer lets through: the learner (or the kernel) asked to stop.
INTERRUPTS = (KeyboardInterrupt, SystemExit, GeneratorExit)


def register(cls):
    """Class decorator: add an explorer to the registry under ``cls.name``."""
    if cls.name in EXPLORERS and EXPLORERS[cls.name] is not cls:
        raise ValueError(f"two explorers are named {cls.name!r}")
    EXPLORERS[cls.name] = cls
    return cls


def all_explorers() -> dict[str, type["Explorer"]]:
    """Import every ``widgets`` submodule and return the registry, by name."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    return dict(sorted(EXPLORERS.items()))


class TitledImage(W.Image):
    """An ``ipywidgets.Image`` whose ``tooltip`` works, so it can carry the figure's text alternative.

    ipywidgets 8's browser code (``DOMWidgetView.updateTooltip``) reads the model's ``description``,
    which an Image does not have: a tooltip on a plain Image raises a TypeError in the browser and
    the image is never drawn. An empty ``description`` lets the tooltip become the ``<img>``'s
    ``title``, which a screen reader reads as its name.
    """

    description = traitlets.Unicode("").tag(sync=True)


class FigureView:
    """A matplotlib figure shown as an ``ipywidgets.Image`` and redrawn in place.

    Redrawing to PNG keeps the explorer fast and lets a rendered page show the
    default state without a kernel (the PNG is part of the saved widget state).
    With ``margins`` (``subplots_adjust`` arguments) the figure keeps a fixed
    layout instead of matplotlib's constrained layout, which saves a layout pass
    on every redraw; the PNG is always written with ``plots.to_png(fast=True)``.
    """

    def __init__(self, width: float = 7.0, height: float = 4.0, nrows: int = 1, ncols: int = 1, *,
                 margins: dict | None = None, dpi: int = 100, **kw):
        self.fig, self.axes = plots.new_figure(width, height, nrows, ncols, **kw)
        if margins:
            self.fig.set_layout_engine(None)
            self.fig.subplots_adjust(**margins)
        self.dpi = dpi
        self.image = TitledImage(format="png", layout=W.Layout(max_width="100%", height="auto"))

    def draw(self) -> None:
        self.image.value = plots.to_png(self.fig, dpi=self.dpi, fast=True)
        # The image's text alternative: its title (ipywidgets' Image has no alt; see TitledImage).
        self.image.tooltip = plots.alt_text(self.fig)


class Explorer:
    """Base class of all explorers (see the module docstring)."""

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    #: The notebook that shows this explorer (file stem), for tests and benchmarks.
    notebook: ClassVar[str] = ""

    #: Library argument names that differ from the control keys they come from, e.g.
    #: ``{"electricity_usd_per_kwh": "electricity"}``. A control key, or a key that is a prefix
    #: of the argument at an underscore (``price_cut`` for ``price_cut_pct``), needs no entry.
    labels: ClassVar[dict[str, str]] = {}

    def __init__(self, **initial):
        self._holding = False
        self._changed: tuple[str, ...] = ()  # the control(s) the learner changed before this refresh
        self.last_error: BaseException | None = None
        self.build_error: BaseException | None = None
        self.last_update_seconds: float = 0.0
        self.message = W.HTML(layout=W.Layout(min_height="1.5em"))
        self.message.add_class("te-message")
        # The title carries the collection's style sheet, so the explorer's classes are styled in any front end.
        header = W.HTML(f"{display.style_tag()}<b>{html.escape(self.title)}</b>")
        try:
            self.controls: dict[str, W.ValueWidget] = self.make_controls()
        except INTERRUPTS:
            raise
        except BaseException as exc:  # noqa: BLE001 - e.g. a damaged data table: say so, do not raise
            self._broken(exc, header)
            return
        for key, value in initial.items():
            if key not in self.controls:
                raise ValueError(f"{self.name} explorer has no control {key!r}")
            self.controls[key].value = value
        try:
            self.body = self.make_body()
            controls = self.layout_controls()
        except INTERRUPTS:
            raise
        except BaseException as exc:  # noqa: BLE001
            self._broken(exc, header)
            return
        self.widget = W.VBox([header, controls, self.message, self.body])
        self.widget.add_class("te-explorer")
        self.widget.add_class(f"te-explorer-{self.name}")
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.refresh()

    def _broken(self, exc: BaseException, header: W.Widget) -> None:
        """The explorer could not be built: show why, with no controls (there is nothing to change)."""
        self.controls = {}
        self.body = W.HTML()
        self.build_error = self.last_error = exc
        self.show_message(f"This explorer cannot start: {self.explain(exc)}")
        self.widget = W.VBox([header, self.message])
        self.widget.add_class("te-explorer")
        self.widget.add_class(f"te-explorer-{self.name}")

    # --- what subclasses write -------------------------------------------------
    def make_controls(self) -> dict[str, W.ValueWidget]:
        raise NotImplementedError

    def make_body(self) -> W.Widget:
        """The output area (an ``W.HTML``, a ``FigureView().image``, or a box of them)."""
        raise NotImplementedError

    def update(self, **values) -> str | None:
        """Compute from the control values and draw into the body.

        Raise ``ValueError`` with a sentence for the learner on bad input, naming the control by
        its key (``"seed must be 0 or more"``: the learner reads “Random seed” must be 0 or more);
        return a note (a str) to show above the output, or None.
        """
        raise NotImplementedError

    def static(self):
        """The default state as a plain figure, DataFrame or HTML, for readers without a kernel."""
        raise NotImplementedError

    @classmethod
    def sample_settings(cls, rng) -> dict:
        """Varied valid settings (a dict of control values) drawn with ``rng`` (``random.Random``)."""
        raise NotImplementedError

    def layout_controls(self) -> W.Widget:
        return W.VBox(list(self.controls.values()))

    # --- plumbing ----------------------------------------------------------------
    def values(self) -> dict:
        return {key: control.value for key, control in self.controls.items()}

    def set(self, **values) -> None:
        """Change several controls and redraw once."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"{self.name} explorer has no control {sorted(unknown)}")
        with self._hold():
            for key, value in values.items():
                self.controls[key].value = value
        self._changed = tuple(values)
        self.refresh()

    @contextlib.contextmanager
    def _hold(self):
        self._holding = True
        try:
            yield
        finally:
            self._holding = False

    def _on_change(self, change) -> None:
        if not self._holding:
            self._changed = tuple(k for k, c in self.controls.items() if c is change["owner"])
            self.refresh()

    def show_message(self, text: str, kind: str = "warning") -> None:
        # Colours by class (te-warning, te-info in collection.css): readable in light and dark themes.
        kind = kind if kind in ("warning", "info") else "warning"
        icon = "⚠ " if kind == "warning" else ""
        self.message.value = (f'{display.style_tag()}<span class="te-{kind}">{icon}{html.escape(text)}</span>'
                              if text else "")

    def label_for(self, argument: str) -> str | None:
        """The label a learner sees on the control behind library argument ``argument`` (None if none)."""
        key = self.labels.get(argument, argument)
        if key not in self.controls:  # the nearest control: price_cut -> price_cut_pct (not price)
            longer = [k for k in self.controls if k.startswith(argument + "_")]
            shorter = sorted((k for k in self.controls if argument.startswith(k + "_")), key=len)
            if len(longer) == 1:
                key = longer[0]
            elif not longer and shorter:
                key = shorter[-1]
            else:
                return None
        description = getattr(self.controls[key], "description", "") or ""
        return description.strip() or key.replace("_", " ")

    def explain(self, exc: BaseException) -> str:
        """The message for the learner: the error's text with argument names replaced by control labels.

        The argument is the one a ``token_economy.checks`` error carries (``exc.argument``), or a
        name of a control (or of :attr:`labels`) with which the message starts; other names with an
        underscore are replaced too (``cache_hit_share`` -> "cache-hit share").
        """
        text = str(exc)
        if not isinstance(exc, ValueError):
            return text
        if getattr(exc, "problems", None) is not None:  # a data.DataError: file, line and column, as they are
            return text
        names = set(self.controls) | set(self.labels)
        argument = getattr(exc, "argument", None)
        first = re.match(r"[A-Za-z_]\w*", text)
        lead = first.group(0) if first and first.group(0) in names else None
        for name in sorted(names | {argument} - {None}, key=len, reverse=True):
            if name not in (argument, lead) and "_" not in name:
                continue
            label = self.label_for(name)
            if label:  # quoted even where label and name are the same word: one convention for every message
                text = re.sub(rf"(?<![\w/.]){re.escape(name)}(?![\w.])", f"\u201c{label}\u201d", text)
        return text

    def refresh(self) -> None:
        start = time.perf_counter()
        if self.build_error is not None:  # nothing to compute: the message already says why
            return
        try:
            note = self.update(**self.values())
        except INTERRUPTS:
            raise
        except ValueError as exc:
            self._failed(exc, self._blame(exc, self.explain(exc)))
        except BaseException as exc:  # noqa: BLE001 - a learner must never see a traceback (pyo3 panics too)
            self._failed(exc, f"Something went wrong ({type(exc).__name__}: {str(exc)[:300]}). "
                              "Try other settings; please report this.")
        else:
            self.last_error = None
            self.body.layout.display = None
            self.show_message(note or "", kind="info")
        self.last_update_seconds = time.perf_counter() - start

    def _blame(self, exc: ValueError, text: str) -> str:
        """Put the label of the one control just changed before a message that names no control.

        Only when this change caused the error (the previous state was fine, or failed otherwise):
        an error left over from an earlier change is not blamed on the control changed now.
        """
        if len(self._changed) != 1 or getattr(exc, "problems", None) is not None:
            return text
        labels = [self.label_for(key) or key for key in self.controls]
        if any(label.lower() in text.lower() for label in labels):
            return text
        if self.last_error is not None and str(self.last_error) == str(exc):
            return text
        return f"\u201c{self.label_for(self._changed[0])}\u201d: {text}"

    def _failed(self, exc: BaseException, text: str) -> None:
        self.last_error = exc
        self.body.layout.display = "none"  # no stale result under the message
        self.show_message(text)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
