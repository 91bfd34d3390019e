"""Machinery of the hostile-input tests: discover the library, know how to call each function.

The promise under test (``token_economy.checks``): every public function gives a
correct result or a ``ValueError`` that names the bad argument; never an
unhandled traceback, never a silently wrong number (NaN, infinity).

Discovery is automatic: every module of ``token_economy`` (``pkgutil``), every
public function defined there (``inspect``). Each parameter is driven by the
first rule that applies:

1. :data:`ARGS`, a small explicit table keyed ``"module.function.param"``,
   ``"module.param"`` or ``"param"`` (module without the ``token_economy.`` prefix);
2. its annotation or default: ``str`` -> hostile text, ``int``/``float`` ->
   hostile numbers, any other default -> left at its default (not driven);
3. otherwise the function is *not drivable* and the suite says so by name.

A function is called first with valid values only (its *baseline*): that call
must work, otherwise hostile calls could fail for the wrong reason.
"""

from __future__ import annotations

import dataclasses
import decimal
import importlib
import inspect
import math
import numbers
import pkgutil
import re
import signal
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

import token_economy

# --- hostile values -----------------------------------------------------------------

ONE_MB = ("Tokens cost money. 词元不是免费的。トークン 🙂 مرحبا \u200b" * 30_000)[:1_000_000]

#: Hostile texts by name. None contains the words "nan" or "inf", so such a word in an output is a number.
HOSTILE_TEXTS = {
    "empty": "",
    "lone surrogates": "\ud800 a\udfffb \udc80",
    "zero-width": "a\u200bb\u200c\u200dc\ufeff\u2060",
    "right-to-left": "\u202eabc\u202c \u0645\u0631\u062d\u0628\u0627 \u05e9\u05dc\u05d5\u05dd \u200f",
    "special tokens": "<|endoftext|><|fim_prefix|><|endofprompt|><|im_start|>",
    "control characters": "\x00\x01\x1b[31m\x7f\r\n\t",
    "combining marks": "e\u0301" * 40 + "Z\u0351\u036b\u0343\u036a",
    "emoji sequences": "👩‍👩‍👧‍👦🏳️‍🌈🇨🇳 🙂",
    "markup": "<script>alert(1)</script><img src=x onerror=alert(1)>\"'&amp;",
    "whitespace only": " \n\t \u3000 " * 20,
    "format strings": "{0} {} %s %(x)d $x$ \\frac{1}{0}",
    "1 MB": ONE_MB,
}

#: Hostile numbers by name: zero, negatives, fractions where a whole number is meant, NaN, huge.
HOSTILE_NUMBERS = {
    "zero": 0,
    "minus one": -1,
    "minus a half": -0.5,
    "a half": 0.5,
    "tiny": 1e-300,
    "huge float": 1e308,
    "huge negative": -1e308,
    "huge int": 10**30,
    "2**63": 2**63,
    "beyond any float": 10**400,
    "nan": float("nan"),
    "inf": float("inf"),
    "-inf": float("-inf"),
    # below any sane magnitude: 1 / 5e-324 is infinite (issue 15)
    "subnormal": 5e-324,
    "negative subnormal": -5e-324,
    # not numbers, or numbers of another type (issue 15): refused or converted, never a TypeError
    "True": True,
    "False": False,
    "numpy True": np.bool_(True),
    "the text '5'": "5",
    "None": None,
    "complex": 1 + 1j,
    "Decimal 5": decimal.Decimal("5"),
    "Decimal NaN": decimal.Decimal("NaN"),
    "Decimal 1e-400": decimal.Decimal("1e-400"),
    "numpy float64 nan": np.float64("nan"),
    "numpy int64": np.int64(3),
    "numpy float32": np.float32(0.5),
}

