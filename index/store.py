"""An index on disk that describes itself, is written atomically and is refused when stale.

Layout of an index directory::

    CURRENT            name of the live generation (replaced atomically)
    g000007/
      params.json      format, polyqa version, model + dimension, chunker settings,
                       documents (content hash, language, chunk count), file checksums
      chunks.jsonl     one chunk a line; line i is row i of the vectors
      vectors.faiss    the FAISS index

A write builds a whole new generation next to the live one and only then points
CURRENT at it, so a crash at any moment leaves the previous index loadable.
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

from corpus.document import Chunk
from corpus.errors import CorruptIndexError, IndexMismatchError
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

    def differences(self, other: IndexParams) -> list[str]:
        return [
            f"{name} {getattr(self, name)!r} (settings ask for {getattr(other, name)!r})"
            for name in self.__dataclass_fields__
            if getattr(self, name) != getattr(other, name)
        ]


@dataclass(frozen=True)
class DocRecord:
    doc_id: str
    path: str
    title: str
    lang: str
    sha256: str
    chunks: int
    indexed_at: str


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
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextmanager
def write_lock(index_dir: Path) -> Iterator[None]:
    """One writer at a time per index (the chat's upload and a CLI run may race)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / ".lock").open("w") as fh:
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
    """Write a new generation, then switch CURRENT to it; old generations are removed."""
    index_dir.mkdir(parents=True, exist_ok=True)
    current = _current_generation(index_dir)
    number = int(current[1:]) + 1 if current else 1
    gen = f"g{number:06d}"
    tmp_gen = index_dir / f".{gen}.partial"
    if tmp_gen.exists():
        shutil.rmtree(tmp_gen)
    _write_generation(store, tmp_gen)
    os.replace(tmp_gen, index_dir / gen)
    pointer = index_dir / ".CURRENT.tmp"
    with pointer.open("w") as fh:
        fh.write(gen + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(pointer, index_dir / "CURRENT")
    _fsync_dir(index_dir)
    for old in index_dir.iterdir():
        if old.name != gen and (old.name.startswith("g") or old.name.endswith(".partial")):
            shutil.rmtree(old, ignore_errors=True)
    logger.info("saved index %s (%d chunks) in %s", gen, len(store.chunks), index_dir)


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
    """Load the live generation, refusing one that is corrupt or built with other settings."""
    gen = _current_generation(index_dir)
    if gen is None:
        raise CorruptIndexError(f"{index_dir}: no index here; {rebuild_hint(index_dir)}")
    gen_dir = index_dir / gen
    params = _read_params(gen_dir, index_dir)
    stored = IndexParams(**params["params"])
    if expected is not None and (diff := stored.differences(expected)):
        raise IndexMismatchError(
            f"{index_dir}: index was built with {'; '.join(diff)}; {rebuild_hint(index_dir)}"
        )
    for name, digest in params["checksums"].items():
        path = gen_dir / name
        if not path.is_file() or _sha256(path) != digest:
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
    docs = {d["doc_id"]: DocRecord(**d) for d in params["documents"]}
    return StoredIndex(stored, docs, chunks, vectors)


def _read_params(gen_dir: Path, index_dir: Path) -> dict[str, Any]:
    path = gen_dir / "params.json"
    try:
        params: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CorruptIndexError(
            f"{path}: unreadable ({exc.__class__.__name__}); {rebuild_hint(index_dir)}"
        ) from exc
    if params.get("format") != FORMAT_VERSION:
        raise IndexMismatchError(
            f"{path}: index format {params.get('format')!r}, this polyqa reads "
            f"{FORMAT_VERSION}; {rebuild_hint(index_dir)}"
        )
    return params


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
