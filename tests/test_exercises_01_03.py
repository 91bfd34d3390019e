"""The exercise checks of notebooks 01-03: right answers in any equivalent form pass, the mistakes a
learner really makes get their own hint, and no hint gives the answer away.

(Every check's answer to hostile values, ``...``, None, NaN, text, is tested for all notebooks in
tests/test_assignments.py.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from token_economy import bpe, data, factory, hardware, languages, tokens


def test_notebook_01_checks():
    from token_economy.exercises.nb01 import exercises

    plain = {e: tokens.count_tokens("1234567890", e) for e in tokens.ENCODINGS}
    commas = {e: tokens.count_tokens("1,234,567,890", e) for e in tokens.ENCODINGS}
    assert exercises.check("q1", dict(reversed(plain.items())), pd.Series(commas)).ok
    assert "other number" in exercises.check("q1", commas, plain).message
    assert "number of characters" in exercises.check("q1", {e: 10 for e in plain}, commas).message
    assert not exercises.check("q1", {**plain, "qwen": plain["qwen"] + 1}, commas).ok

    table = tokens.token_table("naïve café 🦙", "cl100k_base")
    n, partial = len(table), int((~table["whole_characters"]).sum())
    assert n > partial > 0, "the llama must be cut: the exercise is about that"
    assert tokens.token_table("naïve café", "cl100k_base")["whole_characters"].all(), \
        "no token of 'naïve café' cuts a character in cl100k_base: the solution says so"
    assert exercises.check("q2", n, np.int64(partial)).ok and exercises.check("q2", float(n), partial).ok
    assert "number of characters" in exercises.check("q2", len("naïve café 🦙"), partial).message
    assert "without the llama" in exercises.check("q2", tokens.count_tokens("naïve café", "cl100k_base"),
                                                  partial).message
    assert "*not* whole" in exercises.check("q2", n, n - partial).message

    text = "Please summarise: <|endoftext|> and then ignore the rest."
    ordinary = tokens.count_tokens(text)
    control = len(tokens.get_encoding("o200k_base").encode(text, allowed_special="all"))
    assert ordinary > control
    assert exercises.check("q3", ordinary, control).ok
    assert "several tokens" in exercises.check("q3", control, control).message
    assert "one control token" in exercises.check("q3", ordinary, ordinary).message


def test_notebook_02_checks():
    from token_economy.exercises.nb02 import exercises

    toy = bpe.train("aaabdaaabac", 259, pattern=None)
    merges, left = [m.text for m in toy.merges], len(toy.encode("aaabdaaabac"))
    assert exercises.check("q1", merges, left).ok
    assert exercises.check("q1", tuple(m.token for m in toy.merges), float(left)).ok
    assert "tie" in exercises.check("q1", ["aa", "aaa", "aaab"], left).message
    assert "order matters" in exercises.check("q1", [merges[1], merges[0], merges[2]], left).message
    assert "before any merge" in exercises.check("q1", merges, 11).message
    assert "a list of texts" in exercises.check("q1", "aa ab aaab", left).message

    corpus = languages.load_corpus()
    zh, en = (" ".join(corpus.loc[corpus["language_code"] == c, "text"]) for c in ("zh", "en"))
    zh_tok = bpe.train(zh, 356)
    learned = len(zh_tok.merges)
    assert learned < 100, "the exercise asks why training stops before 100 merges"
    zh_rate, en_rate = (bpe.bytes_per_token(t, zh_tok.encode(t)) for t in (zh, en))
    assert exercises.check("q2", learned, round(zh_rate, 2), round(en_rate, 2)).ok
    assert "asked for" in exercises.check("q2", 100, zh_rate, en_rate).message
    assert "not characters" in exercises.check("q2", learned, len(zh) / len(zh_tok.encode(zh)), en_rate).message
    assert "other language" in exercises.check("q2", learned, en_rate, zh_rate).message

    price = float(data.load("price_examples").set_index("model").loc["gpt-4o", "usd_per_m_input"])
    flores = languages.flores_table(["o200k_base", "cl100k_base"])
    bill = {e: 50 * price * flores.loc["hi", f"premium_{e}"] for e in ("cl100k_base", "o200k_base")}
    saving = 12 * (bill["cl100k_base"] - bill["o200k_base"])
    assert exercises.check("q3", round(bill["cl100k_base"], 2), round(bill["o200k_base"], 2), round(saving)).ok
    assert "bill in English" in exercises.check("q3", 50 * price, bill["o200k_base"], saving).message
    assert "twelve" in exercises.check("q3", bill["cl100k_base"], bill["o200k_base"], saving / 12).message
    wrong = exercises.check("q3", bill["cl100k_base"], bill["o200k_base"], saving * 1.3).message
    assert f"{saving:.0f}" not in wrong and f"{saving:,.0f}" not in wrong, "a hint must not give the answer"


def test_notebook_03_checks():
    from token_economy.exercises.nb03 import exercises

    dear_kwh = float(factory.tco_inputs().set_index("parameter").loc["electricity_usd_per_kwh", "high"])
    base, dear = factory.tco_per_gpu_hour("MI300X"), factory.tco_per_gpu_hour("MI300X", electricity_usd_per_kwh=dear_kwh)
    change = dear["power"] - base["power"]
    assert exercises.check("q1", round(dear["total"], 2), round(change, 3)).ok
    assert "default electricity" in exercises.check("q1", base["total"], change).message
    assert "PUE" in exercises.check("q1", dear["total"], change / base.attrs["inputs"]["pue"]).message

    x = hardware.crossover_batch("llama-3.1-70b", "H200-SXM", 1024, n_gpus=4)
    fits = hardware.max_batch("llama-3.1-70b", "H200-SXM", 1024, n_gpus=4)
    assert x is not None and x <= fits, "the solution says the H200 reaches its compute roof here"
    assert exercises.check("q2", x, fits).ok
    assert "still memory-bound" in exercises.check("q2", x - 1, fits).message
    assert "H100" in exercises.check("q2", x, hardware.max_batch("llama-3.1-70b", "H100-SXM", 1024, n_gpus=4)).message

    figures = factory.day6_figures()
    owned = factory.day6_arithmetic(figures | {"usd_per_gpu_hour": float(factory.tco_per_gpu_hour("H800-SXM")["total"])})
    assert exercises.check("q3", round(owned["cost_usd_per_day"]), round(owned["cost_profit_margin_pct"], 1)).ok
    assert "markup on cost" in exercises.check("q3", owned["cost_usd_per_day"], owned["gross_margin_pct"]).message
    assert "lease price" in exercises.check("q3", factory.day6_arithmetic()["cost_usd_per_day"],
                                            owned["cost_profit_margin_pct"]).message

    best = {m: factory.cost_at_speed(factory.frontier(m, "H800-SXM", 4096), 50)["usd_per_m_output"]
            for m in ("deepseek-v3", "llama-3.1-70b")}
    assert best["llama-3.1-70b"] < best["deepseek-v3"], "the solution says the order flips at 50 tokens/s"
    assert exercises.check("q4", best["deepseek-v3"] * 1.01, best["llama-3.1-70b"]).ok
    assert "other model" in exercises.check("q4", best["llama-3.1-70b"], best["llama-3.1-70b"]).message
    slow = factory.cost_at_speed(factory.frontier("deepseek-v3", "H800-SXM", 4096), factory.service_level())
    assert "own speed" in exercises.check("q4", slow["usd_per_m_output"], best["llama-3.1-70b"]).message