#: Values that are not numbers: a function that takes a number must refuse them with a ValueError
#: (None is not here: it means "the default" for some optional arguments).
NOT_NUMBERS = {"True", "False", "numpy True", "the text '5'", "complex"}
#: Hostile arrays of word ids (for parameters of kind "ids", 1-D arrays of whole non-negative numbers).
HOSTILE_IDS = {
    "NaN id": np.array([0.0, float("nan"), 1.0]),
    "infinite id": np.array([0.0, float("inf")]),
    "negative id": np.array([0, -1, 1]),
    "fractional id": np.array([0.0, 0.5, 1.0]),
    "huge id": np.array([0, 10**12]),
    "2-D": np.array([[0, 1, 2]]),
    "one word": np.array([0]),
    "no words": np.array([], dtype=np.int64),
    "text": np.array(["a", "b"]),
    "booleans": np.array([True, False, True]),
    "ragged": [[0, 1], [2]],
}

NONFINITE_WORD = re.compile(r"(?<![A-Za-z])(nan|inf|infinity)(?![A-Za-z])", re.I)

# --- the explicit table -------------------------------------------------------------------


@dataclass(frozen=True)
class Arg:
    """How to drive one parameter: ``kind`` is ``text``, ``number`` or ``fixed`` (valid value only)."""

    kind: str
    valid: Any = None

    def value(self):
        return self.valid() if callable(self.valid) else self.valid


def T(valid="hello world"):
    return Arg("text", valid)


def N(valid=1.0):
    return Arg("number", valid)


def F(valid):
    return Arg("fixed", valid)


def _workload():
    from token_economy import pricing
    return pricing.Workload(requests_per_day=1000, input_tokens=500, output_tokens=200)


def _df(module, fn, *args, **kw):
    return lambda: getattr(importlib.import_module(f"token_economy.{module}"), fn)(*args, **kw)


