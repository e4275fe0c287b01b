"""The lexical index stored in the index generation (index/lexical.py ``LexicalTable``):
written by the builder, memory-mapped back with the scores of an index built in memory,
left out and built again when damaged, refused when it does not fit the chunks; real
model, real bm25s."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.retrieval.retriever import RetrievalConfig, Retriever
from corpus.reader import read_documents
from index import store
from index.builder import params_for, update_index
from index.derived import DerivedDataError
from index.lexical import LexicalIndex, LexicalTable
from tests.index.test_parallel import DE, DE_OTHER, EN, FR

QUERIES = [
    ("harbour pilots at night", "en"),
    ("Hafen Lotsen", "de"),
    ("port nuit", "fr"),
    ("nothing of the sort", "en"),
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("stored-lexical")
    texts = {"en/harbour.txt": EN, "de/hafen.txt": DE, "de/lotsen.txt": DE_OTHER, "fr/port.txt": FR}
    for name, text in texts.items():
        (root / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "docs" / name).write_text(text + "\n", encoding="utf-8")
    docs, _ = read_documents([root / "docs"])
    update_index(docs, root / "index", embedder, 48, 1)
    return root / "index"


def _load(index_dir: Path, embedder) -> store.StoredIndex:  # type: ignore[no-untyped-def]
    return store.load(index_dir, params_for(embedder, 48, 1))


def _in_memory(stored: store.StoredIndex) -> LexicalIndex:
    return LexicalIndex([c.text for c in stored.chunks], [c.lang for c in stored.chunks])


def _same(a: LexicalIndex, b: LexicalIndex) -> None:
    assert a.languages == b.languages and a.size == b.size
    for query, lang in QUERIES:
        assert np.array_equal(a.scores(query), b.scores(query))
        for other in a.languages:
            assert a.match(query, other) == b.match(query, other)
            assert a.match(query, other, {0, 2}) == b.match(query, other, {0, 2})
            assert a.search(query, other, 3) == b.search(query, other, 3)
        assert a.terms(query, lang) == b.terms(query, lang)


def test_stored_lexical_index_scores_as_one_built_in_memory(index_dir: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    stored = _load(index_dir, embedder)
    table = stored.derived.get(LexicalTable.kind)
    assert isinstance(table, LexicalTable) and LexicalTable.kind not in stored.damaged
    retriever = Retriever(stored, embedder, RetrievalConfig(), index_dir.parent / "cache")
    assert retriever.lexical is table.index([c.lang for c in stored.chunks])
    assert retriever.lexical is not None
    assert any(retriever.lexical.scores(q).max() > 0 for q, _ in QUERIES)
    _same(retriever.lexical, _in_memory(stored))
    data = retriever.lexical._indexes["de"].bm25.scores["data"]  # type: ignore[union-attr]
    assert isinstance(data, np.memmap)  # mapped, not read


def test_damaged_lexical_data_is_left_out_and_built_again(
    index_dir: Path,
    embedder,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    copy = tmp_path / "index"
    shutil.copytree(index_dir, copy)
    gen = copy / (copy / "CURRENT").read_text().strip()
    path = gen / "lexical_data.npy"
    raw = bytearray(path.read_bytes())
    raw[-1] ^= 0xFF
    path.write_bytes(bytes(raw))
    with caplog.at_level(logging.WARNING):
        stored = _load(copy, embedder)
    assert LexicalTable.kind not in stored.derived
    assert "lexical_data.npy" in stored.damaged[LexicalTable.kind]
    assert "checksum" in stored.damaged[LexicalTable.kind]
    assert sum("lexical_data.npy" in r.getMessage() for r in caplog.records) == 1
    retriever = Retriever(stored, embedder, RetrievalConfig(), tmp_path / "cache")
    assert retriever.lexical is not None
    _same(retriever.lexical, _in_memory(stored))


def test_missing_lexical_data_is_built_in_memory(
    index_dir: Path,
    embedder,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    copy = tmp_path / "index"
    shutil.copytree(index_dir, copy)
    gen = copy / (copy / "CURRENT").read_text().strip()
    (gen / "lexical_vocab.json").unlink()
    stored = _load(copy, embedder)
    assert "missing" in stored.damaged[LexicalTable.kind]
    retriever = Retriever(stored, embedder, RetrievalConfig(), tmp_path / "cache")
    assert retriever.lexical is not None
    _same(retriever.lexical, _in_memory(stored))


def test_lexical_data_that_does_not_fit_the_chunks_is_refused(
    index_dir: Path,
    embedder,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    stored = _load(index_dir, embedder)
    table = stored.derived[LexicalTable.kind]
    assert isinstance(table, LexicalTable)
    meta = table.write(tmp_path)
    n = len(stored.chunks)
    assert isinstance(LexicalTable.open(tmp_path, meta, n, 384), LexicalTable)
    with pytest.raises(DerivedDataError, match=rf"lexical_rows.npy: indexes {n} chunks"):
        LexicalTable.open(tmp_path, meta, n + 1, 384)  # another index's chunk count
    with pytest.raises(DerivedDataError, match="incomplete lexical metadata"):
        LexicalTable.open(tmp_path, {"analysis": "x"}, n, 384)
    rows = np.load(tmp_path / "lexical_rows.npy")
    rows[0] = n + 3
    np.save(tmp_path / "lexical_rows.npy", rows)
    with pytest.raises(DerivedDataError, match=r"lexical_rows\.npy: refers to rows outside"):
        LexicalTable.open(tmp_path, meta, n, 384)
    table.write(tmp_path)
    vocab = json.loads((tmp_path / "lexical_vocab.json").read_text(encoding="utf-8"))
    vocab["de"] = vocab["de"][:-1]
    (tmp_path / "lexical_vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    with pytest.raises(DerivedDataError, match=r"lexical_vocab\.json: de:"):
        LexicalTable.open(tmp_path, meta, n, 384)
    # Chunks in other languages than the stored index's: not used, built in memory.
    langs = [c.lang for c in stored.chunks]
    assert table.index(langs) is not None
    assert table.index(list(reversed(langs))) is None
    assert table.index(langs[:-1]) is None


def test_other_analysers_build_the_lexical_index_again(
    index_dir: Path,
    embedder,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    stored = _load(index_dir, embedder)
    table = stored.derived[LexicalTable.kind]
    assert isinstance(table, LexicalTable)
    table.analysis = "an older analyser"
    with caplog.at_level(logging.WARNING):
        retriever = Retriever(stored, embedder, RetrievalConfig(), tmp_path / "cache")
    assert retriever.lexical is not None and retriever.lexical is not table._index
    assert any("lexical" in r.getMessage() for r in caplog.records)
    _same(retriever.lexical, _in_memory(stored))
