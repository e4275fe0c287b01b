"""The lexical index as a generation stores it (index/derived.py): built once by the
builder, a chunk at a time (index/lexical_postings.py), memory-mapped by every process
that opens the generation.

Why: building the index from the chunks took 12.5 s of a 14.5 s start at 10^5 chunks
(minutes at 10^6); mapping the stored score matrix takes a fraction of a second, and the
pages are read only as searches touch them.

Languages are stored one after the other, in sorted order, each its BM25 score matrix in
CSC form (bm25s's layout); ``params.json`` says how many chunks, terms, columns and
postings each has::

    lexical_rows.npy     int64 (n_chunks): each language's store rows, in index order
    lexical_data.npy     float32: BM25 scores, per term column
    lexical_indices.npy  int32: the chunk (position in its language) of each score
    lexical_indptr.npy   int64: each language's columns + 1 pointers into the two above
    lexical_vocab.json   {language: [term of column 0, 1, ...]}

The terms depend on the analysers (corpus/analysis.py and the libraries it calls): the
retriever uses a table only when it was analysed by the same version, over the same chunk
languages (``index``), and builds the index in memory otherwise.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.derived import ArrayFile, Derived, DerivedDataError, open_array
from index.lexical import LanguageIndex, LexicalIndex, analysed_postings, scorer
from index.lexical_cache import analysis_version
from index.lexical_postings import K1, B, Postings

_EMPTY = (np.zeros(0, np.float32), np.zeros(0, np.int32))


class LexicalTable(Derived):
    """The lexical index of a generation: the postings the builder counted (written a
    block of columns at a time), or the arrays a loaded generation maps."""

    kind = "lexical"
    files = (
        "lexical_rows.npy",
        "lexical_data.npy",
        "lexical_indices.npy",
        "lexical_indptr.npy",
        "lexical_vocab.json",
    )

    def __init__(
        self,
        parts: dict[str, Postings] | LexicalIndex,
        size: int,
        analysis: str | None = None,
    ) -> None:
        self._parts = parts
        self._index = parts if isinstance(parts, LexicalIndex) else None
        self.size = size
        self.analysis = analysis or analysis_version()

    @classmethod
    def build(
        cls, texts: Sequence[str], langs: Sequence[str], cache_dir: Path | None = None
    ) -> LexicalTable:
        """The table of these chunks, in O(postings) memory (nothing in CSC form yet)."""
        return cls(analysed_postings(texts, langs, cache_dir), len(texts))

    @classmethod
    def of(cls, index: LexicalIndex) -> LexicalTable:
        """The table of an index built in memory (bench/scale.py stores one)."""
        return cls(index, index.size)

    def index(self, langs: Sequence[str]) -> LexicalIndex | None:
        """The stored index when it fits chunks of these languages (their order) and the
        analysers of this process, else None (the caller builds one and says why)."""
        if self.analysis != analysis_version() or self.size != len(langs):
            return None
        by_lang: dict[str, list[int]] = {}
        for row, lang in enumerate(langs):
            by_lang.setdefault(lang, []).append(row)
        index = self._lexical()
        parts = index.parts()
        if sorted(by_lang) != sorted(parts) or any(
            not np.array_equal(parts[lang].rows, rows) for lang, rows in by_lang.items()
        ):
            return None
        return index

    def _lexical(self) -> LexicalIndex:
        """The searchable index (built in memory from counted postings, once)."""
        if self._index is None:
            assert isinstance(self._parts, dict)
            parts = {lang: LanguageIndex.of(lang, p) for lang, p in self._parts.items()}
            self._index = LexicalIndex.of(parts, self.size)
        return self._index

    def write(self, gen_dir: Path) -> dict[str, Any]:
        langs = _Written.of(self._parts)
        total = [sum(w.counts()[i] for w in langs) for i in range(4)]
        rows = ArrayFile(gen_dir / self.files[0], (total[0],), np.int64)
        data = ArrayFile(gen_dir / self.files[1], (total[3],), np.float32)
        indices = ArrayFile(gen_dir / self.files[2], (total[3],), np.int32)
        indptr = ArrayFile(gen_dir / self.files[3], (total[2],), np.int64)
        with rows, data, indices, indptr:
            for lang in langs:
                rows.append(lang.rows)
                indptr.append(lang.indptr)
                for weights, chunks in lang.blocks():
                    data.append(weights)
                    indices.append(chunks)
        path = gen_dir / self.files[4]
        with path.open("w", encoding="utf-8") as fh:
            json.dump({w.lang: w.vocabulary for w in langs}, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        return {
            "analysis": self.analysis,
            "k1": K1,
            "b": B,
            "languages": {
                w.lang: dict(
                    zip(("chunks", "terms", "columns", "postings"), w.counts(), strict=True)
                )
                for w in langs
            },
        }

    @classmethod
    def open(cls, gen_dir: Path, meta: dict[str, Any], n_chunks: int, dim: int) -> LexicalTable:
        paths = [gen_dir / name for name in cls.files]
        analysis, langs = _metadata(gen_dir, meta)
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
        parts: dict[str, LanguageIndex] = {}
        r = d = c = 0
        for lang, (chunks, terms, columns, postings) in langs.items():
            mine = rows[r : r + chunks]
            ptr = indptr[c : c + columns]
            words = vocab[lang]
            if not isinstance(words, list) or len(words) != terms:
                raise DerivedDataError(paths[4], f"{lang}: {terms} terms expected")
            if chunks and (mine.min() < 0 or mine.max() >= n_chunks):
                raise DerivedDataError(paths[0], f"refers to rows outside 0..{n_chunks - 1}")
            if columns and (ptr[0] != 0 or ptr[-1] != postings or columns != terms + 1):
                raise DerivedDataError(paths[3], f"{lang}: does not index {postings} postings")
            bm25 = None
            if columns:
                columns_of = {term: i for i, term in enumerate(words)}
                weights, chunks_of = data[d : d + postings], indices[d : d + postings]
                bm25 = scorer(columns_of, weights, chunks_of, ptr, chunks)
            parts[lang] = LanguageIndex(lang, np.asarray(mine), bm25)
            r, d, c = r + chunks, d + postings, c + columns
        return cls(LexicalIndex.of(parts, n_chunks), n_chunks, analysis)


def _metadata(gen_dir: Path, meta: dict[str, Any]) -> tuple[str, dict[str, tuple[int, ...]]]:
    """The analysers' version and, per language in sorted order, (chunks, terms, columns,
    postings); DerivedDataError when params.json does not say them or other BM25
    parameters made the table."""
    try:
        analysis = str(meta["analysis"])
        langs = {
            str(lang): tuple(int(m[k]) for k in ("chunks", "terms", "columns", "postings"))
            for lang, m in sorted(meta["languages"].items())
        }
        same = float(meta["k1"]) == K1 and float(meta["b"]) == B
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DerivedDataError(gen_dir / "params.json", "incomplete lexical metadata") from exc
    if not same:
        raise DerivedDataError(gen_dir / "params.json", "lexical index of other BM25 parameters")
    return analysis, langs


class _Written:
    """One language as the table writes it, from counted postings or a built index."""

    def __init__(
        self,
        lang: str,
        rows: np.ndarray,
        vocabulary: list[str],
        indptr: np.ndarray,
        blocks: Iterator[tuple[np.ndarray, np.ndarray]] | None,
    ) -> None:
        self.lang, self.rows, self.vocabulary, self.indptr = lang, rows, vocabulary, indptr
        self._blocks = blocks

    @classmethod
    def of(cls, parts: dict[str, Postings] | LexicalIndex) -> list[_Written]:
        if isinstance(parts, LexicalIndex):
            return [cls._of_index(p) for p in parts.parts().values()]
        return [cls._of_postings(lang, p) for lang, p in parts.items()]

    @classmethod
    def _of_postings(cls, lang: str, p: Postings) -> _Written:
        if not p.has_terms:
            return cls(lang, p.rows, [], np.zeros(0, np.int64), None)
        indptr = p.indptr()
        return cls(lang, p.rows, p.vocabulary(), indptr, p.blocks(indptr))

    @classmethod
    def _of_index(cls, part: LanguageIndex) -> _Written:
        if part.bm25 is None:
            return cls(part.lang, part.rows, [], np.zeros(0, np.int64), None)
        scores = part.bm25.scores
        vocabulary = [""] * len(part.bm25.vocab_dict)
        for term, column in part.bm25.vocab_dict.items():
            vocabulary[column] = term
        blocks = iter([(scores["data"], scores["indices"])])
        return cls(part.lang, part.rows, vocabulary, np.asarray(scores["indptr"]), blocks)

    def counts(self) -> tuple[int, int, int, int]:
        """(chunks, terms, columns, postings), as params.json records them."""
        postings = int(self.indptr[-1]) if len(self.indptr) else 0
        return len(self.rows), len(self.vocabulary), len(self.indptr), postings

    def blocks(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        yield from self._blocks or iter([_EMPTY])
