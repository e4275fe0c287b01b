"""The two records that flow through polyqa: a read document and a chunk of it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Document:
    """A document as read from disk.

    ``text`` is the decoded source exactly as stored, never cleaned in place: every
    chunk's offsets point into it, so a citation can be checked against the file.
    """

    doc_id: str
    path: str
    title: str
    lang: str
    text: str
    sha256: str
    encoding: str = "utf-8"


@dataclass(frozen=True)
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

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Chunk:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})
