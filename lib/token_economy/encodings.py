"""Offline vocabularies: OpenAI's (through tiktoken's cache) and two Chinese model families'.

**OpenAI's encodings.** tiktoken downloads a vocabulary the first time
``tiktoken.get_encoding`` asks for it and keeps it in a cache folder under the
sha1 of its download URL, accepting a cached file only if its sha256 equals the
``expected_hash`` written in ``tiktoken_ext/openai_public.py``. :func:`install`
puts the shipped files (``data/tiktoken/*.tiktoken.gz``) into that cache, so the
ordinary tiktoken calls work with the network off::

    >>> import token_economy, tiktoken
    >>> tiktoken.get_encoding("o200k_base").encode("hello world")
    [24912, 2375]

URL and hash are read from tiktoken itself, never typed here. The cache folder is
the one named by ``TIKTOKEN_CACHE_DIR`` when that is set to a folder, otherwise a
per-user folder (``~/.cache/token-economy/tiktoken``); :func:`install` then points
``TIKTOKEN_CACHE_DIR`` at it. Nothing is ever written into the installed package.
A folder that cannot be written (read-only, full disk, a file in its place) is
skipped for the next one, and a partial file is removed; a folder that already
holds valid files is only read (an administrator can pre-populate a read-only one).

**DeepSeek's and Qwen's vocabularies** (:data:`VOCABULARIES`) ship as files in
``data/tiktoken/`` too, pinned here by the sha256 of their decompressed bytes and
checked before use; :func:`open_encoding` reads DeepSeek-V3's ``tokenizer.json``
with Hugging Face ``tokenizers`` and Qwen's ``.tiktoken`` files with
``tiktoken.Encoding``. User text is always ordinary text: control tokens such as
``<｜begin▁of▁sentence｜>`` or ``<|im_start|>`` typed by a user are not matched.

A damaged or missing shipped file raises :class:`VocabularyError` naming the file.

What it leaves out: tiktoken's older encodings (``gpt2``, ``r50k_base``,
``p50k_base``, ``p50k_edit``) are not shipped; :func:`open_encoding` refuses them
with a message instead of trying the network.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import tempfile
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import tiktoken

from .data import data_dir

#: tiktoken encodings whose vocabulary files ship with the collection (installed into tiktoken's cache).
SHIPPED = ("cl100k_base", "o200k_base")


class VocabularyError(ValueError):
    """A shipped vocabulary file is missing or damaged, or no cache folder can be written."""


# --- OpenAI's encodings, through tiktoken's cache ------------------------------------------------


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

    constructor = getattr(openai_public, name, None) if isinstance(name, str) else None
    if constructor is None or name.startswith("_") or name not in openai_public.ENCODING_CONSTRUCTORS:
        raise ValueError(f"tiktoken has no encoding named {name!r}")
    seen: dict[str, str] = {}

    def record(blobpath, expected_hash=None):
        if not seen:
            seen.update(url=blobpath, sha256=expected_hash)
        raise _Captured

    def older_format(*args, **kwargs):  # gpt2's vocab.bpe + encoder.json: not a .tiktoken file
        raise _Captured

    loaders = {"load_tiktoken_bpe": record, "data_gym_to_mergeable_bpe_ranks": older_format}
    originals = {key: getattr(openai_public, key) for key in loaders}
    for key, stand_in in loaders.items():
        setattr(openai_public, key, stand_in)
    try:
        constructor()
    except _Captured:
        pass
    finally:
        for key, original in originals.items():
            setattr(openai_public, key, original)
    if not seen.get("sha256"):
        raise ValueError(f"tiktoken does not pin a .tiktoken file and hash for {name!r}")
    return PinnedVocabulary(name, seen["url"], seen["sha256"])


def offline_tiktoken_names() -> tuple[str, ...]:
    """tiktoken's encodings that work offline here: those whose vocabulary file is shipped.

    >>> offline_tiktoken_names()
    ('cl100k_base', 'o200k_base', 'o200k_harmony')
    """
    shipped_urls = {pinned_vocabulary(n).url for n in SHIPPED}
    names = []
    for name in tiktoken.list_encoding_names():
        try:
            if pinned_vocabulary(name).url in shipped_urls:
                names.append(name)
        except ValueError:
            continue
    return tuple(names)


def shipped_file(name: str, source_dir: Path | None = None) -> Path:
    """Path of the gzipped vocabulary shipped for tiktoken encoding ``name``."""
    return Path(source_dir or data_dir() / "tiktoken") / f"{name}.tiktoken.gz"


def user_cache_dir() -> Path:
    """The per-user cache folder: ``$XDG_CACHE_HOME/token-economy/tiktoken`` (default ``~/.cache/...``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "token-economy" / "tiktoken"


def cache_candidates() -> list[Path]:
    """Folders to cache tiktoken's vocabularies in, in the order tried.

    1. ``TIKTOKEN_CACHE_DIR`` (else ``DATA_GYM_CACHE_DIR``) when set to a folder. Set
       but empty, tiktoken reads it as "no cache" and would download every time, which
       fails offline; it is then treated as not set.
    2. The per-user folder (:func:`user_cache_dir`).
    3. A per-user folder in the system's temporary directory.
    """
    out = []
    for var in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"):
        value = os.environ.get(var, "").strip()
        if value:
            out.append(Path(value))
            break
    try:
        out.append(user_cache_dir())
    except RuntimeError:  # no home folder to be found
        pass
    user = str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    out.append(Path(tempfile.gettempdir()) / f"token-economy-{user}" / "tiktoken")
    return list(dict.fromkeys(out))


def default_cache_dir() -> Path:
    """The first folder :func:`install` tries (see :func:`cache_candidates`)."""
    return cache_candidates()[0]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def install(cache_dir: Path | None = None, source_dir: Path | None = None,
            names: tuple[str, ...] = SHIPPED) -> Path:
    """Place the shipped vocabularies in tiktoken's cache, verified; return the cache folder.

    A cached file that already has the pinned hash is only read. Otherwise the shipped
    file is decompressed, checked against tiktoken's pinned sha256 and written
    atomically. Without ``cache_dir``, the folders of :func:`cache_candidates` are tried
    in turn (any ``OSError`` moves on to the next) and ``TIKTOKEN_CACHE_DIR`` is set to
    the one that worked. :class:`VocabularyError` names the folders when none works.
    """
    folders = [Path(cache_dir)] if cache_dir is not None else cache_candidates()
    failures = []
    for folder in folders:
        try:
            _install_into(folder, source_dir, names)
        except OSError as exc:
            failures.append(f"{folder} ({exc.strerror or type(exc).__name__})")
            continue
        if cache_dir is None:
            os.environ["TIKTOKEN_CACHE_DIR"] = str(folder)
        return folder
    raise VocabularyError(
        "token_economy cannot store tiktoken's vocabularies in any cache folder: " + "; ".join(failures)
        + ". Set TIKTOKEN_CACHE_DIR to a folder you can write to (or to one an administrator filled).")


def _install_into(cache: Path, source_dir: Path | None, names: tuple[str, ...]) -> None:
    for name in names:
        pin = pinned_vocabulary(name)
        target = cache / pin.cache_key
        try:
            if target.is_file() and _sha256(target.read_bytes()) == pin.sha256:
                continue
        except OSError:
            pass  # unreadable: write a good copy below (or move on to the next folder)
        source = shipped_file(name, source_dir)
        data = _decompress(source)
        if _sha256(data) != pin.sha256:
            raise VocabularyError(
                f"the vocabulary file {source} does not match tiktoken's pinned sha256 "
                f"{pin.sha256} for {name}; restore it with `git checkout -- {source.name}`"
            )
        cache.mkdir(parents=True, exist_ok=True)
        _write_atomically(target, data)


def _decompress(source: Path) -> bytes:
    try:
        return gzip.decompress(source.read_bytes())
    except FileNotFoundError:
        raise VocabularyError(f"the vocabulary file {source} is missing") from None
    except (OSError, EOFError) as exc:
        raise VocabularyError(f"the vocabulary file {source} is not a readable gzip file ({exc})") from None


def _write_bytes(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)


def _write_atomically(target: Path, data: bytes) -> None:
    # A temporary name that no other process uses, renamed into place; removed if anything fails.
    tmp = target.with_name(f"{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        _write_bytes(tmp, data)
        os.replace(tmp, target)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise


# --- DeepSeek's and Qwen's vocabularies ----------------------------------------------------------

#: Qwen's pre-tokenizer pattern (Qwen, Qwen1.5, Qwen2, Qwen2.5, Qwen3): ``PAT_STR`` of Qwen's
#: ``tokenization_qwen.py`` and the Split regex of its later ``tokenizer.json`` files.
QWEN_PATTERN = (r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"""
                r"""|\s*[\r\n]+|\s+(?!\S)|\s+""")
#: Qwen3.5's pattern: Qwen's, with combining marks (\p{M}) kept inside words.
QWEN3_5_PATTERN = (r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}"""
                   r"""| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+""")


@dataclass(frozen=True)
class ShippedVocabulary:
    """A vocabulary file of a Chinese model family, shipped gzipped in ``data/tiktoken/``."""

    name: str
    file: str
    sha256: str  # of the decompressed file
    n_bytes: int  # of the decompressed file
    kind: str  # "tokenizer.json" (read with Hugging Face tokenizers) or "tiktoken"
    label: str
    pattern: str | None = None
    normalization: str | None = None
    #: Control tokens of the models (not part of the vocabulary here; a user typing one gets ordinary tokens).
    control_tokens: tuple[str, ...] = ()

    def path(self, source_dir: Path | None = None) -> Path:
        return Path(source_dir or data_dir() / "tiktoken") / self.file


VOCABULARIES: dict[str, ShippedVocabulary] = {v.name: v for v in (
    ShippedVocabulary("deepseek_v3", "deepseek_v3.tokenizer.json.gz",
                      "ecb6f9fc369894346f0511f4074ca75cee5cd5f3b06d02f1ba35fcd39f8e121d", 7_847_602,
                      "tokenizer.json", "DeepSeek-V3 / R1"),
    ShippedVocabulary("qwen", "qwen.tiktoken.gz",
                      "b2b1b8dfb5cc5f024bafc373121c6aba3f66f9a5a0269e243470a1de16a33186", 2_561_218,
                      "tiktoken", "Qwen2.5 / Qwen3", QWEN_PATTERN, "NFC",
                      ("<|endoftext|>", "<|im_start|>", "<|im_end|>")),
    ShippedVocabulary("qwen3_5", "qwen3_5.tiktoken.gz",
                      "8dde380a6405e935f5de16a99eb61c824f3f814dd1ed298784c72babb7a03cdd", 4_579_414,
                      "tiktoken", "Qwen3.5 / Qwen3.6", QWEN3_5_PATTERN, "NFC",
                      ("<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>")),
)}

#: Short labels of every encoding the collection ships: which models use it.
LABELS = {"o200k_base": "GPT-4o and later", "cl100k_base": "GPT-4, GPT-3.5",
          "o200k_harmony": "gpt-oss", **{k: v.label for k, v in VOCABULARIES.items()}}


def _read_vocabulary(name: str, source_dir: Path | None = None) -> bytes:
    """The decompressed bytes of shipped vocabulary ``name``, after checking its sha256.

    >>> len(_read_vocabulary("qwen"))
    2561218
    """
    if name not in VOCABULARIES:
        raise ValueError(f"no shipped vocabulary named {name!r}; known: {', '.join(VOCABULARIES)}")
    spec = VOCABULARIES[name]
    source = spec.path(source_dir)
    data = _decompress(source)
    if _sha256(data) != spec.sha256:
        raise VocabularyError(
            f"the vocabulary file {source} is damaged: its sha256 is not the pinned {spec.sha256}; "
            f"restore it with `git checkout -- {source.name}`")
    return data


def _tiktoken_ranks(data: bytes) -> dict[bytes, int]:
    # The .tiktoken format: one "<base64 of the token's bytes> <rank>" per line.
    return {base64.b64decode(token): int(rank) for token, rank in (line.split() for line in data.splitlines() if line)}


class NFCEncoding(tiktoken.Encoding):
    """A tiktoken encoding that first normalises text to Unicode NFC, as Qwen's tokenizers do."""

    def encode_ordinary(self, text: str) -> list[int]:
        return super().encode_ordinary(unicodedata.normalize("NFC", text))

    def encode_ordinary_batch(self, text: list[str], *, num_threads: int = 8) -> list[list[int]]:
        return super().encode_ordinary_batch([unicodedata.normalize("NFC", t) for t in text],
                                             num_threads=num_threads)


def _byte_decoder() -> dict[str, int]:
    # The byte-level alphabet of GPT-2-style tokenizer.json files: printable bytes stand for
    # themselves, the other bytes for the characters from U+0100 up, in byte order.
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    chars, extra = {}, 0
    for b in range(256):
        if b in printable:
            chars[chr(b)] = b
        else:
            chars[chr(256 + extra)] = b
            extra += 1
    return chars


def _without_surrogates(text: str) -> str:
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _split_added_tokens(text: str) -> tuple[list[dict], str]:
    """The added (control) tokens of a tokenizer.json, and the file without them.

    The list is cut out of the text rather than the whole file parsed and written again
    (twice as fast for DeepSeek-V3's 7.8 MB); a file laid out otherwise takes the slow path.
    """
    start = text.find('"added_tokens": [')
    end = text.find('],\n    "normalizer"', start)
    if start < 0 or end < 0:
        spec = json.loads(text)
        added, spec["added_tokens"] = spec.get("added_tokens") or [], []
        return added, json.dumps(spec)
    body = start + len('"added_tokens": [')
    return json.loads("[" + text[body:end] + "]"), text[:body] + text[end:]


class HFByteLevelEncoding:
    """A byte-level BPE ``tokenizer.json`` behind the few tiktoken methods this collection uses.

    The file's added tokens (control tokens such as ``<｜begin▁of▁sentence｜>``) are
    removed before loading, so user text that contains them is encoded as ordinary text.
    """

    def __init__(self, name: str, spec_json: bytes):
        from tokenizers import Tokenizer

        text = spec_json.decode("utf-8")
        added, without = _split_added_tokens(text)
        self.name = name
        self.special_tokens_set = {t["content"] for t in added}
        self._tokenizer = Tokenizer.from_str(without)
        self.n_vocab = 1 + max(self._tokenizer.get_vocab_size() - 1, *(t["id"] for t in added))
        self._bytes = _byte_decoder()

    def __repr__(self) -> str:
        return f"<HFByteLevelEncoding {self.name!r}>"

    def encode_ordinary(self, text: str) -> list[int]:
        try:
            return self._tokenizer.encode(text, add_special_tokens=False).ids
        except TypeError:  # lone surrogates are not UTF-8: replaced by U+FFFD, as tiktoken does
            return self._tokenizer.encode(_without_surrogates(text), add_special_tokens=False).ids

    def encode_ordinary_batch(self, text: list[str], *, num_threads: int = 8) -> list[list[int]]:
        try:
            batch = self._tokenizer.encode_batch_fast(list(text), add_special_tokens=False)
        except TypeError:
            batch = self._tokenizer.encode_batch_fast([_without_surrogates(t) for t in text], add_special_tokens=False)
        return [e.ids for e in batch]

    def decode_single_token_bytes(self, token: int) -> bytes:
        piece = self._tokenizer.id_to_token(token)
        if piece is None:
            raise KeyError(f"{self.name} has no token {token!r}")
        try:
            return bytes(self._bytes[c] for c in piece)
        except KeyError:  # a control token (never produced for ordinary text): its text as UTF-8
            return piece.encode("utf-8")

    def decode_bytes(self, tokens) -> bytes:
        return b"".join(self.decode_single_token_bytes(t) for t in tokens)

    def decode(self, tokens, errors: str = "replace") -> str:
        return self.decode_bytes(tokens).decode("utf-8", errors=errors)


class _RanksOnDemand(Mapping):
    """An encoding's mergeable ranks, read again from its vocabulary file only if something asks.

    A ``tiktoken.Encoding`` keeps a Python dict of its ranks beside the Rust tables it encodes
    with, only to pickle itself (about 30 MB resident for ``o200k_base``). :func:`open_encoding`
    swaps the dict for this mapping, which reads the (verified) file again when used and pickles as
    the plain dict; a process that opens four vocabularies peaked 279 MB with the dicts and 237 MB
    without them (measured 2026-11-29 by loading them one after another, ``ru_maxrss``).

    >>> enc = open_encoding("qwen")
    >>> type(enc._mergeable_ranks).__name__, enc._mergeable_ranks[b"hello"]
    ('_RanksOnDemand', 14990)
    >>> import pickle
    >>> pickle.loads(pickle.dumps(enc)).encode_ordinary("你好, world")
    [108386, 11, 1879]
    """

    def __init__(self, load):
        self._load, self._ranks = load, None

    def _get(self) -> dict[bytes, int]:
        if self._ranks is None:
            self._ranks = self._load()
        return self._ranks

    def __getitem__(self, key):
        return self._get()[key]

    def __iter__(self):
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())

    def __reduce__(self):
        return dict, (dict(self._get()),)


def _ranks_on_demand(enc, load):
    """``enc`` with its ranks' dict replaced by :class:`_RanksOnDemand` (if tiktoken keeps one)."""
    if isinstance(getattr(enc, "_mergeable_ranks", None), dict):
        enc._mergeable_ranks = _RanksOnDemand(load)
    return enc


def open_encoding(name: str, source_dir: Path | None = None):
    """The encoding ``name``, loaded from the shipped files (no network, ever).

    tiktoken's offline encodings come from tiktoken (through the cache :func:`install`
    filled); ``deepseek_v3``, ``qwen`` and ``qwen3_5`` from their verified files. Any other
    name raises ``ValueError`` that says which encodings ship.

    >>> open_encoding("qwen").encode_ordinary("你好, world")
    [108386, 11, 1879]
    """
    if name in VOCABULARIES:
        spec = VOCABULARIES[name]
        data = _read_vocabulary(name, source_dir)
        if spec.kind == "tokenizer.json":
            return HFByteLevelEncoding(name, data)
        cls = NFCEncoding if spec.normalization == "NFC" else tiktoken.Encoding
        enc = cls(name, pat_str=spec.pattern, mergeable_ranks=_tiktoken_ranks(data), special_tokens={})
        del data
        return _ranks_on_demand(enc, lambda: _tiktoken_ranks(_read_vocabulary(name, source_dir)))
    offline = offline_tiktoken_names()
    if name in offline:
        from tiktoken import registry
        return _ranks_on_demand(tiktoken.get_encoding(name),
                                lambda: registry.ENCODING_CONSTRUCTORS[name]()["mergeable_ranks"])
    known = ", ".join([*offline, *VOCABULARIES])
    if isinstance(name, str) and name in tiktoken.list_encoding_names():
        raise ValueError(f"encoding {name!r} is a tiktoken encoding this collection does not ship (its "
                         f"vocabulary would have to be downloaded); the shipped encodings are: {known}")
    raise ValueError(f"encoding must be one of {known}; got {repr(name)[:60]}")
