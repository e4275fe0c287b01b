"""One file's SHA-256, read in blocks: the store, the model conversion and the ONNX export
each record the checksum of what they write and check it before trusting a file again."""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_sha256(path: Path) -> str:
    """Streamed: a chunks file of a large corpus, or a model, need not be in memory twice."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
