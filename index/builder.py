"""Build or update an index: embed only what is new or changed, drop what disappeared.

An update runs in two halves. The costly one (chunking and embedding what the index does
not hold yet) works from a snapshot of the index without holding its write lock, so a
long document never keeps another writer (the chat's next upload) waiting. The short one
takes the lock, looks at the index again, plans against what is there now (reusing the
work already done, doing what another writer made necessary) and writes the new
generation: chunk vectors, and the derived data (sentence vectors: new documents' are
embedded in the same run, unchanged documents' are copied from the previous generation).
"""

from __future__ import annotations

import logging
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from tqdm import tqdm

from corpus.analysis import release_dictionaries
from corpus.budget import UNLIMITED, DocumentBudget
from corpus.chunker import CHUNKER_VERSION, chunk_document
from corpus.cleaning import iter_content_spans
from corpus.document import Chunk, Document
from corpus.errors import BudgetError, NoDocumentsError, display_path
from corpus.progress import quiet
from index import store
from index.ann import AnnConfig, choose
from index.embedder import Embedder
from index.errors import CorruptIndexError, IndexMismatchError
from index.lexical_table import LexicalTable
from index.parallel import LinkTable
from index.sentences import (
    SentencePart,
    SentenceStack,
    SentenceVectors,
    embed_part,
    rows_of,
    sentence_units,
)
from index.store import DocRecord, IndexParams, StoredIndex

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

# Documents longer than this many characters are chunked a window at a time.
WINDOW_CHARS = 200_000
# Chunks embedded per call: bounds the texts and vectors in flight, and paces progress.
BATCH = 64
# Below this many characters in all, chunking is quick: no progress bar.
QUIET_CHARS = WINDOW_CHARS
# Up to this many chunks the lexical table's build reads and extends the term cache
# (index/lexical_cache.py): it holds every chunk's terms as strings (~1 KB a chunk), which
# a larger index cannot afford beside itself (the 50 MB one-file bound); above it every
# chunk is analysed and none kept (~1 ms a chunk: 100 s at 10^5 chunks, beside hours of
# embedding them).
TERM_CACHE_CHUNKS = 50_000


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
    embedded_sentences: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        legacy = f", {len(self.encodings)} not in UTF-8" if self.encodings else ""
        return (
            f"{len(self.added)} added, {len(self.changed)} changed, {len(self.removed)} removed, "
            f"{len(self.unchanged)} unchanged, {len(self.skipped)} skipped{legacy}; "
            f"{self.chunks} chunks ({self.embedded_chunks} embedded) in {self.seconds:.1f}s"
        )


@dataclass
class _Prepared:
    """A document's chunks, their vectors and their sentences' vectors, made outside the
    write lock."""

    chunks: list[Chunk]
    vectors: np.ndarray
    sentences: SentencePart


def params_for(embedder: Embedder, chunk_tokens: int, chunk_overlap: int) -> IndexParams:
    return IndexParams(embedder.name, embedder.dim, chunk_tokens, chunk_overlap, CHUNKER_VERSION)


