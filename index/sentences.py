"""Sentence vectors of an index: what retrieval's second stage scores a chunk by.

No multilingual cross-encoder ships with weights on the registries polyqa can reach, so
the second stage reuses the embedding model at a finer grain. A chunk vector averages
several sentences; a question is usually answered by one, and in another language the
averaged vector loses the most (xquad-dev: adding the best sentence's similarity to the
chunk's raises xhit@1 from 0.838 to 0.862 and hit@1 from 0.916 to 0.934).

They are computed at index time (index/builder.py, after the chunk vectors, in the same
run), stored in the generation as derived data (index/derived.py), and copied from the
previous generation for documents that did not change. In a generation::

    sentences.npy        float16 (n_sentences, dim): unit vectors, in chunk order
    sentence_spans.npy   int32 (n_sentences, 2): start, end in the chunk's text
    sentence_ptr.npy     int64 (n_chunks + 1): chunk row r owns sentences ptr[r]:ptr[r+1]

float16 halves the size and changes cosines by less than 1e-3; the files are
memory-mapped, so a search reads only the rows of the chunks it scores. params.json
records the ``RECIPE`` they were embedded by; vectors of another recipe are treated as
missing (recomputed in memory with a warning, rewritten by the next `polyqa index`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from corpus.document import Chunk
from corpus.sentences import sentences_in_context
from index.derived import Derived, DerivedDataError, open_array, write_array
from index.embedder import Embedder

logger = logging.getLogger(__name__)

DTYPE = np.float16
# Sentences embedded per call: bounds the texts in flight.
BATCH = 256
# Chunks whose sentences are split and embedded together: bounds the texts in memory.
GROUP = 512
# What a sentence's vector is of; changes whenever ``sentence_units`` would embed other
# text for the same chunk (corpus.sentences' splitting or headings included), so vectors
# of an older recipe are never read as this one's. 1: each sentence alone; 2: a sentence
# after a heading under it (sentences_in_context).
RECIPE = 2

# Chunks from which ``best`` scores every candidate's sentences in one product rather
# than chunk by chunk (3x faster at 300 candidates). BLAS rounds a row's cosine
# differently inside a larger product (by ~3e-8), so below this size, where the default
# corpus and the eval sets are, the chunk-by-chunk loop keeps their scores bit for bit.
BATCHED_MIN_CHUNKS = 50_000

Unit = tuple[int, int, str]
Progress = Callable[[int, int], None]  # chunks whose sentences are embedded, of how many


def sentence_units(chunk: Chunk) -> list[Unit]:
    """What is embedded for each sentence of ``chunk``: (start, end, text), offsets into
    ``chunk.text``; the text is the sentence in its context (under its heading, see
    ``corpus.sentences.sentences_in_context``, which the answer composer compares too).
    The one place that decides it: the builder embeds these units and
    ``SentenceVectors.vector_of(row, start)`` finds them by their start."""
    return sentences_in_context(chunk.text) or [(0, len(chunk.text), chunk.text)]


@dataclass
class SentencePart:
    """The sentences of a run of chunks: per chunk how many, their spans, their vectors
    (in ``blocks``: new arrays, or views of the previous generation's memory map)."""

    counts: np.ndarray  # int64, one per chunk
    spans: np.ndarray  # int32 (k, 2)
    blocks: list[np.ndarray] = field(default_factory=list)  # k rows in all


class SentenceVectors(Derived):
    """Every chunk's sentences as unit vectors; ``best(q, rows)`` is the reranker's score."""

    kind = "sentences"
    files = ("sentences.npy", "sentence_spans.npy", "sentence_ptr.npy")

    def __init__(self, ptr: np.ndarray, spans: np.ndarray, vectors: np.ndarray) -> None:
        self.ptr = ptr
        self.spans = spans
        self.vectors = vectors

    @property
    def n_chunks(self) -> int:
        return len(self.ptr) - 1

    @property
    def count(self) -> int:
        return len(self.spans)

    def _range(self, row: int) -> tuple[int, int]:
        if not 0 <= row < self.n_chunks:
            return 0, 0
        return int(self.ptr[row]), int(self.ptr[row + 1])

    def vector_of(self, row: int, start: int) -> np.ndarray | None:
        """The vector of the sentence at ``start`` of chunk ``row``'s text, if embedded."""
        a, b = self._range(row)
        hits = np.flatnonzero(self.spans[a:b, 0] == start)
        return np.asarray(self.vectors[a + int(hits[0])], dtype=np.float32) if hits.size else None

    def best(
        self, query_vec: np.ndarray, rows: np.ndarray, shifts: np.ndarray | None = None
    ) -> np.ndarray:
        """For each row, the query's cosine with its most similar sentence (-1 if none);
        with ``shifts`` (one vector per row), of the sentences' vectors minus the row's
        shift, renormalised (a direction the caller compares without)."""
        q = np.asarray(query_vec, dtype=np.float32)
        rows = np.asarray(rows, dtype=np.int64)
        out = np.full(len(rows), -1.0, dtype=np.float32)
        if self.n_chunks < BATCHED_MIN_CHUNKS:
            for i, row in enumerate(rows.tolist()):
                a, b = self._range(row)
                if b > a:
                    vecs = np.asarray(self.vectors[a:b], dtype=np.float32)
                    if shifts is not None:
                        vecs = vecs - shifts[i]
                        vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
                    out[i] = float(np.max(vecs @ q))
            return out
        inside = (rows >= 0) & (rows < self.n_chunks)
        first = np.zeros(len(rows), dtype=np.int64)
        first[inside] = self.ptr[rows[inside]]
        counts = np.zeros(len(rows), dtype=np.int64)
        counts[inside] = self.ptr[rows[inside] + 1] - first[inside]
        total = int(counts.sum())
        if total == 0:
            return out
        # One read of every candidate's sentences (in row order, so a memory map is read
        # forward) and one product, instead of a loop over the rows.
        starts = np.cumsum(counts) - counts
        which = np.arange(total, dtype=np.int64) + np.repeat(first - starts, counts)
        vecs = np.asarray(self.vectors[which], dtype=np.float32)
        if shifts is not None:
            vecs = vecs - np.repeat(np.asarray(shifts, dtype=np.float32), counts, axis=0)
            vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
        sims = vecs @ q
        some = counts > 0
        out[some] = np.maximum.reduceat(sims, starts[some])
        return out

    def part(self, rows: Sequence[int]) -> SentencePart:
        """The sentences of these chunk rows, for a new generation (no vector is copied
        in memory: consecutive rows become one view of the memory map)."""
        counts = np.array([b - a for a, b in map(self._range, rows)], dtype=np.int64)
        runs: list[tuple[int, int]] = []
        for row in rows:
            a, b = self._range(row)
            if runs and runs[-1][1] == a:
                runs[-1] = (runs[-1][0], b)
            elif b > a:
                runs.append((a, b))
        spans = [self.spans[a:b] for a, b in runs]
        return SentencePart(
            counts,
            np.concatenate(spans) if spans else np.zeros((0, 2), dtype=np.int32),
            [self.vectors[a:b] for a, b in runs],
        )

    @classmethod
    def build(
        cls, chunks: Sequence[Chunk], embedder: Embedder, progress: Progress | None = None
    ) -> SentenceVectors:
        """Embed every chunk's sentences here, in memory (an index without stored ones)."""
        started = time.perf_counter()
        part = embed_part(chunks, embedder, progress)
        out = stack([part], embedder.dim).in_memory()
        logger.info(
            "sentence vectors: %d sentences of %d chunks in %.2fs",
            out.count,
            len(chunks),
            time.perf_counter() - started,
        )
        return out

    def write(self, gen_dir: Path) -> dict[str, Any]:
        return stack([self.part(range(self.n_chunks))], self.vectors.shape[1]).write(gen_dir)

    @classmethod
    def open(cls, gen_dir: Path, meta: dict[str, Any], n_chunks: int, dim: int) -> SentenceVectors:
        try:
            count = int(meta["count"])
        except (KeyError, TypeError, ValueError) as exc:
            raise DerivedDataError(gen_dir / "params.json", "no sentence count") from exc
        if (recipe := meta.get("recipe", 1)) != RECIPE:
            raise DerivedDataError(
                gen_dir / "params.json",
                f"sentence vectors of recipe {recipe!r}, this polyqa embeds recipe {RECIPE}",
            )
        vecs, spans, ptr_file = (gen_dir / name for name in cls.files)
        ptr = np.asarray(open_array(ptr_file, (n_chunks + 1,), np.int64))
        if ptr[0] != 0 or ptr[-1] != count or np.any(np.diff(ptr) < 0):
            raise DerivedDataError(ptr_file, f"does not index {count} sentences in order")
        span_array = open_array(spans, (count, 2), np.int32)
        return cls(ptr, span_array, open_array(vecs, (count, dim), DTYPE))


def embed_part(
    chunks: Sequence[Chunk], embedder: Embedder, progress: Progress | None = None
) -> SentencePart:
    """Embed the sentence units of ``chunks``, a group of chunks at a time (so only one
    group's texts are in memory beside the vectors); a sentence that overlapping chunks
    repeat is embedded once. ``progress(done, total)`` counts chunks."""
    counts = np.zeros(len(chunks), dtype=np.int64)
    spans: list[np.ndarray] = []
    blocks: list[np.ndarray] = []
    for first in range(0, len(chunks), GROUP):
        units = [sentence_units(c) for c in chunks[first : first + GROUP]]
        counts[first : first + len(units)] = [len(u) for u in units]
        flat = [(s, e) for us in units for s, e, _ in us]
        spans.append(np.array(flat, dtype=np.int32).reshape(-1, 2))
        index: dict[str, int] = {}
        which = [index.setdefault(t, len(index)) for us in units for _, _, t in us]
        texts = list(index)
        vectors = [
            np.asarray(embedder.embed_passages(texts[i : i + BATCH]), dtype=DTYPE)
            for i in range(0, len(texts), BATCH)
        ]
        if vectors:
            blocks.append(np.concatenate(vectors)[np.asarray(which, dtype=np.int64)])
        if progress:
            progress(first + len(units), len(chunks))
    span_array = np.concatenate(spans) if spans else np.zeros((0, 2), dtype=np.int32)
    return SentencePart(counts, span_array, blocks)


def rows_of(blocks: Sequence[np.ndarray], a: int, b: int) -> list[np.ndarray]:
    """Rows a..b of the blocks stacked, as views of them (nothing is copied)."""
    out, offset = [], 0
    for block in blocks:
        lo, hi = max(a - offset, 0), min(b - offset, len(block))
        if lo < hi:
            out.append(block[lo:hi])
        offset += len(block)
    return out


@dataclass
class SentenceStack(Derived):
    """The sentence vectors of a generation being assembled, part by part in chunk
    order; written a block at a time, never stacked in memory."""

    dim: int
    parts: list[SentencePart] = field(default_factory=list)

    kind = "sentences"
    files = SentenceVectors.files

    def _arrays(self) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        counts = [p.counts for p in self.parts]
        ptr = np.concatenate([[0], np.cumsum(np.concatenate(counts))]) if counts else np.zeros(1)
        spans = [p.spans for p in self.parts]
        span_array = np.concatenate(spans) if spans else np.zeros((0, 2))
        blocks = [b for p in self.parts for b in p.blocks]
        return ptr.astype(np.int64), span_array.astype(np.int32), blocks

    def in_memory(self) -> SentenceVectors:
        ptr, spans, blocks = self._arrays()
        vectors = np.concatenate(blocks) if blocks else np.zeros((0, self.dim))
        return SentenceVectors(ptr, spans, vectors.astype(DTYPE))

    def write(self, gen_dir: Path) -> dict[str, Any]:
        ptr, spans, blocks = self._arrays()
        vecs, span_file, ptr_file = (gen_dir / name for name in self.files)
        write_array(vecs, blocks, (len(spans), self.dim), DTYPE)
        write_array(span_file, [spans], spans.shape, np.int32)
        write_array(ptr_file, [ptr], ptr.shape, np.int64)
        return {"count": len(spans), "recipe": RECIPE}

    @classmethod
    def open(cls, gen_dir: Path, meta: dict[str, Any], n_chunks: int, dim: int) -> SentenceVectors:
        return SentenceVectors.open(gen_dir, meta, n_chunks, dim)


def stack(parts: list[SentencePart], dim: int) -> SentenceStack:
    return SentenceStack(dim, parts)
