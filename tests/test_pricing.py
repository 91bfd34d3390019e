"""Bills computed by hand, tier boundaries, the price sheet's shape, and the refresh script's conversion."""

import importlib.util
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from token_economy import data, pricing
from token_economy.pricing import Workload, bill, compare


# --- hand-computed bills -------------------------------------------------------------
def test_plain_bill_per_request_day_month():
    # gpt-4o-mini: $0.15/M input, $0.60/M output
    # 2,000 x 0.15/1e6 + 500 x 0.60/1e6 = 0.0003 + 0.0003 = 0.0006 per request
    b = bill("gpt-4o-mini", Workload(requests_per_day=1000, input_tokens=2000, output_tokens=500))
    assert b.usd_per_request == pytest.approx(0.0006)
    assert b.usd_per_day == pytest.approx(0.6)          # x 1,000 requests
    assert b.usd_per_month == pytest.approx(18.0)       # x 30 days
    assert (b.usd_input, b.usd_output, b.usd_cached_input) == pytest.approx((0.0003, 0.0003, 0.0))


def test_cache_hits_and_cache_writes():
    # claude-sonnet-4.5: input 3, cached 0.30, cache write 3.75, output 15 ($/M)
    # 10,000 input: 8,000 cached, 1,000 written, 1,000 fresh; 1,000 output
    # 1,000x3 + 8,000x0.3 + 1,000x3.75 + 1,000x15 = 3,000 + 2,400 + 3,750 + 15,000 = 24,150 -> $0.02415
    b = bill("claude-sonnet-4.5", Workload(1, 10_000, 1_000, cache_hit_share=0.8, cache_write_share=0.1))
    assert b.usd_per_request == pytest.approx(0.02415)
    assert b.split("request") == pytest.approx(
        {"input": 0.003, "cached input": 0.0024, "cache write": 0.00375, "output": 0.015})


def test_batch_share_halves_that_share():
    # gpt-4o, 100k in + 100k out: standard 0.1 x 2.50 + 0.1 x 10.00 = 1.25; batch 0.125 + 0.5 = 0.625
    # half the requests in batch: 0.5 x 1.25 + 0.5 x 0.625 = 0.9375
    b = bill("gpt-4o", Workload(1, 100_000, 100_000, batch_share=0.5))
    assert b.usd_per_request == pytest.approx(0.9375)
    assert b.notes == ()


def test_gemini_tier_boundary_200k():
    # at 200,000 prompt tokens: tier 1, 200,000 x 1.25/1e6 + 1,000 x 10/1e6 = 0.25 + 0.01 = 0.26
    at = bill("gemini-2.5-pro", Workload(1, 200_000, 1_000))
    # one token more: the whole request at tier 2, 200,001 x 2.50/1e6 + 1,000 x 15/1e6 = 0.5000025 + 0.015
    above = bill("gemini-2.5-pro", Workload(1, 200_001, 1_000))
    assert (at.tier, above.tier) == (1, 2)
    assert at.usd_per_request == pytest.approx(0.26)
    assert above.usd_per_request == pytest.approx(0.5150025)


def test_tier_prices_apply_to_cached_and_batch_parts_too():
    # gemini-2.5-pro tier 2: cached 0.25, batch input 1.25, batch output 7.5
    # 300,000 in, half cached; all batch: 150,000 x 1.25 + 150,000 x 0.25 + 0 output = 187,500 + 37,500 -> 0.225
    b = bill("gemini-2.5-pro", Workload(1, 300_000, 0, cache_hit_share=0.5, batch_share=1))
    assert b.tier == 2 and b.usd_per_request == pytest.approx(0.225)


@pytest.mark.parametrize("tokens, tier", [(32_000, 1), (32_001, 2), (128_000, 2), (128_001, 3), (252_000, 3)])
def test_three_tier_model(tokens, tier):
    assert bill("qwen3-max", Workload(1, tokens, 0)).tier == tier


def test_prompt_longer_than_context_window_is_refused():
    with pytest.raises(ValueError, match="input_tokens=.*context window of qwen3-max"):
        bill("qwen3-max", Workload(1, 252_001, 0))


def test_missing_batch_and_cache_prices_fall_back_with_a_note():
    # deepseek-chat has no batch API: the batch share pays the standard price
    # 100k in x 0.28 + 100k out x 0.42 = 0.028 + 0.042
    plain = bill("deepseek-chat", Workload(1, 100_000, 100_000))
    batch = bill("deepseek-chat", Workload(1, 100_000, 100_000, batch_share=1))
    assert batch.usd_per_request == pytest.approx(plain.usd_per_request) == pytest.approx(0.028 + 0.042)
    assert any("batch" in n for n in batch.notes)
    # qwen-flash lists no cached price: cached tokens cost the input price, 1,000 x 0.05/1e6 = 0.00005
    b = bill("qwen-flash", Workload(1, 1000, 0, cache_hit_share=0.5))
    assert b.usd_per_request == pytest.approx(0.05e-3)


