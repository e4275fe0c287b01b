"""Checksums of the files polyqa writes: the store, the model conversion and the ONNX
export each record the checksum of what they write and check it before trusting a file
again.

An index generation's files are checked at every load, all of them (2.4 GB at 10^6
chunks): SHA-256 made that a second of the load on two cores, XXH3-128 (xxhash) a tenth
of it. The checksums detect damage (a torn write, a truncated copy, a flipped bit), not
an attacker: whoever can rewrite a file can rewrite params.json with it. A recorded
checksum names its algorithm (``xxh3_128:<hex>``); a bare hex digest, as written before,
is SHA-256.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import xxhash

ALGORITHMS: dict[str, Callable[[], Any]] = {"xxh3_128": xxhash.xxh3_128, "sha256": hashlib.sha256}
STORE_ALGORITHM = "xxh3_128"
_BLOCK = 8 << 20


class UnknownChecksumError(ValueError):
    """A recorded checksum of an algorithm this polyqa does not know."""


def _digest(path: Path, algorithm: str) -> str:
    """Streamed a block at a time: a chunks file of a large corpus, or a model, need not
    be in memory twice."""
    digest = ALGORITHMS[algorithm]()
    buffer = bytearray(_BLOCK)
    view = memoryview(buffer)
    with path.open("rb") as fh:
        while n := fh.readinto(buffer):
            digest.update(view[:n])
    return str(digest.hexdigest())


def file_sha256(path: Path) -> str:
    """The file's SHA-256 as bare hex (the model conversion's and ONNX export's records)."""
    return _digest(path, "sha256")


def file_checksum(path: Path, like: str | None = None) -> str:
    """The file's checksum as ``algorithm:hex``, in the algorithm of the recorded
    checksum ``like`` (bare hex: SHA-256, returned bare), else the store's."""
    if like is None:
        return f"{STORE_ALGORITHM}:{_digest(path, STORE_ALGORITHM)}"
    name, sep, _ = like.partition(":")
    if not sep:
        return file_sha256(path)
    if name not in ALGORITHMS:
        raise UnknownChecksumError(
            f"a {name!r} checksum; this polyqa knows {', '.join(sorted(ALGORITHMS))}"
        )
    return f"{name}:{_digest(path, name)}"
