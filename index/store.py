"""An index on disk that describes itself, is written atomically and is refused when stale.

Layout of an index directory::

    CURRENT            name of the live generation (replaced atomically)
    g000007/
      params.json      format, polyqa version, model + dimension, chunker settings,
                       documents (content hash, language, chunk count), file checksums
      chunks.jsonl     one chunk a line; line i is row i of the vectors
      vectors.faiss    the FAISS index

A write builds a whole new generation in ``.gNNNNNN.partial``, renames it, and only then
points CURRENT at it, so a crash (or SIGKILL) at any moment leaves the previous index
loadable; the next write removes what a killed one left behind. The generation before
the live one is kept until the next write, so a reader that read CURRENT just before a
switch still finds the files it was pointed at.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from corpus.document import Chunk, page_number
from index.errors import CorruptIndexError, IndexMismatchError
from index.faiss_index import FlatIPIndex

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
FILES = ("params.json", "chunks.jsonl", "vectors.faiss")


@dataclass(frozen=True)
class IndexParams:
    """Everything that changes the vectors or the chunks: a mismatch means rebuild."""

    model: str
    dim: int
    chunk_tokens: int
    chunk_overlap: int
    # The chunker's algorithm (corpus/chunker.py CHUNKER_VERSION); indexes written before
    # it was recorded were cut by version 1.
    chunker: int = 1

    def differences(self, other: IndexParams) -> list[str]:
        return [
            f"{name} {getattr(self, name)!r} (settings ask for {getattr(other, name)!r})"
            for name in self.__dataclass_fields__
            if getattr(self, name) != getattr(other, name)
        ]


@dataclass(frozen=True)
class DocRecord:
    """One indexed document. ``pages`` are page start offsets into the extracted text
    (PDF), so a citation's offset gives its page: ``record.page_at(offset)``."""

    doc_id: str
    path: str
    title: str
    lang: str
    sha256: str
    chunks: int
    indexed_at: str
    format: str = "text"
    encoding: str = "utf-8"
    pages: tuple[int, ...] = ()

    def page_at(self, offset: int) -> int | None:
        return page_number(self.pages, offset)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocRecord:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["pages"] = tuple(known.get("pages", ()))
        return cls(**known)


@dataclass
class StoredIndex:
    """An index held in memory: chunk i <-> vector row i."""

    params: IndexParams
    documents: dict[str, DocRecord] = field(default_factory=dict)
    chunks: list[Chunk] = field(default_factory=list)
    vectors: FlatIPIndex | None = None

    def __post_init__(self) -> None:
        if self.vectors is None:
            self.vectors = FlatIPIndex(self.params.dim)

    @property
    def index(self) -> FlatIPIndex:
        assert self.vectors is not None
        return self.vectors


