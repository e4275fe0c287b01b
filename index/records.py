"""Reading a generation's records at load: chunks.jsonl's lines and params.json's documents.

Why msgspec: at 10^6 chunks, most of an index's load was building Python objects from
JSON: orjson's dicts, then a frozen dataclass from each (4 s for the chunks, 2 s for
360,000 document records; bench/README.md, issue 15). msgspec decodes the bytes straight
into the same dataclasses, checking every field's type on the way, and one call over
the whole file (its lines joined as one JSON array) avoids a Python call per line.
The cyclic garbage collector is paused meanwhile: a million new objects set off its
full passes over everything alive, a second of the load for nothing (none of them can
be garbage yet).

A record that does not fit its type is named by its line (the lines are decoded one by
one again, only then), so the error still says where the file is damaged.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any, TypeVar

import msgspec

T = TypeVar("T")


class RecordError(ValueError):
    """A record of a JSON Lines file (``line``, 1-based; 0: the file as a whole) that does
    not decode into its type."""

    def __init__(self, line: int, why: str) -> None:
        super().__init__(why)
        self.line = line


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection while many objects are created at once; the previous state after."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@cache
def _decoder(kind: Any) -> msgspec.json.Decoder[Any]:
    return msgspec.json.Decoder(kind)


def decode_lines(data: bytes, kind: type[T]) -> list[T]:
    """Every line of ``data`` (JSON Lines, one object a line) as a ``kind``.

    JSON strings cannot hold a raw line break, so the lines joined by commas are one
    JSON array of the same records."""
    body = data.rstrip(b"\n")
    if not body:
        return []
    try:
        with gc_paused():
            return list(_decoder(list[kind]).decode(b"[" + body.replace(b"\n", b",") + b"]"))  # type: ignore[valid-type]
    except msgspec.MsgspecError:
        pass
    one = _decoder(kind)  # type: ignore[arg-type]
    for lineno, line in enumerate(body.split(b"\n"), 1):
        try:
            one.decode(line)
        except msgspec.MsgspecError as exc:
            raise RecordError(lineno, str(exc)) from exc
    raise RecordError(0, "not one JSON object a line")


def decode_list(data: bytes | msgspec.Raw, kind: type[T]) -> list[T]:
    """A JSON array of objects as ``kind`` records; RecordError on the first that does not fit."""
    try:
        with gc_paused():
            return list(_decoder(list[kind]).decode(data))  # type: ignore[valid-type]
    except msgspec.MsgspecError as exc:
        raise RecordError(0, str(exc)) from exc


def split_object(data: bytes) -> dict[str, msgspec.Raw]:
    """A JSON object's members undecoded, so each can be decoded as its own type."""
    try:
        return dict(_decoder(dict[str, msgspec.Raw]).decode(data))
    except msgspec.MsgspecError as exc:
        raise RecordError(0, str(exc)) from exc