ARGS: dict[str, Arg] = {
    # checks: the value is the thing checked
    "checks.value": N(0.5),
    "checks.name": T("price"),
    "checks.minimum": F(None),
    "checks.maximum": F(None),
    "checks.smallest": F(None),
    "checks.argument_error.argument": T("price"),
    "checks.argument_error.message": T("price must be at least 0"),
    "checks.argument_error.value": F(-1),
    "checks.text.value": T("hello"),
    "checks.whole.value": N(3),
    # tokens
    "tokens.texts": Arg("texts", ["hello world", "你好"]),
    "tokens.samples": Arg("samples", {"en": "hello world", "zh": "你好世界"}),
    "tokens.models": F(lambda: ["gpt-4o"]),
    "encoding": T("o200k_base"),
    # data and encodings
    "data.name": T("price_examples"),
    "data.key": T("takeout"),
    "data.df": F(lambda: pd.DataFrame({"x": [1], "source": ["a"], "as_of": ["2025-01-01"]})),
    "data.sources_markdown.names": Arg("texts", ["price_examples"]),
    "schema.p": F(lambda: token_economy.data.path("price_examples")),
    "schema.res": F(lambda: token_economy.data.resource("price_examples")),
    "schema.table_problems.text": T(lambda: token_economy.data.path("price_examples").read_text()),
    "encodings.name": T("o200k_base"),
    "display.source": T("takeout"),
    "display.df": F(lambda: pd.DataFrame({"model": ["a", "b"], "tokens": [1200, None], "usd": [0.15, 12.5]})),
    # plots
    "plots.fig": F(lambda: token_economy.plots.new_figure()[0]),
    "plots.ax": F(lambda: token_economy.plots.new_figure()[1]),
    "plots.dpi": N(50),
    "plots.colour": T("#0072B2"),
    "plots.colours": Arg("texts", ["#0072B2", "#D55E00"]),
    "plots.min_delta_e": N(12.0),
    # hardware and factory: ids (or records)
    "hardware.model": T("llama-3.1-8b"),
    "hardware.gpu": T("H100-SXM"),
    "hardware.id_or_record": T("H100-SXM"),
    "hardware.get_model.id_or_record": T("llama-3.1-8b"),
    "hardware.record": F(lambda: token_economy.hardware.get_gpu("H100-SXM")),
    "hardware.batch": N(8),
    "hardware.batches": F([1, 8, 64]),
    "hardware.context_tokens": N(4096),
    "hardware.users": N(4),
    "hardware.prompt_tokens": N(1000),
    "factory.model": T("llama-3.1-8b"),
    "factory.gpu": T("H100-SXM"),
    "factory.batches": F([1, 8, 64]),
    "factory.figures": F(None),
    "factory.other": T("llama-3.1-70b"),
    "factory.other_gpu": T("H200-SXM"),
    "factory.cost_at_speed.table": F(lambda: token_economy.factory.frontier("llama-3.1-8b", "H100-SXM", 4096,
                                                                            max_gpus=8)),
    # pricing
    "pricing.model": T("gpt-4o-mini"),
    "pricing.model_id": T("gpt-4o-mini"),
    "pricing.workload": F(_workload),
    "pricing.models": F(None),
    "pricing.dates": F(["2023-01-01", "2024-01-01", "2025-01-01"]),
    "pricing.prices": F([10.0, 5.0, 2.0]),
    "pricing.bills": F(lambda: {"a workload": token_economy.pricing.compare(_workload())}),
    # profit
    "profit.amounts": F([100.0, 200.0]),
    "profit.currencies": F(["USD", "CNY"]),
    "profit.units_per_usd": N(7.1),
    "profit.in_usd.units_per_usd": F({"USD": 1.0, "CNY": 7.1}),
    "profit.slices": F(lambda: pd.Series({"chip": 0.5, "model": 0.3, "reseller": 0.2})),
    "profit.m": N(0.5),
    "profit.revenue": N(100.0),
    "profit.price": N(2.0),
    # languages
    "languages.table": F(_df("languages", "premium_table")),
    "languages.counts": F(None),
    "languages.corpus": F(None),
    "languages.languages": F(None),
    "languages.select_languages.languages": F(["en"]),
    "languages.reference": T("en"),
    "languages.tokenizer": T("cl100k_base"),
    "languages.compare_with_petrov.encoding": T("cl100k_base"),
    "languages.bills": F(lambda: token_economy.languages.bill_table(
        token_economy.languages.flores_table(["o200k_base"]), "o200k_base", 1e6, 1.0)),
    "languages.x": F(lambda: pd.Series({"en": 1.0, "zh": 2.0, "hi": 3.0})),
    "languages.y": F(lambda: pd.Series({"en": 1.0, "zh": 3.0, "hi": 2.0})),
    "languages.ratio_se.n": N(10),
    "languages.with_se.table": F(_df("languages", "flores_table")),
    "tokens.words": Arg("texts", ["the", "antidisestablishmentarianism"]),
    "tokens.cost_table_html.table": F(lambda: token_economy.tokens.cost_table("hello world", 1.0)),
    "profit.flip_rate.target_usd": N(100.0),
    # bpe
    "bpe.ids": F([1, 2, 3, 1, 2]),
    "bpe.pair": F((1, 2)),
    "bpe.new_id": N(256),
    "bpe.counts": F(None),
    "bpe.tok": F(lambda: token_economy.bpe.train("hello hello world, low lower lowest", 270)),
    "bpe.texts": Arg("samples", {"en": "hello world"}),
    "bpe.vocab_size": N(270),
    "bpe.n_merges": N(5),
    "bpe.text": T("hello hello world, low lower lowest"),
    "bpe.pattern": F(None),
    "bpe.BPETokenizer.merges": F(lambda: token_economy.bpe.train("hello hello world", 260).merges),
    # collapse
    "collapse.sample_size": N(20),
    "collapse.generations": N(5),
    "collapse.runs": N(20),
    "collapse.spread_summary.runs": F(lambda: token_economy.collapse.gaussian_generations(20, 5, 20)),
    "collapse.median_halving_generation.runs": F(lambda: token_economy.collapse.gaussian_generations(20, 5, 20)),
    "collapse.mean": F(lambda: np.zeros(3)),
    "collapse.std": F(lambda: np.ones(3)),
    "collapse.beyond": N(2.0),
    "collapse.corpus": T("hamlet"),
    "collapse.corpus_record.corpus": T("hamlet"),
    "collapse.row_length": N(50),
    "collapse.rows": F(lambda: np.array([[0, 1, 2, 1], [2, 1, 0, 0]])),
    "collapse.vocabulary_size": N(3),
    "collapse.model": F(lambda: token_economy.collapse.fit_bigram(np.array([[0, 1, 2, 1], [2, 1, 0, 0]]), 3)),
    "collapse.sample_bigram.rows": N(4),
    "collapse.length": N(5),
    "collapse.rng": F(lambda: np.random.default_rng(0)),
    "collapse.held_out": Arg("ids", lambda: np.array([0, 1, 2, 3, 1])),   # 3 = the unknown word of a 3-word model
    "collapse.counts": F(lambda: np.array([3, 2, 1])),
    "collapse.words_per_generation": N(None),
    "collapse.progress": F(None),
    "collapse.text_generations.generations": N(2),
    # sensitivity: a verdict function of named inputs, its base values and ranges
    "sensitivity.f": F(lambda: (lambda x, y: x - y)),
    "sensitivity.inputs": F({"x": 1.0, "y": 0.5}),
    "sensitivity.name": T("x"),
    "sensitivity.flip_value.low": N(0.0),
    "sensitivity.flip_value.high": N(2.0),
    "sensitivity.ranges": F({"x": (0.0, 2.0), "y": (0.0, 1.0)}),
    "sensitivity.table": F(lambda: token_economy.sensitivity.sensitivity(
        lambda x, y: x - y, {"x": 1.0, "y": 0.5}, {"x": (0.0, 2.0)})),
    "collapse.text_with_reference.generations": N(2),
    "collapse.gaussian_summary.runs": F(lambda: token_economy.collapse.gaussian_generations(20, 5, 20)),
    "collapse.text_summary.run": F(lambda: token_economy.collapse.text_generations("macbeth", 2,
                                                                                  words_per_generation=2_000)),
    # capstone
    "capstone.business": F(lambda: token_economy.capstone.Business("model", price=1.0, capacity=100,
                                                                   unit_cost=0.1, fixed_cost=20)),
    "capstone.market": F(lambda: token_economy.capstone.Market(start_price=1.0, demand=1000)),
    "capstone.pnl": F(lambda: token_economy.capstone.simulate(
        token_economy.capstone.Business("model", price=1.0, capacity=100, unit_cost=0.1, fixed_cost=20),
        token_economy.capstone.Market(start_price=1.0, demand=1000))),
    "capstone.Business.layer": T("model"),
    "capstone.Business.strategy": T("hold"),
    "capstone.Business.capacity": N(100),
    "capstone.Market.start_price": N(1.0),
    "capstone.Market.demand": N(1000),
    # explorers' helpers
    "widgets.capstone.pnl": F(lambda: token_economy.capstone.simulate(
        token_economy.capstone.Business("model", price=1.0, capacity=100, unit_cost=0.1, fixed_cost=20),
        token_economy.capstone.Market(start_price=1.0, demand=1000))),
    "widgets.capstone.unit": T("million tokens"),
    "capstone.layer": T("model"),
    "capstone.play.market": F(None),
    "capstone.choices.market": F(None),
    "capstone.compare_layers.market": F(None),
    "capstone.assumption.parameter": T("growth"),
    "capstone.assumption.layer": T("all"),
    "widgets.factory.s": F(lambda: token_economy.factory.serving_cost("llama-3.1-8b", "H100-SXM")),
    "widgets.factory.users_table.context_tokens": N(4096),
    "widgets.factory.users_table.users": N(4),
    "widgets.cls": F(None),
    "profit.tco_usd_per_gpu_hour": F({"gpu": 0.6, "capital": 0.3, "power": 0.15, "hosting": 0.3}),
    "profit.verdict": T("model_margin"),
    "profit.quantity": T("dram_industry_revenue"),
    "profit.period": T("2025-Q4"),
    "display.x": N(1234.5),
    "profit.column": T("gross_margin_pct"),
    "profit.company": T("Nvidia"),
    "profit.parameter": T("reseller_markup"),
    "widgets.profit.shares": F(lambda: token_economy.profit.dollar_split(
        pd.Series({"chip": 0.5, "model": 0.3, "reseller": 0.2}))),
    "widgets.profit.layer_of": F({"chip": "hardware", "model": "model", "reseller": "reseller"}),
    "widgets.profit.layers": F(lambda: token_economy.profit.chain().layers),
    # exercise checks' public helpers
    "exercises.nb06.krw_rate.kind": T("Q4 2025"),
}

