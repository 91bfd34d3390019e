"""Notebook 07's explorers: a Gaussian and a word model, each trained on its own output.

Both take a sample size, a number of generations, the share of fresh human data in
every generation and a random seed, and redraw the curves, with a progress bar that
advances as generations are computed. The control ranges are capped so that one update
stays well under a second on a small machine; values outside them get a message, and
the old result is cleared.

Speed: the simulations keep recent runs and extend them (``token_economy.collapse``),
and the figures are drawn once and then updated in place (``plots.collapse.GaussianPanels``,
``TextPanels``), so an update costs a few tens of milliseconds.
"""

from __future__ import annotations

import html
import time

import ipywidgets as W

from .. import collapse, data
from ..plots import collapse as cplots
from . import Explorer, FigureView, register

MAX_SEED = 2**32 - 1


def _check_common(generations, human_share, seed, max_generations):
    if not isinstance(generations, int) or not 1 <= generations <= max_generations:
        raise ValueError(f"generations must be a whole number from 1 to {max_generations} "
                         f"(more would take too long here), got {generations}.")
    if human_share is None or not 0 <= human_share <= 1:
        raise ValueError("human_share, the share of human data, is a fraction from 0 (none) to 1 (all human data), "
                         f"got {human_share}.")
    if not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be a whole number from 0 to {MAX_SEED}, got {seed}.")