def _previous(
    index_dir: Path, params: IndexParams, keep_missing: bool, said: set[str]
) -> StoredIndex | None:
    """The index as it is, or None to build a fresh one. With ``keep_missing`` (``--add``,
    uploads) an index that cannot be read is refused instead: building a fresh one would
    drop every document it holds. ``said``: the warnings given already in this run (the
    index is looked at twice, before the work and under the lock: one warning)."""
    if not store.exists(index_dir):
        return None
    try:
        return store.load(index_dir, params)
    except (IndexMismatchError, CorruptIndexError) as exc:
        if keep_missing:
            raise type(exc)(
                f"{exc}; adding to it would drop the documents it holds, so nothing was "
                "changed: index all of them again (without --add)"
            ) from exc
        fresh = (
            "re-embedding every document"
            if isinstance(exc, IndexMismatchError)
            else ("building a fresh index")
        )
        warning = f"{exc}; {fresh}"
        if warning not in said:
            said.add(warning)
            logger.warning("%s", warning)
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
    budget: DocumentBudget = UNLIMITED,
    ann: AnnConfig | None = None,
    cache_dir: Path | None = None,
) -> tuple[StoredIndex, IndexReport]:
    """Make the index at ``index_dir`` hold ``documents`` (plus the old ones if keep_missing).

    The same content under two names is indexed once (under the name already indexed,
    else the first in order); content already in the index under another name or path
    (a moved file) keeps its vectors. Only new or changed content is embedded. A
    document over ``budget`` is skipped with the reason, like an unreadable one.
    ``ann`` says from how many chunks a language's search is approximate (index/ann/).
    ``cache_dir`` (the settings' cache dir) holds the lexical terms of chunks analysed
    before (index/lexical_cache.py), used up to ``TERM_CACHE_CHUNKS`` chunks; None
    analyses every chunk, keeping no terms.
    """
    started = time.perf_counter()
    params = params_for(embedder, chunk_tokens, chunk_overlap)
    report = IndexReport(skipped=list(skipped), encodings=_encodings(documents))
    work = _Work(embedder, min(chunk_tokens, embedder.max_tokens), chunk_overlap, budget, progress)
    store.check_writable(index_dir)
    said: set[str] = set()
    snapshot = _previous(index_dir, params, keep_missing, said)
    work.prepare(_planned(documents, snapshot, keep_missing)[0].embed, report)
    with store.write_lock(index_dir):
        store.clean_stale(index_dir)
        live = _is_live(index_dir, snapshot)  # else another writer came first
        old = snapshot if live else _previous(index_dir, params, keep_missing, said)
        plan, planned = _settled(documents, old, keep_missing, work, report)
        _merge(report, planned)
        given = planned.added + planned.changed + planned.unchanged  # those not refused
        if not given and (documents or old is None):
            # Every document given was refused: the index stays as it is (without this,
            # `polyqa index big.txt` over a budget replaced an index by an empty one).
            raise NoDocumentsError(f"no document could be indexed: {_brief(report.skipped)}")
        if old is not None and not (plan.embed or plan.moved or report.removed or old.damaged):
            report.chunks = len(old.chunks)
            report.seconds = time.perf_counter() - started
            return old, report
        result = _assemble(params, plan, old, work, ann, cache_dir, index_dir)
        store.save(result, index_dir)
    report.chunks = len(result.chunks)
    report.embedded_chunks = sum(len(work.done[d.doc_id].chunks) for d in plan.embed)
    report.embedded_sentences = work.sentences_embedded
    report.seconds = time.perf_counter() - started
    logger.info("indexed %s: %s", index_dir, report.summary())
    return result, report


def _planned(
    documents: Sequence[Document], old: StoredIndex | None, keep_missing: bool
) -> tuple[_Plan, IndexReport]:
    """The plan for these documents against ``old``, and what it reports."""
    planned = IndexReport()
    return _plan(_dedupe(documents, old, planned), old, planned, keep_missing), planned


def _settled(
    documents: Sequence[Document],
    old: StoredIndex | None,
    keep_missing: bool,
    work: _Work,
    report: IndexReport,
) -> tuple[_Plan, IndexReport]:
    """The plan against the index as it is now, with everything it embeds prepared (what
    the snapshot's plan left out: another writer came first) and without the documents
    over budget (each one refused changes the plan, so plan again)."""
    while True:
        wanted = [d for d in documents if d.doc_id not in work.refused]
        plan, planned = _planned(wanted, old, keep_missing)
        work.prepare(plan.embed, report)
        if not any(d.doc_id in work.refused for d in plan.embed):
            return plan, planned


def _merge(report: IndexReport, planned: IndexReport) -> None:
    report.added, report.changed = planned.added, planned.changed
    report.removed, report.unchanged = planned.removed, sorted(planned.unchanged)
    report.skipped.extend(planned.skipped)  # copies of content indexed under another name


def _brief(skipped: list[tuple[str, str]], shown: int = 3) -> str:
    text = "; ".join(f"{display_path(path)}: {why}" for path, why in skipped[:shown])
    return text + (f"; and {len(skipped) - shown} more" if len(skipped) > shown else "")


def _is_live(index_dir: Path, snapshot: StoredIndex | None) -> bool:
    """Whether the index is still the one the snapshot was read from."""
    try:
        live = store.live_generation(index_dir)
    except CorruptIndexError:
        return False
    return (snapshot.generation if snapshot else None) == live


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


