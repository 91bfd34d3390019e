"""Count FLORES-200 in every shipped vocabulary and write the derived tables the notebooks use.

Usage (from the repository root, offline; needs a copy of FLORES-200, which is not shipped):

    python data/refresh_flores_counts.py path/to/flores200_dataset
    python data/refresh_flores_counts.py path/to/flores200_dataset --petrov path/to/tokenization_lengths_validated.csv

``path/to/flores200_dataset`` is the folder of the official FLORES-200 download (NLLB Team,
``flores200_dataset.tar.gz``) or the copy in the public GitHub repository
``AleksandarPetrov/tokenization-fairness`` (folder ``flores200_dataset``): it holds ``dev/`` and
``devtest/`` with one file per language (``eng_Latn.dev``, ``eng_Latn.devtest``, ...), one
sentence per line, the same sentences in the same order in every language.

What it writes (nothing of the text itself, only counts):

- ``data/flores200_languages.csv``: per language, the sentences (dev + devtest, 2,009), Unicode
  code points, UTF-8 bytes, words where spaces mark words, the sum of squared per-sentence code
  points (for standard errors) and the sha256 of each input file.
- ``data/flores200_token_counts.csv``: per language and encoding, the tokens (each sentence
  encoded on its own, as ordinary text, and summed), the sums of squares and of cross products
  with English and with the code points per sentence (for the standard errors of premiums and of
  tokens per character), and ``tokens_joined``: the tokens of all sentences joined by spaces into
  one text, as Petrov et al. (2023) counted.
- with ``--petrov``: ``data/petrov2023_premiums.csv`` rebuilt from the authors' table
  ``assets/tokenization_lengths_validated.csv`` (same repository) for the same languages.

FLORES-200 is licensed CC BY-SA 4.0 (NLLB Team et al., 2022); the counts are derived from it and
carry that licence in their ``licence`` column and in ``data/flores200_README.md``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent

#: (FLORES code, our language code, language name, script). English first: the reference.
LANGUAGES = [
    ("eng_Latn", "en", "English", "Latin"),
    ("spa_Latn", "es", "Spanish", "Latin"),
    ("fra_Latn", "fr", "French", "Latin"),
    ("deu_Latn", "de", "German", "Latin"),
    ("por_Latn", "pt", "Portuguese", "Latin"),
    ("ind_Latn", "id", "Indonesian", "Latin"),
    ("vie_Latn", "vi", "Vietnamese", "Latin"),
    ("tur_Latn", "tr", "Turkish", "Latin"),
    ("swh_Latn", "sw", "Swahili", "Latin"),
    ("yor_Latn", "yo", "Yoruba", "Latin"),
    ("rus_Cyrl", "ru", "Russian", "Cyrillic"),
    ("ell_Grek", "el", "Greek", "Greek"),
    ("heb_Hebr", "he", "Hebrew", "Hebrew"),
    ("arb_Arab", "ar", "Arabic", "Arabic"),
    ("urd_Arab", "ur", "Urdu", "Arabic"),
    ("pes_Arab", "fa", "Persian", "Arabic"),
    ("hin_Deva", "hi", "Hindi", "Devanagari"),
    ("ben_Beng", "bn", "Bengali", "Bengali"),
    ("tam_Taml", "ta", "Tamil", "Tamil"),
    ("tha_Thai", "th", "Thai", "Thai"),
    ("zho_Hans", "zh", "Chinese (Simplified)", "Han (Simplified)"),
    ("zho_Hant", "zh-Hant", "Chinese (Traditional)", "Han (Traditional)"),
    ("jpn_Jpan", "ja", "Japanese", "Han, Hiragana, Katakana"),
    ("kor_Hang", "ko", "Korean", "Hangul"),
    ("amh_Ethi", "am", "Amharic", "Ethiopic"),
    ("mya_Mymr", "my", "Burmese", "Myanmar"),
    ("shn_Mymr", "shn", "Shan", "Myanmar"),
]

SPLITS = ("dev", "devtest")
#: The vocabularies counted: OpenAI's two, DeepSeek-V3's, Qwen's (Qwen2.5/Qwen3) and Qwen3.5's.
ENCODINGS = ("cl100k_base", "o200k_base", "deepseek_v3", "qwen", "qwen3_5")
LICENCE = "CC BY-SA 4.0 (FLORES-200, NLLB Team 2022); counts derived from it"
SOURCE = ("FLORES-200 dev + devtest (NLLB Team et al., 'No Language Left Behind: Scaling Human-Centered Machine "
          "Translation', 2022, arXiv:2207.04672), the copy in github.com/AleksandarPetrov/tokenization-fairness "
          "(folder flores200_dataset, commit 365c3f85bdb302fdcf6d389f5f1651e4ef041741); counted by "
          "data/refresh_flores_counts.py with the collection's shipped vocabularies")

#: Petrov et al.'s column name -> (our tokenizer id, label), for --petrov.
PETROV_TOKENIZERS = {
    "cl100k_base": ("cl100k_base", "cl100k_base (GPT-4, GPT-3.5)"),
    "r50k_base": ("r50k_base", "r50k_base (GPT-3)"),
    "Qwen": ("qwen", "Qwen (Qwen-7B-Chat's tokenizer, the vocabulary of data/tiktoken/qwen.tiktoken.gz)"),
    "UTF-32": ("UTF-32", "UTF-32 (one unit per character)"),
}
PETROV_SOURCE = ("Petrov, La Malfa, Torr, Bibi, 'Language Model Tokenizers Introduce Unfairness Between Languages', "
                 "NeurIPS 2023 (arXiv:2305.15425); token totals from the authors' table "
                 "assets/tokenization_lengths_validated.csv in github.com/AleksandarPetrov/tokenization-fairness "
                 "(commit 365c3f85bdb302fdcf6d389f5f1651e4ef041741); premium = language total / English total, "
                 "computed by this collection")
#: Petrov et al.'s language names, where they differ from ours.
PETROV_NAMES = {"Arabic": "Standard Arabic", "Persian": "Western Persian"}


def read_split(folder: Path, code: str, split: str) -> tuple[list[str], str]:
    """The sentences of one file (one per line) and the file's sha256."""
    path = folder / split / f"{code}.{split}"
    raw = path.read_bytes()
    return raw.decode("utf-8").split("\n"), hashlib.sha256(raw).hexdigest()


