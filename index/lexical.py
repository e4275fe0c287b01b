"""The lexical index: BM25 (bm25s) beside FAISS, one index per chunk language.

Why one per language: each language has its own analyser (corpus/analysis.py), so a term
means something only within its language; per-language indexes keep BM25's document
frequencies within one language (a German "die" does not make an English "die" common)
and give the retriever one ranked list per language to balance. A query is analysed
with each index's own analyser, so a Chinese question quoting "Jared Allen" or "308"
finds the English passage through the terms the English analyser makes of it.

Scores are BM25 divided by the query's IDF mass (the sum of its terms' IDF in that
index, terms the index lacks counted at the highest IDF, those it lacks in another
script than its own at a fifth of it: index/lexical_mass.py): the share of what the query
says that a passage matches, on the same 0..~1 scale in every language. Raw BM25 is not
comparable across indexes, and rank fusion (RRF) gives the best of every language the
same credit however little it matched: with it, a German passage sharing one word with an
English question ranks with the English answer (xquad-dev xhit@1 0.75 with RRF).

Built once, at index time, a chunk at a time (index/lexical_postings.py: bm25s's Lucene
weights in O(postings) memory; the terms from index/lexical_cache.py when a cache dir is
given), and stored in the generation (index/lexical_table.py), so a process opening a
10^6-chunk index maps the score matrix instead of analysing every chunk again. Built
here in memory only when the generation has no usable table. Searches go through
bm25s's own scoring over that matrix.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import bm25s
import numpy as np

from corpus.analysis import analyze
from index.lexical_cache import TermCache, term_key
from index.lexical_mass import main_script, query_mass
from index.lexical_postings import K1, B, Counting, Postings, lucene_idf

# bm25s sets its own logger to DEBUG on import, so "Building index from tokens" reached
# stderr even with `--quiet`; let it follow the application's level like every other.
logging.getLogger("bm25s").setLevel(logging.NOTSET)

logger = logging.getLogger(__name__)


@dataclass
class LanguageIndex:
    """One language's part of the index: its chunks' store rows and their BM25 matrix."""

    lang: str
    rows: np.ndarray  # index position -> store row
    bm25: bm25s.BM25 | None  # None when no chunk of the language has a term

    @classmethod
    def of(cls, lang: str, postings: Postings) -> LanguageIndex:
        """The in-memory index of one language's postings."""
        if not postings.size:
            return cls(lang, postings.rows, None)
        data, indices, indptr = postings.csc()
        return cls(
            lang, postings.rows, scorer(postings.vocab(), data, indices, indptr, len(postings.rows))
        )

    def df(self, term: str) -> int:
        """How many chunks hold the term: its column's postings in the score matrix
        (a BM25 score of a term present is never 0, so every holder has one)."""
        if self.bm25 is None:
            return 0
        column = self.bm25.vocab_dict.get(term)
        indptr = self.bm25.scores["indptr"]
        if column is None or column >= len(indptr) - 1:
            return 0
        return int(indptr[column + 1] - indptr[column])

    def idf(self, term: str) -> float:
        """Lucene's BM25 IDF, as bm25s computes it; unseen terms get the highest."""
        return lucene_idf(len(self.rows), self.df(term))

    @cached_property
    def home_script(self) -> str:
        """The script most of this language's terms are written in (at the first query)."""
        return main_script(self.bm25.vocab_dict if self.bm25 is not None else ())

    def mass(self, terms: Sequence[str]) -> float:
        """The query's IDF mass here (index/lexical_mass.py: foreign unseen terms discounted)."""
        return query_mass(terms, self.idf, lambda t: self.df(t) > 0, self.home_script)


def scorer(
    vocab: dict[str, int], data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, n: int
) -> bm25s.BM25:
    """A bm25s index over ready CSC arrays (in memory or memory-mapped), set up as
    ``bm25s.BM25.load`` sets up one it loads (its parameters, ``vocab_dict`` and
    ``load_scores``'s ``scores``)."""
    bm25 = bm25s.BM25(k1=K1, b=B, method="lucene")
    bm25.vocab_dict = vocab
    bm25.unique_token_ids_set = set(vocab.values())
    bm25.nonoccurrence_array = None  # Lucene's BM25 has no score for an absent term
    bm25.scores = {"data": data, "indices": indices, "indptr": indptr, "num_docs": n}
    return bm25


class LexicalIndex:
    """BM25 over chunk texts, grouped by language; results are store rows."""

    def __init__(
        self, texts: Sequence[str], langs: Sequence[str], cache_dir: Path | None = None
    ) -> None:
        started = time.perf_counter()
        parts = analysed_postings(texts, langs, cache_dir)
        self._indexes = {lang: LanguageIndex.of(lang, p) for lang, p in parts.items()}
        self.size = len(texts)
        self.build_seconds = time.perf_counter() - started
        logger.info(
            "lexical index: %d chunks in %d languages, built in %.2fs",
            self.size,
            len(self._indexes),
            self.build_seconds,
        )

    @classmethod
    def of(cls, indexes: dict[str, LanguageIndex], size: int) -> LexicalIndex:
        """An index over ready per-language parts (a stored table's)."""
        out = cls.__new__(cls)
        out._indexes = indexes
        out.size = size
        out.build_seconds = 0.0
        return out

    def parts(self) -> dict[str, LanguageIndex]:
        """Each language's part, by language in sorted order (what a table stores)."""
        return dict(self._indexes)

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
        mass = index.mass(terms)
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
            mass = index.mass(terms)
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


def analysed_postings(
    texts: Sequence[str],
    langs: Sequence[str],
    cache_dir: Path | None = None,
    spill: Path | None = None,
) -> dict[str, Postings]:
    """Every language's postings, in sorted language order, each chunk analysed (or its
    terms read from the cache) and counted as it comes: no chunk's terms are kept as
    strings afterwards, unless the term cache keeps them (it holds every chunk's). With
    ``spill`` (a directory), the postings wait in temporary files there."""
    cache = TermCache(cache_dir) if cache_dir is not None else None
    known = cache.load() if cache is not None else {}
    counting: dict[str, Counting] = {}
    fresh = 0
    for row, (text, lang) in enumerate(zip(texts, langs, strict=True)):
        key = term_key(lang, text) if cache is not None else ""
        terms = known.get(key) if cache is not None else None
        if terms is None:
            terms = analyze(text, lang)
            if cache is not None:
                known[key] = terms
                fresh += 1
        counting.setdefault(lang, Counting(spill)).add(row, terms)
    if cache is not None and fresh:
        cache.save(known)
    return {lang: counting[lang].done() for lang in sorted(counting)}