class _Work:
    """Chunking and embedding, done once per document however often the plan changes."""

    def __init__(
        self,
        embedder: Embedder,
        max_tokens: int,
        overlap: int,
        budget: DocumentBudget,
        progress: Progress | None,
    ) -> None:
        self.embedder = embedder
        self.max_tokens = max_tokens
        self.overlap = overlap
        self.budget = budget
        self.progress = progress
        self.done: dict[str, _Prepared] = {}
        self.refused: set[str] = set()
        self.sentences_embedded = 0

    def prepare(self, docs: Sequence[Document], report: IndexReport) -> None:
        """Chunk and embed the documents not done yet; those over budget are skipped
        (named in ``report.skipped``) and remembered in ``refused``."""
        todo = [d for d in docs if d.doc_id not in self.done and d.doc_id not in self.refused]
        if not todo:
            return
        chunked: dict[str, list[Chunk]] = {}
        total = sum(len(d.text) for d in todo)
        with tqdm(total=total, desc="chunking", unit="char", unit_scale=True,
                  disable=quiet() or total < QUIET_CHARS) as bar:  # fmt: skip
            for doc in todo:
                try:
                    chunked[doc.doc_id] = _chunks_of(
                        doc, self.embedder, self.max_tokens, self.overlap, self.budget, bar
                    )
                except BudgetError as exc:
                    logger.warning("skipped %s", exc)
                    report.skipped.append((doc.path, exc.problem))
                    self.refused.add(doc.doc_id)
        _prefetch(self.embedder, [c for cs in chunked.values() for c in cs])
        vectors = _embed(chunked, self.embedder, self.progress)
        parts = self.sentences(list(chunked.values()))
        for (doc_id, chunks), part in zip(chunked.items(), parts, strict=True):
            self.done[doc_id] = _Prepared(chunks, vectors[doc_id], part)

    def sentences(self, groups: Sequence[Sequence[Chunk]]) -> list[SentencePart]:
        """The sentence vectors of each group of chunks, embedded now in one run."""
        flat = [c for group in groups for c in group]
        _prefetch(self.embedder, flat)
        with tqdm(
            total=len(flat), desc="sentences", unit="chunk", disable=quiet() or not flat
        ) as bar:

            def step(done: int, total: int) -> None:
                bar.update(done - bar.n)

            part = embed_part(flat, self.embedder, step)
        self.sentences_embedded += len(part.spans)
        out, first = [], 0
        for group in groups:
            out.append(_slice(part, first, len(group)))
            first += len(group)
        return out


def _prefetch(embedder: Embedder, chunks: Sequence[Chunk]) -> None:
    """Hand an embedder that has ``prefetch`` (index/ray_embed.py: one cluster run costs
    seconds) every text about to be embedded, chunks and sentences, in one call."""
    prefetch = getattr(embedder, "prefetch", None)
    if prefetch is not None and chunks:
        prefetch([c.text for c in chunks] + [u[2] for c in chunks for u in sentence_units(c)])


def _slice(part: SentencePart, first: int, n: int) -> SentencePart:
    """The sentences of chunks first..first+n of ``part``."""
    ptr = np.concatenate([[0], np.cumsum(part.counts)])
    a, b = int(ptr[first]), int(ptr[first + n])
    return SentencePart(part.counts[first : first + n], part.spans[a:b], rows_of(part.blocks, a, b))