#: Public functions that are deliberately not driven with hostile input, and why.
EXEMPT: dict[str, str] = {
    "encodings.install": "writes vocabulary files to a cache folder; its inputs are paths chosen by the library",
    "widgets.register": "a class decorator, no learner input",
    "schema.frame": "reads a table's text after schema.table_problems has checked it (data.load does both)",
    "widgets.all_explorers": "no arguments; exercised by every explorer test",
}
#: Modules whose functions only draw the library's (checked) results; learner input reaches them
#: through the explorers, which the explorer tests drive with hostile values.
EXEMPT_MODULE_PREFIXES = {"plots.": "drawing functions take results of checked library functions; "
                                    "learner input reaches them through the explorers (tested below)"}


# --- discovery ------------------------------------------------------------------------------


def walk_modules() -> tuple[dict[str, Any], dict[str, str]]:
    """``({module name: module}, {module name: import error})`` for every module of token_economy."""
    modules, failures = {"token_economy": token_economy}, {}
    for info in pkgutil.walk_packages(token_economy.__path__, "token_economy."):
        try:
            modules[info.name] = importlib.import_module(info.name)
        except Exception as exc:  # noqa: BLE001 - another engineer's module may be half-written
            failures[info.name] = f"{type(exc).__name__}: {exc}"
    return modules, failures


