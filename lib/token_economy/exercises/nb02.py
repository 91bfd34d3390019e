"""Checks for the exercises of notebook 02 (how a tokenizer is made, and who pays more).

The expected answers come from the collection's trainer (``bpe``), corpus and FLORES-200 counts
(``languages``) and price sheet, so they follow them.

    >>> exercises.check("q1", ["aa", "aaa", "aaab"], 5)
    ❌ Exercise 1: `first_merges` is not right yet. Hint: after the first merge, count the pairs again: two pairs tie, and a tie goes to the pair of smaller ids (a byte's id is below 256, a new token's is 256 or more).
"""

from __future__ import annotations

from .. import bpe, data, languages
from . import Answer, Exercises, Wrong

exercises = Exercises("02_tokenizer_and_language_tax")

#: Exercise 1: the toy text and the number of merges done by hand.
TOY, ROUNDS = "aaabdaaabac", 3
#: Exercise 2: the corpus language trained on, the one encoded with it, and the merges asked for.
TRAIN_ON, ENCODE, MERGES_ASKED = "zh", "en", 100
#: Exercise 3: input tokens a month per language (as measured in English), the model whose input price is used.
TOKENS_PER_MONTH, PRICE_MODEL, LANGUAGE = 50e6, "gpt-4o", "hi"


def _token_list(answer: Answer) -> list[bytes]:
    """A learner's list of merged tokens as bytes (texts or bytes, in a list or tuple)."""
    value = answer.given()
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise Wrong(f"`{answer.name}` should be a list of texts in quotes, such as [\"xy\", \"zw\"], "
                    f"got {type(value).__name__}.")
    out = []
    for item in value:
        if isinstance(item, str):
            out.append(item.encode("utf-8"))
        elif isinstance(item, bytes):
            out.append(item)
        else:
            raise Wrong(f"`{answer.name}` should hold texts in quotes, such as \"xy\"; it holds a "
                        f"{type(item).__name__}.")
    return out


@exercises.exercise("q1", "first_merges", "tokens_left")
def _bpe_by_hand(first_merges, tokens_left):
    toy = bpe.train(TOY, 256 + ROUNDS, pattern=None)
    expected = [m.token for m in toy.merges]
    given = _token_list(first_merges)
    if len(given) != len(expected):
        raise Wrong(f"`first_merges` should hold the {len(expected)} new tokens of {ROUNDS} rounds, "
                    f"one per round; it holds {len(given)}.")
    if given != expected:
        if sorted(given) == sorted(expected):
            hint = "the order matters: one new token per round, in the order they are merged"
        elif given[0] != expected[0]:
            hint = "count every pair of neighbours in the text, overlapping pairs too, and merge the most frequent"
        else:
            hint = ("after the first merge, count the pairs again: two pairs tie, and a tie goes to the pair of "
                    "smaller ids (a byte's id is below 256, a new token's is 256 or more)")
        raise Wrong(f"`first_merges` is not right yet. Hint: {hint}.")
    lengths = [len(bpe.train(TOY, 256 + k, pattern=None).encode(TOY)) for k in range(ROUNDS + 1)]
    tokens_left.close_to(lengths[-1], unit="tokens", rel_tol=1e-9, mistakes={
        **{n: f"that is the length after {k} merge{'s' if k != 1 else ''}; count after all {ROUNDS}"
           for k, n in enumerate(lengths[1:-1], start=1)},
        lengths[0]: "that is the length before any merge: each merge replaces every occurrence of its pair "
                    "by one token",
    })


@exercises.exercise("q2", "merges_learned", "zh_bytes_per_token", "en_bytes_per_token")
def _one_language_tokenizer(merges_learned, zh_bytes_per_token, en_bytes_per_token):
    corpus = languages.load_corpus()
    train_text, other_text = (" ".join(corpus.loc[corpus["language_code"] == code, "text"])
                              for code in (TRAIN_ON, ENCODE))
    trained = bpe.train(train_text, 256 + MERGES_ASKED)
    learned = len(trained.merges)
    n = merges_learned.number("merges")
    if n != learned and abs(n - learned) <= 3:
        raise Wrong("`merges_learned` is not right yet. Hint: join the passages with one space, \" \".join(...), "
                    "as the question says: another separator makes pairs of its own.")
    merges_learned.close_to(learned, unit="merges", rel_tol=1e-9, mistakes={
        MERGES_ASKED: "that is what was asked for; count the merges it learned: len(tokenizer.merges)",
        256 + MERGES_ASKED: "that is the vocabulary asked for; count the merges it learned: len(tokenizer.merges)",
        256 + learned: "that is the vocabulary (256 bytes plus the merges); count the merges alone",
    })
    for answer, text, other in ((zh_bytes_per_token, train_text, other_text),
                                (en_bytes_per_token, other_text, train_text)):
        ids = trained.encode(text)
        answer.close_to(bpe.bytes_per_token(text, ids), unit="bytes per token", rel_tol=0.02, mistakes={
            len(text) / len(ids): "bytes per token counts UTF-8 bytes (len(text.encode())), not characters",
            bpe.bytes_per_token(other, trained.encode(other)): "that is the other language",
            len(ids) / len(text.encode("utf-8")): "that is tokens per byte; the question asks for bytes per token",
        })


@exercises.exercise("q3", "hindi_cl100k", "hindi_o200k", "yearly_saving")
def _hindi_bill(hindi_cl100k, hindi_o200k, yearly_saving):
    price = float(data.load("price_examples").set_index("model").loc[PRICE_MODEL, "usd_per_m_input"])
    flores = languages.flores_table(["o200k_base", "cl100k_base"])
    bills = {e: float(languages.bill_table(flores, e, TOKENS_PER_MONTH, price, [LANGUAGE])
                      .loc[LANGUAGE, "usd_per_month"]) for e in ("cl100k_base", "o200k_base")}
    english = TOKENS_PER_MONTH * price / 1e6
    for answer, encoding, other in ((hindi_cl100k, "cl100k_base", "o200k_base"),
                                    (hindi_o200k, "o200k_base", "cl100k_base")):
        premium = float(flores.loc[LANGUAGE, f"premium_{encoding}"])
        answer.close_to(bills[encoding], unit="dollars a month", rel_tol=2e-3, mistakes={
            english: "that is the bill in English: the same content in Hindi needs more tokens (its premium)",
            english / premium: "the premium multiplies the token count; it does not divide it",
            TOKENS_PER_MONTH * premium * price: "the price is per million tokens",
            bills[other]: f"that is the bill with the other vocabulary; this one is for {encoding}",
            12 * bills[encoding]: "the question asks for a month here; only the saving is per year",
        })
    saving = 12 * (bills["cl100k_base"] - bills["o200k_base"])
    yearly_saving.close_to(saving, unit="dollars a year", rel_tol=2e-3, mistakes={
        saving / 12: "that is one month; a year has twelve",
        -saving: "the saving is the old bill minus the new one",
    })
