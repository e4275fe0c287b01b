"""Build or update an index: embed only what is new or changed, drop what disappeared."""

from __future__ import annotations

import logging
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from tqdm import tqdm

from corpus.chunker import CHUNKER_VERSION, chunk_document
from corpus.cleaning import iter_content_spans
from corpus.document import Chunk, Document
from index import store
from index.embedder import Embedder
from index.errors import CorruptIndexError, IndexMismatchError
from index.store import DocRecord, IndexParams, StoredIndex

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

# Documents longer than this many characters are chunked a window at a time.
WINDOW_CHARS = 200_000
# Chunks embedded per call: bounds the texts and vectors in flight, and paces progress.
BATCH = 64


@dataclass
class IndexReport:
    """What an indexing run did, per document id (shown by the CLI and the UI)."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    encodings: dict[str, str] = field(default_factory=dict)  # text not in UTF-8: doc -> codec
    chunks: int = 0
    embedded_chunks: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        legacy = f", {len(self.encodings)} not in UTF-8" if self.encodings else ""
        return (
            f"{len(self.added)} added, {len(self.changed)} changed, {len(self.removed)} removed, "
            f"{len(self.unchanged)} unchanged, {len(self.skipped)} skipped{legacy}; "
            f"{self.chunks} chunks ({self.embedded_chunks} embedded) in {self.seconds:.1f}s"
        )


def params_for(embedder: Embedder, chunk_tokens: int, chunk_overlap: int) -> IndexParams:
    return IndexParams(embedder.name, embedder.dim, chunk_tokens, chunk_overlap, CHUNKER_VERSION)


def _previous(index_dir: Path, params: IndexParams) -> StoredIndex | None:
    if not store.exists(index_dir):
        return None
    try:
        return store.load(index_dir, params)
    except IndexMismatchError as exc:
        logger.warning("%s; re-embedding every document", exc)
    except CorruptIndexError as exc:
        logger.warning("%s; building a fresh index", exc)
    return None


def update_index(
    documents: Sequence[Document],
    index_dir: Path,
    embedder: Embedder,
    chunk_tokens: int,
    chunk_overlap: int,
    *,
    keep_missing: bool = False,
    skipped: Sequence[tuple[str, str]] = (),
    progress: Progress | None = None,
) -> tuple[StoredIndex, IndexReport]:
    """Make the index at ``index_dir`` hold ``documents`` (plus the old ones if keep_missing).

    The same content under two names is indexed once (under the name already indexed,
    else the first in order); content already in the index under another name or path
    (a moved file) keeps its vectors. Only new or changed content is embedded.
    """
    started = time.perf_counter()
    params = params_for(embedder, chunk_tokens, chunk_overlap)
    report = IndexReport(skipped=list(skipped), encodings=_encodings(documents))
    with store.write_lock(index_dir):
        store.clean_stale(index_dir)
        old = _previous(index_dir, params)
        plan = _plan(_dedupe(documents, old, report), old, report, keep_missing)
        if old is not None and not (plan.embed or plan.moved or report.removed):
            report.unchanged.sort()
            report.chunks = len(old.chunks)
            report.seconds = time.perf_counter() - started
            return old, report
        max_tokens = min(chunk_tokens, embedder.max_tokens)
        new_chunks = {
            d.doc_id: _chunks_of(d, embedder, max_tokens, chunk_overlap) for d in plan.embed
        }
        new_vectors = _embed(new_chunks, embedder, progress)
        result = _assemble(params, plan, old, new_chunks, new_vectors)
        store.save(result, index_dir)
    report.chunks = len(result.chunks)
    report.embedded_chunks = sum(len(c) for c in new_chunks.values())
    report.seconds = time.perf_counter() - started
    logger.info("indexed %s: %s", index_dir, report.summary())
    return result, report


def _encodings(documents: Sequence[Document]) -> dict[str, str]:
    """Text documents that were not UTF-8, and what they were read as."""
    return {
        d.doc_id: d.encoding
        for d in documents
        if d.format in ("text", "markdown") and d.encoding not in ("utf-8", "utf-8-sig")
    }


def _dedupe(
    documents: Sequence[Document], old: StoredIndex | None, report: IndexReport
) -> list[Document]:
    """One document per content; the name already indexed for it wins, so a second copy
    appearing never moves the first one's entry."""
    indexed = {(r.doc_id, r.sha256) for r in old.documents.values()} if old else set()
    ordered = sorted(documents, key=lambda d: ((d.doc_id, d.sha256) not in indexed, d.doc_id))
    seen: dict[str, str] = {}
    out = []
    for doc in ordered:
        if doc.sha256 in seen:
            report.skipped.append((doc.path, f"same content as {seen[doc.sha256]}"))
            continue
        seen[doc.sha256] = doc.doc_id
        out.append(doc)
    return sorted(out, key=lambda d: d.doc_id)


@dataclass
class _Plan:
    kept: list[DocRecord] = field(default_factory=list)  # as they are in the old index
    embed: list[Document] = field(default_factory=list)  # new or changed content
    moved: list[tuple[Document, DocRecord]] = field(default_factory=list)  # old vectors


