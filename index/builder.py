"""Build or update an index: embed only what is new or changed, drop what disappeared."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from tqdm import tqdm

from corpus.chunker import chunk_document
from corpus.document import Chunk, Document
from corpus.errors import CorruptIndexError, IndexMismatchError
from index import store
from index.embedder import Embedder
from index.store import DocRecord, IndexParams, StoredIndex

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass
class IndexReport:
    """What an indexing run did, per document id (shown by the CLI and the UI)."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    chunks: int = 0
    embedded_chunks: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.changed)} changed, {len(self.removed)} removed, "
            f"{len(self.unchanged)} unchanged, {len(self.skipped)} skipped; "
            f"{self.chunks} chunks ({self.embedded_chunks} embedded) in {self.seconds:.1f}s"
        )


def params_for(embedder: Embedder, chunk_tokens: int, chunk_overlap: int) -> IndexParams:
    return IndexParams(embedder.name, embedder.dim, chunk_tokens, chunk_overlap)


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

    The same content under two names is indexed once, under the first name in order.
    """
    started = time.perf_counter()
    params = params_for(embedder, chunk_tokens, chunk_overlap)
    report = IndexReport(skipped=list(skipped))
    with store.write_lock(index_dir):
        old = _previous(index_dir, params)
        docs = _dedupe(documents, report)
        kept, todo = _plan(docs, old, report, keep_missing)
        if old is not None and not (todo or report.removed):
            report.unchanged.sort()
            report.chunks = len(old.chunks)
            report.seconds = time.perf_counter() - started
            return old, report
        new_chunks = _chunk_all(todo, embedder, min(chunk_tokens, embedder.max_tokens), params)
        new_vectors = _embed(new_chunks, embedder, progress)
        result = _assemble(params, kept, old, todo, new_chunks, new_vectors)
        store.save(result, index_dir)
    report.chunks = len(result.chunks)
    report.embedded_chunks = len(new_chunks)
    report.seconds = time.perf_counter() - started
    logger.info("indexed %s: %s", index_dir, report.summary())
    return result, report


def _dedupe(documents: Sequence[Document], report: IndexReport) -> list[Document]:
    seen: dict[str, str] = {}
    out = []
    for doc in sorted(documents, key=lambda d: d.doc_id):
        if doc.sha256 in seen:
            report.skipped.append((doc.path, f"same content as {seen[doc.sha256]}"))
            continue
        seen[doc.sha256] = doc.doc_id
        out.append(doc)
    return out


def _plan(
    docs: list[Document], old: StoredIndex | None, report: IndexReport, keep_missing: bool
) -> tuple[list[DocRecord], list[Document]]:
    """Split into old records to keep as they are and documents to (re-)embed."""
    previous = old.documents if old else {}
    wanted = {d.doc_id for d in docs}
    kept: list[DocRecord] = []
    todo: list[Document] = []
    for doc in docs:
        rec = previous.get(doc.doc_id)
        if rec is not None and rec.sha256 == doc.sha256:
            kept.append(rec)
            report.unchanged.append(doc.doc_id)
        else:
            todo.append(doc)
            (report.changed if rec else report.added).append(doc.doc_id)
    for doc_id, rec in previous.items():
        if doc_id not in wanted:
            if keep_missing:
                kept.append(rec)
            else:
                report.removed.append(doc_id)
    return kept, todo


def _chunk_all(
    docs: list[Document], embedder: Embedder, max_tokens: int, params: IndexParams
) -> dict[str, list[Chunk]]:
    return {
        d.doc_id: chunk_document(d, embedder.count_tokens, max_tokens, params.chunk_overlap)
        for d in docs
    }


def _embed(
    chunks: dict[str, list[Chunk]], embedder: Embedder, progress: Progress | None
) -> dict[str, np.ndarray]:
    flat = [c for doc_chunks in chunks.values() for c in doc_chunks]
    total, done, batch = len(flat), 0, 64
    vectors: list[np.ndarray] = []
    with tqdm(total=total, desc="embedding", unit="chunk", disable=total == 0) as bar:
        for i in range(0, total, batch):
            part = flat[i : i + batch]
            vectors.append(embedder.embed_passages([c.text for c in part]))
            done += len(part)
            bar.update(len(part))
            if progress:
                progress(done, total)
    all_vecs = store.stack(vectors, embedder.dim)
    out, pos = {}, 0
    for doc_id, doc_chunks in chunks.items():
        out[doc_id] = all_vecs[pos : pos + len(doc_chunks)]
        pos += len(doc_chunks)
    return out


def _assemble(
    params: IndexParams,
    kept: list[DocRecord],
    old: StoredIndex | None,
    todo: list[Document],
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
    records = {r.doc_id: r for r in kept}
    for doc in todo:
        n = len(new_chunks[doc.doc_id])
        records[doc.doc_id] = DocRecord(
            doc.doc_id, doc.path, doc.title, doc.lang, doc.sha256, n, now
        )
    result = StoredIndex(params)
    blocks = []
    for doc_id in sorted(records):
        if doc_id in new_chunks:
            result.chunks.extend(new_chunks[doc_id])
            blocks.append(new_vectors[doc_id])
        else:
            assert old is not None and old_vecs is not None
            rows = old_rows.get(doc_id, [])
            result.chunks.extend(old.chunks[r] for r in rows)
            blocks.append(old_vecs[rows])
    result.documents = records
    result.index.add(store.stack(blocks, params.dim))
    return result
