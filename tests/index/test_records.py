"""index/records.py: JSON Lines and arrays decoded straight into typed records."""

from __future__ import annotations

import gc
import json
from dataclasses import asdict

import pytest

from corpus.document import Chunk
from index.records import RecordError, decode_lines, decode_list, gc_paused, split_object

TEXT = "Die Flut kommt\nzweimal am Tag."
CHUNKS = [Chunk(f"d{i}#0", f"d{i}", f"d{i}.txt", "Gezeiten", "de", 0, 28, TEXT) for i in range(3)]


def _lines(records: list[dict]) -> bytes:  # type: ignore[type-arg]
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


def test_lines_decode_into_the_records_they_were_written_from() -> None:
    data = _lines([asdict(c) for c in CHUNKS])
    assert decode_lines(data, Chunk) == CHUNKS
    assert decode_lines(b"", Chunk) == [] and decode_lines(b"\n", Chunk) == []


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"start": "0"}, "Expected `int`"),
        ({"text": None}, "Expected `str`"),
    ],
)
def test_a_record_that_does_not_fit_is_named_by_its_line(change: dict, why: str) -> None:  # type: ignore[type-arg]
    records = [asdict(c) for c in CHUNKS]
    records[1] |= change
    with pytest.raises(RecordError, match=why) as info:
        decode_lines(_lines(records), Chunk)
    assert info.value.line == 2


def test_a_missing_field_and_a_broken_line_are_named() -> None:
    records = [asdict(c) for c in CHUNKS]
    del records[2]["text"]
    with pytest.raises(RecordError, match="missing required field `text`") as info:
        decode_lines(_lines(records), Chunk)
    assert info.value.line == 3
    broken = _lines([asdict(c) for c in CHUNKS])[:-20] + b"\n"
    with pytest.raises(RecordError) as info:
        decode_lines(broken, Chunk)
    assert info.value.line == 3


def test_members_are_split_then_decoded_as_their_own_type() -> None:
    data = json.dumps({"format": 2, "documents": [asdict(CHUNKS[0])]}).encode()
    members = split_object(data)
    assert sorted(members) == ["documents", "format"]
    assert decode_list(members["documents"], Chunk) == CHUNKS[:1]
    with pytest.raises(RecordError):
        split_object(b"[1, 2]")
    with pytest.raises(RecordError):
        decode_list(b'[{"chunk_id": 1}]', Chunk)


def test_the_collector_is_paused_then_left_as_it_was() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
