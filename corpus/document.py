"""The two records that flow through polyqa: a read document and a chunk of it."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Document:
    """A document as read from disk.

    ``text`` is the decoded source exactly as stored, never cleaned in place: every
    chunk's offsets point into it, so a citation can be checked against the file. For
    PDF, Word and HTML it is the text extracted from the file (see corpus/formats.py).
    ``sha256`` is the hash of the file's bytes. ``encoding`` is how text files were
    decoded (for PDF and Word: the extracting library). ``pages`` are the offsets in
    ``text`` where each page starts (PDF only), so a citation can name its page.
    """

    doc_id: str
    path: str
    title: str
    lang: str
    text: str
    sha256: str
    encoding: str = "utf-8"
    format: str = "text"
    pages: tuple[int, ...] = ()

    def page_at(self, offset: int) -> int | None:
        return page_number(self.pages, offset)


def page_number(pages: Sequence[int], offset: int) -> int | None:
    """The 1-based page holding character ``offset``, given page start offsets; None
    when the document has no pages. An empty page shares its start with the next one,
    which is the page that holds the text there."""
    return bisect_right(pages, offset) or None if pages else None


@dataclass(frozen=True, slots=True)
class Chunk:
    """A run of whole sentences of one document, small enough for the model.

    ``document.text[start:end] == text`` always holds (character offsets).
    """

    chunk_id: str
    doc_id: str
    path: str
    title: str
    lang: str
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