def short(module_name: str) -> str:
    return module_name.removeprefix("token_economy.").removeprefix("token_economy")


def public_functions() -> dict[str, Callable]:
    """``{"module.function": function}`` for every public function defined in a token_economy module.

    Public dataclasses that check their fields (they define ``__post_init__``) count as functions too:
    their constructors take learner input. Dataclasses without checks are results, not inputs.
    """
    found = {}
    modules, _ = walk_modules()
    for name, module in modules.items():
        for attr, obj in vars(module).items():
            if attr.startswith("_") or not callable(obj):
                continue
            if inspect.isclass(obj):
                if dataclasses.is_dataclass(obj) and obj.__module__ == name and "__post_init__" in vars(obj):
                    found[f"{short(name)}.{attr}".lstrip(".")] = obj
                continue
            fn = inspect.unwrap(obj)
            if inspect.isfunction(fn) and fn.__module__ == name:
                found[f"{short(name)}.{attr}".lstrip(".")] = obj
    return dict(sorted(found.items()))


def exemption(qualname: str) -> str | None:
    if qualname in EXEMPT:
        return EXEMPT[qualname]
    for prefix, reason in EXEMPT_MODULE_PREFIXES.items():
        if qualname.startswith(prefix) and qualname.count(".") >= 2:
            return reason
    return None


