"""The lexical index: BM25 (bm25s) beside FAISS, one index per chunk language.

Why one per language: each language has its own analyser (corpus/analysis.py), so a term
means something only within its language; per-language indexes keep BM25's document
frequencies within one language (a German "die" does not make an English "die" common)
and give the retriever one ranked list per language to balance. A query is analysed
with each index's own analyser, so a Chinese question quoting "Jared Allen" or "308"
finds the English passage through the terms the English analyser makes of it.

Scores are BM25 divided by the query's IDF mass (the sum of its terms' IDF in that
index, terms the index lacks counted at the highest IDF): the share of what the query
says that a passage matches, on the same 0..~1 scale in every language. Raw BM25 is not
comparable across indexes, and rank fusion (RRF) gives the best of every language the
same credit however little it matched: with it, a German passage sharing one word with an
English question ranks with the English answer (xquad-dev xhit@1 0.75 with RRF).

Built in memory from the stored chunks, with their terms from index/lexical_cache.py when
a cache dir is given (analysing takes ~1 ms a chunk, and jieba's dictionary 0.5 s to load
the first time Chinese is analysed).
"""

from __future__ import annotations

import logging
import math
import time
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from corpus.analysis import analyze
from index.lexical_cache import TermCache, term_key

# bm25s sets its own logger to DEBUG on import, so "Building index from tokens" reached
# stderr even with `--quiet`; let it follow the application's level like every other.
logging.getLogger("bm25s").setLevel(logging.NOTSET)

logger = logging.getLogger(__name__)

# Lucene's BM25 defaults (k1 1.2 as Lucene and Elasticsearch; b 0.75).
K1, B = 1.2, 0.75


@dataclass
class _LangIndex:
    lang: str
    rows: np.ndarray  # index position -> store row
    bm25: bm25s.BM25 | None  # None when no chunk of the language has a term
    df: Counter[str]  # term -> number of chunks holding it

    def idf(self, term: str) -> float:
        """Lucene's BM25 IDF, as bm25s computes it; unseen terms get the highest."""
        return lucene_idf(len(self.rows), self.df.get(term, 0))


def lucene_idf(n: int, df: int) -> float:
    """Lucene's BM25 IDF of a term held by ``df`` of ``n`` chunks (bm25s's ``lucene``):
    one formula for the local index and the Milvus one (index/ann/milvus_sparse.py),
    whose scores must be the same."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


class LexicalIndex:
    """BM25 over chunk texts, grouped by language; results are store rows."""

    def __init__(
        self, texts: Sequence[str], langs: Sequence[str], cache_dir: Path | None = None
    ) -> None:
        started = time.perf_counter()
        by_lang: dict[str, list[int]] = {}
        for row, lang in enumerate(langs):
            by_lang.setdefault(lang, []).append(row)
        terms = _analysed(texts, langs, cache_dir)
        self._indexes = {
            lang: _build(lang, rows, [terms[r] for r in rows])
            for lang, rows in sorted(by_lang.items())
        }
        self.size = len(texts)
        self.build_seconds = time.perf_counter() - started
        logger.info(
            "lexical index: %d chunks in %d languages, built in %.2fs",
            self.size,
            len(self._indexes),
            self.build_seconds,
        )

    @property
    def languages(self) -> list[str]:
        return list(self._indexes)

    def match(
        self, query: str, lang: str, allowed: Collection[int] | None = None
    ) -> dict[int, float]:
        """Every chunk of ``lang`` sharing a term with the query -> its normalised score.

        ``allowed`` (store rows) restricts the candidates, as FAISS's selector does: an
        excluded chunk is never returned whatever its score.
        """
        index = self._indexes.get(lang)
        if index is None or index.bm25 is None:
            return {}
        terms = list(dict.fromkeys(analyze(query, lang)))  # each query term once
        ids = index.bm25.get_tokens_ids(terms)
        if not ids:
            return {}
        mass = sum(index.idf(t) for t in terms)
        scores = index.bm25.get_scores_from_ids(ids) / mass
        hits = np.flatnonzero(scores > 0)
        rows = index.rows[hits]
        if allowed is not None:
            keep = np.isin(rows, np.fromiter(allowed, dtype=np.int64))
            hits, rows = hits[keep], rows[keep]
        return {int(r): float(scores[i]) for i, r in zip(hits, rows, strict=True)}

    def scores(self, query: str) -> np.ndarray:
        """The normalised score of every store row for the query (0 where it shares no
        term), every language's index at once: the retriever's per-search path.

        One float32 array of the store's size, filled by each language's precomputed
        BM25 scores (bm25s keeps them as a sparse matrix), so a search costs the
        postings of the query's terms and a few vector operations, never a Python loop
        over the matches. The values are ``match``'s, row for row.
        """
        out = np.zeros(self.size, dtype=np.float32)
        for index in self._indexes.values():
            if index.bm25 is None:
                continue
            terms = list(dict.fromkeys(analyze(query, index.lang)))
            ids = index.bm25.get_tokens_ids(terms)
            if not ids:
                continue
            mass = sum(index.idf(t) for t in terms)
            scores = index.bm25.get_scores_from_ids(ids) / mass
            hits = np.flatnonzero(scores > 0)
            out[index.rows[hits]] = scores[hits]
        return out

    def search(
        self, query: str, lang: str, k: int, allowed: Collection[int] | None = None
    ) -> list[tuple[float, int]]:
        """Top-k (score, row) among one language's chunks, best first, ties by row."""
        found = self.match(query, lang, allowed)
        return sorted(((s, r) for r, s in found.items()), key=lambda h: (-h[0], h[1]))[:k]

    def terms(self, text: str, lang: str) -> list[str]:
        """The terms the index of ``lang`` makes of a text (for explaining a match)."""
        return analyze(text, lang)


def _analysed(
    texts: Sequence[str], langs: Sequence[str], cache_dir: Path | None
) -> list[list[str]]:
    """Every text's terms: the cache's where it has them, the analyser's for the rest."""
    cache = TermCache(cache_dir) if cache_dir is not None else None
    known = cache.load() if cache is not None else {}
    out, fresh = [], 0
    for text, lang in zip(texts, langs, strict=True):
        key = term_key(lang, text)
        if key not in known:
            known[key] = analyze(text, lang)
            fresh += 1
        out.append(known[key])
    if cache is not None and fresh:
        cache.save(known)
    return out


def _build(lang: str, rows: list[int], corpus: list[list[str]]) -> _LangIndex:
    df: Counter[str] = Counter()
    for terms in corpus:
        df.update(set(terms))
    positions = np.asarray(rows, dtype=np.int64)
    if not df:
        return _LangIndex(lang, positions, None, df)
    bm25 = bm25s.BM25(k1=K1, b=B, method="lucene")
    bm25.index(corpus, show_progress=False)
    return _LangIndex(lang, positions, bm25, df)
