"""Rebuild data/api_prices.csv from LiteLLM's maintained price database.

Usage (from the repository root, needs PyPI access; pip must be importable):

    python data/refresh_api_prices.py                 # newest litellm on PyPI
    python data/refresh_api_prices.py --version 1.109.1
    python data/refresh_api_prices.py --wheel path/to/litellm-*.whl   # offline, a wheel you already have

What it does: downloads the ``litellm`` wheel with ``pip download --no-deps`` into a
temporary folder, reads ``litellm/model_prices_and_context_window_backup.json`` from
it (the copy of ``model_prices_and_context_window.json`` that LiteLLM ships), keeps
the models listed in ``SELECTION`` and writes one CSV row per model *and context
tier* (most models have one tier; Gemini Pro, GPT-5.5 and Qwen charge more for
long prompts). Prices are converted from USD per token to USD per million tokens.
A few rows the database lacks are added by hand from ``HAND_ROWS``, each with its
own source. Every row gets the snapshot date in ``as_of``.

A price the database does not list stays empty in the CSV (shown as "n/a"): in
particular an empty cached-input price means "not listed", not "no discount", and
``token_economy.pricing`` leaves such models out of rankings of workloads with cache
hits. Prices change often: rerun this script, then rerun notebook 05. Models that
LiteLLM drops are reported and skipped; edit ``SELECTION`` to follow new ones.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "litellm"
JSON_PATH = "litellm/model_prices_and_context_window_backup.json"
OUT = Path(__file__).resolve().parent / "api_prices.csv"

#: database key -> (model_id used in this collection, provider)
SELECTION = {
    # OpenAI
    "gpt-4o": ("gpt-4o", "OpenAI"),
    "gpt-4o-mini": ("gpt-4o-mini", "OpenAI"),
    "gpt-4.1": ("gpt-4.1", "OpenAI"),
    "gpt-4.1-mini": ("gpt-4.1-mini", "OpenAI"),
    "gpt-4.1-nano": ("gpt-4.1-nano", "OpenAI"),
    "o3": ("o3", "OpenAI"),
    "o4-mini": ("o4-mini", "OpenAI"),
    "gpt-5": ("gpt-5", "OpenAI"),
    "gpt-5-mini": ("gpt-5-mini", "OpenAI"),
    "gpt-5-nano": ("gpt-5-nano", "OpenAI"),
    "gpt-5.4": ("gpt-5.4", "OpenAI"),
    "gpt-5.4-mini": ("gpt-5.4-mini", "OpenAI"),
    "gpt-5.4-nano": ("gpt-5.4-nano", "OpenAI"),
    "gpt-5.5": ("gpt-5.5", "OpenAI"),
    "gpt-6.1-sol": ("gpt-6.1-sol", "OpenAI"),
    "gpt-6.1-terra": ("gpt-6.1-terra", "OpenAI"),
    # Anthropic
    "claude-haiku-4-5": ("claude-haiku-4.5", "Anthropic"),
    "claude-sonnet-4-5": ("claude-sonnet-4.5", "Anthropic"),
    "claude-opus-4-5": ("claude-opus-4.5", "Anthropic"),
    "claude-sonnet-4-6": ("claude-sonnet-4.6", "Anthropic"),
    "claude-opus-4-7": ("claude-opus-4.7", "Anthropic"),
    "claude-haiku-5-5": ("claude-haiku-5.5", "Anthropic"),
    "claude-sonnet-5": ("claude-sonnet-5", "Anthropic"),
    "claude-opus-5": ("claude-opus-5", "Anthropic"),
    # Google
    "gemini/gemini-2.5-flash-lite": ("gemini-2.5-flash-lite", "Google"),
    "gemini/gemini-2.5-flash": ("gemini-2.5-flash", "Google"),
    "gemini/gemini-2.5-pro": ("gemini-2.5-pro", "Google"),
    "gemini/gemini-3-flash-preview": ("gemini-3-flash-preview", "Google"),
    "gemini/gemini-3.1-flash-lite": ("gemini-3.1-flash-lite", "Google"),
    "gemini/gemini-3.1-pro-preview": ("gemini-3.1-pro-preview", "Google"),
    "gemini/gemini-3.5-flash": ("gemini-3.5-flash", "Google"),
    "gemini/gemini-4-argon": ("gemini-4-argon", "Google"),
    # DeepSeek
    "deepseek-chat": ("deepseek-chat", "DeepSeek"),
    "deepseek-reasoner": ("deepseek-reasoner", "DeepSeek"),
    "deepseek-v4-flash": ("deepseek-v4-flash", "DeepSeek"),
    "deepseek-v4-pro": ("deepseek-v4-pro", "DeepSeek"),
    # ByteDance (Volcano Engine Ark; LiteLLM converts the CNY list price to USD)
    "volcengine/doubao-seed-2-1-pro-260915": ("doubao-seed-2.1-pro", "ByteDance"),
    "volcengine/doubao-seed-2-1-lite-260915": ("doubao-seed-2.1-lite", "ByteDance"),
    # Alibaba, Moonshot, Zhipu, xAI, Mistral
    "dashscope/qwen3-max": ("qwen3-max", "Alibaba"),
    "dashscope/qwen-flash": ("qwen-flash", "Alibaba"),
    "moonshot/kimi-k2.5": ("kimi-k2.5", "Moonshot"),
    "zai/glm-5.1": ("glm-5.1", "Zhipu"),
    "xai/grok-4.3": ("grok-4.3", "xAI"),
    "mistral/mistral-large-3": ("mistral-large-3", "Mistral"),
    "mistral/mistral-medium-3": ("mistral-medium-3", "Mistral"),
}

BYTEPLUS = ("BytePlus ModelArk documentation, 'Billing' (docs.byteplus.com/docs/ModelArk/1099320): "
            "ByteDance-Seed-1.6 postpaid USD price per million tokens by prompt length [0, 128k] and (128k, 256k]; "
            "added by hand because LiteLLM lacks its tiers; cache storage fee (0.0083 USD per million tokens per hour) left out")

#: Rows LiteLLM lacks, typed from the cited page (prices in USD per million tokens).
HAND_ROWS = [
    dict(model_id="doubao-seed-1.6", provider="ByteDance", tier=1, context_from_tokens=0, context_to_tokens=128_000,
         max_input_tokens=256_000, usd_per_m_input=0.25, usd_per_m_cached_input=0.05, usd_per_m_output=2.00,
         database_key="", source=BYTEPLUS),
    dict(model_id="doubao-seed-1.6", provider="ByteDance", tier=2, context_from_tokens=128_000, context_to_tokens=256_000,
         max_input_tokens=256_000, usd_per_m_input=0.50, usd_per_m_cached_input=0.05, usd_per_m_output=4.00,
         database_key="", source=BYTEPLUS),
]

COLUMNS = ["model_id", "provider", "tier", "context_from_tokens", "context_to_tokens", "max_input_tokens",
           "usd_per_m_input", "usd_per_m_cached_input", "usd_per_m_cache_write", "usd_per_m_output",
           "usd_per_m_input_batch", "usd_per_m_cached_input_batch", "usd_per_m_output_batch",
           "database_key", "source", "as_of"]


def per_million(x):
    """USD per token -> USD per million tokens, rounded to remove float dust (1.25e-07 -> 0.125)."""
    return "" if x is None else round(float(x) * 1e6, 6)


def tier_rows(key: str, entry: dict) -> list[dict]:
    """The context tiers of one database entry as rows (prices per million tokens)."""
    max_in = entry.get("max_input_tokens") or ""
    if "tiered_pricing" in entry:  # list of {"range": [lo, hi], prices...}
        rows = []
        for i, t in enumerate(entry["tiered_pricing"], start=1):
            lo, hi = (int(v) for v in t["range"])
            rows.append(dict(tier=i, context_from_tokens=lo, context_to_tokens=hi,
                             usd_per_m_input=per_million(t.get("input_cost_per_token")),
                             usd_per_m_cached_input=per_million(t.get("cache_read_input_token_cost")),
                             usd_per_m_output=per_million(t.get("output_cost_per_token"))))
        return [dict(r, max_input_tokens=max_in) for r in rows]
    thresholds = sorted({int(m.group(1)) for k in entry
                         if (m := re.fullmatch(r"input_cost_per_token_above_(\d+)k_tokens", k))})
    if len(thresholds) > 1:
        raise ValueError(f"{key}: more than one context threshold {thresholds}; extend tier_rows")
    bounds = [(0, thresholds[0] * 1000 if thresholds else max_in, "")]
    if thresholds:
        bounds.append((thresholds[0] * 1000, max_in, f"_above_{thresholds[0]}k_tokens"))
    rows = []
    for i, (lo, hi, sfx) in enumerate(bounds, start=1):
        g = lambda name: entry.get(name.format(sfx))  # noqa: E731
        rows.append(dict(
            tier=i, context_from_tokens=lo, context_to_tokens=hi, max_input_tokens=max_in,
            usd_per_m_input=per_million(g("input_cost_per_token{}")),
            usd_per_m_cached_input=per_million(g("cache_read_input_token_cost{}")),
            usd_per_m_cache_write=per_million(g("cache_creation_input_token_cost{}")),
            usd_per_m_output=per_million(g("output_cost_per_token{}")),
            usd_per_m_input_batch=per_million(g("input_cost_per_token{}_batches")),
            usd_per_m_cached_input_batch=per_million(g("cache_read_input_token_cost{}_batches")),
            usd_per_m_output_batch=per_million(g("output_cost_per_token{}_batches")),
        ))
    return rows


def fetch_json(version: str | None, wheel: str | None) -> tuple[dict, str]:
    """The price database and the exact package version it came from."""
    with tempfile.TemporaryDirectory() as tmp:
        if wheel is None:
            spec = f"{PACKAGE}=={version}" if version else PACKAGE
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                            "-d", tmp, spec], check=True, stdout=subprocess.DEVNULL)
            wheel = str(next(Path(tmp).glob(f"{PACKAGE}-*.whl")))
        got = Path(wheel).name.split("-")[1]
        with zipfile.ZipFile(wheel) as z:
            return json.loads(z.read(JSON_PATH)), got


def build_rows(db: dict, version: str, as_of: str) -> list[dict]:
    rows = []
    for key, (model_id, provider) in SELECTION.items():
        entry = db.get(key)
        if entry is None:
            print(f"skipped {key}: not in the database any more", file=sys.stderr)
            continue
        src = (f"LiteLLM price database: {JSON_PATH} in PyPI package {PACKAGE} {version}, key '{key}'; "
               f"provider page: {entry.get('source', 'not given')}")
        for r in tier_rows(key, entry):
            rows.append(dict(r, model_id=model_id, provider=provider, database_key=key, source=src, as_of=as_of))
    rows += [dict(r, as_of=as_of) for r in HAND_ROWS]
    return rows


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--version", help="litellm version to download (default: newest)")
    ap.add_argument("--wheel", help="use this litellm wheel instead of downloading")
    ap.add_argument("--as-of", default=dt.date.today().isoformat(), help="snapshot date (default: today)")
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args(argv)
    db, version = fetch_json(args.version, args.wheel)
    rows = build_rows(db, version, args.as_of)
    with open(args.out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, restval="")
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {len(rows)} rows ({len({r['model_id'] for r in rows})} models) from {PACKAGE} {version} to {args.out}")


if __name__ == "__main__":
    main()
