"""What polyqa asks of a vector index, whatever engine holds it (FAISS today; a server
such as Milvus behind the same methods later).

Ids are store rows: row i of a generation is chunk i of ``chunks.jsonl``, so a search
returns rows the caller reads chunks by, with no id map of its own. Every vector is
L2-normalised, so scores are inner products = cosines.

A generation's index is written by ``save(gen_dir)``, which returns its *manifest* (kept
in params.json under ``vectors``: the engine ``kind``, its ``files``, whatever the engine
needs to open them), and opened by the engine's ``load(gen_dir, manifest, dim)``, which
raises ValueError (or faiss's RuntimeError) when the files do not fit the manifest;
index/store.py turns either into a CorruptIndexError naming the file.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

Rows = Iterable[int] | np.ndarray


def as_rows(rows: Rows) -> np.ndarray:
    """Rows as an int64 array (an array is not copied when it already is one)."""
    if isinstance(rows, np.ndarray):
        return rows.astype(np.int64, copy=False)
    return np.fromiter(rows, dtype=np.int64)


def no_hits(nq: int) -> tuple[np.ndarray, np.ndarray]:
    """The (scores, rows) of ``nq`` searches that found nothing."""
    return np.zeros((nq, 0), dtype=np.float32), np.zeros((nq, 0), dtype=np.int64)


def appended_rows(
    vectors: np.ndarray, ids: np.ndarray | None, dim: int, size: int, engine: str
) -> np.ndarray:
    """``vectors`` as float32 rows to append to an index of ``size`` rows whose ids are
    its positions: the shape must fit ``dim`` and ``ids``, if given, be the next ones."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if vectors.ndim != 2 or vectors.shape[1] != dim:
        raise ValueError(f"vectors of shape {vectors.shape} do not fit dimension {dim}")
    if ids is not None and not np.array_equal(
        np.asarray(ids), np.arange(size, size + len(vectors))
    ):
        raise ValueError(f"a {engine} index adds rows at its end only")
    return vectors


class VectorIndex(ABC):
    """A set of (row, vector, language) searched by inner product."""

    kind: ClassVar[str]  # the manifest's "kind"
    dim: int

    @property
    @abstractmethod
    def size(self) -> int:
        """Vectors held."""

    @abstractmethod
    def add(
        self, vectors: np.ndarray, ids: np.ndarray | None = None, langs: list[str] | None = None
    ) -> None:
        """Add vectors under ``ids`` (default: the next rows) in ``langs`` (one per row)."""

    @abstractmethod
    def remove(self, ids: Rows) -> int:
        """Remove these rows; how many were there."""

    @abstractmethod
    def search(
        self, queries: np.ndarray, k: int, allowed: Rows | None = None, lang: str | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, rows) per query, among ``allowed`` rows and in ``lang`` only
        when given (a restriction of the scan itself, not a filter of its results)."""

    @abstractmethod
    def reconstruct(self, rows: Rows) -> np.ndarray:
        """The stored vectors of these rows, float32 (what candidates are rescored by)."""

    @abstractmethod
    def vectors(self) -> np.ndarray:
        """All vectors in row order, without copying them where the engine allows (a view
        of the flat index's storage, a memory map of the approximate index's table)."""

    @abstractmethod
    def save(self, gen_dir: Path) -> dict[str, Any]:
        """Write the index files into ``gen_dir``; the manifest (with ``files``)."""

    @classmethod
    @abstractmethod
    def load(cls, gen_dir: Path, manifest: dict[str, Any], dim: int) -> VectorIndex:
        """Open what ``save`` wrote; ValueError when it does not fit the manifest."""
