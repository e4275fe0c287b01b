"""Parallel passages: documents that are translations of each other, and which of their
sentences and chunks say the same thing.

A corpus often holds one text in several languages (the default corpus has three
translations of one article) beside texts on the same topic that are not translations.
Linking the translations lets a search show one passage with its translations instead of
the same fact three times, lets the translations vouch for each other (a passage whose
translations also match the question is more likely the answer), and lets an answer show
a quoted sentence in the reader's language (bot/retrieval/retriever.py and
bot/answers/ use them). A link between texts that merely share a topic does harm in all
three places: it folds an answer away under an unrelated hit and shows a sentence as
"the same" that is not.

So links are found in three steps, on sentence vectors:

1. **Sentence candidates** by the *margin* criterion of parallel-sentence mining (Artetxe
   & Schwenk, "Margin-based parallel corpus mining with multilingual sentence
   embeddings", ACL 2019): a and b are candidates when each is the other's best match in
   the other language and ``cos(a, b) / ((knn_B(a) + knn_A(b)) / 2) >= MARGIN``, where
   knn_B(a) is the mean cosine of a to its k nearest sentences of language B. A raw cosine
   does not work: e5's cosines are high for any two texts on one topic.
2. **Document alignment**: two documents are translations when the candidates between
   them cover at least ``DOC_ALIGNMENT`` of the shorter one's sentences. Measured at
   MARGIN 1.02: translated document pairs cover 0.89-0.95 (default corpus) and >= 0.4 for
   583 of xquad-dev's 600 translated paragraph pairs; pairs that only share a topic cover
   at most 0.17 (default corpus) and 0.33 (xquad-dev, 1 pair of 5). Candidates between
   documents that are not aligned are dropped.
3. **Chunks** are linked when linked sentences make up at least half of the smaller one.

Step 1 compares every sentence with every sentence of each other language: quadratic,
seconds at 10^5 sentences, hours at 10^6. From ``ann_min`` sentences in both languages
of a pair it compares each sentence with its ``CANDIDATES`` nearest ones of the other
language instead, found by a FAISS index per language (exact below
``ANN_LIST_MIN`` sentences, IVF above it): the margin's neighbourhoods are those
neighbours' top k, and a pair's best match by margin is taken among them. A pair whose
best match by margin is not among the sentence's nearest by cosine would need a
neighbourhood far below its own, which a translation does not have; on a corpus
searched both ways the links are the same (tests/index/test_parallel_ann.py).
"""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

import faiss
import numpy as np

from corpus.document import Chunk
from corpus.sentences import split_sentences
from index.derived import Derived, DerivedDataError, open_array, write_array
from index.sentences import SentenceVectors

logger = logging.getLogger(__name__)

MARGIN = 1.02
NEIGHBOURS = 4
MIN_NEIGHBOURHOOD = 16
DOC_ALIGNMENT = 0.4
# Between short texts in small languages two chance links are common; a translation of
# three sentences or more shares at least this many.
MIN_SHARED = 3
CHUNK_OVERLAP = 0.5
# Sentences compared at once per language pair: bounds memory at BLOCK x (sentences of B).
_BLOCK = 2048
# Sentences (in each language of a pair) from which the pair is compared by nearest
# neighbours instead of all pairs (RetrievalConfig.link_ann_min; the default corpus and
# the eval sets are far below it).
ANN_MIN = 50_000
# Nearest neighbours of each sentence in the other language that the margin is taken
# over (>= NEIGHBOURS).
CANDIDATES = 16
# A language's sentences from which its neighbour index is IVF (lists probed: a share).
ANN_LIST_MIN = 20_000
ANN_PROBE = 0.02
_QUERY_BLOCK = 16_384

SentenceKey = tuple[str, int]  # (document id, start offset of the sentence in it)


@dataclass(frozen=True)
class Units:
    """What is linked: sentences (or, without sentence vectors, whole chunks), each once.

    ``chunks[i]`` are the store rows whose text holds unit i (overlapping chunks share a
    sentence); ``starts``/``ends`` are offsets in the unit's document.
    """

    vectors: np.ndarray
    doc_ids: Sequence[str]
    langs: Sequence[str]
    starts: Sequence[int]
    ends: Sequence[int]
    chunks: Sequence[tuple[int, ...]]


