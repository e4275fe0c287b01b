"""All of polyqa's FAISS code: an exact inner-product index over unit vectors.

Inner product equals cosine similarity here because every vector (passages and queries)
is L2-normalised by the embedder: for |a| = |b| = 1, a.b = cos(a, b). An exact flat
index is used because polyqa's corpora are small (10^3-10^5 chunks): a brute-force scan
of 10^5 x 384 floats takes a few milliseconds, gives exactly reproducible results, and
needs no training. bench/scale.py measures where that stops being true.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import faiss
import numpy as np


class FlatIPIndex:
    """Row i of the index is chunk i of the store; ids are positions."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._index = faiss.IndexFlatIP(dim)

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    def add(self, vectors: np.ndarray) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise ValueError(f"vectors of shape {vectors.shape} do not fit dimension {self.dim}")
        self._index.add(vectors)

    def vectors(self) -> np.ndarray:
        """All stored vectors (a flat index keeps them verbatim)."""
        if self.size == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._index.reconstruct_n(0, self.size)

    def search(
        self, queries: np.ndarray, k: int, allowed: Iterable[int] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids) per query; ``allowed`` restricts the scan itself.

        A selector rather than a filter on the results: excluded rows are never scored,
        so a restricted search returns k hits whenever k allowed rows exist.
        """
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        k = max(1, min(k, self.size))
        if self.size == 0:
            empty = np.zeros((queries.shape[0], 0))
            return empty.astype(np.float32), empty.astype(np.int64)
        if allowed is None:
            scores, ids = self._index.search(queries, k)
        else:
            allow = np.fromiter(allowed, dtype=np.int64)
            if allow.size == 0:
                empty = np.zeros((queries.shape[0], 0))
                return empty.astype(np.float32), empty.astype(np.int64)
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allow))  # type: ignore[call-arg]
            scores, ids = self._index.search(queries, min(k, allow.size), params=params)
        return scores, ids

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path, dim: int) -> FlatIPIndex:
        raw = faiss.read_index(str(path))
        if raw.d != dim:
            raise ValueError(f"{path}: vectors have dimension {raw.d}, expected {dim}")
        out = cls(dim)
        out._index = raw  # type: ignore[assignment]
        return out
