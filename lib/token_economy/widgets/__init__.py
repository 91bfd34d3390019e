"""The explorers: thin ipywidgets over the library's pure functions.

Every explorer is a subclass of :class:`Explorer` registered with
:func:`register`. The base class does the plumbing the collection promises:

- one redraw per change (``set`` batches several changes into one redraw);
- bad input never shows a traceback: a ``ValueError`` from the library becomes
  a message in the widget (escaped), anything unexpected too, and is kept in
  ``last_error`` so tests can tell the two apart;
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
import time
from typing import ClassVar

import ipywidgets as W

from .. import display, plots

EXPLORERS: dict[str, type["Explorer"]] = {}


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
        self.image = W.Image(format="png", layout=W.Layout(max_width="100%", height="auto"))

    def draw(self) -> None:
        self.image.value = plots.to_png(self.fig, dpi=self.dpi, fast=True)


class Explorer:
    """Base class of all explorers (see the module docstring)."""

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    #: The notebook that shows this explorer (file stem), for tests and benchmarks.
    notebook: ClassVar[str] = ""

    def __init__(self, **initial):
        self._holding = False
        self.last_error: Exception | None = None
        self.last_update_seconds: float = 0.0
        self.controls: dict[str, W.ValueWidget] = self.make_controls()
        for key, value in initial.items():
            if key not in self.controls:
                raise ValueError(f"{self.name} explorer has no control {key!r}")
            self.controls[key].value = value
        self.message = W.HTML(layout=W.Layout(min_height="1.5em"))
        self.message.add_class("te-message")
        self.body = self.make_body()
        self.widget = W.VBox(
            [W.HTML(f"<b>{html.escape(self.title)}</b>"), self.layout_controls(), self.message, self.body]
        )
        self.widget.add_class("te-explorer")
        self.widget.add_class(f"te-explorer-{self.name}")
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.refresh()

    # --- what subclasses write -------------------------------------------------
    def make_controls(self) -> dict[str, W.ValueWidget]:
        raise NotImplementedError

    def make_body(self) -> W.Widget:
        """The output area (an ``W.HTML``, a ``FigureView().image``, or a box of them)."""
        raise NotImplementedError

    def update(self, **values) -> str | None:
        """Compute from the control values and draw into the body.

        Raise ``ValueError`` with a sentence for the learner on bad input; return a
        note (a str) to show above the output, or None.
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
            self.refresh()

    def show_message(self, text: str, kind: str = "warning") -> None:
        # Colours by class (te-warning, te-info in collection.css): readable in light and dark themes.
        kind = kind if kind in ("warning", "info") else "warning"
        icon = "⚠ " if kind == "warning" else ""
        self.message.value = (f'{display.style_tag()}<span class="te-{kind}">{icon}{html.escape(text)}</span>'
                              if text else "")

    def refresh(self) -> None:
        start = time.perf_counter()
        try:
            note = self.update(**self.values())
        except ValueError as exc:
            self.last_error = exc
            self.show_message(str(exc))
        except Exception as exc:  # noqa: BLE001 - a learner must never see a traceback
            self.last_error = exc
            self.show_message(f"Something went wrong ({type(exc).__name__}: {exc}). "
                              "Try other settings; please report this.")
        else:
            self.last_error = None
            self.show_message(note or "", kind="info")
        self.last_update_seconds = time.perf_counter() - start

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