@dataclass(frozen=True)
class Translation:
    """A sentence as another document of the corpus says it."""

    doc_id: str
    lang: str
    start: int
    end: int
    margin: float


@dataclass(frozen=True)
class ParallelLinks:
    """For every store row, the rows of its translations (most shared sentences first);
    for every linked sentence, its translations; and the aligned document pairs."""

    links: Sequence[tuple[int, ...]]
    sentences: Mapping[SentenceKey, tuple[Translation, ...]] = field(default_factory=dict)
    documents: frozenset[tuple[str, str]] = frozenset()
    build_seconds: float = 0.0

    def of(self, row: int) -> tuple[int, ...]:
        return self.links[row] if 0 <= row < len(self.links) else ()

    def translations(self, doc_id: str, start: int) -> tuple[Translation, ...]:
        """The sentence of ``doc_id`` starting at ``start``, as its translations say it."""
        return self.sentences.get((doc_id, start), ())

    def aligned(self, doc_a: str, doc_b: str) -> bool:
        return (min(doc_a, doc_b), max(doc_a, doc_b)) in self.documents

    @property
    def pairs(self) -> int:
        return sum(len(x) for x in self.links) // 2

    @classmethod
    def empty(cls, n: int) -> ParallelLinks:
        return cls(tuple(() for _ in range(n)))


def link_units(
    chunks: Sequence[Chunk],
    langs: Sequence[str],
    sentences: SentenceVectors | None,
    chunk_vectors: np.ndarray,
) -> Units:
    """Every sentence once (overlapping chunks repeat one), with the rows holding it;
    whole chunks (``chunk_vectors``) when there are no sentence vectors. ``langs`` are
    the rows' document languages."""
    if sentences is None:
        return Units(
            chunk_vectors,
            [c.doc_id for c in chunks],
            list(langs),
            [c.start for c in chunks],
            [c.end for c in chunks],
            [(row,) for row in range(len(chunks))],
        )
    index: dict[tuple[str, int], int] = {}
    which: list[int] = []  # each unit's row in the sentence table
    docs, unit_langs, starts, ends = [], [], [], []
    rows: list[tuple[int, ...]] = []
    ptr, spans = sentences.ptr, sentences.spans
    for row, chunk in enumerate(chunks):
        a, b = (int(ptr[row]), int(ptr[row + 1])) if row < sentences.n_chunks else (0, 0)
        mine: dict[int, int] = {}  # sentence start -> its first vector (as vector_of)
        for i, start in enumerate(spans[a:b, 0].tolist()):
            mine.setdefault(start, a + i)
        for s, e in split_sentences(chunk.text):
            key = (chunk.doc_id, chunk.start + s)
            if key in index:
                rows[index[key]] += (row,)
            elif s in mine:
                index[key] = len(which)
                which.append(mine[s])
                docs.append(chunk.doc_id)
                unit_langs.append(str(langs[row]))
                starts.append(chunk.start + s)
                ends.append(chunk.start + e)
                rows.append((row,))
    dim = sentences.vectors.shape[1]
    matrix = (
        np.asarray(sentences.vectors[np.asarray(which, dtype=np.int64)], dtype=np.float32)
        if which
        else np.zeros((0, dim), np.float32)
    )
    return Units(matrix, docs, unit_langs, starts, ends, rows)


