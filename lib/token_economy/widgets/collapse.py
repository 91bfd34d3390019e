"""Notebook 07's explorers: a Gaussian and a word model, each trained on its own output.

Both take a sample size, a number of generations, the share of fresh human data in
every generation and a random seed, and redraw the curves, with a progress bar that
advances per generation. The control ranges are capped so that one update stays
under a second on a small machine; values outside them get a message, not a result.
"""

from __future__ import annotations

import html
import ipywidgets as W
import numpy as np

from .. import collapse, data
from ..plots import collapse as cplots
from . import Explorer, FigureView, register

MAX_SEED = 2**32 - 1


def _check_common(generations, human_share, seed, max_generations):
    if not isinstance(generations, int) or not 1 <= generations <= max_generations:
        raise ValueError(f"Generations must be a whole number from 1 to {max_generations} "
                         f"(more would take too long here), got {generations}.")
    if human_share is None or not 0 <= human_share <= 1:
        raise ValueError("The share of human data is a fraction from 0 (none) to 1 (all human data), "
                         f"got {human_share}.")
    if not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise ValueError(f"The random seed must be a whole number from 0 to {MAX_SEED}, got {seed}.")


class _CollapseExplorer(Explorer):
    """Shared plumbing: the progress bar that follows the generations."""

    def make_progress(self) -> W.IntProgress:
        self.progress = W.IntProgress(value=0, min=0, max=1, description="generation",
                                      layout=W.Layout(width="60%"))
        return self.progress

    def start_progress(self, generations: int) -> None:
        self.progress.bar_style = "info"
        self.progress.max = generations
        self.progress.value = 0

    def step(self, g: int, total: int) -> None:
        self.progress.value = g
        self.progress.description = f"{g} / {total}"
        if g == total:
            self.progress.bar_style = "success"


@register
class GaussianCollapseExplorer(_CollapseExplorer):
    name = "gaussian_collapse"
    title = "A Gaussian fed on its own samples: choose M, generations, human share, seed"
    notebook = "07_ai_feeds_on_ai"
    RUNS = 200
    MAX_SAMPLE_SIZE = 500
    MAX_GENERATIONS = 200

    def make_controls(self):
        return {
            "sample_size": W.IntText(value=100, description="M samples"),
            "generations": W.IntText(value=100, description="generations"),
            "human_share": W.FloatText(value=0.0, step=0.05, description="human share"),
            "seed": W.IntText(value=0, description="seed"),
        }

    def make_body(self):
        self.view = FigureView(10, 3.8, 1, 2, margins=dict(left=0.065, right=0.985, bottom=0.13, top=0.92,
                                                            wspace=0.2))
        return W.VBox([self.make_progress(), self.view.image])

    def update(self, sample_size, generations, human_share, seed):
        if not isinstance(sample_size, int) or not 2 <= sample_size <= self.MAX_SAMPLE_SIZE:
            raise ValueError(f"M, the sample size, must be a whole number from 2 (a spread needs two points) "
                             f"to {self.MAX_SAMPLE_SIZE}, got {sample_size}.")
        _check_common(generations, human_share, seed, self.MAX_GENERATIONS)
        self.start_progress(generations)
        runs = _gaussian_runs(sample_size, generations, self.RUNS, human_share, seed, progress=self.step)
        self.step(generations, generations)
        for ax in self.view.axes:
            ax.clear()
        cplots.draw_spread_fan(self.view.axes[0], runs)
        cplots.draw_spread_histograms(self.view.axes[1], runs)
        self.view.draw()
        if 0 < human_share and runs.human_per_generation == 0:
            return (f"{human_share:.0%} of {sample_size} points rounds to 0 human points per generation: "
                    "this is the same as no human data.")
        typical = collapse.halving_generations(sample_size)
        return (f"With no human data the typical variance halves about every {typical:.1f} generations at "
                f"M = {sample_size}. Median fitted sd at generation {generations}: "
                f"{float(np.median(runs.std[:, -1])):.3f}.")

    def static(self):
        v = {k: c.value for k, c in self.controls.items()}
        return cplots.gaussian_figure(_gaussian_runs(v["sample_size"], v["generations"], self.RUNS,
                                                     v["human_share"], v["seed"]))

    @classmethod
    def sample_settings(cls, rng):
        return {"sample_size": rng.choice([2, 3, 5, 10, 30, 100, 300, rng.randint(2, cls.MAX_SAMPLE_SIZE)]),
                "generations": rng.randint(1, cls.MAX_GENERATIONS),
                "human_share": rng.choice([0.0, 0.1, 0.5, 1.0, round(rng.random(), 2)]),
                "seed": rng.randint(0, 10_000)}