def _auto(param: inspect.Parameter) -> Arg | None:
    ann = str(param.annotation) if param.annotation is not inspect.Parameter.empty else ""
    default = param.default
    has_default = default is not inspect.Parameter.empty
    textual = re.search(r"\bstr\b", ann) and "Path" not in ann
    numeric = re.search(r"\b(float|int)\b", ann) and not re.search(r"\b(tuple|list|dict)\b", ann)
    if has_default:
        if isinstance(default, bool):
            return F(default)
        if isinstance(default, numbers.Real) or numeric:
            return N(default)
        if textual and (default is None or isinstance(default, str)):
            return T(default)
        return F(default)
    if textual:
        return T()
    if numeric:
        return N()
    return None


def plan(qualname: str, fn: Callable) -> tuple[dict[str, Arg], list[str]]:
    """How to drive each parameter of ``fn``: ``({param: Arg}, [params nobody knows how to drive])``."""
    module, _, fname = qualname.rpartition(".")
    args, unknown = {}, []
    for pname, param in inspect.signature(fn).parameters.items():
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            continue
        spec = (ARGS.get(f"{module}.{fname}.{pname}") or ARGS.get(f"{module}.{pname}") or ARGS.get(pname)
                or _auto(param))
        if param.kind is inspect.Parameter.VAR_POSITIONAL and spec is None:
            continue
        if spec is None:
            unknown.append(pname)
        else:
            args[pname] = spec
    return args, unknown


def call(fn: Callable, args: dict[str, Arg], overrides: dict[str, Any] | None = None):
    """Call ``fn`` with the valid value of every parameter, except ``overrides``."""
    overrides = overrides or {}
    params = inspect.signature(fn).parameters
    positional, keywords = [], {}
    for pname, spec in args.items():
        value = overrides[pname] if pname in overrides else spec.value()
        kind = params[pname].kind
        if kind is inspect.Parameter.VAR_POSITIONAL:
            positional.extend(value)
        elif kind is inspect.Parameter.KEYWORD_ONLY:
            keywords[pname] = value
        elif kind is inspect.Parameter.POSITIONAL_ONLY or not keywords:
            positional.append(value)
        else:
            keywords[pname] = value
    return fn(*positional, **keywords)


def hostile_values(spec: Arg) -> dict[str, Any]:
    """Named hostile values for a parameter of this kind."""
    if spec.kind == "text":
        return dict(HOSTILE_TEXTS)
    if spec.kind == "number":
        return dict(HOSTILE_NUMBERS)
    if spec.kind == "texts":
        return {f"[{k}]": [v] for k, v in HOSTILE_TEXTS.items()} | {"no texts": []}
    if spec.kind == "samples":
        return {f"{{{k}}}": {"sample": v} for k, v in HOSTILE_TEXTS.items()} | {
            "hostile label": {HOSTILE_TEXTS["markup"]: "hello"}, "no samples": {}}
    if spec.kind == "ids":
        return dict(HOSTILE_IDS)
    return {}


# --- judging a result ---------------------------------------------------------------------------


def nonfinite(obj, depth: int = 0) -> bool:
    """Does ``obj`` hold a NaN or an infinity (numbers, arrays, frames, containers, dataclasses, text)?"""
    if depth > 6 or obj is None:
        return False
    if isinstance(obj, bool):
        return False
    if isinstance(obj, numbers.Number):
        try:
            return not math.isfinite(complex(obj).real) or not math.isfinite(complex(obj).imag)
        except OverflowError:
            return False  # an int too big for a float is a finite number
    if isinstance(obj, np.ndarray):
        return obj.dtype.kind in "fc" and not np.isfinite(obj).all()
    if isinstance(obj, (pd.DataFrame, pd.Series)):
        frame = obj.to_frame() if isinstance(obj, pd.Series) else obj
        num = frame.select_dtypes("number")
        if num.size and not np.isfinite(num.to_numpy(dtype=float, na_value=np.nan)).all():
            return True
        return any(nonfinite(v, depth + 1) for v in frame.select_dtypes(exclude="number").to_numpy().ravel()[:200])
    if isinstance(obj, str):
        return bool(NONFINITE_WORD.search(obj))
    if hasattr(obj, "data") and isinstance(getattr(obj, "data", None), str):  # IPython HTML/Markdown
        return nonfinite(obj.data, depth + 1)
    if isinstance(obj, dict):
        return any(nonfinite(v, depth + 1) for v in obj.values())
    if isinstance(obj, (list, tuple, set)):
        return any(nonfinite(v, depth + 1) for v in list(obj)[:500])
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return any(nonfinite(getattr(obj, f.name), depth + 1) for f in dataclasses.fields(obj))
    return False