def link_parallel(
    units: Units,
    n_chunks: int,
    threshold: float = MARGIN,
    k: int = NEIGHBOURS,
    alignment: float = DOC_ALIGNMENT,
    ann_min: int = ANN_MIN,
) -> ParallelLinks:
    """Link translated documents, their sentences and their chunks (see the docstring);
    language pairs with ``ann_min`` sentences on both sides by nearest neighbours."""
    started = time.perf_counter()
    candidates = _sentence_candidates(units, threshold, k, ann_min)
    documents = _aligned_documents(units, candidates, alignment)
    kept = [
        (a, b, m)
        for a, b, m in candidates
        if _pair(units.doc_ids[a], units.doc_ids[b]) in documents
    ]
    out = ParallelLinks(
        _chunk_links(units, kept, n_chunks),
        _sentence_links(units, kept),
        frozenset(documents),
        time.perf_counter() - started,
    )
    logger.info(
        "parallel passages: %d aligned document pairs, %d sentence and %d chunk links in %.2fs",
        len(documents),
        len(kept),
        out.pairs,
        out.build_seconds,
    )
    return out


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def _sentence_candidates(
    units: Units, threshold: float, k: int, ann_min: int = ANN_MIN
) -> list[tuple[int, int, float]]:
    """Mutual best matches across every language pair whose margin is >= threshold."""
    langs = np.asarray(units.langs)
    names = sorted(set(units.langs))
    found: list[tuple[int, int, float]] = []
    near = _Neighbours(units.vectors, langs)
    for i, lang_a in enumerate(names):
        for lang_b in names[i + 1 :]:
            rows_a, rows_b = np.flatnonzero(langs == lang_a), np.flatnonzero(langs == lang_b)
            if min(len(rows_a), len(rows_b)) >= max(ann_min, MIN_NEIGHBOURHOOD):
                found += _mutual_best_near(near, lang_a, lang_b, threshold, k)
                continue
            pad_a = _padding(langs, rows_b, (lang_a, lang_b))
            pad_b = _padding(langs, rows_a, (lang_a, lang_b))
            found += _mutual_best(units.vectors, rows_a, rows_b, threshold, k, (pad_a, pad_b))
    return found


class _Neighbours:
    """Each language's sentences in a FAISS index (built on first use), searched for the
    CANDIDATES nearest of another language's sentences (cached per direction)."""

    def __init__(self, vectors: np.ndarray, langs: np.ndarray) -> None:
        self.vectors = vectors
        self.langs = langs
        self._rows: dict[str, np.ndarray] = {}
        self._indexes: dict[str, faiss.Index] = {}

    def rows(self, lang: str) -> np.ndarray:
        if lang not in self._rows:
            self._rows[lang] = np.flatnonzero(self.langs == lang)
        return self._rows[lang]

    def _index(self, lang: str) -> faiss.Index:
        if lang not in self._indexes:
            block = np.ascontiguousarray(self.vectors[self.rows(lang)], dtype=np.float32)
            dim = block.shape[1]
            if len(block) < ANN_LIST_MIN:
                index: faiss.Index = faiss.IndexFlatIP(dim)
            else:
                nlist = int(4 * np.sqrt(len(block)))
                index = faiss.IndexIVFFlat(
                    faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT
                )
                take = np.random.default_rng(0).choice(len(block), min(len(block), 64 * nlist))
                index.cp.seed = 0
                index.train(block[np.sort(take)])
                index.nprobe = max(1, int(np.ceil(ANN_PROBE * nlist)))
            index.add(block)
            self._indexes[lang] = index
        return self._indexes[lang]

    def search(self, lang_q: str, lang_b: str) -> tuple[np.ndarray, np.ndarray]:
        """(cosines, positions in lang_b's rows) of each lang_q sentence's nearest."""
        index = self._index(lang_b)
        queries = self.rows(lang_q)
        k = min(CANDIDATES, index.ntotal)
        sims, ids = [], []
        for s in range(0, len(queries), _QUERY_BLOCK):
            block = np.ascontiguousarray(
                self.vectors[queries[s : s + _QUERY_BLOCK]], dtype=np.float32
            )
            d, i = index.search(block, k)
            sims.append(d)
            ids.append(i)
        return np.concatenate(sims), np.concatenate(ids)


