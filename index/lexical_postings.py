"""The lexical index's BM25 weights, made from the chunks as they stream by.

Why not bm25s's own ``index``: it takes every chunk's terms as Python strings at once
(~27 M strings for one 50 MB text file: 1.4 GB at 2*10^5 chunks, several GB at 10^6), so
building the index at index time broke the builder's memory bound. Here each chunk is
analysed, its distinct terms become int32 column ids of its language's vocabulary, and
only those ids and their counts are kept (``Counting``): memory in O(postings), 8 bytes
a posting, plus one string per distinct term.

The weights are then bm25s's ``lucene`` ones, computed in numpy with the same float
operations in the same order (bm25s 0.3: IDF in float64 stored as float32, the term
frequency part in float64, the product stored as float32), so a search scores exactly
as an index bm25s built itself (tests/index/test_lexical_store.py checks it bit for bit).
The CSC matrix (one column of (chunk, weight) per term, as bm25s keeps it) is made by a
counting sort, a block of columns at a time, so the float64 temporaries stay bounded too
(``Postings.blocks``).
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

# Lucene's BM25 defaults (k1 1.2 as Lucene and Elasticsearch; b 0.75).
K1, B = 1.2, 0.75
# Postings scored and sorted per step when the CSC arrays are made (bounds the temporaries:
# ~40 bytes a posting of a block).
BLOCK_POSTINGS = 1 << 21


def lucene_idf(n: int, df: int) -> float:
    """Lucene's BM25 IDF of a term held by ``df`` of ``n`` chunks (bm25s's ``lucene``):
    one formula for the local index and the Milvus one (index/ann/milvus_sparse.py),
    whose scores must be the same."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


class Counting:
    """One language's chunks, added one at a time: each chunk's distinct terms as column
    ids (in the order they first appear in the language) with their counts."""

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self._rows = array("q")  # position -> store row
        self._terms = array("i")  # each posting's column, chunk after chunk
        self._tf = array("i")  # each posting's count in its chunk
        self._counts = array("q")  # postings per chunk
        self._lengths = array("q")  # terms per chunk (BM25's document length)

    def add(self, row: int, terms: list[str]) -> None:
        vocab = self.vocab
        counted = Counter([vocab.setdefault(t, len(vocab)) for t in terms])
        self._rows.append(row)
        self._terms.extend(counted.keys())
        self._tf.extend(counted.values())
        self._counts.append(len(counted))
        self._lengths.append(len(terms))

    def done(self) -> Postings:
        """The postings as numpy arrays (this object is spent: its buffers are shared)."""
        starts = np.zeros(len(self._counts) + 1, dtype=np.int64)
        np.cumsum(np.frombuffer(self._counts, dtype=np.int64), out=starts[1:])
        return Postings(
            rows=np.frombuffer(self._rows, dtype=np.int64),
            vocab=self.vocab,
            terms=np.frombuffer(self._terms, dtype=np.int32),
            tf=np.frombuffer(self._tf, dtype=np.int32),
            starts=starts,
            lengths=np.frombuffer(self._lengths, dtype=np.int64),
        )


@dataclass
class Postings:
    """One language's chunks as term ids, chunk after chunk: what its BM25 matrix is
    made from."""

    rows: np.ndarray  # int64 (n): position in the language -> store row
    vocab: dict[str, int]  # term -> column
    terms: np.ndarray  # int32 (P): each posting's column
    tf: np.ndarray  # int32 (P): its count in the chunk
    starts: np.ndarray  # int64 (n + 1): each chunk's first posting
    lengths: np.ndarray  # int64 (n): terms per chunk

    @property
    def has_terms(self) -> bool:
        return len(self.terms) > 0

    def indptr(self) -> np.ndarray:
        """The CSC column pointers (int64, one per term + 1): the document frequencies,
        summed."""
        out = np.zeros(len(self.vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.terms, minlength=len(self.vocab)), out=out[1:])
        return out

    def vocabulary(self) -> list[str]:
        """The terms in column order."""
        out = [""] * len(self.vocab)
        for term, column in self.vocab.items():
            out[column] = term
        return out

    def blocks(self, indptr: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """The CSC matrix's ``data`` (float32 weights) and ``indices`` (int32 chunk
        positions), a block of whole columns at a time, in column order; within a column,
        chunks in order (the counting sort is stable)."""
        n = len(self.lengths)
        idf = self._idf(n, np.diff(indptr))
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
        at = np.flatnonzero((self.terms >= lo) & (self.terms < hi))
        at = at[np.argsort(self.terms[at], kind="stable")]
        chunk = np.searchsorted(self.starts, at, side="right") - 1
        tf = self.tf[at].astype(np.float64)
        tfc = tf / (norm[chunk] + tf)
        data = (idf[self.terms[at]].astype(np.float64) * tfc).astype(np.float32)
        return data, chunk.astype(np.int32)

    @staticmethod
    def _idf(n: int, df: np.ndarray) -> np.ndarray:
        """Each column's IDF as bm25s stores it: math.log in float64, kept as float32
        (one call per distinct document frequency, not per term)."""
        values, where = np.unique(df, return_inverse=True)
        table = np.array([lucene_idf(n, int(d)) for d in values], dtype=np.float32)
        return table[where]
