"""Offline tiktoken vocabularies, verified by tiktoken's own pinned sha256.

tiktoken downloads a vocabulary the first time ``tiktoken.get_encoding`` asks for
it, and keeps it in a cache folder (``TIKTOKEN_CACHE_DIR``) under the sha1 of its
download URL. It accepts a cached file only if its sha256 equals the
``expected_hash`` written in ``tiktoken_ext/openai_public.py``.

This module puts the vocabularies that ship with the collection
(``data/tiktoken/*.tiktoken.gz``) into that cache, so that the ordinary
tiktoken calls work with the network off::

    >>> import token_economy, tiktoken
    >>> tiktoken.get_encoding("o200k_base").encode("hello world")
    [24912, 2375]

The URL and hash are read from tiktoken itself, never typed here, so a new
tiktoken release that changes them is followed automatically. A shipped file
whose sha256 does not match raises :class:`VocabularyError` naming the file.

What it leaves out: the older encodings (``r50k_base``, ``p50k_base``, ``gpt2``)
are not shipped; with the network on, tiktoken downloads them as usual.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .data import data_dir

#: The encodings whose vocabularies ship with the collection.
SHIPPED = ("cl100k_base", "o200k_base")


class VocabularyError(ValueError):
    """A shipped vocabulary file is missing or does not match tiktoken's pinned hash."""


@dataclass(frozen=True)
class PinnedVocabulary:
    """Where tiktoken downloads a vocabulary from, and the sha256 it insists on."""

    name: str
    url: str
    sha256: str

    @property
    def cache_key(self) -> str:
        """The file name tiktoken uses in its cache: the sha1 hex of the URL."""
        return hashlib.sha1(self.url.encode()).hexdigest()


class _Captured(Exception):
    pass


def pinned_vocabulary(name: str) -> PinnedVocabulary:
    """Ask tiktoken for the URL and pinned sha256 of encoding ``name``.

    The encoding's constructor in ``tiktoken_ext.openai_public`` is run with its
    loader swapped for one that records the arguments and stops, so nothing is
    read or downloaded.
    """
    from tiktoken_ext import openai_public

    constructor = getattr(openai_public, name, None)
    if constructor is None:
        raise ValueError(f"tiktoken has no encoding named {name!r}")
    seen: dict[str, str] = {}

    def record(blobpath, expected_hash=None):
        seen.update(url=blobpath, sha256=expected_hash)
        raise _Captured

    original = openai_public.load_tiktoken_bpe
    openai_public.load_tiktoken_bpe = record
    try:
        constructor()
    except _Captured:
        pass
    finally:
        openai_public.load_tiktoken_bpe = original
    if not seen.get("sha256"):
        raise ValueError(f"tiktoken does not pin a hash for {name!r}")
    return PinnedVocabulary(name, seen["url"], seen["sha256"])


def shipped_file(name: str, source_dir: Path | None = None) -> Path:
    """Path of the gzipped vocabulary shipped for ``name``."""
    return Path(source_dir or data_dir() / "tiktoken") / f"{name}.tiktoken.gz"


def default_cache_dir() -> Path:
    """The folder tiktoken caches into: ``TIKTOKEN_CACHE_DIR`` if set, else tiktoken's default."""
    for var in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"):
        if var in os.environ and os.environ[var]:
            return Path(os.environ[var])
    return Path(tempfile.gettempdir()) / "data-gym-cache"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def install(cache_dir: Path | None = None, source_dir: Path | None = None,
            names: tuple[str, ...] = SHIPPED) -> Path:
    """Place the shipped vocabularies in tiktoken's cache, verified; return the cache folder.

    A cached file that already has the pinned hash is left as it is. Otherwise the
    shipped file is decompressed, checked against tiktoken's pinned sha256 and
    written atomically. If tiktoken's default folder is not writable, a private
    folder is used and ``TIKTOKEN_CACHE_DIR`` is set to it.
    """
    explicit = cache_dir is not None
    cache = Path(cache_dir) if explicit else default_cache_dir()
    try:
        _install_into(cache, source_dir, names)
    except PermissionError:
        if explicit:
            raise
        cache = Path.home() / ".cache" / "token-economy" / "tiktoken"
        _install_into(cache, source_dir, names)
        os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    return cache


def _install_into(cache: Path, source_dir: Path | None, names: tuple[str, ...]) -> None:
    for name in names:
        pin = pinned_vocabulary(name)
        target = cache / pin.cache_key
        if target.exists() and _sha256(target.read_bytes()) == pin.sha256:
            continue
        source = shipped_file(name, source_dir)
        try:
            data = gzip.decompress(source.read_bytes())
        except FileNotFoundError:
            raise VocabularyError(f"the vocabulary file {source} is missing") from None
        except (OSError, EOFError) as exc:
            raise VocabularyError(f"the vocabulary file {source} is not a readable gzip file ({exc})") from None
        if _sha256(data) != pin.sha256:
            raise VocabularyError(
                f"the vocabulary file {source} does not match tiktoken's pinned sha256 "
                f"{pin.sha256} for {name}; restore it with `git checkout -- {source.name}`"
            )
        cache.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