class _CollapseExplorer(Explorer):
    """Shared plumbing: the progress bar that follows the generations, and clearing after bad input."""

    #: Progress-bar updates per simulation at most (each one is a message to the browser).
    PROGRESS_STEPS = 10
    #: A simulation faster than this shows no intermediate progress, only the finished bar.
    PROGRESS_AFTER_SECONDS = 0.15

    def make_progress(self) -> W.IntProgress:
        self.progress = W.IntProgress(value=0, min=0, max=1, description="generation",
                                      layout=W.Layout(width="60%"))
        return self.progress

    def start_progress(self, generations: int) -> None:
        self._every = max(1, generations // self.PROGRESS_STEPS)
        self._started = time.perf_counter()
        self._shown = 0

    def step(self, g: int, total: int) -> None:
        if g == total:
            self.progress.max = total
            self.progress.value = total
            self.progress.description = f"{total} / {total}"
            self.progress.bar_style = "success"
        elif g - self._shown >= self._every and time.perf_counter() - self._started > self.PROGRESS_AFTER_SECONDS:
            self._shown = g
            self.progress.bar_style = "info"
            self.progress.max = total
            self.progress.value = g
            self.progress.description = f"{g} / {total}"

    def refresh(self) -> None:
        super().refresh()
        if self.last_error is not None:   # no stale figure under the message
            self.clear()

    def clear(self) -> None:
        self.view.image.value = b""
        self.key.value = ""
        self.progress.value = 0
        self.progress.description = "generation"
        self.progress.bar_style = ""


@register
class GaussianCollapseExplorer(_CollapseExplorer):
    name = "gaussian_collapse"
    title = "A Gaussian fed on its own samples: choose M, generations, human share, seed"
    notebook = "07_ai_feeds_on_ai"
    RUNS = collapse.GAUSSIAN_DEFAULTS["runs"]
    MAX_SAMPLE_SIZE = 500
    MAX_GENERATIONS = 200

    def make_controls(self):
        d = collapse.GAUSSIAN_DEFAULTS
        return {
            "sample_size": W.IntText(value=d["sample_size"], description="M samples"),
            "generations": W.IntText(value=d["generations"], description="generations"),
            "human_share": W.FloatText(value=d["human_share"], step=0.05, description="human share"),
            "seed": W.IntText(value=d["seed"], description="seed"),
        }

    def make_body(self):
        self.view = FigureView(10, 3.5, 1, 2, margins=dict(left=0.065, right=0.985, bottom=0.14, top=0.97,
                                                            wspace=0.2))
        self.panels = cplots.GaussianPanels(*self.view.axes, legend=False)
        self.key = W.HTML()
        return W.VBox([self.make_progress(), self.key, self.view.image])

    def update(self, sample_size, generations, human_share, seed):
        if not isinstance(sample_size, int) or not 2 <= sample_size <= self.MAX_SAMPLE_SIZE:
            raise ValueError(f"sample_size must be a whole number from 2 (a spread needs two points) "
                             f"to {self.MAX_SAMPLE_SIZE}, got {sample_size}.")
        _check_common(generations, human_share, seed, self.MAX_GENERATIONS)
        self.start_progress(generations)
        runs = collapse.gaussian_generations(sample_size, generations, self.RUNS, human_share=human_share,
                                             seed=seed, progress=self.step)
        self.step(generations, generations)
        self.panels.update(runs)
        self.view.draw()
        self.key.value = cplots.key_html(self.panels.key())
        return collapse.gaussian_summary(runs)

    def static(self):
        return cplots.gaussian_figure(collapse.gaussian_generations(**self.values(), runs=self.RUNS))

    @classmethod
    def sample_settings(cls, rng):
        return {"sample_size": rng.choice([2, 3, 5, 10, 30, 100, 300, rng.randint(2, cls.MAX_SAMPLE_SIZE)]),
                "generations": rng.randint(1, cls.MAX_GENERATIONS),
                "human_share": rng.choice([0.0, 0.1, 0.5, 1.0, round(rng.random(), 2)]),
                "seed": rng.randint(0, 10_000)}


@register
class TextCollapseExplorer(_CollapseExplorer):
    name = "text_collapse"
    title = "A word model fed on its own text: choose words, generations, human share, seed"
    notebook = "07_ai_feeds_on_ai"
    MIN_WORDS = 1_000
    MAX_WORDS = 40_000
    MAX_GENERATIONS = 60
    COLOURS = {"no human text": cplots.MODEL}

    def make_controls(self):
        d = collapse.TEXT_DEFAULTS
        corpora = data.load("corpora")
        return {
            "corpus": W.Dropdown(options=[(t, c) for c, t in zip(corpora["corpus_id"], corpora["title"])],
                                 value=d["corpus"], description="human text"),
            "words_per_generation": W.IntText(value=d["words_per_generation"] or collapse.default_words(d["corpus"]),
                                              description="words / gen."),
            "generations": W.IntText(value=d["generations"], description="generations"),
            "human_share": W.FloatText(value=d["human_share"], step=0.05, description="human share"),
            "seed": W.IntText(value=d["seed"], description="seed"),
        }

    def make_body(self):
        self.view = FigureView(11, 3.2, 1, 3, margins=dict(left=0.05, right=0.99, bottom=0.14, top=0.96,
                                                            wspace=0.22))
        self.panels = cplots.TextPanels(self.view.axes, legend=False)
        self.key = W.HTML()
        self.sample = W.HTML()
        return W.VBox([self.make_progress(), self.key, self.view.image, self.sample])

    def update(self, corpus, words_per_generation, generations, human_share, seed):
        if not isinstance(words_per_generation, int) or not self.MIN_WORDS <= words_per_generation <= self.MAX_WORDS:
            raise ValueError(f"words_per_generation must be a whole number from {self.MIN_WORDS:,} to "
                             f"{self.MAX_WORDS:,}, got {words_per_generation}.")
        _check_common(generations, human_share, seed, self.MAX_GENERATIONS)
        self.start_progress(generations)
        runs = collapse.text_with_reference(corpus, generations, human_share=human_share,
                                            words_per_generation=words_per_generation, seed=seed,
                                            progress=self.step)
        self.step(generations, generations)
        self.panels.update(runs, self.COLOURS)
        self.view.draw()
        self.key.value = cplots.key_html(self.panels.key()) + cplots.panel_names_html(self.panels.names())
        last = list(runs.values())[-1]
        self.sample.value = (f"<b>Generation {generations} writes:</b> <i>{html.escape(last.samples[generations])}"
                             "</i>")
        return collapse.text_summary(last)

    def clear(self) -> None:
        super().clear()
        self.sample.value = ""

    def static(self):
        return cplots.text_figure(collapse.text_with_reference(**self.values()), self.COLOURS)

    @classmethod
    def sample_settings(cls, rng):
        return {"corpus": rng.choice(["hamlet", "macbeth"]),
                "words_per_generation": rng.choice([cls.MIN_WORDS, 10_000, rng.randint(cls.MIN_WORDS, cls.MAX_WORDS)]),
                "generations": rng.randint(1, cls.MAX_GENERATIONS),
                "human_share": rng.choice([0.0, 0.1, 0.5, 1.0, round(rng.random(), 2)]),
                "seed": rng.randint(0, 10_000)}