def test_a_missing_cached_price_is_missing_not_a_discount():
    # qwen3-max, 100k prompt (tier 2: input 2.4/M), 80% cache hits, no cached price listed:
    # all 100,000 tokens at 2.4/M = 0.24, booked as input; 800 output x 12/M = 0.0096
    b = bill("qwen3-max", Workload(1, 100_000, 800, cache_hit_share=0.8))
    assert b.missing == ("usd_per_m_cached_input",) and not b.priced
    assert (b.usd_input, b.usd_cached_input, b.usd_output) == pytest.approx((0.24, 0.0, 0.0096))
    assert any("upper bound" in n for n in b.notes)
    # without cache hits nothing is missing
    assert bill("qwen3-max", Workload(1, 100_000, 800)).priced
    # a listed cached price is used and booked as cached input: deepseek-chat 0.028/M
    d = bill("deepseek-chat", Workload(1, 100_000, 0, cache_hit_share=0.8))
    assert d.priced and d.usd_cached_input == pytest.approx(80_000 * 0.028 / 1e6)


def test_compare_leaves_unpriced_bills_out_of_the_ranking():
    w = Workload(1000, 100_000, 800, cache_hit_share=0.8)
    ranked = compare(w)
    assert {"qwen3-max", "qwen-flash"} <= set(ranked.attrs["unpriced"]) and "qwen3-max" not in set(ranked["model_id"])
    assert ranked["priced"].all()
    both = compare(w, unpriced="include")
    assert len(both) == len(ranked) + len(ranked.attrs["unpriced"])
    assert list(both["priced"]) == sorted(both["priced"], reverse=True)          # priced bills first
    cheapest_priced = both.loc[both["priced"], "usd_per_month"].min()
    assert both["times_cheapest"].to_numpy() == pytest.approx(both["usd_per_month"].to_numpy() / cheapest_priced)
    with pytest.raises(ValueError, match="unpriced"):
        compare(w, unpriced="maybe")
    with pytest.raises(ValueError, match="every price"):
        compare(w, ["qwen3-max"])


def test_spread_table_by_hand():
    # gpt-4o-mini 18.00, deepseek-chat 2000 x 0.28 + 500 x 0.42 = 0.00077 x 30,000 = 23.10, gpt-4o 300.00 a month
    t = pricing.spread_table({"w": compare(Workload(1000, 2000, 500), ["gpt-4o", "gpt-4o-mini", "deepseek-chat"])})
    row = t.loc["w"]
    assert (row["cheapest"], row["dearest"], row["models_billed"]) == ("gpt-4o-mini", "gpt-4o", 3)
    assert row["usd_median_month"] == pytest.approx(23.10)
    assert row["dearest_over_cheapest"] == pytest.approx(300 / 18)
    assert row["left_out_price_missing"] == 0


def test_spread_ignores_unpriced_bills():
    w = Workload(2000, 100_000, 800, cache_hit_share=0.8)
    t = pricing.spread_table({"agent": compare(w), "agent, all": compare(w, unpriced="include")})
    assert t.loc["agent", "dearest_over_cheapest"] == pytest.approx(t.loc["agent, all", "dearest_over_cheapest"])
    assert t.loc["agent", "left_out_price_missing"] == t.loc["agent, all", "left_out_price_missing"] >= 2


def test_switch_rank_saving_and_cache_what_if():
    w = Workload(1000, 2000, 500)
    s = pricing.switch("gpt-4o", w, cache_target=0.5)
    assert s.ranked["model_id"].iloc[s.rank - 1] == "gpt-4o" and s.cheapest == s.ranked["model_id"].iloc[0]
    assert s.saving_usd_month == pytest.approx(300.0 - s.usd_cheapest_month)
    # half the 2,000 input tokens cached at 1.25/M instead of 2.50/M: 1,000 x 1.25/1e6 x 30,000 = 37.50 less
    assert s.cached.usd_per_month == pytest.approx(300.0 - 37.5)
    q = pricing.switch("qwen3-max", Workload(1000, 2000, 500, cache_hit_share=0.5))
    assert q.rank is None and q.cached is None
    with pytest.raises(ValueError, match="cache_target"):
        pricing.switch("gpt-4o", w, cache_target=2)