def _mutual_best_near(
    near: _Neighbours, lang_a: str, lang_b: str, threshold: float, k: int
) -> list[tuple[int, int, float]]:
    """``_mutual_best`` over each sentence's nearest of the other language only."""
    rows_a, rows_b = near.rows(lang_a), near.rows(lang_b)
    sims_ab, ids_ab = near.search(lang_a, lang_b)  # a's nearest b
    sims_ba, ids_ba = near.search(lang_b, lang_a)  # b's nearest a
    knn_a = _top_mean(sims_ab, ids_ab, k)
    knn_b = _top_mean(sims_ba, ids_ba, k)
    best_a, best_a_margin = _best_by_margin(sims_ab, ids_ab, knn_a, knn_b)
    best_b, _ = _best_by_margin(sims_ba, ids_ba, knn_b, knn_a)
    mutual = (best_a >= 0) & (best_a_margin >= threshold)
    mutual[mutual] = best_b[best_a[mutual]] == np.flatnonzero(mutual)
    return [
        (int(rows_a[i]), int(rows_b[best_a[i]]), float(best_a_margin[i]))
        for i in np.flatnonzero(mutual).tolist()
    ]


def _top_mean(sims: np.ndarray, ids: np.ndarray, k: int) -> np.ndarray:
    """Mean of each row's k best similarities (FAISS returns them best first; -1 ids,
    an IVF search that found fewer, are left out)."""
    valid = ids[:, :k] >= 0
    total = np.where(valid, sims[:, :k], 0.0).sum(axis=1)
    return np.asarray(total / np.maximum(valid.sum(axis=1), 1), dtype=np.float32)


def _best_by_margin(
    sims: np.ndarray, ids: np.ndarray, knn_q: np.ndarray, knn_other: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each query sentence, its candidate of best margin (-1 when it has none)."""
    valid = ids >= 0
    safe = np.where(valid, ids, 0)
    margin = sims / ((knn_q[:, None] + knn_other[safe]) / 2)
    margin = np.where(valid, margin, -np.inf).astype(np.float32)
    pick = margin.argmax(axis=1)
    best = np.take_along_axis(safe, pick[:, None], 1)[:, 0]
    value = margin[np.arange(len(margin)), pick]
    return np.where(np.isfinite(value), best, -1), value


def _padding(langs: np.ndarray, rows: np.ndarray, pair: tuple[str, str]) -> np.ndarray:
    """Sentences of the other languages, when ``rows`` are too few to be a neighbourhood.

    The margin divides by how close a sentence's nearest neighbours in the other language
    are. With fewer than MIN_NEIGHBOURHOOD sentences there (a corpus of a few short
    texts), those neighbours are simply all of them, every sentence's best is a few
    percent above them, and unrelated texts pass as translations; the other languages'
    sentences then stand in as the background. A translation is still far above them.
    """
    if len(rows) >= MIN_NEIGHBOURHOOD:
        return rows[:0]
    return np.flatnonzero((langs != pair[0]) & (langs != pair[1]))


def _mutual_best(
    vectors: np.ndarray,
    rows_a: np.ndarray,
    rows_b: np.ndarray,
    threshold: float,
    k: int,
    padding: tuple[np.ndarray, np.ndarray],
) -> list[tuple[int, int, float]]:
    va, vb = vectors[rows_a], vectors[rows_b]
    around_a = vectors[np.concatenate([rows_b, padding[0]])]  # a's neighbourhood
    around_b = vectors[np.concatenate([rows_a, padding[1]])]
    knn_a = np.concatenate(
        [_knn_mean(va[s : s + _BLOCK] @ around_a.T, k) for s in range(0, len(va), _BLOCK)]
    )
    knn_b = np.concatenate(
        [_knn_mean(vb[s : s + _BLOCK] @ around_b.T, k) for s in range(0, len(vb), _BLOCK)]
    )
    best_a = np.empty(len(va), dtype=np.int64)  # for each a: its best b by margin
    best_a_margin = np.empty(len(va), dtype=np.float32)
    best_b = np.full(len(vb), -1, dtype=np.int64)  # for each b: its best a by margin
    best_b_margin = np.full(len(vb), -np.inf, dtype=np.float32)
    for s in range(0, len(va), _BLOCK):
        margin = (va[s : s + _BLOCK] @ vb.T) / ((knn_a[s : s + _BLOCK, None] + knn_b[None, :]) / 2)
        best_a[s : s + len(margin)] = margin.argmax(axis=1)
        best_a_margin[s : s + len(margin)] = margin.max(axis=1)
        col_best = margin.argmax(axis=0)
        col_margin = margin[col_best, np.arange(margin.shape[1])]
        better = col_margin > best_b_margin
        best_b[better] = col_best[better] + s
        best_b_margin[better] = col_margin[better]
    return [
        (int(rows_a[i]), int(rows_b[j]), float(best_a_margin[i]))
        for i, j in enumerate(best_a.tolist())
        if best_b[j] == i and best_a_margin[i] >= threshold
    ]


def _knn_mean(sims: np.ndarray, k: int) -> np.ndarray:
    """Mean of each row's k largest similarities (all of them when there are fewer)."""
    k = min(k, sims.shape[1])
    top = np.partition(sims, sims.shape[1] - k, axis=1)[:, -k:]
    return np.asarray(top.mean(axis=1))


def _aligned_documents(
    units: Units, candidates: list[tuple[int, int, float]], alignment: float
) -> set[tuple[str, str]]:
    """Document pairs whose candidates cover enough of the shorter document; at least
    MIN_SHARED of them (all, for a shorter text) where a language is too small for a
    neighbourhood (its margins are weaker evidence, see _padding)."""
    size = Counter(units.doc_ids)
    per_lang = Counter(units.langs)
    lang = dict(zip(units.doc_ids, units.langs, strict=True))
    shared = Counter(_pair(units.doc_ids[a], units.doc_ids[b]) for a, b, _ in candidates)
    out = set()
    for (x, y), n in shared.items():
        shorter = min(size[x], size[y])
        small = min(per_lang[lang[x]], per_lang[lang[y]]) < MIN_NEIGHBOURHOOD
        least = min(MIN_SHARED, shorter) if small else 1  # a text of 1-2 sentences: all
        if x != y and n >= max(least, alignment * shorter):
            out.add((x, y))
    return out


def _chunk_links(
    units: Units, kept: list[tuple[int, int, float]], n_chunks: int
) -> tuple[tuple[int, ...], ...]:
    """Chunks whose linked sentences make up at least CHUNK_OVERLAP of the smaller one
    (chunks are cut independently in each language, so a chunk's translation may be
    spread over two), most shared first, then by row."""
    size = Counter(row for rows in units.chunks for row in rows)
    shared: list[Counter[int]] = [Counter() for _ in range(n_chunks)]
    for a, b, _ in kept:
        for ra in units.chunks[a]:
            for rb in units.chunks[b]:
                shared[ra][rb] += 1
                shared[rb][ra] += 1
    return tuple(
        tuple(
            r
            for r, n in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))
            if n >= CHUNK_OVERLAP * min(size[row], size[r])
        )
        for row, c in enumerate(shared)
    )


