"""Saving, loading, refusing and incrementally updating an index (fake embedder: the
vectors' meaning is not under test here, their bookkeeping is)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from corpus.chunker import CHUNKER_VERSION
from corpus.document import Document
from index import store
from index.builder import params_for, update_index
from index.errors import CorruptIndexError, IndexMismatchError, IndexWriteError
from tests.index.conftest import DOCS, doc


def build(tmp_path: Path, fake, docs=DOCS, **kw):  # type: ignore[no-untyped-def]
    return update_index(docs, tmp_path / "idx", fake, 64, 0, **kw)


def test_save_and_load_round_trip(tmp_path: Path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    stored, report = build(tmp_path, fake_embedder)
    assert sorted(report.added) == ["a.txt", "b.txt", "c.txt"]
    loaded = store.load(tmp_path / "idx", params_for(fake_embedder, 64, 0))
    assert loaded.chunks == stored.chunks
    assert np.array_equal(loaded.index.vectors(), stored.index.vectors())
    assert {d.sha256 for d in loaded.documents.values()} == {d.sha256 for d in DOCS}
    for chunk in loaded.chunks:
        source = next(d for d in DOCS if d.doc_id == chunk.doc_id).text
        assert source[chunk.start : chunk.end] == chunk.text
    # row i of the vectors is chunk i
    scores, ids = loaded.index.search(fake_embedder.embed_queries([loaded.chunks[2].text]), 1)
    assert ids[0][0] == 2 and scores[0][0] == pytest.approx(1.0, abs=1e-5)


def test_mismatched_index_is_refused_with_rebuild_hint(tmp_path: Path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    build(tmp_path, fake_embedder)
    other = store.IndexParams("another/model", 768, 64, 0)
    with pytest.raises(IndexMismatchError) as err:
        store.load(tmp_path / "idx", other)
    msg = str(err.value)
    assert "another/model" in msg and "fake-hash-embedder" in msg and "polyqa index" in msg
    assert "\n" not in msg


def test_index_cut_by_another_chunker_is_rebuilt_or_refused(tmp_path: Path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    # An index written before the chunker recorded its version (or by another version)
    # holds other chunks: re-indexing rebuilds it whole, --add refuses to mix the two.
    build(tmp_path, fake_embedder)
    index = tmp_path / "idx"
    gen = index / (index / "CURRENT").read_text().strip()
    params = json.loads((gen / "params.json").read_text())
    assert params["params"]["chunker"] == CHUNKER_VERSION
    del params["params"]["chunker"]  # as a version-1 index was written
    (gen / "params.json").write_text(json.dumps(params))
    with pytest.raises(IndexMismatchError, match=f"chunker 1 .settings ask for {CHUNKER_VERSION}"):
        store.load(index, params_for(fake_embedder, 64, 0))
    extra = doc("e.txt", "Ein neues Dokument über den CSO.", "de")
    with pytest.raises(IndexMismatchError, match="would drop the documents it holds"):
        build(tmp_path, fake_embedder, [extra], keep_missing=True)
    _, report = build(tmp_path, fake_embedder)
    assert report.embedded_chunks == report.chunks > 0
    assert store.load(index, params_for(fake_embedder, 64, 0)).params.chunker == CHUNKER_VERSION


def test_reindex_embeds_only_changes(tmp_path: Path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    build(tmp_path, fake_embedder)
    fake_embedder.embedded.clear()
    changed = doc("b.txt", "Der CTO leitet die Technik. Er berichtet an den CIO.", "de")
    new = doc("d.txt", "Veri madenciliği, kalıpları bulma sürecidir.", "tr")
    stored, report = build(tmp_path, fake_embedder, [DOCS[0], changed, new])
    assert report.added == ["d.txt"]
    assert report.changed == ["b.txt"]
    assert report.removed == ["c.txt"]
    assert report.unchanged == ["a.txt"]
    assert all("CIO" in t or "Veri" in t or "Technik" in t for t in fake_embedder.embedded)
    assert not any("CTO leads" in t for t in fake_embedder.embedded)
    assert {c.doc_id for c in stored.chunks} == {"a.txt", "b.txt", "d.txt"}
    loaded = store.load(tmp_path / "idx")
    vecs = loaded.index.vectors()
    for row, chunk in enumerate(loaded.chunks):  # kept vectors still belong to their chunks
        assert np.allclose(vecs[row], fake_embedder.embed_queries([chunk.text])[0], atol=1e-6)


def test_unchanged_reindex_writes_nothing(tmp_path: Path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    build(tmp_path, fake_embedder)
    before = (tmp_path / "idx" / "CURRENT").read_text()
    fake_embedder.embedded.clear()
    _, report = build(tmp_path, fake_embedder)
    assert fake_embedder.embedded == []
    assert sorted(report.unchanged) == ["a.txt", "b.txt", "c.txt"]
    assert (tmp_path / "idx" / "CURRENT").read_text() == before


def test_keep_missing_adds_without_removing(tmp_path: Path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    build(tmp_path, fake_embedder)
    extra = doc("e.txt", "Ein neues Dokument über den CSO.", "de")
    stored, report = build(tmp_path, fake_embedder, [extra], keep_missing=True)
    assert report.added == ["e.txt"] and report.removed == []
    assert set(stored.documents) == {"a.txt", "b.txt", "c.txt", "e.txt"}


def test_same_content_under_two_names_is_indexed_once(tmp_path: Path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    twin = Document("z.txt", "/docs/z.txt", "z", "en", DOCS[0].text, DOCS[0].sha256)
    stored, report = build(tmp_path, fake_embedder, [*DOCS, twin])
    assert "z.txt" not in stored.documents
    assert any("same content as a.txt" in why for _, why in report.skipped)


def test_corrupt_files_are_named(tmp_path: Path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    build(tmp_path, fake_embedder)
    gen = tmp_path / "idx" / (tmp_path / "idx" / "CURRENT").read_text().strip()
    vectors = gen / "vectors.faiss"
    vectors.write_bytes(vectors.read_bytes()[:100])
    with pytest.raises(CorruptIndexError, match=r"vectors\.faiss"):
        store.load(tmp_path / "idx")
    (gen / "params.json").write_text("{not json")
    with pytest.raises(CorruptIndexError, match=r"params\.json"):
        store.load(tmp_path / "idx")


def test_failed_write_keeps_previous_index(tmp_path: Path, fake_embedder, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    stored, _ = build(tmp_path, fake_embedder)

    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    monkeypatch.setattr(store.FlatIPIndex, "save", boom)
    with pytest.raises(IndexWriteError, match=r"vectors\.faiss: cannot write \(disk full\)"):
        build(tmp_path, fake_embedder, [DOCS[0]])
    monkeypatch.undo()
    loaded = store.load(tmp_path / "idx")
    assert loaded.chunks == stored.chunks
    assert not [p for p in (tmp_path / "idx").iterdir() if p.name.endswith(".partial")]


# --- params.json that lies about the rest ----------------------------------------------

LIES = {
    "no documents": lambda p: p.update(documents=[]),
    "a document fewer": lambda p: p.update(documents=p["documents"][1:]),
    "wrong chunk count": lambda p: p["documents"][0].update(chunks=p["documents"][0]["chunks"] + 1),
    "a document more": lambda p: p["documents"].append({**p["documents"][0], "doc_id": "zz.txt"}),
    "wrong total": lambda p: p.update(n_chunks=p["n_chunks"] - 1),
}


@pytest.mark.parametrize("lie", sorted(LIES))
def test_params_that_lie_are_refused_and_add_drops_nothing(
    tmp_path: Path, fake_embedder, lie: str
) -> None:  # type: ignore[no-untyped-def]
    build(tmp_path, fake_embedder)
    index = tmp_path / "idx"
    gen = index / (index / "CURRENT").read_text().strip()
    params = json.loads((gen / "params.json").read_text())
    LIES[lie](params)
    (gen / "params.json").write_text(json.dumps(params))
    chunks_before = (gen / "chunks.jsonl").read_text()
    with pytest.raises(CorruptIndexError) as info:
        store.load(index)
    message = str(info.value)
    assert f"{gen / 'params.json'}: inconsistent" in message and "\n" not in message
    assert f"polyqa index PATH... --index {index}" in message
    extra = doc("e.txt", "Ein neues Dokument über den CSO.", "de")
    with pytest.raises(CorruptIndexError, match="would drop the documents it holds"):
        build(tmp_path, fake_embedder, [extra], keep_missing=True)  # `polyqa index X --add`
    assert (gen / "chunks.jsonl").read_text() == chunks_before, "nothing was dropped"
    _, report = build(tmp_path, fake_embedder)  # re-indexing everything repairs it
    assert len(store.load(index).documents) == 3 and report.embedded_chunks > 0


def test_a_mismatched_index_is_warned_about_once(
    tmp_path: Path, fake_embedder, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    """Issue 17: the builder looks at the index before its work and again under the lock;
    a refused one was warned about each time (twice on the command line)."""
    build(tmp_path, fake_embedder)
    with caplog.at_level(logging.WARNING, logger="index.builder"):
        _, report = update_index(DOCS, tmp_path / "idx", fake_embedder, 32, 0)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "re-embedding every document" in warnings[0], warnings
    assert report.embedded_chunks == report.chunks > 0


def test_a_chunk_record_of_the_wrong_shape_is_named_by_its_line(
    tmp_path: Path, fake_embedder
) -> None:  # type: ignore[no-untyped-def]
    """Damage the checksum cannot see (the record rewritten, its checksum with it)."""
    from index.checksum import file_checksum

    build(tmp_path, fake_embedder)
    gen = tmp_path / "idx" / (tmp_path / "idx" / "CURRENT").read_text().strip()
    chunks = gen / "chunks.jsonl"
    lines = chunks.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[1])
    record["start"] = str(record["start"])
    lines[1] = json.dumps(record, ensure_ascii=False)
    chunks.write_text("\n".join(lines) + "\n", encoding="utf-8")
    params = json.loads((gen / "params.json").read_text(encoding="utf-8"))
    params["checksums"]["chunks.jsonl"] = file_checksum(chunks)
    (gen / "params.json").write_text(json.dumps(params), encoding="utf-8")
    with pytest.raises(
        CorruptIndexError, match=r"chunks\.jsonl:2: bad chunk record \(Expected `int`"
    ):
        store.load(tmp_path / "idx")


def _rewrite_params(gen: Path, edit) -> None:  # type: ignore[no-untyped-def]
    params = json.loads((gen / "params.json").read_text(encoding="utf-8"))
    edit(params)
    (gen / "params.json").write_text(json.dumps(params), encoding="utf-8")


def test_an_index_of_the_previous_format_with_sha256_checksums_still_loads_and_is_checked(
    tmp_path: Path, fake_embedder
) -> None:  # type: ignore[no-untyped-def]
    """Format 2 recorded bare SHA-256 digests; format 3 writes ``xxh3_128:hex``. An index
    a user built before the change must load (not be rebuilt), and damage to it must
    still be found."""
    from index.checksum import file_sha256

    stored, _ = build(tmp_path, fake_embedder)
    gen = tmp_path / "idx" / (tmp_path / "idx" / "CURRENT").read_text().strip()
    params = json.loads((gen / "params.json").read_text(encoding="utf-8"))
    assert params["format"] == store.FORMAT_VERSION == 3
    assert all(v.startswith("xxh3_128:") and len(v) == 41 for v in params["checksums"].values())

    def as_format_2(p: dict) -> None:  # type: ignore[type-arg]
        p["format"] = 2
        p["checksums"] = {name: file_sha256(gen / name) for name in p["checksums"]}

    _rewrite_params(gen, as_format_2)
    assert store.load(tmp_path / "idx").chunks == stored.chunks
    raw = bytearray((gen / "chunks.jsonl").read_bytes())
    raw[-3] ^= 1
    (gen / "chunks.jsonl").write_bytes(bytes(raw))
    with pytest.raises(CorruptIndexError, match=r"chunks\.jsonl: damaged \(checksum mismatch\)"):
        store.load(tmp_path / "idx")


def test_a_checksum_of_an_unknown_algorithm_is_refused_by_name(
    tmp_path: Path, fake_embedder
) -> None:  # type: ignore[no-untyped-def]
    build(tmp_path, fake_embedder)
    gen = tmp_path / "idx" / (tmp_path / "idx" / "CURRENT").read_text().strip()

    def other(p: dict) -> None:  # type: ignore[type-arg]
        p["checksums"]["chunks.jsonl"] = "md9:00ff"

    _rewrite_params(gen, other)
    known = r"this polyqa knows sha256, xxh3_128"
    with pytest.raises(
        CorruptIndexError, match=rf"chunks\.jsonl: cannot be checked \(a 'md9' checksum; {known}\)"
    ):
        store.load(tmp_path / "idx")
