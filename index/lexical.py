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

Built once, at index time, from the chunks (their terms from index/lexical_cache.py when
a cache dir is given: analysing takes ~1 ms a chunk, and jieba's dictionary 0.5 s to load
the first time Chinese is analysed), and stored in the generation as derived data
(``LexicalTable``, index/derived.py): bm25s's own precomputed score matrix (its CSC
arrays, what ``bm25s.BM25.save`` writes and ``load(mmap=True)`` maps) and vocabulary, so
a process opening a 10^6-chunk index maps the arrays instead of analysing and scoring
every chunk again (12.5 s of a 14.5 s load at 10^5 chunks).
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from corpus.analysis import analyze
from index.derived import Derived, DerivedDataError, open_array, write_array
from index.lexical_cache import TermCache, analysis_version, term_key

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

    def df(self, term: str) -> int:
        """How many chunks hold the term: its column's postings in bm25s's score matrix
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
        n, df = len(self.rows), self.df(term)
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

    @classmethod
    def _of(cls, indexes: dict[str, _LangIndex], size: int) -> LexicalIndex:
        """An index over ready per-language parts (``LexicalTable.index``)."""
        out = cls.__new__(cls)
        out._indexes = indexes
        out.size = size
        out.build_seconds = 0.0
        return out

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
    positions = np.asarray(rows, dtype=np.int64)
    if not any(corpus):
        return _LangIndex(lang, positions, None)
    bm25 = bm25s.BM25(k1=K1, b=B, method="lucene")
    bm25.index(corpus, show_progress=False)
    return _LangIndex(lang, positions, bm25)


def _bm25(
    vocab: list[str], data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, n: int
) -> bm25s.BM25:
    """A bm25s index over stored arrays, set up as ``bm25s.BM25.load`` sets up one it
    loads (its parameters, ``vocab_dict`` and ``load_scores``'s ``scores``)."""
    bm25 = bm25s.BM25(k1=K1, b=B, method="lucene")
    bm25.vocab_dict = {term: i for i, term in enumerate(vocab)}
    bm25.unique_token_ids_set = set(bm25.vocab_dict.values())
    bm25.nonoccurrence_array = None  # Lucene's BM25 has no score for an absent term
    bm25.scores = {"data": data, "indices": indices, "indptr": indptr, "num_docs": n}
    return bm25


class LexicalTable(Derived):
    """The lexical index as a generation stores it (index/derived.py): built once by the
    builder, memory-mapped by every process that opens the generation.

    Languages are stored one after the other, in sorted order, each its bm25s score
    matrix in CSC form (as ``bm25s.BM25.save`` writes it); ``params.json`` says how many
    chunks, terms, columns and postings each has::

        lexical_rows.npy     int64 (n_chunks): each language's store rows, in index order
        lexical_data.npy     float32: BM25 scores, per term column
        lexical_indices.npy  int32: the chunk (position in its language) of each score
        lexical_indptr.npy   int64: each language's columns + 1 pointers into the two above
        lexical_vocab.json   {language: [term of column 0, 1, ...]}

    The terms depend on the analysers (corpus/analysis.py and the libraries it calls):
    the retriever uses a table only when it was analysed by the same version, over the
    same chunk languages (``index``), and builds the index in memory otherwise.
    """

    kind = "lexical"
    files = (
        "lexical_rows.npy",
        "lexical_data.npy",
        "lexical_indices.npy",
        "lexical_indptr.npy",
        "lexical_vocab.json",
    )

    def __init__(self, index: LexicalIndex, analysis: str | None = None) -> None:
        self._index = index
        self.analysis = analysis or analysis_version()

    @classmethod
    def build(
        cls, texts: Sequence[str], langs: Sequence[str], cache_dir: Path | None = None
    ) -> LexicalTable:
        return cls(LexicalIndex(texts, langs, cache_dir))

    def index(self, langs: Sequence[str]) -> LexicalIndex | None:
        """The stored index when it fits chunks of these languages (their order) and the
        analysers of this process, else None (the caller builds one and says why)."""
        if self.analysis != analysis_version() or self._index.size != len(langs):
            return None
        by_lang: dict[str, list[int]] = {}
        for row, lang in enumerate(langs):
            by_lang.setdefault(lang, []).append(row)
        parts = self._index._indexes
        if sorted(by_lang) != sorted(parts) or any(
            not np.array_equal(parts[lang].rows, rows) for lang, rows in by_lang.items()
        ):
            return None
        return self._index

    def write(self, gen_dir: Path) -> dict[str, Any]:
        parts = [self._index._indexes[lang] for lang in sorted(self._index._indexes)]
        csc = [
            (p.bm25.scores["data"], p.bm25.scores["indices"], p.bm25.scores["indptr"])
            if p.bm25 is not None
            else (np.zeros(0, np.float32), np.zeros(0, np.int32), np.zeros(0, np.int64))
            for p in parts
        ]
        rows = [p.rows for p in parts]
        names = self.files
        for name, blocks, dtype in (
            (names[0], rows, np.int64),
            (names[1], [c[0] for c in csc], np.float32),
            (names[2], [c[1] for c in csc], np.int32),
            (names[3], [c[2] for c in csc], np.int64),
        ):
            write_array(gen_dir / name, blocks, (sum(map(len, blocks)),), dtype)
        vocab = {p.lang: _vocabulary(p.bm25) for p in parts}
        path = gen_dir / names[4]
        with path.open("w", encoding="utf-8") as fh:
            json.dump(vocab, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        return {
            "analysis": self.analysis,
            "k1": K1,
            "b": B,
            "languages": {
                p.lang: {
                    "chunks": len(p.rows),
                    "terms": len(vocab[p.lang]),
                    "columns": len(c[2]),
                    "postings": len(c[0]),
                }
                for p, c in zip(parts, csc, strict=True)
            },
        }

    @classmethod
    def open(cls, gen_dir: Path, meta: dict[str, Any], n_chunks: int, dim: int) -> LexicalTable:
        paths = [gen_dir / name for name in cls.files]
        try:
            analysis = str(meta["analysis"])
            langs = {
                str(lang): (
                    int(m["chunks"]),
                    int(m["terms"]),
                    int(m["columns"]),
                    int(m["postings"]),
                )
                for lang, m in sorted(meta["languages"].items())
            }
            same = float(meta["k1"]) == K1 and float(meta["b"]) == B
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise DerivedDataError(gen_dir / "params.json", "incomplete lexical metadata") from exc
        if not same:
            raise DerivedDataError(
                gen_dir / "params.json", "lexical index of other BM25 parameters"
            )
        total = [sum(x[i] for x in langs.values()) for i in range(4)]
        if total[0] != n_chunks:
            raise DerivedDataError(
                paths[0], f"indexes {total[0]} chunks, the generation has {n_chunks}"
            )
        rows = open_array(paths[0], (n_chunks,), np.int64)
        data = open_array(paths[1], (total[3],), np.float32)
        indices = open_array(paths[2], (total[3],), np.int32)
        indptr = open_array(paths[3], (total[2],), np.int64)
        try:
            vocab = json.loads(paths[4].read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DerivedDataError(paths[4], f"unreadable ({exc.__class__.__name__})") from exc
        if not isinstance(vocab, dict) or sorted(vocab) != list(langs):
            raise DerivedDataError(paths[4], "does not list the indexed languages")
        parts: dict[str, _LangIndex] = {}
        r = d = c = 0
        for lang, (chunks, terms, columns, postings) in langs.items():
            mine = rows[r : r + chunks]
            ptr = indptr[c : c + columns]
            words = vocab[lang]
            if not isinstance(words, list) or len(words) != terms:
                raise DerivedDataError(paths[4], f"{lang}: {terms} terms expected")
            if chunks and (mine.min() < 0 or mine.max() >= n_chunks):
                raise DerivedDataError(paths[0], f"refers to rows outside 0..{n_chunks - 1}")
            if columns and (ptr[0] != 0 or ptr[-1] != postings or columns > terms + 1):
                raise DerivedDataError(paths[3], f"{lang}: does not index {postings} postings")
            bm25 = None
            if columns:
                bm25 = _bm25(words, data[d : d + postings], indices[d : d + postings], ptr, chunks)
            parts[lang] = _LangIndex(lang, np.asarray(mine), bm25)
            r, d, c = r + chunks, d + postings, c + columns
        return cls(LexicalIndex._of(parts, n_chunks), analysis)


def _vocabulary(bm25: bm25s.BM25 | None) -> list[str]:
    """The terms in column order (bm25s numbers them 0..n-1)."""
    if bm25 is None:
        return []
    out = [""] * len(bm25.vocab_dict)
    for term, i in bm25.vocab_dict.items():
        out[i] = term
    return out
