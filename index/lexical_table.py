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
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.derived import ArrayFile, Derived, DerivedDataError, open_array
from index.lexical import LanguageIndex, LexicalIndex, analysed_postings, scorer
from index.lexical_cache import analysis_version
from index.lexical_postings import K1, B, Postings

logger = logging.getLogger(__name__)

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
        parts: dict[str, Postings] | LexicalIndex | Callable[[], LexicalIndex],
        rows: dict[str, np.ndarray],
        analysis: str | None = None,
    ) -> None:
        """``parts``: counted postings, an index, or how to open the stored one (the
        vocabulary is read at the first search: a process that only writes the index,
        as `polyqa index` does, never holds it); ``rows``: each language's store rows."""
        self._parts = parts
        self._index = parts if isinstance(parts, LexicalIndex) else None
        self._rows = rows
        self.size = sum(map(len, rows.values()))
        self.analysis = analysis or analysis_version()

    @classmethod
    def build(
        cls,
        texts: Sequence[str],
        langs: Sequence[str],
        cache_dir: Path | None = None,
        spill: Path | None = None,
    ) -> LexicalTable:
        """The table of these chunks, counted (nothing in CSC form yet): in memory, or
        with ``spill`` in temporary files of that directory (the builder's index dir),
        so what stays in memory is the vocabulary and a few numbers a chunk."""
        parts = analysed_postings(texts, langs, cache_dir, spill)
        return cls(parts, {lang: p.rows for lang, p in parts.items()})

    @classmethod
    def of(cls, index: LexicalIndex) -> LexicalTable:
        """The table of an index built in memory (bench/scale.py stores one)."""
        return cls(index, {lang: p.rows for lang, p in index.parts().items()})

    def index(self, langs: Sequence[str]) -> LexicalIndex | None:
        """The stored index when it fits chunks of these languages (their order) and the
        analysers of this process, else None (the caller builds one and says why)."""
        if self.analysis != analysis_version() or self.size != len(langs):
            return None
        by_lang: dict[str, list[int]] = {}
        for row, lang in enumerate(langs):
            by_lang.setdefault(lang, []).append(row)
        if sorted(by_lang) != sorted(self._rows) or any(
            not np.array_equal(self._rows[lang], rows) for lang, rows in by_lang.items()
        ):
            return None
        try:
            return self._lexical()
        except DerivedDataError as exc:  # the vocabulary, read only now
            logger.warning("%s", exc)
            return None

    def _lexical(self) -> LexicalIndex:
        """The searchable index: opened (its vocabulary read) or built in memory from
        counted postings, once."""
        if self._index is None:
            if isinstance(self._parts, dict):
                parts = {lang: LanguageIndex.of(lang, p) for lang, p in self._parts.items()}
                self._index = LexicalIndex.of(parts, self.size)
            elif callable(self._parts):
                self._index = self._parts()
        assert self._index is not None
        return self._index

    def write(self, gen_dir: Path) -> dict[str, Any]:
        source = self._parts if isinstance(self._parts, dict) else self._lexical()
        langs = _Written.of(source)
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
        spans = _spans(paths, langs, rows, indptr)

        def opened() -> LexicalIndex:
            vocab = _vocabulary(paths[4], langs)
            parts: dict[str, LanguageIndex] = {}
            for lang, (chunks, _, columns, postings) in langs.items():
                r, d, c = spans[lang]
                bm25 = None
                if columns:
                    weights, chunks_of = data[d : d + postings], indices[d : d + postings]
                    ptr = indptr[c : c + columns]
                    bm25 = scorer(vocab[lang], weights, chunks_of, ptr, chunks)
                parts[lang] = LanguageIndex(lang, np.asarray(rows[r : r + chunks]), bm25)
            return LexicalIndex.of(parts, n_chunks)

        own = {lang: np.asarray(rows[r : r + langs[lang][0]]) for lang, (r, _, _) in spans.items()}
        return cls(opened, own, analysis)


def _spans(
    paths: list[Path], langs: dict[str, tuple[int, ...]], rows: np.ndarray, indptr: np.ndarray
) -> dict[str, tuple[int, int, int]]:
    """Where each language starts (its first row, posting and column), checked against
    the mapped rows and column pointers."""
    spans: dict[str, tuple[int, int, int]] = {}
    r = d = c = 0
    for lang, (chunks, terms, columns, postings) in langs.items():
        mine, ptr = rows[r : r + chunks], indptr[c : c + columns]
        if chunks and (mine.min() < 0 or mine.max() >= len(rows)):
            raise DerivedDataError(paths[0], f"refers to rows outside 0..{len(rows) - 1}")
        if columns and (ptr[0] != 0 or ptr[-1] != postings or columns != terms + 1):
            raise DerivedDataError(paths[3], f"{lang}: does not index {postings} postings")
        spans[lang] = (r, d, c)
        r, d, c = r + chunks, d + postings, c + columns
    return spans


def _vocabulary(path: Path, langs: dict[str, tuple[int, ...]]) -> dict[str, dict[str, int]]:
    """Each language's term -> column, from the stored vocabulary; DerivedDataError when
    it is unreadable or does not have the terms params.json counts."""
    try:
        vocab = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DerivedDataError(path, f"unreadable ({exc.__class__.__name__})") from exc
    if not isinstance(vocab, dict) or sorted(vocab) != list(langs):
        raise DerivedDataError(path, "does not list the indexed languages")
    out = {}
    for lang, (_, terms, _, _) in langs.items():
        words = vocab[lang]
        if not isinstance(words, list) or len(words) != terms:
            raise DerivedDataError(path, f"{lang}: {terms} terms expected")
        out[lang] = {term: i for i, term in enumerate(words)}
    return out


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
        if not p.size:
            return cls(lang, p.rows, [], np.zeros(0, np.int64), None)
        indptr = p.indptr()
        return cls(lang, p.rows, p.vocabulary, indptr, p.blocks(indptr))

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
