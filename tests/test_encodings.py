"""The shipped vocabularies: verified against tiktoken's pins, installed into its cache."""

import errno
import gzip
import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

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


# --- Faults of the cache folder (issue 15): every OSError ends in a fallback or a clear message ---------


@pytest.fixture
def isolated_cache(tmp_path, monkeypatch):
    """No cache folder of this machine is used: the per-user and temporary folders live in tmp_path."""
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR", raising=False)
    monkeypatch.delenv("DATA_GYM_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    return tmp_path


def leftovers(folder):
    return sorted(p.name for p in folder.rglob("*.tmp")) if folder.exists() else []


def test_default_cache_is_per_user_and_never_inside_the_package(isolated_cache):
    import token_economy
    from token_economy.data import data_dir

    folders = encodings.cache_candidates()
    assert folders[0] == isolated_cache / "home-cache" / "token-economy" / "tiktoken"
    package = Path(token_economy.__file__).resolve().parent
    for folder in folders:
        assert package not in folder.resolve().parents and data_dir().resolve() not in folder.resolve().parents
    assert encodings.install() == folders[0]
    assert os.environ["TIKTOKEN_CACHE_DIR"] == str(folders[0])


def test_empty_tiktoken_cache_dir_means_no_cache_so_it_is_replaced(isolated_cache, monkeypatch):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")  # tiktoken would then download on every call
    folder = encodings.install()
    assert folder == encodings.user_cache_dir() and os.environ["TIKTOKEN_CACHE_DIR"] == str(folder)


def test_a_file_where_the_folder_should_be_falls_back(isolated_cache, monkeypatch):
    blocker = isolated_cache / "not-a-folder"
    blocker.write_text("I am a file")
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(blocker))
    assert encodings.install() == encodings.user_cache_dir()
    assert blocker.read_text() == "I am a file"


def _fail_in(folder, err, partial=False):
    real = encodings._write_bytes

    def write(path, data):
        if Path(path).parent == folder:
            if partial:  # a full disk: half the file is written, then the write fails
                Path(path).write_bytes(data[: len(data) // 2])
            raise OSError(err, os.strerror(err), str(path))
        real(path, data)
    return write


@pytest.mark.parametrize("err, partial", [(errno.EROFS, False), (errno.ENOSPC, True), (errno.EACCES, False),
                                          (errno.EIO, True)])
def test_an_unwritable_folder_falls_back_and_leaves_no_partial_file(isolated_cache, monkeypatch, err, partial):
    first = isolated_cache / "shared"
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(first))
    monkeypatch.setattr(encodings, "_write_bytes", _fail_in(first, err, partial))
    assert encodings.install() == encodings.user_cache_dir()
    assert leftovers(first) == [], "a partial temporary file stayed behind"
    assert os.environ["TIKTOKEN_CACHE_DIR"] == str(encodings.user_cache_dir())


def test_a_failed_rename_removes_the_temporary_file(isolated_cache, monkeypatch):
    monkeypatch.setattr(encodings.os, "replace", lambda *a: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
    with pytest.raises(encodings.VocabularyError):
        encodings.install()
    assert leftovers(isolated_cache) == []


def test_when_no_folder_works_the_error_names_them(isolated_cache, monkeypatch):
    def always_read_only(path, data):
        raise OSError(errno.EROFS, "Read-only file system", str(path))
    monkeypatch.setattr(encodings, "_write_bytes", always_read_only)
    with pytest.raises(encodings.VocabularyError) as caught:
        encodings.install()
    message = str(caught.value)
    assert "Read-only file system" in message and "TIKTOKEN_CACHE_DIR" in message
    for folder in encodings.cache_candidates():
        assert str(folder) in message


def test_a_prepopulated_read_only_folder_is_only_read(isolated_cache, monkeypatch):
    shared = isolated_cache / "admin-filled"
    encodings.install(cache_dir=shared)
    before = {p.name: p.stat().st_mtime_ns for p in shared.iterdir()}

    def no_writes(path, data):
        raise AssertionError(f"wrote {path}")
    monkeypatch.setattr(encodings, "_write_bytes", no_writes)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(shared))
    assert encodings.install() == shared
    assert {p.name: p.stat().st_mtime_ns for p in shared.iterdir()} == before


def test_import_survives_an_unusable_cache_folder(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code = ("import token_economy, tiktoken, os\n"
            "print(str(token_economy.VOCABULARY_CACHE) == os.environ['TIKTOKEN_CACHE_DIR'] != %r)\n"
            "print(tiktoken.get_encoding('cl100k_base').n_vocab)\n") % str(blocker)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={"PATH": "/usr/bin:/bin", "TIKTOKEN_CACHE_DIR": str(blocker),
                              "XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "100277"]


@pytest.mark.parametrize("name", ["r50k_base", "p50k_base", "p50k_edit", "gpt2"])
def test_encodings_that_do_not_ship_are_refused_without_the_network(name, monkeypatch):
    import tiktoken.load

    from token_economy import tokens

    def no_net(*args, **kwargs):
        raise AssertionError("a download was attempted")
    monkeypatch.setattr(tiktoken.load, "read_file", no_net)
    with pytest.raises(ValueError, match=f"{name}.*does not ship.*cl100k_base"):
        tokens.get_encoding(name)
    with pytest.raises(ValueError, match="does not ship"):
        tokens.count_tokens("hello", name)
