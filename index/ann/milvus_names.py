"""Names the dense collection (index/ann/milvus.py) and the sparse one beside it
(index/ann/milvus_sparse.py) share: what kind of address a uri is, a language's partition,
the manifest collection's suffix.

Apart from both because each of them needs these and the dense one also opens the sparse
one: kept in either, the two modules would import each other.
"""

from __future__ import annotations

import hashlib

META_SUFFIX = "_manifest"


def is_lite(uri: str) -> bool:
    """A file path (Milvus Lite, embedded) rather than a server's address."""
    return not uri.startswith(("http://", "https://", "tcp://", "unix:"))


def partition(lang: str) -> str:
    """A language's partition (names: letters, digits, underscores)."""
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch == "_") else "_" for ch in lang)
    if safe != lang or not lang:
        safe += "_" + hashlib.sha1(lang.encode("utf-8")).hexdigest()[:8]
    return f"lang_{safe}"