def _plan(
    docs: list[Document], old: StoredIndex | None, report: IndexReport, keep_missing: bool
) -> _Plan:
    """Sort documents into kept, moved (same content, new name or path) and to embed."""
    previous = old.documents if old else {}
    by_sha = {r.sha256: r for r in previous.values()}
    wanted = {d.doc_id for d in docs}
    plan = _Plan()
    for doc in docs:
        rec = previous.get(doc.doc_id)
        if rec is not None and rec.sha256 == doc.sha256:
            report.unchanged.append(doc.doc_id)
            if rec.path == doc.path:
                plan.kept.append(rec)
            else:
                plan.moved.append((doc, rec))
            continue
        (report.changed if rec else report.added).append(doc.doc_id)
        if doc.sha256 in by_sha:
            plan.moved.append((doc, by_sha[doc.sha256]))
        else:
            plan.embed.append(doc)
    for doc_id, rec in previous.items():
        if doc_id not in wanted:
            if keep_missing:
                plan.kept.append(rec)
            else:
                report.removed.append(doc_id)
    return plan


def _chunks_of(doc: Document, embedder: Embedder, max_tokens: int, overlap: int) -> list[Chunk]:
    """The document's chunks; a long one a window at a time, so the chunker's working
    set (sentences, token counts) stays that of one window, not of a 50 MB file."""
    if len(doc.text) <= WINDOW_CHARS:
        return chunk_document(doc, embedder.count_tokens, max_tokens, overlap)
    chunks: list[Chunk] = []
    for start, end in _windows(doc.text, WINDOW_CHARS):
        part = replace(doc, text=doc.text[start:end])
        for c in chunk_document(part, embedder.count_tokens, max_tokens, overlap):
            chunk_id = f"{doc.doc_id}#{len(chunks)}"
            chunks.append(replace(c, chunk_id=chunk_id, start=c.start + start, end=c.end + start))
    logger.debug("%s: %d chunks", doc.doc_id, len(chunks))
    return chunks


def _windows(text: str, size: int) -> Iterator[tuple[int, int]]:
    """Content spans, those longer than ``size`` cut at a paragraph or line break (the
    chunker breaks there too), else at a space, so each window is at most ``size``."""
    for start, end in iter_content_spans(text):
        while end - start > size:
            cut = _cut(text, start, start + size)
            yield start, cut
            start = cut
        yield start, end


def _cut(text: str, lo: int, hi: int) -> int:
    floor = lo + (hi - lo) // 2
    for sep in ("\n\n", "\n", " "):
        at = text.rfind(sep, floor, hi)
        if at >= 0:
            return at + 1
    while hi - 1 > lo and unicodedata.category(text[hi])[0] == "M":
        hi -= 1  # never between a letter and its combining mark
    return hi


def _embed(
    chunks: dict[str, list[Chunk]], embedder: Embedder, progress: Progress | None
) -> dict[str, np.ndarray]:
    total = sum(len(c) for c in chunks.values())
    done, out = 0, {}
    with tqdm(total=total, desc="embedding", unit="chunk", disable=total == 0) as bar:
        for doc_id, doc_chunks in chunks.items():
            blocks = []
            for i in range(0, len(doc_chunks), BATCH):
                part = doc_chunks[i : i + BATCH]
                blocks.append(embedder.embed_passages([c.text for c in part]))
                done += len(part)
                bar.update(len(part))
                if progress:
                    progress(done, total)
            out[doc_id] = store.stack(blocks, embedder.dim)
    return out


def _record(doc: Document, chunks: int, indexed_at: str) -> DocRecord:
    return DocRecord(
        doc.doc_id,
        doc.path,
        doc.title,
        doc.lang,
        doc.sha256,
        chunks,
        indexed_at,
        format=doc.format,
        encoding=doc.encoding,
        pages=doc.pages,
    )


def _assemble(
    params: IndexParams,
    plan: _Plan,
    old: StoredIndex | None,
    new_chunks: dict[str, list[Chunk]],
    new_vectors: dict[str, np.ndarray],
) -> StoredIndex:
    """Documents in doc_id order, so the same corpus always gives the same index."""
    old_rows: dict[str, list[int]] = {}
    if old is not None:
        for row, chunk in enumerate(old.chunks):
            old_rows.setdefault(chunk.doc_id, []).append(row)
    old_vecs = old.index.vectors() if old is not None else None
    now = datetime.now(UTC).isoformat(timespec="seconds")
    records = {r.doc_id: r for r in plan.kept}
    sources: dict[str, tuple[str, Document | None]] = {
        r.doc_id: (r.doc_id, None) for r in plan.kept
    }
    for doc in plan.embed:
        records[doc.doc_id] = _record(doc, len(new_chunks[doc.doc_id]), now)
    for doc, rec in plan.moved:
        records[doc.doc_id] = replace(_record(doc, rec.chunks, rec.indexed_at), lang=rec.lang)
        sources[doc.doc_id] = (rec.doc_id, doc)
    result = StoredIndex(params)
    blocks = []
    for doc_id in sorted(records):
        if doc_id in new_chunks:
            result.chunks.extend(new_chunks[doc_id])
            blocks.append(new_vectors[doc_id])
            continue
        assert old is not None and old_vecs is not None
        old_id, moved = sources[doc_id]
        rows = old_rows.get(old_id, [])
        result.chunks.extend(_renamed(old.chunks[r], moved) for r in rows)
        blocks.append(old_vecs[rows])
    result.documents = records
    result.index.add(store.stack(blocks, params.dim))
    return result


def _renamed(chunk: Chunk, doc: Document | None) -> Chunk:
    """An old chunk under its document's new name and path (offsets are unchanged: the
    content is the same)."""
    if doc is None:
        return chunk
    ordinal = chunk.chunk_id.rsplit("#", 1)[-1]
    return replace(
        chunk, chunk_id=f"{doc.doc_id}#{ordinal}", doc_id=doc.doc_id, path=doc.path, title=doc.title
    )
