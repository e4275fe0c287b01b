"""Read documents from disk into ``Document`` records.

Text is decoded exactly as stored (no newline translation, no normalisation), because
chunk offsets and citations refer to it. Anything we cannot read as UTF-8 text is
refused with a one-line reason rather than guessed at.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path

from corpus.cleaning import content_spans
from corpus.document import Document
from corpus.errors import DocumentError, NoDocumentsError
from corpus.langid import detect_language
from corpus.sentences import line_spans

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".md", ".txt")
TITLE_CHARS = 80
# Enough text for langdetect, which reads 10,000 characters at most.
_LANG_SAMPLE_CHARS = 10_000
_SHOWN_REASONS = 3


def default_corpus_dir() -> Path:
    """The sample documents shipped with polyqa (package data, next to this module)."""
    return Path(__file__).resolve().parent / "default"


def read_document(path: Path, root: Path | None = None) -> Document:
    """One .txt or .md file; raises DocumentError naming the file and the problem."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(
            str(path),
            f"unsupported file type '{suffix or path.name}'; supported: "
            + ", ".join(SUPPORTED_SUFFIXES),
        )
    raw = _read_bytes(path)
    text, encoding = _decode(path, raw)
    spans = content_spans(text)
    if not spans:
        raise DocumentError(str(path), "no text besides navigation, footer or punctuation lines")
    return Document(
        doc_id=_doc_id(path, root),
        path=str(path),
        title=_title(text, spans[0], suffix),
        lang=detect_language(_sample(text, spans)),
        text=text,
        sha256=hashlib.sha256(raw).hexdigest(),
        encoding=encoding,
    )


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DocumentError(str(path), f"cannot read: {exc.strerror or exc}") from exc


def _decode(path: Path, raw: bytes) -> tuple[str, str]:
    """The text and the encoding it was read with: 'utf-8', or 'utf-8-sig' with a BOM.

    With a BOM the decoded text starts after it, and offsets count from there.
    """
    if not raw:
        raise DocumentError(str(path), "empty file")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise DocumentError(str(path), "UTF-16 or UTF-32 text; save it as UTF-8")
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise DocumentError(str(path), f"binary content (NUL byte at offset {nul}), not text")
    encoding = "utf-8-sig" if raw.startswith(codecs.BOM_UTF8) else "utf-8"
    try:
        text = raw.decode(encoding, errors="strict")
    except UnicodeDecodeError as exc:
        offset = exc.start + (len(codecs.BOM_UTF8) if encoding == "utf-8-sig" else 0)
        raise DocumentError(
            str(path), f"not valid UTF-8 (byte 0x{raw[offset]:02x} at offset {offset})"
        ) from exc
    if not text.strip():
        raise DocumentError(str(path), "only whitespace, no text")
    return text, encoding


def _doc_id(path: Path, root: Path | None) -> str:
    """Stable across machines: relative to the folder given, in posix form."""
    if root is None:
        return path.name
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def _title(text: str, first_span: tuple[int, int], suffix: str) -> str:
    start, end = line_spans(text, *first_span)[0]
    line = text[start:end].strip()
    if suffix == ".md":
        line = line.lstrip("#").strip()
    return line[:TITLE_CHARS].rstrip()


def _sample(text: str, spans: list[tuple[int, int]]) -> str:
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
    refused; in folders only .txt and .md files count, hidden ones skipped.
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
                    f"{given}: no {' or '.join(SUPPORTED_SUFFIXES)} document in this folder"
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
    paths: Sequence[Path],
) -> tuple[list[Document], list[tuple[str, str]]]:
    """Every readable document, and (path, reason) for each file that was not.

    One bad file does not stop the others; only when none can be read is it an error.
    """
    if not paths:
        raise NoDocumentsError("no file or folder given")
    documents: list[Document] = []
    skipped: list[tuple[str, str]] = []
    for path, root in discover(paths):
        try:
            documents.append(read_document(path, root))
        except DocumentError as exc:
            logger.warning("skipped %s", exc)
            skipped.append((exc.path, exc.problem))
    if not documents:
        raise NoDocumentsError(f"no document could be read: {_brief(skipped)}")
    return documents, skipped


def _brief(skipped: list[tuple[str, str]]) -> str:
    shown = "; ".join(f"{path}: {problem}" for path, problem in skipped[:_SHOWN_REASONS])
    more = len(skipped) - _SHOWN_REASONS
    return shown + (f"; and {more} more" if more > 0 else "")