def _sentence_links(
    units: Units, kept: list[tuple[int, int, float]]
) -> dict[SentenceKey, tuple[Translation, ...]]:
    out: dict[SentenceKey, list[Translation]] = defaultdict(list)
    for a, b, margin in kept:
        for x, y in ((a, b), (b, a)):
            key = (units.doc_ids[x], int(units.starts[x]))
            out[key].append(
                Translation(
                    units.doc_ids[y],
                    units.langs[y],
                    int(units.starts[y]),
                    int(units.ends[y]),
                    margin,
                )
            )
    return {key: tuple(sorted(ts, key=lambda t: t.lang)) for key, ts in out.items()}


class _RowLinks(Sequence[tuple[int, ...]]):
    """Each row's linked rows, read from the stored arrays (row r: rows[ptr[r]:ptr[r+1]])."""

    def __init__(self, ptr: np.ndarray, rows: np.ndarray) -> None:
        # Plain views of the memory maps: indexing a np.memmap makes a memmap object each
        # time (~5 us; a search asks for ~500 rows' links).
        self._ptr = np.asarray(ptr)
        self._rows = np.asarray(rows)

    def __len__(self) -> int:
        return len(self._ptr) - 1

    @overload
    def __getitem__(self, i: int) -> tuple[int, ...]: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[tuple[int, ...]]: ...
    def __getitem__(self, i: int | slice) -> tuple[int, ...] | Sequence[tuple[int, ...]]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return tuple(self._rows[int(self._ptr[i]) : int(self._ptr[i + 1])].tolist())


