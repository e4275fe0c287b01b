"""Read documents from disk into ``Document`` records.

Text files are decoded exactly as stored (no newline translation, no normalisation),
because chunk offsets and citations refer to the text; PDF, Word and HTML files become
the text their extractor finds (corpus/formats.py). A file that cannot be read is
refused with a one-line reason, and the others are still read.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from tqdm import tqdm

from corpus.budget import UNLIMITED, DocumentBudget
from corpus.cleaning import iter_content_spans, iter_lines
from corpus.document import Document
from corpus.errors import DocumentError, NoDocumentsError
from corpus.formats import SUPPORTED_SUFFIXES, Extracted, extract, format_of
from corpus.langid import detect_language
from corpus.progress import quiet

logger = logging.getLogger(__name__)

__all__ = ["SUPPORTED_SUFFIXES", "discover", "read_document", "read_documents"]

TITLE_CHARS = 80
# Enough text for langdetect, which reads 10,000 characters at most.
_LANG_SAMPLE_CHARS = 10_000
_SHOWN_REASONS = 3
# A progress bar for reading from this many files, or one this large.
_BAR_FILES = 20
_BAR_BYTES = 4 << 20
# Titles some PDF writers put in the metadata that name nothing.
_NO_TITLE = ("untitled", "microsoft word - ", "document", "slide 1")


def default_corpus_dir() -> Path:
    """The sample documents shipped with polyqa (package data, next to this module)."""
    return Path(__file__).resolve().parent / "default"


def read_document(
    path: Path, root: Path | None = None, budget: DocumentBudget = UNLIMITED
) -> Document:
    """One file of a supported type; raises DocumentError naming the file and the problem
    (BudgetError when it holds more than ``budget`` allows)."""
    fmt = format_of(path)
    raw = _read_bytes(path, fmt.max_bytes)
    sha256 = hashlib.sha256(raw).hexdigest()
    found = extract(path, raw, budget)
    del raw  # a large file's bytes need not live as long as its text
    budget.check_chars(str(path), len(found.text))
    budget.check_sentences(str(path), found.text)
    # Enough of the beginning for the title and the language sample, not the whole text.
    spans = iter_content_spans(found.text, stop_after=2 * _LANG_SAMPLE_CHARS)
    first = next(spans, None)
    if first is None:
        raise DocumentError(str(path), "no text besides navigation, footer or punctuation lines")
    doc = Document(
        doc_id=_doc_id(path, root),
        path=str(path),
        title=_title(found, first),
        lang=detect_language(_sample(found.text, itertools.chain([first], spans))),
        text=found.text,
        sha256=sha256,
        encoding=found.encoding,
        format=found.format,
        pages=found.pages,
    )
    if found.format in ("text", "markdown") and found.encoding != "utf-8":
        logger.info("%s: read as %s", path, found.encoding)
    return doc


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise DocumentError(
                str(path), f"too large ({size / 2**20:.0f} MB; the limit is {max_bytes >> 20} MB)"
            )
        return path.read_bytes()
    except OSError as exc:
        raise DocumentError(str(path), f"cannot read: {exc.strerror or exc}") from exc


def _doc_id(path: Path, root: Path | None) -> str:
    """Stable across machines: relative to the folder given, in posix form."""
    if root is None:
        return path.name
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def _title(found: Extracted, first_span: tuple[int, int]) -> str:
    """The file's own title where it has a real one, else its first content line."""
    title = " ".join(found.title.split())
    if not title or title.lower().startswith(_NO_TITLE) or Path(title).suffix:
        start, end = next(iter_lines(found.text, *first_span))
        title = found.text[start:end].strip()
        if found.format == "markdown":
            title = title.lstrip("#").strip()
    return title[:TITLE_CHARS].rstrip()


def _sample(text: str, spans: Iterator[tuple[int, int]]) -> str:
    parts, size = [], 0
    for start, end in spans:
        parts.append(text[start:end])
        size += end - start
        if size >= _LANG_SAMPLE_CHARS:
            break
    return "\n".join(parts)


def discover(paths: Sequence[Path]) -> list[tuple[Path, Path]]:
    """(file, root) pairs for the given files and folders, folders searched recursively.

    A file named explicitly is kept whatever its type, so reading it says why it is
    refused; in folders only supported types count, hidden files skipped.
    """
    found: list[tuple[Path, Path]] = []
    seen: set[Path] = set()
    for given in map(Path, paths):
        if not given.exists():
            raise NoDocumentsError(f"{given}: no such file or folder")
        if given.is_dir():
            pairs = [(f, given) for f in _folder_documents(given)]
            if not pairs:
                raise NoDocumentsError(
                    f"{given}: no {', '.join(SUPPORTED_SUFFIXES)} document in this folder"
                )
        elif given.is_file():
            pairs = [(given, given.parent)]
        else:
            raise NoDocumentsError(f"{given}: not a regular file or folder")
        for file, root in pairs:
            if file.resolve() not in seen:
                seen.add(file.resolve())
                found.append((file, root))
    return found


def _folder_documents(folder: Path) -> list[Path]:
    """Candidate files under ``folder`` in a stable order (sorted relative paths)."""
    files = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            path = Path(dirpath) / name
            wanted = not name.startswith(".") and path.suffix.lower() in SUPPORTED_SUFFIXES
            if wanted and path.is_file():  # not a pipe or socket: reading one would hang
                files.append(path)
    return sorted(files, key=lambda f: f.relative_to(folder).as_posix())


def read_documents(
    paths: Sequence[Path], budget: DocumentBudget = UNLIMITED
) -> tuple[list[Document], list[tuple[str, str]]]:
    """Every readable document, and (path, reason) for each file that was not (or that
    is over ``budget``).

    One bad file does not stop the others; only when none can be read is it an error.
    """
    if not paths:
        raise NoDocumentsError("no file or folder given")
    documents: list[Document] = []
    skipped: list[tuple[str, str]] = []
    found = discover(paths)
    with tqdm(found, desc="reading", unit="file", disable=quiet() or _quick(found)) as bar:
        for path, root in bar:
            try:
                documents.append(read_document(path, root, budget))
            except DocumentError as exc:
                logger.warning("skipped %s", exc)
                skipped.append((exc.path, exc.problem))
    if not documents:
        raise NoDocumentsError(f"no document could be read: {_brief(skipped)}")
    return documents, skipped


def _quick(files: list[tuple[Path, Path]]) -> bool:
    """Few small files: no progress bar."""
    if len(files) >= _BAR_FILES:
        return False
    return all(_size(f) < _BAR_BYTES for f, _ in files)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _brief(skipped: list[tuple[str, str]]) -> str:
    shown = "; ".join(f"{path}: {problem}" for path, problem in skipped[:_SHOWN_REASONS])
    more = len(skipped) - _SHOWN_REASONS
    return shown + (f"; and {more} more" if more > 0 else "")