_CACHE: dict = {}


def _cached(key, compute):
    """A small memo of recent simulations, so a static twin or an unchanged reference run is not recomputed."""
    if key not in _CACHE:
        if len(_CACHE) >= 16:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = compute()
    return _CACHE[key]


def _gaussian_runs(sample_size, generations, runs, human_share, seed, progress=None):
    return _cached(("gauss", sample_size, generations, runs, human_share, seed),
                   lambda: collapse.gaussian_generations(sample_size, generations, runs, human_share=human_share,
                                                         seed=seed, progress=progress))


def _text_run(corpus, generations, words, human_share, seed, progress=None):
    return _cached(("text", corpus, generations, words, human_share, seed),
                   lambda: collapse.text_generations(corpus, generations, human_share=human_share,
                                                     words_per_generation=words, seed=seed, progress=progress))


def default_words(corpus: str = "hamlet") -> int:
    """Words per generation by default: as many as the human training text of the corpus."""
    return collapse.load_corpus(corpus).train_words


@register
class TextCollapseExplorer(_CollapseExplorer):
    name = "text_collapse"
    title = "A word model fed on its own text: choose words, generations, human share, seed"
    notebook = "07_ai_feeds_on_ai"
    MIN_WORDS = 1_000
    MAX_WORDS = 40_000
    MAX_GENERATIONS = 60

    def make_controls(self):
        corpora = data.load("corpora")
        return {
            "corpus": W.Dropdown(options=[(t, c) for c, t in zip(corpora["corpus_id"], corpora["title"])],
                                 value="hamlet", description="human text"),
            "words_per_generation": W.IntText(value=default_words("hamlet"), description="words / gen."),
            "generations": W.IntText(value=50, description="generations"),
            "human_share": W.FloatText(value=0.1, step=0.05, description="human share"),
            "seed": W.IntText(value=0, description="seed"),
        }

    def make_body(self):
        self.view = FigureView(11, 3.5, 1, 3, margins=dict(left=0.072, right=0.99, bottom=0.14, top=0.97,
                                                            wspace=0.3))
        self.sample = W.HTML()
        return W.VBox([self.make_progress(), self.view.image, self.sample])

    def runs(self, corpus, words_per_generation, generations, human_share, seed, progress=None) -> dict:
        """The chosen run and, for comparison, the same settings with no human text."""
        label = f"{human_share:.0%} human text"
        chosen = _text_run(corpus, generations, words_per_generation, human_share, seed, progress)
        if human_share == 0:
            return {"no human text": chosen}
        return {"no human text": _text_run(corpus, generations, words_per_generation, 0.0, seed), label: chosen}

    def update(self, corpus, words_per_generation, generations, human_share, seed):
        if not isinstance(words_per_generation, int) or not self.MIN_WORDS <= words_per_generation <= self.MAX_WORDS:
            raise ValueError(f"Words per generation must be a whole number from {self.MIN_WORDS:,} to "
                             f"{self.MAX_WORDS:,}, got {words_per_generation}.")
        _check_common(generations, human_share, seed, self.MAX_GENERATIONS)
        self.start_progress(generations)
        runs = self.runs(corpus, words_per_generation, generations, human_share, seed, progress=self.step)
        self.step(generations, generations)
        for ax in self.view.axes:
            ax.clear()
        cplots.draw_text_panels(self.view.axes, runs, colours={"no human text": cplots.MODEL})
        self.view.draw()
        last = list(runs.values())[-1]
        self.sample.value = (f"<b>Generation {generations} writes:</b> <i>{html.escape(last.samples[generations])}"
                             "</i>")
        kept = last.metrics["vocabulary_kept"].iloc[-1]
        return f"After {generations} generations the model still uses {kept:.0%} of the words of the human text."

    def static(self):
        v = {k: c.value for k, c in self.controls.items()}
        return cplots.text_figure(self.runs(**v), colours={"no human text": cplots.MODEL})

    @classmethod
    def sample_settings(cls, rng):
        return {"corpus": rng.choice(["hamlet", "macbeth"]),
                "words_per_generation": rng.choice([cls.MIN_WORDS, 10_000, rng.randint(cls.MIN_WORDS, cls.MAX_WORDS)]),
                "generations": rng.randint(1, cls.MAX_GENERATIONS),
                "human_share": rng.choice([0.0, 0.1, 0.5, 1.0, round(rng.random(), 2)]),
                "seed": rng.randint(0, 10_000)}
