"""Exact search: one FAISS ``IndexFlatIP`` over every row of the store.

Inner product equals cosine similarity here because every vector (passages and queries)
is L2-normalised by the embedder. A flat index is what every corpus below
``ANN_MIN_CHUNKS`` chunks per language gets: a scan of 10^4 x 384 floats takes a
millisecond, gives exactly reproducible results and needs no training. Its vectors are
read in place (``vectors()`` is a view of FAISS's own storage), so no second copy is kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import faiss
import numpy as np

from index.ann.base import Rows, VectorIndex, appended_rows, as_rows, no_hits

FILE = "vectors.faiss"


class FlatIPIndex(VectorIndex):
    """Row i of the index is chunk i of the store; ids are positions."""

    kind = "flat"
    main_file = FILE

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._index = faiss.IndexFlatIP(dim)

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    def add(
        self, vectors: np.ndarray, ids: np.ndarray | None = None, langs: list[str] | None = None
    ) -> None:
        """Append rows (a flat index's ids are its positions: ``ids`` must be the next ones)."""
        vectors = appended_rows(vectors, ids, self.dim, self.size, "flat")
        self._index.add(vectors)

    def remove(self, ids: Rows) -> int:
        """Remove rows; later rows move down (positions stay dense, like the store's)."""
        drop = np.unique(as_rows(ids))
        drop = drop[(drop >= 0) & (drop < self.size)]
        if drop.size:
            self._index.remove_ids(faiss.IDSelectorBatch(drop))
        return int(drop.size)

    def vectors(self) -> np.ndarray:
        """All stored vectors, a read-only view of FAISS's storage (valid while the index
        lives; nothing is copied)."""
        if self.size == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        flat = faiss.rev_swig_ptr(self._index.get_xb(), self.size * self.dim)
        view = np.asarray(flat).reshape(self.size, self.dim)
        view.flags.writeable = False
        return view

    def reconstruct(self, rows: Rows) -> np.ndarray:
        return self.vectors()[as_rows(rows)]

    def search(
        self, queries: np.ndarray, k: int, allowed: Rows | None = None, lang: str | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids) per query; ``allowed`` restricts the scan itself.

        A selector rather than a filter on the results: excluded rows are never scored,
        so a restricted search returns k hits whenever k allowed rows exist. ``lang`` is
        accepted for the interface; the caller's ``allowed`` rows already say it.
        """
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        k = max(1, min(k, self.size))
        if self.size == 0:
            return no_hits(queries.shape[0])
        if allowed is None:
            scores, ids = self._index.search(queries, k)
        else:
            allow = as_rows(allowed)
            if allow.size == 0:
                return no_hits(queries.shape[0])
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allow))  # type: ignore[call-arg]
            scores, ids = self._index.search(queries, min(k, allow.size), params=params)
        return scores, ids

    def save(self, gen_dir: Path) -> dict[str, Any]:
        faiss.write_index(self._index, str(gen_dir / FILE))
        return {"kind": self.kind, "files": [FILE]}

    @classmethod
    def load(cls, gen_dir: Path, manifest: dict[str, Any], dim: int) -> FlatIPIndex:
        path = gen_dir / FILE
        raw = faiss.read_index(str(path))
        if raw.d != dim:
            raise ValueError(f"vectors have dimension {raw.d}, expected {dim}")
        if not isinstance(raw, faiss.IndexFlatIP):
            raise ValueError(f"holds a {type(raw).__name__}, the manifest says flat")
        out = cls(dim)
        out._index = raw
        return out