class _SentenceTable(Mapping[SentenceKey, tuple[Translation, ...]]):
    """(document, sentence start) -> its translations, from the stored arrays, made into
    ``Translation`` objects only when asked for (10^6 of them would take seconds)."""

    def __init__(
        self,
        table: np.ndarray,
        margins: np.ndarray,
        doc_ids: Sequence[str],
        doc_langs: Sequence[str],
    ) -> None:
        self._table = table  # (k, 5): doc, start, other doc, start, end; sorted by the first two
        self._margins = margins
        self._doc_ids = doc_ids
        self._doc_langs = doc_langs
        self._doc_number: dict[str, int] = {}
        for row, doc in enumerate(doc_ids):  # a document's number is its first row
            self._doc_number.setdefault(doc, row)
        self._keys = table[:, 0] * (1 << 32) + table[:, 1] if len(table) else np.zeros(0, np.int64)

    def _span(self, key: object) -> tuple[int, int]:
        if not (isinstance(key, tuple) and len(key) == 2):
            return 0, 0
        doc = self._doc_number.get(key[0])
        if doc is None or not isinstance(key[1], int):
            return 0, 0
        value = doc * (1 << 32) + key[1]
        return (
            int(np.searchsorted(self._keys, value, "left")),
            int(np.searchsorted(self._keys, value, "right")),
        )

    def __getitem__(self, key: SentenceKey) -> tuple[Translation, ...]:
        a, b = self._span(key)
        if a == b:
            raise KeyError(key)
        return tuple(
            Translation(self._doc_ids[int(d)], self._doc_langs[int(d)], int(s), int(e), float(m))
            for (_, _, d, s, e), m in zip(
                self._table[a:b].tolist(), self._margins[a:b].tolist(), strict=True
            )
        )

    def __contains__(self, key: object) -> bool:
        a, b = self._span(key)
        return b > a

    def __iter__(self) -> Iterator[SentenceKey]:
        seen = None
        for doc, start in self._table[:, :2].tolist():
            if (doc, start) != seen:
                seen = (doc, start)
                yield (self._doc_ids[doc], start)

    def __len__(self) -> int:
        return int(np.unique(self._keys).size)


