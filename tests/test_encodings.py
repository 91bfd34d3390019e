"""The shipped vocabularies: verified against tiktoken's pins, installed into its cache."""

import gzip
import hashlib
import subprocess
import sys

import pytest
import tiktoken

from token_economy import encodings


@pytest.mark.parametrize("name", encodings.SHIPPED)
def test_shipped_file_matches_tiktokens_pinned_hash(name):
    pin = encodings.pinned_vocabulary(name)
    assert pin.url.startswith("https://") and pin.url.endswith(f"{name}.tiktoken")
    data = gzip.decompress(encodings.shipped_file(name).read_bytes())
    assert hashlib.sha256(data).hexdigest() == pin.sha256


def test_pinned_vocabulary_reads_tiktokens_source_not_a_copy():
    # The hash must be the one written in tiktoken_ext/openai_public.py.
    import inspect

    from tiktoken_ext import openai_public

    pin = encodings.pinned_vocabulary("o200k_base")
    assert pin.sha256 in inspect.getsource(openai_public.o200k_base)


def test_unknown_encoding_is_a_clear_error():
    with pytest.raises(ValueError, match="no encoding named"):
        encodings.pinned_vocabulary("nope_base")


def test_install_writes_tiktokens_cache_layout(tmp_path):
    cache = encodings.install(cache_dir=tmp_path)
    for name in encodings.SHIPPED:
        pin = encodings.pinned_vocabulary(name)
        cached = cache / pin.cache_key
        assert hashlib.sha1(pin.url.encode()).hexdigest() == cached.name
        assert hashlib.sha256(cached.read_bytes()).hexdigest() == pin.sha256


def test_install_replaces_a_corrupt_cached_file(tmp_path):
    pin = encodings.pinned_vocabulary("cl100k_base")
    (tmp_path / pin.cache_key).write_bytes(b"garbage")
    encodings.install(cache_dir=tmp_path, names=("cl100k_base",))
    assert hashlib.sha256((tmp_path / pin.cache_key).read_bytes()).hexdigest() == pin.sha256


def test_corrupt_shipped_file_names_the_file(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    good = gzip.decompress(encodings.shipped_file("cl100k_base").read_bytes())
    (source / "cl100k_base.tiktoken.gz").write_bytes(gzip.compress(good[:-10] + b"tampered!\n"))
    with pytest.raises(encodings.VocabularyError, match=r"cl100k_base\.tiktoken\.gz.*pinned sha256"):
        encodings.install(cache_dir=tmp_path / "cache", source_dir=source, names=("cl100k_base",))


def test_unreadable_and_missing_shipped_files_name_the_file(tmp_path):
    (tmp_path / "o200k_base.tiktoken.gz").write_bytes(b"not gzip at all")
    with pytest.raises(encodings.VocabularyError, match="o200k_base.tiktoken.gz.*gzip"):
        encodings.install(cache_dir=tmp_path / "c", source_dir=tmp_path, names=("o200k_base",))
    with pytest.raises(encodings.VocabularyError, match="cl100k_base.tiktoken.gz is missing"):
        encodings.install(cache_dir=tmp_path / "c", source_dir=tmp_path, names=("cl100k_base",))


def test_tiktoken_public_api_uses_the_installed_cache(tmp_path):
    # A fresh interpreter whose cache starts empty and whose downloads are made to fail:
    # get_encoding can only succeed through the files token_economy put in the cache.
    code = (
        "import tiktoken.load as L\n"
        "def no_net(*a, **k): raise RuntimeError('download attempted')\n"
        "L.read_file = no_net\n"
        "import token_economy, tiktoken\n"
        "for n in ('cl100k_base', 'o200k_base'):\n"
        "    e = tiktoken.get_encoding(n)\n"
        "    assert e.decode(e.encode('hello 世界')) == 'hello 世界'\n"
        "print(tiktoken.get_encoding('o200k_base').n_vocab, tiktoken.get_encoding('cl100k_base').n_vocab)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"TIKTOKEN_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert out.returncode == 0, out.stderr
    o200k, cl100k = map(int, out.stdout.split())
    assert 199_000 < o200k < 201_000 and 100_000 < cl100k < 101_000


def test_encoding_for_model_maps_to_shipped_encodings():
    assert tiktoken.encoding_for_model("gpt-4o").name == "o200k_base"
    assert tiktoken.encoding_for_model("gpt-4").name == "cl100k_base"