def _chunks_of(
    doc: Document,
    embedder: Embedder,
    max_tokens: int,
    overlap: int,
    budget: DocumentBudget = UNLIMITED,
    bar: tqdm | None = None,
) -> list[Chunk]:
    """The document's chunks; a long one a window at a time, so the chunker's working
    set (sentences, token counts) stays that of one window, not of a 50 MB file; the
    chunk budget is checked (and progress shown) after every window, the clock after
    every chunk. The sentence budget first: the reader has checked it for what it read,
    this is for documents made elsewhere (counting is ~0.25 s a MB of prose, a few
    percent of chunking it)."""
    budget.check_sentences(doc.path, doc.text)
    clock = budget.clock(doc.path, "chunking")
    # Optional in the Embedder protocol: a batch counter where the model has one.
    many = getattr(embedder, "count_tokens_many", None)
    if len(doc.text) <= WINDOW_CHARS:
        whole = chunk_document(doc, embedder.count_tokens, max_tokens, overlap, many, clock.check)
        budget.check_chunks(doc.path, len(whole))
        if bar is not None:
            bar.update(len(doc.text))
        return whole
    chunks: list[Chunk] = []
    done = 0
    for start, end in _windows(doc.text, WINDOW_CHARS):
        part = replace(doc, text=doc.text[start:end])
        for c in chunk_document(
            part, embedder.count_tokens, max_tokens, overlap, many, clock.check
        ):
            chunk_id = f"{doc.doc_id}#{len(chunks)}"
            chunks.append(replace(c, chunk_id=chunk_id, start=c.start + start, end=c.end + start))
        budget.check_chunks(doc.path, len(chunks))
        clock.check()
        if bar is not None:
            bar.update(end - done)
            done = end
    if bar is not None:
        bar.update(len(doc.text) - done)
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
    """Each document's chunk vectors; a text its document repeats is embedded once (a
    page of a million identical lines is thousands of identical chunks)."""
    total = sum(len(c) for c in chunks.values())
    before, out = 0, {}  # before: chunks of the documents already embedded
    with tqdm(total=total, desc="embedding", unit="chunk", disable=quiet() or total == 0) as bar:
        for doc_id, doc_chunks in chunks.items():
            rows: dict[str, int] = {}
            which = np.array([rows.setdefault(c.text, len(rows)) for c in doc_chunks], np.int64)
            texts, blocks = list(rows), []
            for i in range(0, len(texts), BATCH):
                blocks.append(embedder.embed_passages(texts[i : i + BATCH]))
                done = before + len(doc_chunks) * min(i + BATCH, len(texts)) // len(texts)
                bar.update(done - bar.n)
                if progress:
                    progress(done, total)
            out[doc_id] = store.stack(blocks, embedder.dim)[which]
            before += len(doc_chunks)
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
    work: _Work,
    ann: AnnConfig | None = None,
    cache_dir: Path | None = None,
    spill: Path | None = None,
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
        records[doc.doc_id] = _record(doc, len(work.done[doc.doc_id].chunks), now)
    for doc, rec in plan.moved:
        records[doc.doc_id] = replace(_record(doc, rec.chunks, rec.indexed_at), lang=rec.lang)
        sources[doc.doc_id] = (rec.doc_id, doc)
    result = StoredIndex(params)
    blocks: list[np.ndarray] = []
    parts: list[SentencePart | list[Chunk]] = []  # chunks: sentences still to embed
    for doc_id in sorted(records):
        if doc_id in work.done and doc_id not in sources:
            new = work.done[doc_id]
            result.chunks.extend(new.chunks)
            blocks.append(new.vectors)
            parts.append(new.sentences)
            continue
        assert old is not None and old_vecs is not None
        old_id, moved = sources[doc_id]
        rows = old_rows.get(old_id, [])
        chunks = [_renamed(old.chunks[r], moved) for r in rows]
        result.chunks.extend(chunks)
        blocks.append(old_vecs[rows])
        parts.append(old.sentences.part(rows) if old.sentences else chunks)
    result.documents = records
    # The lexical index, a chunk at a time, its postings waiting in a temporary file of
    # ``spill`` (the index dir): a reader maps it instead of analysing every chunk again.
    # Before the vectors are stacked, and the analysers' dictionaries dropped after it,
    # so they never sit on top of the rest (the 50 MB one-file bound).
    cached = cache_dir if len(result.chunks) <= TERM_CACHE_CHUNKS else None
    result.derived[LexicalTable.kind] = LexicalTable.build(
        [c.text for c in result.chunks], [c.lang for c in result.chunks], cached, spill
    )
    release_dictionaries()
    langs = [records[c.doc_id].lang for c in result.chunks]
    previous = old.index if old is not None else None
    vectors = store.stack(blocks, params.dim)
    # The parameters go with a Milvus collection, checked when it is opened.
    result.vectors = choose(vectors, langs, ann, previous, describe=asdict(params))
    sentences = SentenceStack(params.dim, _repaired(parts, work))
    result.derived[SentenceVectors.kind] = sentences
    # Translation links, once here rather than at every start (index/parallel.py).
    link_min = (ann or AnnConfig()).min_chunks
    result.derived[LinkTable.kind] = LinkTable.build(
        result.chunks, langs, sentences.in_memory, link_min
    )
    return result


def _repaired(parts: list[SentencePart | list[Chunk]], work: _Work) -> list[SentencePart]:
    """Sentence parts, embedding those of old chunks whose stored ones are missing or
    damaged (the index is repaired by the first write after the damage)."""
    missing = [p for p in parts if isinstance(p, list)]
    if missing:
        logger.warning("embedding the sentences of %d stored chunks again", sum(map(len, missing)))
    fresh = iter(work.sentences(missing))
    return [next(fresh) if isinstance(p, list) else p for p in parts]


def _renamed(chunk: Chunk, doc: Document | None) -> Chunk:
    """An old chunk under its document's new name and path (offsets are unchanged: the
    content is the same)."""
    if doc is None:
        return chunk
    ordinal = chunk.chunk_id.rsplit("#", 1)[-1]
    return replace(
        chunk, chunk_id=f"{doc.doc_id}#{ordinal}", doc_id=doc.doc_id, path=doc.path, title=doc.title
    )