class LinkTable(Derived):
    """Translation links as a generation stores them (index/derived.py), computed once
    by the builder instead of at every start (minutes at 10^6 chunks).

    Documents are numbered by the store row of their first chunk, so the files need no
    names of their own::

        links_ptr.npy        int64 (n_chunks + 1): row r is linked to rows[ptr[r]:ptr[r+1]]
        links_rows.npy       int64: the linked rows, most shared sentences first
        links_sentences.npy  int64 (k, 5): doc, start, translation's doc, start, end
        links_margins.npy    float64 (k): each translation's margin
        links_documents.npy  int64 (p, 2): aligned document pairs

    What is linked depends on the sentence vectors beside it; the retriever uses these
    links only when it searches with those stored sentence vectors, as the builder
    linked them.
    """

    kind = "links"
    files = (
        "links_ptr.npy",
        "links_rows.npy",
        "links_sentences.npy",
        "links_margins.npy",
        "links_documents.npy",
    )

    def __init__(
        self,
        ptr: np.ndarray,
        rows: np.ndarray,
        sentences: np.ndarray,
        margins: np.ndarray,
        documents: np.ndarray,
        ann_min: int = ANN_MIN,
    ) -> None:
        self.ann_min = ann_min  # the ``link_parallel`` threshold they were linked with
        self.ptr = ptr
        self.rows = rows
        self.sentences = sentences
        self.margins = margins
        self.documents = documents

    @classmethod
    def from_links(
        cls, links: ParallelLinks, chunks: Sequence[Chunk], ann_min: int = ANN_MIN
    ) -> LinkTable:
        first: dict[str, int] = {}
        for row, chunk in enumerate(chunks):
            first.setdefault(chunk.doc_id, row)
        counts = np.array([len(links.of(r)) for r in range(len(chunks))], dtype=np.int64)
        ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        rows = np.array([t for r in range(len(chunks)) for t in links.of(r)], dtype=np.int64)
        table = sorted(  # by sentence, then in the order of its translations
            (first[doc], start, i, first[t.doc_id], t.start, t.end, t.margin)
            for (doc, start), ts in links.sentences.items()
            for i, t in enumerate(ts)
        )
        sentences = np.array([(*x[:2], *x[3:6]) for x in table], dtype=np.int64).reshape(-1, 5)
        margins = np.array([x[6] for x in table], dtype=np.float64)
        docs = np.array(
            sorted((first[a], first[b]) for a, b in links.documents), dtype=np.int64
        ).reshape(-1, 2)
        return cls(ptr, rows, sentences, margins, docs, ann_min)

    @classmethod
    def build(
        cls,
        chunks: Sequence[Chunk],
        langs: Sequence[str],
        read_sentences: Callable[[], SentenceVectors],
        ann_min: int = ANN_MIN,
    ) -> LinkTable:
        """Link a generation's chunks by its sentence vectors (what the builder stores).
        A generation in one language has nothing to link: its sentence vectors are then
        not read into memory (``read_sentences`` is not called)."""
        if len(set(langs)) < 2:
            return cls.from_links(ParallelLinks.empty(len(chunks)), chunks, ann_min)
        sentences = read_sentences()
        units = link_units(chunks, langs, sentences, np.zeros((0, sentences.vectors.shape[1])))
        links = link_parallel(units, len(chunks), ann_min=ann_min)
        return cls.from_links(links, chunks, ann_min)

    def links(self, doc_ids: Sequence[str], langs: Sequence[str]) -> ParallelLinks:
        """The links over the chunks whose documents and languages these are, row by row
        (the generation's own)."""
        table = self.sentences
        pairs = frozenset(
            (min(doc_ids[a], doc_ids[b]), max(doc_ids[a], doc_ids[b]))
            for a, b in self.documents.tolist()
        )
        return ParallelLinks(
            _RowLinks(self.ptr, self.rows),
            _SentenceTable(table, self.margins, doc_ids, langs),
            pairs,
        )

    def write(self, gen_dir: Path) -> dict[str, Any]:
        arrays = (self.ptr, self.rows, self.sentences, self.margins, self.documents)
        for name, array in zip(self.files, arrays, strict=True):
            write_array(gen_dir / name, [array], array.shape, array.dtype)
        return {
            "rows": len(self.rows),
            "sentences": len(self.sentences),
            "documents": len(self.documents),
            "ann_min": self.ann_min,
        }

    @classmethod
    def open(cls, gen_dir: Path, meta: dict[str, Any], n_chunks: int, dim: int) -> LinkTable:
        try:
            m, k, p = int(meta["rows"]), int(meta["sentences"]), int(meta["documents"])
            ann_min = int(meta["ann_min"])
        except (KeyError, TypeError, ValueError) as exc:
            raise DerivedDataError(gen_dir / "params.json", "incomplete links metadata") from exc
        paths = [gen_dir / name for name in cls.files]
        ptr = np.asarray(open_array(paths[0], (n_chunks + 1,), np.int64))
        if ptr[0] != 0 or ptr[-1] != m or np.any(np.diff(ptr) < 0):
            raise DerivedDataError(paths[0], f"does not index {m} links in order")
        rows = open_array(paths[1], (m,), np.int64)
        sentences = open_array(paths[2], (k, 5), np.int64)
        margins = open_array(paths[3], (k,), np.float64)
        documents = open_array(paths[4], (p, 2), np.int64)
        for path, array in ((paths[1], rows), (paths[2], sentences), (paths[4], documents)):
            refs = array if array.ndim == 1 else array[:, [0, 2]] if array.shape[1] == 5 else array
            if refs.size and (refs.min() < 0 or refs.max() >= n_chunks):
                raise DerivedDataError(path, f"refers to rows outside 0..{n_chunks - 1}")
        return cls(ptr, rows, np.asarray(sentences), margins, documents, ann_min)