def names_argument(exc: ValueError, pname: str, value) -> bool:
    """Does the error message name the parameter (``context_tokens`` or ``context tokens``) or quote the value?"""
    msg = str(exc).lower()
    words = {pname.lower(), pname.lower().replace("_", " ")}
    if any(w in msg for w in words):
        return True
    if isinstance(value, str) and repr(value)[:12].lower() in msg:
        return True
    if isinstance(value, (list, tuple, dict)):  # a bad element (or key) quoted in the message
        return any(names_argument(exc, pname, v) for v in list(value)[:5] if isinstance(v, str))
    return False


def empty_text(value) -> bool:
    """An empty or whitespace-only text, or a container of one (a text with no characters or no words)."""
    if isinstance(value, str):
        return not value.split()
    if isinstance(value, dict):
        return any(empty_text(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(empty_text(v) for v in value)
    return False


#: Functions that return NaN for a ratio that is undefined because a text is empty (0 tokens / 0 characters),
#: by design: pandas reads NaN as "missing", and explorers show a dash. Only empty texts may give NaN here.
INFINITY_MEANS_NO_LIMIT = {("capstone.Business", "capacity")}  # documented: math.inf = no capacity limit
NAN_FOR_EMPTY_TEXT = {"tokens.text_stats", "tokens.cost_table", "tokens.claim_check_table", "tokens.rates_table"}


class CallTimeout(Exception):
    pass


@contextmanager
def time_limit(seconds: float):
    """Interrupt a call running longer than ``seconds`` (a missing upper bound on an input)."""
    def handler(signum, frame):
        raise CallTimeout(f"took longer than {seconds:g} s")
    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


#: Modules whose errors name the argument by the value of one of their parameters.
NAMED_BY = {"token_economy.checks": "name"}


def judge(fn, args, pname, label, value, baseline_nonfinite: bool, limit: float = 20.0,
          qualname: str = "") -> str | None:
    """Call with one hostile value; return a problem sentence, or None when the behaviour is right."""
    try:
        with time_limit(limit):
            result = call(fn, args, {pname: value})
    except CallTimeout as exc:
        return f"{pname}={label}: {exc}"
    except ValueError as exc:
        if not str(exc).strip():
            return f"{pname}={label}: ValueError with an empty message"
        named_by = NAMED_BY.get(getattr(fn, "__module__", ""))
        name = args[named_by].value() if named_by and pname != named_by else pname
        if not names_argument(exc, name, value):
            return f"{pname}={label}: ValueError does not name {pname!r}: {str(exc)[:160]}"
        return None
    except Exception as exc:  # noqa: BLE001 - this is what the test looks for
        return f"{pname}={label}: unhandled {type(exc).__name__}: {str(exc)[:160]}"
    if label in NOT_NUMBERS and args[pname].kind == "number":
        return f"{pname}={label}: accepted {value!r} as a number instead of a ValueError"
    if qualname in NAN_FOR_EMPTY_TEXT and empty_text(value):
        return None
    if (qualname, pname) in INFINITY_MEANS_NO_LIMIT and value == math.inf:
        return None
    if nonfinite(result) and not baseline_nonfinite:
        return f"{pname}={label}: returned a non-finite number (NaN or infinity) instead of an error"
    return None