def count(folder: Path, encodings: tuple[str, ...]) -> tuple[list[dict], list[dict]]:
    from token_economy import tokens

    texts, hashes = {}, {}
    for code, *_ in LANGUAGES:
        lines = {}
        for split in SPLITS:
            lines[split], hashes[(code, split)] = read_split(folder, code, split)
        # Petrov et al. split each file on "\n" (keeping the empty string after the final newline)
        # and joined dev and devtest with spaces; the sentences themselves are the non-empty lines.
        texts[code] = {"sentences": [s for split in SPLITS for s in lines[split] if s],
                       "joined": " ".join(lines["dev"] + lines["devtest"])}
    n = {len(t["sentences"]) for t in texts.values()}
    if len(n) != 1:
        raise SystemExit(f"the languages do not have the same number of sentences: {sorted(n)}")
    today = dt.date.today().isoformat()
    language_rows, token_rows = [], []
    english_tokens = {}
    for code, lang_code, name, script in LANGUAGES:
        sentences = texts[code]["sentences"]
        chars = [len(s) for s in sentences]
        spaced = tokens.spaces_separate_words(" ".join(sentences))
        language_rows.append({
            "language": name, "language_code": lang_code, "flores_code": code, "script": script,
            "spaces_separate_words": spaced, "sentences": len(sentences), "characters": sum(chars),
            "characters_sq": sum(c * c for c in chars),
            "bytes": sum(len(s.encode("utf-8")) for s in sentences),
            "words": sum(len(s.split()) for s in sentences) if spaced else "",
            "dev_sha256": hashes[(code, "dev")], "devtest_sha256": hashes[(code, "devtest")],
            "split": "dev + devtest", "licence": LICENCE, "source": SOURCE, "as_of": today})
        for enc in encodings:
            per_sentence = tokens.count_many(sentences, enc)
            if code == "eng_Latn":
                english_tokens[enc] = per_sentence
            ref = english_tokens[enc]
            token_rows.append({
                "flores_code": code, "language_code": lang_code, "encoding": enc, "sentences": len(sentences),
                "tokens": sum(per_sentence), "tokens_sq": sum(t * t for t in per_sentence),
                "tokens_x_english": sum(t * e for t, e in zip(per_sentence, ref)),
                "tokens_x_characters": sum(t * c for t, c in zip(per_sentence, chars)),
                "tokens_joined": tokens.count_tokens(texts[code]["joined"], enc),
                "licence": LICENCE, "source": SOURCE, "as_of": today})
        print(f"{name:<24}" + "  ".join(f"{r['encoding']} {r['tokens']:>7,}" for r in token_rows[-len(encodings):]))
    return language_rows, token_rows


def petrov_rows(table: Path) -> list[dict]:
    """Rows of data/petrov2023_premiums.csv for our languages, from the authors' validated table."""
    with open(table, newline="", encoding="utf-8") as handle:
        rows = {r["Language"]: r for r in csv.DictReader(handle)}
    english = rows["English"]
    out = []
    for code, lang_code, name, _ in LANGUAGES:
        theirs = rows[PETROV_NAMES.get(name, name)]
        for column, (tokenizer, label) in PETROV_TOKENIZERS.items():
            total, reference = theirs[column], english[column]
            if not total.isdigit():  # "–––": more than 10% unknown tokens, which the authors left out
                continue
            out.append({"language": name, "language_code": lang_code, "flores_code": code,
                        "tokenizer": tokenizer, "tokenizer_label": label, "tokens_total": int(total),
                        "english_tokens_total": int(reference),
                        "premium": round(int(total) / int(reference), 3),
                        "corpus": "FLORES-200 dev + devtest (2,009 sentences per language, joined)",
                        "source": PETROV_SOURCE, "as_of": "2023-12"})
    return out


def write(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {path} ({len(rows)} rows)")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("flores", type=Path, help="the flores200_dataset folder (with dev/ and devtest/)")
    parser.add_argument("--petrov", type=Path, help="Petrov et al.'s assets/tokenization_lengths_validated.csv")
    parser.add_argument("--out", type=Path, default=DATA, help="where to write the tables (default: data/)")
    args = parser.parse_args(argv)
    if not (args.flores / "dev").is_dir() or not (args.flores / "devtest").is_dir():
        raise SystemExit(f"{args.flores} has no dev/ and devtest/ folders: is it flores200_dataset?")
    language_rows, token_rows = count(args.flores, ENCODINGS)
    write(args.out / "flores200_languages.csv", language_rows)
    write(args.out / "flores200_token_counts.csv", token_rows)
    if args.petrov:
        write(args.out / "petrov2023_premiums.csv", petrov_rows(args.petrov))


if __name__ == "__main__":
    sys.exit(main())
