"""An index on disk that describes itself, is written atomically and is refused when stale.

Layout of an index directory::

    CURRENT               name of the live generation (replaced atomically)
    g000007/
      params.json         format, polyqa version, model + dimension, chunker settings
                          and version, documents (content hash, language, chunk count),
                          derived data (kind -> metadata: the sentence vectors' count and
                          recipe), checksums of every other file
      chunks.jsonl        one chunk a line; line i is row i of the vectors
      vectors.faiss       the FAISS index (exact, below ANN_MIN_CHUNKS chunks a language)
      vectors.npy         or, approximate (index/ann/ivf.py): float16 vectors (mmapped)
      ann-NN.faiss        and one FAISS index per language; params.json's ``vectors``
                          is the manifest naming the engine and its files
      sentences.npy       derived data (index/derived.py): sentence vectors, their
      sentence_spans.npy  spans and a pointer per chunk (index/sentences.py); more
      sentence_ptr.npy    kinds are added to DERIVED_KINDS
      links_*.npy         translation links (index/parallel.py LinkTable)
      lexical_*.npy       the lexical index: BM25 score matrix per language, mapped
      lexical_vocab.json  (index/lexical_table.py LexicalTable)

A write builds a whole new generation in ``.gNNNNNN.partial``, renames it, and only then
points CURRENT at it, so a crash (or SIGKILL) at any moment leaves the previous index
loadable; the next write removes what a killed one left behind. The generation before
the live one is kept until the next write, so a reader that read CURRENT just before a
switch still finds the files it was pointed at. A write that fails (disk full, read-only,
permission) removes what it wrote and says which path failed (IndexWriteError).

Loading checks the files against each other (params.json's documents and chunk counts,
the chunks, the vectors, the derived data): an inconsistent index is refused with the
command that rebuilds it, never read as an emptier one.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from importlib import metadata
from itertools import repeat
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from corpus.document import Chunk, page_number
from index.ann import VectorIndex, open_index
from index.ann.choice import manifest_files
from index.checksum import UnknownChecksumError, file_checksum
from index.derived import Derived, DerivedDataError
from index.errors import CorruptIndexError, IndexMismatchError, IndexWriteError
from index.faiss_index import FlatIPIndex
from index.lexical_table import LexicalTable
from index.parallel import LinkTable
from index.records import RecordError, decode_lines, decode_list, split_object
from index.sentences import SentenceVectors

logger = logging.getLogger(__name__)

# 2: sentence vectors stored in the generation (derived data). 3: checksums as
# ``algorithm:hex`` (index/checksum.py); 2's bare SHA-256 is still read.
FORMAT_VERSION = 3
READ_FORMATS = (2, 3)
FILES = ("params.json", "chunks.jsonl", "vectors.faiss")
# Files hashed at once when a generation is opened.
HASH_THREADS = 2
# The kinds of derived data a generation holds (index/derived.py); a kind added here is
# written by the next save and, until then, reported missing by load (not fatal unless
# the kind is ``required``).
DERIVED_KINDS: tuple[type[Derived], ...] = (SentenceVectors, LinkTable, LexicalTable)


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


@dataclass(frozen=True, slots=True)
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


@dataclass
class StoredIndex:
    """An index held in memory: chunk i <-> vector row i.

    ``derived`` holds the derived data by kind (opened from disk, or being assembled by
    the builder); ``damaged`` says, per kind, why a loaded generation has none (missing
    or damaged files, one line each, with the command that writes them again).
    ``generation`` is the directory it was loaded from or saved as ("" in memory).
    """

    params: IndexParams
    documents: dict[str, DocRecord] = field(default_factory=dict)
    chunks: list[Chunk] = field(default_factory=list)
    vectors: VectorIndex | None = None
    derived: dict[str, Derived] = field(default_factory=dict)
    damaged: dict[str, str] = field(default_factory=dict)
    generation: str = ""

    def __post_init__(self) -> None:
        if self.vectors is None:
            self.vectors = FlatIPIndex(self.params.dim)

    @property
    def index(self) -> VectorIndex:
        assert self.vectors is not None
        return self.vectors

    @property
    def sentences(self) -> SentenceVectors | None:
        """The stored sentence vectors, or None (in memory, missing or damaged)."""
        found = self.derived.get(SentenceVectors.kind)
        return found if isinstance(found, SentenceVectors) else None


def polyqa_version() -> str:
    try:
        return metadata.version("polyqa")
    except metadata.PackageNotFoundError:
        return "0+unknown"


@contextmanager
def write_lock(index_dir: Path) -> Iterator[None]:
    """One writer at a time per index (the chat's upload and a CLI run may race).

    An flock, so the kernel releases it when its holder dies, even by SIGKILL: a killed
    run never wedges the next one.
    """
    with _writing(index_dir / ".lock"):
        index_dir.mkdir(parents=True, exist_ok=True)
        fh = (index_dir / ".lock").open("w")
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            logger.warning("%s: another polyqa is writing this index; waiting", index_dir)
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def check_writable(index_dir: Path) -> None:
    """IndexWriteError now, not after the embedding, if the index cannot be written to
    (a read-only disk, a folder of someone else's)."""
    with _writing(index_dir / ".lock"):
        index_dir.mkdir(parents=True, exist_ok=True)
        with (index_dir / ".lock").open("a"):
            pass


@contextmanager
def _writing(path: Path) -> Iterator[None]:
    """Turn an OSError of a write (disk full, read-only, permission) into one line that
    names the file; faiss reports its write errors as RuntimeError."""
    try:
        yield
    except OSError as exc:
        where, why = exc.filename or path, exc.strerror or exc
        raise IndexWriteError(f"{where}: cannot write ({why}); {_UNCHANGED}") from exc
    except RuntimeError as exc:
        why = str(exc).strip().splitlines()[-1][:160] if str(exc).strip() else "write failed"
        raise IndexWriteError(f"{path}: cannot write ({why}); {_UNCHANGED}") from exc


_UNCHANGED = "the index is unchanged"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_generation(store: StoredIndex, gen_dir: Path) -> None:
    with _writing(gen_dir):
        gen_dir.mkdir(parents=True)
    chunks_path = gen_dir / "chunks.jsonl"
    with _writing(chunks_path), chunks_path.open("w", encoding="utf-8") as fh:
        for chunk in store.chunks:
            fh.write(json.dumps(chunk.to_dict(), ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    with _writing(gen_dir / getattr(store.index, "main_file", "vectors.faiss")):
        manifest = store.index.save(gen_dir)
    derived: dict[str, Any] = {}
    files = ["chunks.jsonl", *manifest_files(manifest)]
    for kind, item in sorted(store.derived.items()):
        with _writing(gen_dir / item.files[0]):
            derived[kind] = item.write(gen_dir)
        files.extend(item.files)
    params: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "polyqa_version": polyqa_version(),
        "params": asdict(store.params),
        "n_chunks": len(store.chunks),
        "documents": [asdict(d) for d in sorted(store.documents.values(), key=lambda d: d.doc_id)],
        "vectors": manifest,
        "derived": derived,
        "checksums": {name: file_checksum(gen_dir / name) for name in files},
    }
    params_path = gen_dir / "params.json"
    with _writing(params_path), params_path.open("w", encoding="utf-8") as fh:
        json.dump(params, fh, ensure_ascii=False, indent=2)
        fh.flush()
        os.fsync(fh.fileno())
    with _writing(gen_dir):
        _fsync_dir(gen_dir)


def save(store: StoredIndex, index_dir: Path) -> None:
    """Write a new generation, then switch CURRENT to it. Call under ``write_lock``.

    Each step leaves a loadable index behind it: the partial directory is invisible to
    readers, the renamed one too until CURRENT names it, and CURRENT is replaced whole.
    A step that fails removes what this save wrote (IndexWriteError names the path).
    Afterwards ``store`` reads its derived data from the new generation's files.
    """
    with _writing(index_dir):
        index_dir.mkdir(parents=True, exist_ok=True)
    previous = _live_or_none(index_dir)
    gen = f"g{_next_number(index_dir):06d}"
    partial, final = index_dir / f".{gen}.partial", index_dir / gen
    if partial.exists():
        shutil.rmtree(partial)
    try:
        _write_generation(store, partial)
        with _writing(final):
            _publish(partial, final)
        with _writing(index_dir / "CURRENT"):
            _switch(index_dir, gen)
    except Exception:
        for leftover in (partial, final):
            shutil.rmtree(leftover, ignore_errors=True)
        (index_dir / ".CURRENT.tmp").unlink(missing_ok=True)
        raise
    _prune(index_dir, keep={gen, previous})
    store.generation = gen
    store.derived, store.damaged = _open_derived(final, _read_params(final, index_dir), store)
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
    """Point CURRENT at ``gen``: write a temporary pointer, then rename it over CURRENT.

    Raises only before the rename: once CURRENT names ``gen`` the switch has happened.
    """
    pointer = index_dir / ".CURRENT.tmp"
    with pointer.open("w") as fh:
        fh.write(gen + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(pointer, index_dir / "CURRENT")
    try:
        _fsync_dir(index_dir)
    except OSError as exc:
        logger.warning("%s: could not flush the directory (%s)", index_dir, exc.strerror)


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
    try:
        name = pointer.read_bytes().decode("utf-8").strip()
    except UnicodeDecodeError:
        name = ""
    if not name.startswith("g") or not name[1:].isdigit():
        raise CorruptIndexError(
            f"{pointer}: does not name an index generation; {rebuild_hint(index_dir)}"
        )
    return name


def live_generation(index_dir: Path) -> str | None:
    """The generation CURRENT names (None: no index); CorruptIndexError if unreadable."""
    return _current_generation(index_dir)


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
    manifest = params.get("vectors")
    if manifest is not None and not isinstance(manifest, dict):
        raise CorruptIndexError(
            f"{gen_dir / 'params.json'}: ``vectors`` is not a manifest; {rebuild_hint(index_dir)}"
        )
    vector_files = manifest_files(manifest)
    if not vector_files:
        raise CorruptIndexError(
            f"{gen_dir / 'params.json'}: the vectors' manifest lists no file; "
            f"{rebuild_hint(index_dir)}"
        )
    _check_kind(manifest, gen_dir, index_dir)
    digests = _digests(gen_dir, checksums)
    for name in ["chunks.jsonl", *vector_files]:
        if (problem := _checksum_problem(gen_dir / name, checksums, digests)) is not None:
            raise CorruptIndexError(f"{gen_dir / name}: {problem}; {rebuild_hint(index_dir)}")
    chunks = _read_chunks(gen_dir / "chunks.jsonl", index_dir)
    vectors = _open_vectors(gen_dir, manifest, stored.dim, index_dir)
    if vectors.size != len(chunks):
        raise CorruptIndexError(
            f"{gen_dir}: {vectors.size} vectors for {len(chunks)} chunks; {rebuild_hint(index_dir)}"
        )
    doc_ids = [c.doc_id for c in chunks]
    _check_documents(params.get("n_chunks"), docs, doc_ids, gen_dir / "params.json", index_dir)
    _check_languages(vectors, docs, doc_ids, gen_dir, index_dir)
    out = StoredIndex(stored, docs, chunks, vectors, generation=gen)
    out.derived, out.damaged = _open_derived(gen_dir, params, out, digests)
    return out


def _open_vectors(
    gen_dir: Path, manifest: dict[str, Any] | None, dim: int, index_dir: Path
) -> VectorIndex:
    """The generation's vector index; an engine this polyqa does not know is refused as a
    mismatch, files that do not fit their manifest as damage."""
    main = gen_dir / manifest_files(manifest)[0]
    try:
        return open_index(gen_dir, manifest, dim)
    except (RuntimeError, ValueError, OSError) as exc:
        why = str(exc).strip().splitlines()[-1][:200] if str(exc).strip() else type(exc).__name__
        raise CorruptIndexError(f"{main}: unreadable ({why}); {rebuild_hint(index_dir)}") from exc


def _check_kind(manifest: dict[str, Any] | None, gen_dir: Path, index_dir: Path) -> None:
    """An engine this polyqa does not know (a newer one's) is a mismatch, not damage."""
    from index.ann.choice import ENGINES

    kind = (manifest or {}).get("kind", FlatIPIndex.kind)
    if kind not in ENGINES:
        raise IndexMismatchError(
            f"{gen_dir / 'params.json'}: vectors in a {kind!r} index, this polyqa reads "
            f"{', '.join(sorted(ENGINES))}; {rebuild_hint(index_dir)}"
        )


def _check_languages(
    vectors: VectorIndex,
    docs: dict[str, DocRecord],
    doc_ids: list[str],
    gen_dir: Path,
    index_dir: Path,
) -> None:
    """A per-language index must hold each chunk (``doc_ids[row]``: its document) under
    its document's language: a row in another language's index would be found by the
    wrong searches."""
    from index.ann.ivf import LanguageIVFIndex

    if not isinstance(vectors, LanguageIVFIndex):
        return
    doc_langs = {d: rec.lang for d, rec in docs.items()}
    langs = np.array(list(map(doc_langs.get, doc_ids, repeat(""))), dtype=object)
    for lang, rows in vectors._rows.items():
        wrong = np.flatnonzero(langs[rows] != lang)
        if wrong.size:
            row = int(rows[wrong[0]])
            raise CorruptIndexError(
                f"{gen_dir}: row {row} is in the {lang!r} index but its document is "
                f"{langs[row]!r}; {rebuild_hint(index_dir)}"
            )


def _digests(gen_dir: Path, checksums: dict[str, str]) -> dict[str, str | Exception]:
    """The checksum of every file params.json lists, in the algorithm each records, two
    files at a time: the hashes let go of the GIL."""

    def one(name: str) -> tuple[str, str | Exception]:
        return name, _checksum_or_error(gen_dir / name, checksums[name])

    names = [name for name in checksums if Path(name).name == name and (gen_dir / name).is_file()]
    with ThreadPoolExecutor(max_workers=HASH_THREADS) as pool:
        return dict(pool.map(one, names))


def _checksum_or_error(path: Path, recorded: str) -> str | Exception:
    """The file's checksum in the algorithm of ``recorded``, or why it cannot be had."""
    try:
        return file_checksum(path, recorded)
    except (OSError, UnknownChecksumError) as exc:
        return exc


def _checksum_problem(
    path: Path, checksums: dict[str, str], digests: dict[str, str | Exception] | None = None
) -> str | None:
    """Why the file cannot be trusted, or None when its checksum is the one recorded
    (``digests``: those ``_digests`` computed, else it is computed here)."""
    if path.name not in checksums:
        return "not listed in params.json"
    if not path.is_file():
        return "missing"
    digest = (digests or {}).get(path.name)
    if digest is None:
        digest = _checksum_or_error(path, checksums[path.name])
    if isinstance(digest, UnknownChecksumError):
        return f"cannot be checked ({digest})"
    if isinstance(digest, OSError):
        return f"cannot be read ({digest.strerror or digest})"
    return None if digest == checksums[path.name] else "damaged (checksum mismatch)"


def _check_documents(
    n_chunks: object, docs: dict[str, DocRecord], doc_ids: list[str], path: Path, index_dir: Path
) -> None:
    """params.json must describe the chunks beside it: the same number, every chunk's
    document listed with that many chunks. Otherwise a later `--add` would keep what
    params.json says and silently drop the rest."""
    per_doc = Counter(doc_ids)
    problem = None
    if n_chunks != len(doc_ids):
        problem = f"says {n_chunks!r} chunks, chunks.jsonl holds {len(doc_ids)}"
    elif unlisted := sorted(set(per_doc) - set(docs)):
        problem = f"does not list {len(unlisted)} document(s) of chunks.jsonl ({unlisted[0]!r}...)"
    else:
        wrong = sorted(d for d, rec in docs.items() if rec.chunks != per_doc.get(d, 0))
        if wrong:
            rec = docs[wrong[0]]
            problem = (
                f"gives {len(wrong)} document(s) another chunk count than chunks.jsonl "
                f"({rec.doc_id!r}: {rec.chunks} vs {per_doc.get(rec.doc_id, 0)})"
            )
    if problem:
        raise CorruptIndexError(
            f"{path}: inconsistent with the index files: {problem}; {rebuild_hint(index_dir)}"
        )


def _open_derived(
    gen_dir: Path,
    params: dict[str, Any],
    stored: StoredIndex,
    digests: dict[str, str | Exception] | None = None,
) -> tuple[dict[str, Derived], dict[str, str]]:
    """Every kind of derived data the generation holds intact, and why the others are not
    there. A missing or damaged kind is a warning (readers rebuild it in memory), unless
    the kind is required."""
    index_dir = gen_dir.parent
    meta = params.get("derived")
    meta = meta if isinstance(meta, dict) else {}
    checksums = params.get("checksums") or {}
    derived: dict[str, Derived] = {}
    damaged: dict[str, str] = {}
    for kind in DERIVED_KINDS:
        try:
            if not isinstance(meta.get(kind.kind), dict):
                raise DerivedDataError(gen_dir / kind.files[0], "missing")
            for name in kind.files:
                if (problem := _checksum_problem(gen_dir / name, checksums, digests)) is not None:
                    raise DerivedDataError(gen_dir / name, problem)
            derived[kind.kind] = kind.open(
                gen_dir, meta[kind.kind], len(stored.chunks), stored.params.dim
            )
        except DerivedDataError as exc:
            if kind.required:
                raise CorruptIndexError(f"{exc}; {rebuild_hint(index_dir)}") from exc
            damaged[kind.kind] = f"{exc}; `polyqa index PATH... --index {index_dir}` rewrites it"
            logger.warning("%s; computing it in memory for now", damaged[kind.kind])
    return derived, damaged


def documents(index_dir: Path) -> list[DocRecord]:
    """The documents params.json lists, from an index of any format and without checking
    the other files: enough to tell whose documents an index holds before replacing it.
    Raises CorruptIndexError when even that cannot be read."""
    gen = _current_generation(index_dir)
    path = index_dir / (gen or "") / "params.json"
    try:
        return decode_list(split_object(path.read_bytes())["documents"], DocRecord)
    except (OSError, ValueError, KeyError) as exc:
        raise CorruptIndexError(
            f"{path}: unreadable ({exc.__class__.__name__}); {rebuild_hint(index_dir)}"
        ) from exc


def _read_params(gen_dir: Path, index_dir: Path) -> dict[str, Any]:
    """params.json's members, decoded but for ``documents`` (a record a document, 360,000
    at 10^6 chunks), left for ``_parse_params`` to decode straight into DocRecords."""
    path = gen_dir / "params.json"
    try:
        members = split_object(path.read_bytes())
        params = {k: v if k == "documents" else msgspec.json.decode(v) for k, v in members.items()}
    except FileNotFoundError:
        raise
    except (OSError, ValueError) as exc:
        raise CorruptIndexError(
            f"{path}: unreadable ({exc.__class__.__name__}); {rebuild_hint(index_dir)}"
        ) from exc
    if not isinstance(params, dict):
        raise CorruptIndexError(f"{path}: not an index description; {rebuild_hint(index_dir)}")
    if params.get("format") not in READ_FORMATS:
        raise IndexMismatchError(
            f"{path}: index format {params.get('format')!r}, this polyqa reads "
            f"{', '.join(map(str, READ_FORMATS))}; {rebuild_hint(index_dir)}"
        )
    return params


def _parse_params(
    params: dict[str, Any], path: Path, index_dir: Path
) -> tuple[IndexParams, dict[str, DocRecord], dict[str, str]]:
    """The settings, documents and checksums in params.json; a missing or mistyped field
    is damage, named like any other."""
    try:
        stored = IndexParams(**params["params"])
        docs = {d.doc_id: d for d in decode_list(params["documents"], DocRecord)}
        checksums = {str(k): str(v) for k, v in params["checksums"].items()}
    except (KeyError, TypeError, AttributeError, RecordError) as exc:
        raise CorruptIndexError(
            f"{path}: incomplete ({exc.__class__.__name__}: {exc}); {rebuild_hint(index_dir)}"
        ) from exc
    return stored, docs, checksums


def _read_chunks(path: Path, index_dir: Path) -> list[Chunk]:
    """Every chunk record, in row order: most of a large index's load, so decoded in one
    call (index/records.py); a record that does not fit is named by its line."""
    try:
        return decode_lines(path.read_bytes(), Chunk)
    except RecordError as exc:
        where = f"{path}:{exc.line}" if exc.line else str(path)
        raise CorruptIndexError(
            f"{where}: bad chunk record ({exc}); {rebuild_hint(index_dir)}"
        ) from exc


def stack(parts: list[np.ndarray], dim: int) -> np.ndarray:
    """Concatenate vector blocks, tolerating an empty list."""
    return np.concatenate(parts) if parts else np.zeros((0, dim), dtype=np.float32)
