"""Second-stage scoring: the model's similarity to each candidate's best sentence.

No multilingual cross-encoder ships with weights on the registries polyqa can reach, so
the second stage reuses the embedding model at a finer grain. A chunk vector averages
several sentences; a question is usually answered by one, and in another language the
averaged vector loses the most (xquad-dev: adding the best sentence's similarity to the
chunk's raises xhit@1 from 0.838 to 0.862 and hit@1 from 0.916 to 0.934).

Sentence vectors are computed once per sentence text and model and kept in a cache file,
so a re-index or a second process embeds only new sentences. The right home for them is
the index generation itself (builder/store); until then the cache stands in.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from corpus.document import Chunk
from corpus.sentences import sentences_in_context
from index.embedder import Embedder

logger = logging.getLogger(__name__)

_KEY_BYTES = 16


class SentenceVectors:
    """Every chunk's sentences as unit vectors; ``best(q, rows)`` is the reranker's score."""

    def __init__(
        self,
        owners: np.ndarray,
        vectors: np.ndarray,
        n_chunks: int,
        starts: Sequence[int] | None = None,
    ) -> None:
        self.owners = owners  # sentence -> store row
        self.vectors = vectors  # float32, one row per sentence
        self.n_chunks = n_chunks
        order = np.argsort(owners, kind="stable")
        self._owners_sorted = owners[order]
        self._order = order
        # (row, start of the sentence in its chunk's text) -> sentence, for `vector_of`
        self._at = {
            (int(o), int(st)): i
            for i, (o, st) in enumerate(zip(owners, starts or (), strict=False))
        }

    @classmethod
    def build(
        cls, chunks: Sequence[Chunk], embedder: Embedder, cache_dir: Path | None = None
    ) -> SentenceVectors:
        """Split every chunk into sentences and embed those the cache does not hold."""
        started = time.perf_counter()
        texts, owners, starts = [], [], []
        for row, chunk in enumerate(chunks):
            for s, _, context in sentences_in_context(chunk.text) or [(0, 0, chunk.text)]:
                texts.append(context)
                owners.append(row)
                starts.append(s)
        cache = _VectorCache(cache_dir, embedder.name) if cache_dir else None
        vectors = _embed_cached(texts, embedder, cache)
        out = cls(np.asarray(owners, dtype=np.int64), vectors, len(chunks), starts)
        logger.info(
            "sentence vectors: %d sentences of %d chunks in %.2fs",
            len(texts),
            len(chunks),
            time.perf_counter() - started,
        )
        return out

    def vector_of(self, row: int, start: int) -> np.ndarray | None:
        """The vector of the sentence at ``start`` of chunk ``row``'s text, as
        ``sentences_in_context`` embeds it (under its heading), if embedded."""
        i = self._at.get((row, start))
        return None if i is None else self.vectors[i]

    def best(self, query_vec: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """For each row, the query's cosine with its most similar sentence."""
        rows = np.asarray(rows, dtype=np.int64)
        lo = np.searchsorted(self._owners_sorted, rows, side="left")
        hi = np.searchsorted(self._owners_sorted, rows, side="right")
        out = np.full(len(rows), -1.0, dtype=np.float32)
        for i, (a, b) in enumerate(zip(lo, hi, strict=True)):
            if b > a:
                out[i] = float(np.max(self.vectors[self._order[a:b]] @ query_vec))
        return out


def _embed_cached(texts: list[str], embedder: Embedder, cache: _VectorCache | None) -> np.ndarray:
    keys = [_key(embedder.name, t) for t in texts]
    known = cache.load() if cache else {}
    missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in known}.items())
    if missing:
        logger.info("embedding %d new sentences for the reranker", len(missing))
        fresh = embedder.embed_passages([t for _, t in missing])
        for (k, _), vec in zip(missing, fresh, strict=True):
            known[k] = np.asarray(vec, dtype=np.float32)
        if cache:
            cache.save(known)
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.stack([known[k] for k in keys]).astype(np.float32)


def _key(model: str, text: str) -> bytes:
    return hashlib.sha256(f"{model}\0{text}".encode()).digest()[:_KEY_BYTES]


class _VectorCache:
    """One .npz per model: sentence key -> vector (float16, which cosines do not notice).

    Written whole to a temporary file and renamed: a reader never sees half a file, and
    two writers racing only lose entries the next run recomputes.
    """

    def __init__(self, cache_dir: Path, model: str) -> None:
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", model).strip("_") or "model"
        self.path = cache_dir / "sentence-vectors" / f"{slug}.npz"

    def load(self) -> dict[bytes, np.ndarray]:
        if not self.path.is_file():
            return {}
        try:
            with np.load(self.path) as data:
                keys, vecs = data["keys"], data["vectors"].astype(np.float32)
            if keys.ndim != 2 or keys.shape[1] != _KEY_BYTES or len(keys) != len(vecs):
                raise ValueError("keys and vectors do not match")
        except (OSError, ValueError, KeyError) as exc:
            logger.warning("%s: unreadable sentence cache (%s); rebuilding it", self.path, exc)
            return {}
        return {k.tobytes(): v for k, v in zip(keys, vecs, strict=True)}

    def save(self, vectors: dict[bytes, np.ndarray]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        items = sorted(vectors.items())
        # Raw bytes as uint8 rows: numpy's "S" dtype would drop trailing zero bytes.
        keys = np.frombuffer(b"".join(k for k, _ in items), dtype=np.uint8)
        keys = keys.reshape(len(items), _KEY_BYTES)
        vecs = np.stack([v for _, v in items]).astype(np.float16)
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp.npz")
        np.savez(tmp, keys=keys, vectors=vecs)
        os.replace(tmp, self.path)
