"""Checks for the exercises of notebook 00 (start here): token counts and what they cost.

The expected answers are computed from the collection's data and functions, so they follow
the data: a new price in ``data/price_examples.csv`` moves the answer of exercise 2 with it.

    >>> exercises.check("q2", "13.50")
    ❌ Exercise 2: `monthly_cost` is a text ('13.50'); it should be a number of dollars a month, without quotes.
"""

from __future__ import annotations

from .. import data, tokens
from ..tokens import START_TEXT as DEFAULT_TEXT, default_price
from . import Exercises

exercises = Exercises("00_start_here")

#: Exercise 2's chatbot: messages a day, tokens per message, days in a month.
MESSAGES_PER_DAY, TOKENS_PER_MESSAGE, DAYS = 10_000, 300, 30


@exercises.exercise("q1", "my_name", "name_tokens")
def _name_tokens(my_name, name_tokens):
    name = my_name.text()
    expected = {enc: tokens.count_tokens(name, enc) for enc in tokens.ENCODINGS}
    name_tokens.same_counts(expected, hint="count them with tokens.count_tokens(my_name, encoding)")


@exercises.exercise("q2", "monthly_cost")
def _chatbot_bill(monthly_cost):
    # "The cheapest price in the sheet", read from the sheet itself (the solution uses default_price()).
    sheet = data.load("price_examples")
    cheapest = sheet.loc[sheet["usd_per_m_input"].idxmin()]
    price, output_price = float(cheapest["usd_per_m_input"]), float(cheapest["usd_per_m_output"])
    tokens_a_month = MESSAGES_PER_DAY * TOKENS_PER_MESSAGE * DAYS
    monthly_cost.close_to(tokens_a_month * price / 1e6, unit="dollars a month", mistakes={
        tokens_a_month * price: "the price is per million tokens",
        tokens_a_month * price / 1e6 / DAYS: "that is one day; the question asks for a month of 30 days",
        tokens_a_month * output_price / 1e6: "the messages are input tokens; use the input price",
    })


@exercises.exercise("q3", "cost_of")
def _cost_function(cost_of):
    price, _ = default_price()
    cases = [(text, usd) for text in ("", "Tokens are not free.", DEFAULT_TEXT, "🙂 " * 50)
             for usd in (price, 2.5)]
    cost_of.returns([(args, tokens.count_tokens(args[0]) * args[1] / 1e6) for args in cases], mistakes={
        "count tokens, not characters (tokens.count_tokens)": lambda text, usd: len(text) * usd / 1e6,
        "the price is per million tokens": lambda text, usd: tokens.count_tokens(text) * usd,
    })
