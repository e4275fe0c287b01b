"""The lexical index's BM25 weights, made from the chunks as they stream by.

Why not bm25s's own ``index``: it takes every chunk's terms as Python strings at once
(~27 M strings for one 50 MB text file: 1.4 GB at 2*10^5 chunks, several GB at 10^6), so
building the index at index time broke the builder's memory bound. Here each chunk is
analysed, its distinct terms become int32 column ids of its language's vocabulary, and
only those ids and their counts are kept (``Counting``): 8 bytes a posting, plus one
string per distinct term. The builder has them spilled to an unnamed temporary file in
the index directory as they come (``spill``), so what stays in memory is a few arrays
per chunk and the vocabulary; an index built in memory (the retriever's fallback) keeps
them in memory.

The weights are then bm25s's ``lucene`` ones, computed in numpy with the same float
operations in the same order (bm25s 0.3: IDF in float64 stored as float32, the term
frequency part in float64, the product stored as float32), so a search scores exactly
as an index bm25s built itself (tests/index/test_lexical_store.py checks it bit for bit).
The CSC matrix (one column of (chunk, weight) per term, as bm25s keeps it) is made by a
counting sort, a block of columns at a time (``Postings.blocks``), so the temporaries stay
bounded too.
"""

from __future__ import annotations

import math
import tempfile
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

# Lucene's BM25 defaults (k1 1.2 as Lucene and Elasticsearch; b 0.75).
K1, B = 1.2, 0.75
# Postings weighted and sorted per step when the CSC arrays are made (the temporaries
# take ~50 bytes a posting of a block), and read from a spill file per read.
BLOCK_POSTINGS = 1 << 18
# Postings kept in memory before they are appended to the spill file.
SPILL_POSTINGS = 1 << 18


