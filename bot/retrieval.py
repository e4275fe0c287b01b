"""Retrieval policy: which chunks answer a query, from which languages.

`polyqa search`, `polyqa ask`, the chat and `polyqa eval` all go through ``Retriever``,
so what is measured is what users get.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np

from corpus.document import Chunk
from index.embedder import Embedder
from index.store import StoredIndex

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hit:
    rank: int
    score: float
    row: int
    chunk: Chunk
    retrievers: tuple[str, ...] = ("dense",)

    def to_dict(self) -> dict[str, Any]:
        c = self.chunk
        return {
            "rank": self.rank,
            "score": round(self.score, 6),
            "doc_id": c.doc_id,
            "path": c.path,
            "title": c.title,
            "lang": c.lang,
            "start": c.start,
            "end": c.end,
            "text": c.text,
            "retrievers": list(self.retrievers),
        }


@dataclass(frozen=True)
class Pool:
    """Which documents a search may see: a restriction applied before scoring."""

    langs: frozenset[str] | None = None
    exclude_langs: frozenset[str] = frozenset()
    exclude_docs: frozenset[str] = frozenset()

    @property
    def unrestricted(self) -> bool:
        return self.langs is None and not self.exclude_langs and not self.exclude_docs


class Retriever:
    def __init__(self, stored: StoredIndex, embedder: Embedder) -> None:
        self.stored = stored
        self.embedder = embedder
        self._doc_lang = {d.doc_id: d.lang for d in stored.documents.values()}
        self._matrix: np.ndarray | None = None

    @property
    def languages(self) -> list[str]:
        return sorted(set(self._doc_lang.values()))

    def allowed_rows(self, pool: Pool) -> list[int] | None:
        if pool.unrestricted:
            return None
        rows = []
        for row, chunk in enumerate(self.stored.chunks):
            lang = self._doc_lang.get(chunk.doc_id, chunk.lang)
            if pool.langs is not None and lang not in pool.langs:
                continue
            if lang in pool.exclude_langs or chunk.doc_id in pool.exclude_docs:
                continue
            rows.append(row)
        return rows

    def embed_query(self, query: str) -> np.ndarray:
        return self.embedder.embed_queries([query])[0]

    def search(
        self,
        query: str,
        k: int,
        pool: Pool | None = None,
        query_vec: np.ndarray | None = None,
    ) -> list[Hit]:
        """Top-k chunks, each language's best given a fair place.

        A multilingual model scores passages in the query's own language higher across
        the board, so one ranked list lets same-language passages that merely share the
        topic crowd out the answer written in another language. Each language is
        therefore searched on its own and the lists are merged round by round (every
        language's best first, ordered by score, then every language's second, ...).
        """
        pool = pool or Pool()
        qvec = self.embed_query(query) if query_vec is None else query_vec
        lists = [self._dense(qvec, k, lang_pool) for lang_pool in self._language_pools(pool)]
        merged = _round_robin(lists, k)
        return [
            Hit(rank, score, row, self.stored.chunks[row])
            for rank, (score, row) in enumerate(merged, 1)
        ]

    def _language_pools(self, pool: Pool) -> list[Pool]:
        langs = [
            lang
            for lang in self.languages
            if (pool.langs is None or lang in pool.langs) and lang not in pool.exclude_langs
        ]
        return [Pool(frozenset({lang}), pool.exclude_langs, pool.exclude_docs) for lang in langs]

    def _dense(self, qvec: np.ndarray, k: int, pool: Pool) -> list[tuple[float, int]]:
        scores, ids = self.stored.index.search(qvec[None, :], k, self.allowed_rows(pool))
        return [(float(s), int(r)) for s, r in zip(scores[0], ids[0], strict=True) if r >= 0]

    def score_all(self, query_vec: np.ndarray) -> np.ndarray:
        """Similarity of the query to every chunk: the background a top score is judged by."""
        if self._matrix is None:
            self._matrix = self.stored.index.vectors()
        return self._matrix @ query_vec


def _round_robin(lists: list[list[tuple[float, int]]], k: int) -> list[tuple[float, int]]:
    merged: list[tuple[float, int]] = []
    depth = max((len(lst) for lst in lists), default=0)
    for r in range(depth):
        layer = sorted((lst[r] for lst in lists if r < len(lst)), key=lambda h: (-h[0], h[1]))
        merged.extend(layer)
        if len(merged) >= k:
            break
    return merged[:k]


def lang_filter(langs: Collection[str] | None) -> Pool:
    return Pool(langs=frozenset(langs) if langs else None)