def test_explorer_defaults_come_from_pricing_and_bad_input_clears_the_table():
    from token_economy.widgets.pricing import BillExplorer
    ex = BillExplorer()
    d = pricing.default_workload()
    assert (ex.values()["requests_per_day"], ex.values()["input_tokens"]) == (d.requests_per_day, d.input_tokens)
    ex.set(model="qwen-flash", cache_hit_share=0.5)
    assert ex.last_error is None and "not ranked" in ex.text.value and "<td>n/a</td>" in ex.table.value
    ex.set(requests_per_day=-5)
    assert isinstance(ex.last_error, ValueError) and ex.table.value == "" and ex.text.value == ""


def test_custom_record_and_sheet_row():
    assert bill({"usd_per_m_input": 1, "usd_per_m_output": 4}, Workload(1, 1e6, 1e6)).usd_per_request == 5.0
    row = pricing.get_price("gemini-2.5-pro")  # an unmodified row keeps its tiers
    assert bill(row, Workload(1, 250_000, 0)).tier == 2
    edited = row.copy()
    edited["usd_per_m_input"] = 1.0            # an edited row is a custom single-tier price
    assert bill(edited, Workload(1, 250_000, 0)).usd_per_request == pytest.approx(0.25)
    with pytest.raises(ValueError, match="usd_per_m_output"):
        bill({"usd_per_m_input": 1}, Workload(1, 1, 1))
    with pytest.raises(ValueError, match="usd_per_m_input"):
        bill({"usd_per_m_input": -1, "usd_per_m_output": 1}, Workload(1, 1, 1))


# --- validation ----------------------------------------------------------------------
@pytest.mark.parametrize("field, value", [("requests_per_day", -1), ("input_tokens", -5), ("output_tokens", float("nan")),
                                          ("cache_hit_share", 1.2), ("batch_share", -0.1), ("days_per_month", 0)])
def test_workload_rejects_bad_values_naming_the_field(field, value):
    args = dict(requests_per_day=1, input_tokens=1, output_tokens=1)
    with pytest.raises(ValueError, match=field):
        Workload(**{**args, field: value})


def test_cache_shares_cannot_exceed_one():
    with pytest.raises(ValueError, match="cache_hit_share \\+ cache_write_share"):
        Workload(1, 1, 1, cache_hit_share=0.7, cache_write_share=0.4)


def test_unknown_model_lists_close_matches():
    with pytest.raises(ValueError, match="close matches: .*gemini-2.5-pro"):
        pricing.get_price("gemini-2.5pro")
    with pytest.raises(ValueError, match="model must be"):
        bill(42, Workload(1, 1, 1))


# --- compare and the sheet -------------------------------------------------------------
def test_compare_ranks_and_skips_short_windows():
    df = compare(Workload(100, 150_000, 500))
    assert df["usd_per_month"].is_monotonic_increasing
    assert list(df.index[:2]) == [1, 2] and df["times_cheapest"].iloc[0] == 1
    assert "gpt-4o" in df.attrs["skipped"] and "gpt-4o" not in set(df["model_id"])   # 128k window
    assert df.attrs["as_of"] == pricing.as_of()
    split = df[["usd_input_month", "usd_cached_input_month", "usd_cache_write_month", "usd_output_month"]].sum(axis=1)
    assert split.to_numpy() == pytest.approx(df["usd_per_month"].to_numpy())


def test_compare_subset_and_errors():
    df = compare(Workload(1, 10, 10), ["gpt-4o", "deepseek-chat"])
    assert list(df["model_id"]) == ["deepseek-chat", "gpt-4o"]
    with pytest.raises(ValueError, match="models"):
        compare(Workload(1, 10, 10), [])
    with pytest.raises(ValueError, match="every model"):
        compare(Workload(1, 5e6, 10))


def test_price_sheet_shape_and_providers():
    sheet = pricing.price_sheet()
    assert sheet["model_id"].is_unique and 25 <= len(sheet) <= 60
    assert {"OpenAI", "Google", "Anthropic", "DeepSeek", "ByteDance"} <= set(sheet["provider"])
    for col in ("usd_per_m_input", "usd_per_m_cached_input", "usd_per_m_output", "batch_discount", "as_of", "source"):
        assert col in sheet.columns
    assert (sheet["usd_per_m_output"] >= sheet["usd_per_m_input"]).all()   # output never cheaper here
    cached = sheet.dropna(subset=["usd_per_m_cached_input"])
    assert (cached["usd_per_m_cached_input"] <= cached["usd_per_m_input"]).all()


def test_tiers_are_contiguous_and_get_dearer():
    tiers = pricing.price_tiers()
    for model, t in tiers.groupby("model_id"):
        t = t.sort_values("tier")
        assert t["context_from_tokens"].iloc[0] == 0, model
        assert (t["context_from_tokens"].iloc[1:].to_numpy() == t["context_to_tokens"].iloc[:-1].to_numpy()).all(), model
        assert t["usd_per_m_input"].is_monotonic_increasing, model