def lucene_idf(n: int, df: int) -> float:
    """Lucene's BM25 IDF of a term held by ``df`` of ``n`` chunks (bm25s's ``lucene``):
    one formula for the local index and the Milvus one (index/ann/milvus_sparse.py),
    whose scores must be the same."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


class _Spill:
    """Postings appended to an unnamed temporary file (gone when closed or when the
    process dies), read back a piece at a time."""

    def __init__(self, where: Path) -> None:
        # Open as long as the postings are (closed when they are collected): no name, so
        # nothing is left behind however the process ends.
        self._fh: IO[bytes] = tempfile.TemporaryFile(dir=where, prefix=".lexical-")  # noqa: SIM115
        self._runs: list[int] = []  # postings per append

    def append(self, terms: array[int], tf: array[int]) -> None:
        """One run of postings: their columns (int32), then their counts (int32)."""
        self._fh.write(np.frombuffer(terms, dtype=np.int32).tobytes())
        self._fh.write(np.frombuffer(tf, dtype=np.int32).tobytes())
        self._runs.append(len(terms))

    def pieces(self) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """(first posting, columns, counts) of each run, in order."""
        self._fh.seek(0)
        first = 0
        for n in self._runs:
            terms = np.fromfile(self._fh, dtype=np.int32, count=n)
            tf = np.fromfile(self._fh, dtype=np.int32, count=n)
            yield first, terms, tf
            first += n


class Counting:
    """One language's chunks, added one at a time: each chunk's distinct terms as column
    ids (in the order they first appear in the language) with their counts; with
    ``spill`` (a directory), the postings go to a temporary file there as they come."""

    def __init__(self, spill: Path | None = None) -> None:
        self.vocab: dict[str, int] = {}
        self._rows = array("q")  # position -> store row
        self._counts = array("i")  # postings per chunk
        self._lengths = array("i")  # terms per chunk (BM25's document length)
        self._terms = array("i")  # each posting's column, chunk after chunk
        self._tf = array("i")  # each posting's count in its chunk
        self._spill = _Spill(spill) if spill is not None else None

    def add(self, row: int, terms: list[str]) -> None:
        vocab = self.vocab
        counted = Counter([vocab.setdefault(t, len(vocab)) for t in terms])
        self._rows.append(row)
        self._terms.extend(counted.keys())
        self._tf.extend(counted.values())
        self._counts.append(len(counted))
        self._lengths.append(len(terms))
        if self._spill is not None and len(self._terms) >= SPILL_POSTINGS:
            self._flush()

    def _flush(self) -> None:
        assert self._spill is not None
        if self._terms:
            self._spill.append(self._terms, self._tf)
        self._terms, self._tf = array("i"), array("i")

    def done(self) -> Postings:
        """The postings (this object is spent: its buffers are shared)."""
        counts = np.frombuffer(self._counts, dtype=np.int32)
        starts = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=starts[1:])
        vocabulary = [""] * len(self.vocab)
        for term, column in self.vocab.items():
            vocabulary[column] = term
        self.vocab = {}  # the list holds the same strings, without a dict and an int each
        if self._spill is not None:
            self._flush()
        terms = np.frombuffer(self._terms, dtype=np.int32)
        tf = np.frombuffer(self._tf, dtype=np.int32)
        return Postings(
            rows=np.frombuffer(self._rows, dtype=np.int64),
            vocabulary=vocabulary,
            starts=starts,
            lengths=np.frombuffer(self._lengths, dtype=np.int32).astype(np.int64),
            _terms=terms,
            _tf=tf,
            _spill=self._spill,
        )


@dataclass
class Postings:
    """One language's chunks as term ids, chunk after chunk (in memory or spilled):
    what its BM25 matrix is made from."""

    rows: np.ndarray  # int64 (n): position in the language -> store row
    vocabulary: list[str]  # column -> term
    starts: np.ndarray  # int64 (n + 1): each chunk's first posting
    lengths: np.ndarray  # int64 (n): terms per chunk
    _terms: np.ndarray  # int32: each posting's column (empty when spilled)
    _tf: np.ndarray  # int32: its count in the chunk
    _spill: _Spill | None = None

    @property
    def size(self) -> int:
        return int(self.starts[-1])

    def vocab(self) -> dict[str, int]:
        """Term -> column."""
        return {term: i for i, term in enumerate(self.vocabulary)}

    def pieces(self) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """(first posting, columns, counts) of the postings, in order, a piece at a time."""
        if self._spill is not None:
            yield from self._spill.pieces()
        else:
            yield 0, self._terms, self._tf

    def indptr(self) -> np.ndarray:
        """The CSC column pointers (int64, one per term + 1): the document frequencies,
        summed."""
        df = np.zeros(len(self.vocabulary), dtype=np.int64)
        for _, terms, _ in self.pieces():
            df += np.bincount(terms, minlength=len(df))
        out = np.zeros(len(df) + 1, dtype=np.int64)
        np.cumsum(df, out=out[1:])
        return out

    def blocks(self, indptr: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """The CSC matrix's ``data`` (float32 weights) and ``indices`` (int32 chunk
        positions), a block of whole columns at a time, in column order; within a column,
        chunks in order (the counting sort is stable)."""
        idf = self._idf(len(self.lengths), np.diff(indptr))
        # bm25s: k1 * ((1 - b) + b * l_d / l_avg), l_avg the mean length in float64.
        norm = K1 * ((1 - B) + B * self.lengths / self.lengths.mean())
        lo, columns = 0, len(indptr) - 1
        while lo < columns:
            hi = int(np.searchsorted(indptr, indptr[lo] + BLOCK_POSTINGS, side="right")) - 1
            hi = min(max(hi, lo + 1), columns)
            yield self._block(lo, hi, idf, norm)
            lo = hi

    def csc(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The whole matrix in memory: (data, indices, indptr), as bm25s keeps it."""
        indptr = self.indptr()
        parts = list(self.blocks(indptr))
        data = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.float32)
        indices = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int32)
        return data, indices, indptr

    def _block(
        self, lo: int, hi: int, idf: np.ndarray, norm: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Columns lo..hi-1: their postings sorted by column (stable: chunk order kept),
        weighted as bm25s's ``_build_scores_and_indices_for_matrix`` weights them."""
        found = []
        for first, terms, tf in self.pieces():
            keep = np.flatnonzero((terms >= lo) & (terms < hi))
            found.append((keep + first, terms[keep], tf[keep]))
        at = np.concatenate([f[0] for f in found])
        columns = np.concatenate([f[1] for f in found])
        counts = np.concatenate([f[2] for f in found])
        del found
        order = np.argsort(columns, kind="stable")
        chunk = np.searchsorted(self.starts, at[order], side="right") - 1
        tf64 = counts[order].astype(np.float64)
        tfc = tf64 / (norm[chunk] + tf64)
        data = (idf[columns[order]].astype(np.float64) * tfc).astype(np.float32)
        return data, chunk.astype(np.int32)

    @staticmethod
    def _idf(n: int, df: np.ndarray) -> np.ndarray:
        """Each column's IDF as bm25s stores it: math.log in float64, kept as float32
        (one call per distinct document frequency, not per term)."""
        values, where = np.unique(df, return_inverse=True)
        table = np.array([lucene_idf(n, int(d)) for d in values], dtype=np.float32)
        return table[where]