def polyqa_version() -> str:
    try:
        return metadata.version("polyqa")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _sha256(path: Path) -> str:
    """Streamed: a chunks file of a large corpus need not be in memory twice."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def write_lock(index_dir: Path) -> Iterator[None]:
    """One writer at a time per index (the chat's upload and a CLI run may race).

    An flock, so the kernel releases it when its holder dies, even by SIGKILL: a killed
    run never wedges the next one.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / ".lock").open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            logger.warning("%s: another polyqa is writing this index; waiting", index_dir)
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_generation(store: StoredIndex, gen_dir: Path) -> None:
    gen_dir.mkdir(parents=True)
    with (gen_dir / "chunks.jsonl").open("w", encoding="utf-8") as fh:
        for chunk in store.chunks:
            fh.write(json.dumps(chunk.to_dict(), ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    store.index.save(gen_dir / "vectors.faiss")
    params: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "polyqa_version": polyqa_version(),
        "params": asdict(store.params),
        "n_chunks": len(store.chunks),
        "documents": [asdict(d) for d in sorted(store.documents.values(), key=lambda d: d.doc_id)],
        "checksums": {name: _sha256(gen_dir / name) for name in FILES[1:]},
    }
    with (gen_dir / "params.json").open("w", encoding="utf-8") as fh:
        json.dump(params, fh, ensure_ascii=False, indent=2)
        fh.flush()
        os.fsync(fh.fileno())
    _fsync_dir(gen_dir)


def save(store: StoredIndex, index_dir: Path) -> None:
    """Write a new generation, then switch CURRENT to it. Call under ``write_lock``.

    Each step leaves a loadable index behind it: the partial directory is invisible to
    readers, the renamed one too until CURRENT names it, and CURRENT is replaced whole.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    previous = _live_or_none(index_dir)
    gen = f"g{_next_number(index_dir):06d}"
    partial = index_dir / f".{gen}.partial"
    if partial.exists():
        shutil.rmtree(partial)
    _write_generation(store, partial)
    _publish(partial, index_dir / gen)
    _switch(index_dir, gen)
    _prune(index_dir, keep={gen, previous})
    logger.info("saved index %s (%d chunks) in %s", gen, len(store.chunks), index_dir)


def _next_number(index_dir: Path) -> int:
    """One past every generation on disk, live or left by a killed run, so a new one
    never lands on a stale directory of the same name."""
    numbers = [0]
    for entry in index_dir.iterdir():
        name = entry.name.removeprefix(".").removesuffix(".partial")
        if _is_generation(name):
            numbers.append(int(name[1:]))
    return max(numbers) + 1


def _publish(partial: Path, final: Path) -> None:
    os.replace(partial, final)
    _fsync_dir(final.parent)


def _switch(index_dir: Path, gen: str) -> None:
    """Point CURRENT at ``gen``: write a temporary pointer, then rename it over CURRENT."""
    pointer = index_dir / ".CURRENT.tmp"
    with pointer.open("w") as fh:
        fh.write(gen + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(pointer, index_dir / "CURRENT")
    _fsync_dir(index_dir)


def clean_stale(index_dir: Path) -> None:
    """Remove what killed writes left behind: partial generations, a pointer never
    switched to, generations newer than CURRENT (written, never made live) and all but
    the newest older one (kept for readers, as ``save`` keeps it). Call under
    ``write_lock``; with CURRENT unreadable only partial files are removed."""
    if not index_dir.is_dir():
        return
    current = _live_or_none(index_dir)
    gens = sorted(e.name for e in index_dir.iterdir() if _is_generation(e.name))
    older = [g for g in gens if current and g < current]
    keep = {current, older[-1] if older else None} if current else set(gens)
    for entry in index_dir.iterdir():
        name = entry.name
        if name.endswith(".partial") or (_is_generation(name) and name not in keep):
            logger.info("removing %s, left by an interrupted write", entry)
            shutil.rmtree(entry, ignore_errors=True)
        elif name == ".CURRENT.tmp":
            entry.unlink(missing_ok=True)


def _live_or_none(index_dir: Path) -> str | None:
    """The live generation, or None when there is none or CURRENT is damaged (a write
    replaces it either way)."""
    try:
        return _current_generation(index_dir)
    except CorruptIndexError:
        return None


def _is_generation(name: str) -> bool:
    return name.startswith("g") and name[1:].isdigit()


def _prune(index_dir: Path, keep: set[str | None]) -> None:
    """Remove old generations and whatever killed runs left (partial dirs, pointers)."""
    for entry in index_dir.iterdir():
        name = entry.name
        stale_gen = _is_generation(name) and name not in keep
        if stale_gen or name.endswith(".partial"):
            shutil.rmtree(entry, ignore_errors=True)
        elif name == ".CURRENT.tmp":
            entry.unlink(missing_ok=True)


def _current_generation(index_dir: Path) -> str | None:
    pointer = index_dir / "CURRENT"
    if not pointer.is_file():
        return None
    name = pointer.read_text().strip()
    if not name.startswith("g") or not name[1:].isdigit():
        raise CorruptIndexError(
            f"{pointer}: does not name an index generation; {rebuild_hint(index_dir)}"
        )
    return name


def exists(index_dir: Path) -> bool:
    return (index_dir / "CURRENT").is_file()


def rebuild_hint(index_dir: Path) -> str:
    return f"rebuild it with `polyqa index PATH... --index {index_dir}`"


def load(index_dir: Path, expected: IndexParams | None = None) -> StoredIndex:
    """Load the live generation, refusing one that is corrupt or built with other settings.

    If a writer switches generations and removes ours while we read, read again once.
    """
    try:
        return _load(index_dir, expected)
    except FileNotFoundError:
        logger.info("%s: the index changed while loading; loading it again", index_dir)
    try:
        return _load(index_dir, expected)
    except FileNotFoundError as exc:
        raise CorruptIndexError(f"{exc.filename}: missing; {rebuild_hint(index_dir)}") from exc


def _load(index_dir: Path, expected: IndexParams | None) -> StoredIndex:
    gen = _current_generation(index_dir)
    if gen is None:
        raise CorruptIndexError(f"{index_dir}: no index here; {rebuild_hint(index_dir)}")
    gen_dir = index_dir / gen
    if not gen_dir.is_dir():
        raise CorruptIndexError(
            f"{gen_dir}: generation named by CURRENT is missing; {rebuild_hint(index_dir)}"
        )
    params = _read_params(gen_dir, index_dir)
    stored, docs, checksums = _parse_params(params, gen_dir / "params.json", index_dir)
    if expected is not None and (diff := stored.differences(expected)):
        raise IndexMismatchError(
            f"{index_dir}: index was built with {'; '.join(diff)}; {rebuild_hint(index_dir)}"
        )
    for name in FILES[1:]:
        path = gen_dir / name
        if not path.is_file() or _sha256(path) != checksums.get(name):
            raise CorruptIndexError(
                f"{path}: missing or damaged (checksum mismatch); {rebuild_hint(index_dir)}"
            )
    chunks = _read_chunks(gen_dir / "chunks.jsonl", index_dir)
    try:
        vectors = FlatIPIndex.load(gen_dir / "vectors.faiss", stored.dim)
    except (RuntimeError, ValueError) as exc:
        raise CorruptIndexError(
            f"{gen_dir / 'vectors.faiss'}: unreadable ({exc}); {rebuild_hint(index_dir)}"
        ) from exc
    if vectors.size != len(chunks):
        raise CorruptIndexError(
            f"{gen_dir}: {vectors.size} vectors for {len(chunks)} chunks; {rebuild_hint(index_dir)}"
        )
    return StoredIndex(stored, docs, chunks, vectors)


def _read_params(gen_dir: Path, index_dir: Path) -> dict[str, Any]:
    path = gen_dir / "params.json"
    try:
        params = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise
    except (OSError, ValueError) as exc:
        raise CorruptIndexError(
            f"{path}: unreadable ({exc.__class__.__name__}); {rebuild_hint(index_dir)}"
        ) from exc
    if not isinstance(params, dict):
        raise CorruptIndexError(f"{path}: not an index description; {rebuild_hint(index_dir)}")
    if params.get("format") != FORMAT_VERSION:
        raise IndexMismatchError(
            f"{path}: index format {params.get('format')!r}, this polyqa reads "
            f"{FORMAT_VERSION}; {rebuild_hint(index_dir)}"
        )
    return params


def _parse_params(
    params: dict[str, Any], path: Path, index_dir: Path
) -> tuple[IndexParams, dict[str, DocRecord], dict[str, str]]:
    """The settings, documents and checksums in params.json; a missing or mistyped field
    is damage, named like any other."""
    try:
        stored = IndexParams(**params["params"])
        docs = {d["doc_id"]: DocRecord.from_dict(d) for d in params["documents"]}
        checksums = {str(k): str(v) for k, v in params["checksums"].items()}
    except (KeyError, TypeError, AttributeError) as exc:
        raise CorruptIndexError(
            f"{path}: incomplete ({exc.__class__.__name__}: {exc}); {rebuild_hint(index_dir)}"
        ) from exc
    return stored, docs, checksums


def _read_chunks(path: Path, index_dir: Path) -> list[Chunk]:
    chunks = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            try:
                chunks.append(Chunk.from_dict(json.loads(line)))
            except (ValueError, KeyError, TypeError) as exc:
                raise CorruptIndexError(
                    f"{path}:{lineno}: bad chunk record; {rebuild_hint(index_dir)}"
                ) from exc
    return chunks


def stack(parts: list[np.ndarray], dim: int) -> np.ndarray:
    """Concatenate vector blocks, tolerating an empty list."""
    return np.concatenate(parts) if parts else np.zeros((0, dim), dtype=np.float32)