def test_price_history_table_and_trend():
    hist = pricing.price_history()
    assert {"gpt-4 (8k)", "gpt-4o", "gpt-4o-mini", "deepseek-v3", "deepseek-r1"} <= set(hist["model"])
    assert hist["date"].is_monotonic_increasing
    # a price divided by 10 each year
    factor, fitted = pricing.trend(["2021-01-01", "2022-01-01", "2023-01-01"], [100, 10, 1])
    assert factor == pytest.approx(10, rel=1e-2) and fitted[-1] == pytest.approx(1, rel=1e-2)
    with pytest.raises(ValueError, match="greater than 0"):
        pricing.decline_per_year(["2020-01-01", "2021-01-01"], [1, 0])


# --- properties ------------------------------------------------------------------------
MODELS = pricing.model_ids()


@settings(max_examples=60, deadline=None)
@given(model=st.sampled_from(MODELS), n=st.floats(0, 1e6), tin=st.floats(0, 30_000), tout=st.floats(0, 10_000),
       hit=st.floats(0, 1), batch=st.floats(0, 1))
def test_bill_is_linear_in_requests_and_never_negative(model, n, tin, tout, hit, batch):
    one = bill(model, Workload(1, tin, tout, hit, batch))
    many = bill(model, Workload(n, tin, tout, hit, batch))
    assert one.usd_per_request >= 0 and math.isfinite(one.usd_per_request)
    assert many.usd_per_day == pytest.approx(n * one.usd_per_request, rel=1e-9, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(model=st.sampled_from(MODELS), tin=st.floats(1, 30_000), a=st.floats(0, 1), b=st.floats(0, 1))
def test_more_cache_hits_never_cost_more(model, tin, a, b):
    lo, hi = sorted((a, b))
    assert bill(model, Workload(1, tin, 100, cache_hit_share=hi)).usd_per_request <= \
        bill(model, Workload(1, tin, 100, cache_hit_share=lo)).usd_per_request + 1e-15


# --- the refresh script ------------------------------------------------------------------
def load_refresh():
    spec = importlib.util.spec_from_file_location("refresh_api_prices", data.data_dir() / "refresh_api_prices.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_refresh_converts_per_token_prices_and_tiers():
    mod = load_refresh()
    entry = {"max_input_tokens": 1_000_000, "input_cost_per_token": 1.25e-06, "output_cost_per_token": 1e-05,
             "cache_read_input_token_cost": 1.25e-07, "input_cost_per_token_batches": 6.25e-07,
             "input_cost_per_token_above_200k_tokens": 2.5e-06, "output_cost_per_token_above_200k_tokens": 1.5e-05}
    rows = mod.tier_rows("x", entry)
    assert [(r["context_from_tokens"], r["context_to_tokens"]) for r in rows] == [(0, 200_000), (200_000, 1_000_000)]
    assert rows[0]["usd_per_m_cached_input"] == 0.125 and rows[0]["usd_per_m_input_batch"] == 0.625
    assert (rows[1]["usd_per_m_input"], rows[1]["usd_per_m_output"]) == (2.5, 15.0)
    listed = mod.tier_rows("y", {"max_input_tokens": 9, "tiered_pricing": [
        {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6, "range": [0, 4]},
        {"input_cost_per_token": 2e-6, "output_cost_per_token": 4e-6, "range": [4, 9]}]})
    assert [r["usd_per_m_output"] for r in listed] == [2.0, 4.0]


def test_snapshot_records_package_and_json_path():
    df = pd.read_csv(data.path("api_prices"))
    from_db = df[df["database_key"].notna()]
    assert from_db["source"].str.contains("PyPI package litellm").all()
    assert from_db["source"].str.contains("model_prices_and_context_window").all()


def test_price_history_fixes_of_issue_15():
    hist = pricing.price_history().set_index("model")
    assert str(hist.loc["claude-opus-4.5", "date"].date()) == "2025-11-24"
    assert "promotional" in hist.loc["deepseek-v3", "note"] and "2025-02-08" in hist.loc["deepseek-v3", "note"]
    # the V3 -> V3.1 step that a later "price cut" is measured from: output $1.10 -> $1.68
    v3, v31, v32 = (hist.loc[m] for m in ("deepseek-v3", "deepseek-v3.1", "deepseek-v3.2-exp"))
    assert (v3["usd_per_m_output"], v31["usd_per_m_output"], v32["usd_per_m_output"]) == (1.10, 1.68, 0.42)
    assert v3["date"] < v31["date"] < v32["date"]
