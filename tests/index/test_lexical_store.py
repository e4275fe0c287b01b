"""The lexical index stored in the index generation (index/lexical_table.py
``LexicalTable``): its weights, counted a chunk at a time (index/lexical_postings.py),
equal bm25s's own bit for bit; written by the builder, memory-mapped back with the scores
of an index built in memory, left out and built again when damaged, refused when it does
not fit the chunks; real model, real bm25s."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import bm25s
import numpy as np
import pytest

import index.builder
import index.lexical_postings
from bot.retrieval.retriever import RetrievalConfig, Retriever
from corpus.analysis import analyze
from corpus.reader import read_documents
from index import store
from index.builder import update_index
from index.derived import DerivedDataError
from index.lexical import LanguageIndex, LexicalIndex
from index.lexical_postings import K1, B
from index.lexical_table import LexicalTable
from tests.index.conftest import (
    copy_index,
    flip_last_byte,
    load_harbour_index,
    write_harbour_index,
)

QUERIES = [
    ("harbour pilots at night", "en"),
    ("Hafen Lotsen", "de"),
    ("port nuit", "fr"),
    ("nothing of the sort", "en"),
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:  # type: ignore[no-untyped-def]
    return write_harbour_index(tmp_path_factory.mktemp("stored-lexical"), embedder)


def _load(index_dir: Path, embedder) -> store.StoredIndex:  # type: ignore[no-untyped-def]
    return load_harbour_index(index_dir, embedder)


def _in_memory(stored: store.StoredIndex) -> LexicalIndex:
    return LexicalIndex([c.text for c in stored.chunks], [c.lang for c in stored.chunks])


def _bm25s_own(texts: list[str], langs: list[str]) -> LexicalIndex:
    """The index as bm25s builds it itself (``BM25.index`` over every chunk's terms):
    the reference the streamed build must equal."""
    parts = {}
    for lang in sorted(set(langs)):
        rows = [r for r, other in enumerate(langs) if other == lang]
        corpus = [analyze(texts[r], lang) for r in rows]
        bm25 = None
        if any(corpus):
            bm25 = bm25s.BM25(k1=K1, b=B, method="lucene")
            bm25.index(corpus, show_progress=False)
        parts[lang] = LanguageIndex(lang, np.asarray(rows, dtype=np.int64), bm25)
    return LexicalIndex.of(parts, len(texts))


def _same_matrix(a: LexicalIndex, b: LexicalIndex) -> None:
    """Every term's column: the same chunks with the same float32 weights, bit for bit
    (column numbers differ: bm25s numbers its vocabulary from a set)."""
    for lang, mine in a.parts().items():
        theirs = b.parts()[lang]
        assert (mine.bm25 is None) == (theirs.bm25 is None)
        if mine.bm25 is None or theirs.bm25 is None:
            continue
        terms = set(theirs.bm25.vocab_dict) - {""}  # bm25s's empty token has no column
        assert set(mine.bm25.vocab_dict) == terms
        for term in terms:
            columns = []
            for bm25 in (mine.bm25, theirs.bm25):
                i, s = bm25.vocab_dict[term], bm25.scores
                lo, hi = s["indptr"][i], s["indptr"][i + 1]
                order = np.argsort(s["indices"][lo:hi])
                columns.append((s["indices"][lo:hi][order], s["data"][lo:hi][order]))
            assert np.array_equal(columns[0][0], columns[1][0])
            assert columns[0][1].tobytes() == columns[1][1].tobytes()


# Chunks of our own: repeated terms, chunks of very different lengths, one without any
# term, a duplicate, and Chinese (segmented), so every part of the weights is exercised.
TEXTS = [
    "Lighthouse keepers polish the lens; the lens turns, the lens shines.",
    "Keepers",
    "A lighthouse keeper logs every passing ship, every storm and every repair "
    "of the lamp, the lens and the clockwork that turns them through the night.",
    "the of and",
    "Die Leuchtturmwärter putzen die Linse jeden Morgen.",
    "灯塔看守人每天擦拭透镜，透镜在夜里旋转。",
    "Lighthouse keepers polish the lens; the lens turns, the lens shines.",
    "Le gardien du phare nettoie la lentille chaque matin.",
    "Storm warnings reach the keeper by radio 1907.",
]
TEXT_LANGS = ["en", "en", "en", "en", "de", "zh", "en", "fr", "en"]
TEXT_QUERIES = [
    ("lighthouse lens", "en"),
    ("keeper storm radio 1907", "en"),
    ("Linse Leuchtturm", "de"),
    ("透镜旋转", "zh"),
    ("lentille phare", "fr"),
    ("nothing here at all", "en"),
]


@pytest.mark.parametrize("block", [1, 3, 1 << 21])
def test_streamed_weights_equal_bm25s_own(monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    """Whatever the block of columns the counting sort makes at once (one posting, a
    few, all), the matrix and every search equal bm25s's index of the same terms."""
    monkeypatch.setattr(index.lexical_postings, "BLOCK_POSTINGS", block)
    mine, theirs = LexicalIndex(TEXTS, TEXT_LANGS), _bm25s_own(TEXTS, TEXT_LANGS)
    _same_matrix(mine, theirs)
    _same(mine, theirs, TEXT_QUERIES)
    assert mine.search("lighthouse lens", "en", 3)[0][1] in (0, 6)


@pytest.mark.parametrize(("spill", "block"), [(1, 1), (4, 3), (1 << 18, 1 << 19)])
def test_spilled_postings_store_what_bm25s_builds(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, spill: int, block: int
) -> None:
    """The builder's way: postings appended to a temporary file of the index dir (in
    runs of one posting, a few, all), the table written a block of columns at a time,
    mapped back equal to bm25s's own index; the temporary file leaves nothing behind."""
    monkeypatch.setattr(index.lexical_postings, "SPILL_POSTINGS", spill)
    monkeypatch.setattr(index.lexical_postings, "BLOCK_POSTINGS", block)
    (tmp_path / "gen").mkdir()
    table = LexicalTable.build(TEXTS, TEXT_LANGS, spill=tmp_path)
    meta = table.write(tmp_path / "gen")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gen"]
    opened = LexicalTable.open(tmp_path / "gen", meta, len(TEXTS), 16).index(TEXT_LANGS)
    assert opened is not None
    theirs = _bm25s_own(TEXTS, TEXT_LANGS)
    _same_matrix(opened, theirs)
    _same(opened, theirs, TEXT_QUERIES)


def test_a_language_without_terms_is_stored_and_read_back(tmp_path: Path) -> None:
    texts, langs = [*TEXTS, "...", "?! -"], [*TEXT_LANGS, "it", "it"]
    table = LexicalTable.build(texts, langs)
    meta = table.write(tmp_path)
    assert meta["languages"]["it"] == {"chunks": 2, "terms": 0, "columns": 0, "postings": 0}
    opened = LexicalTable.open(tmp_path, meta, len(texts), 16).index(langs)
    assert opened is not None and opened.match("and", "it") == {}
    _same(opened, _bm25s_own(texts, langs), TEXT_QUERIES)


def _same(a: LexicalIndex, b: LexicalIndex, queries: list[tuple[str, str]] | None = None) -> None:
    assert a.languages == b.languages and a.size == b.size
    for query, lang in queries or QUERIES:
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
    texts, langs = [c.text for c in stored.chunks], [c.lang for c in stored.chunks]
    _same(retriever.lexical, _bm25s_own(texts, langs))
    _same_matrix(retriever.lexical, _bm25s_own(texts, langs))
    for part in retriever.lexical.parts().values():  # mapped, not read
        assert part.bm25 is not None and isinstance(part.bm25.scores["data"], np.memmap)
        assert isinstance(part.bm25.scores["indices"], np.memmap)


def _assert_built_again(stored: store.StoredIndex, embedder, cache: Path) -> None:  # type: ignore[no-untyped-def]
    """The retriever over a generation without its table builds the same index in memory."""
    retriever = Retriever(stored, embedder, RetrievalConfig(), cache)
    assert retriever.lexical is not None
    _same(retriever.lexical, _in_memory(stored))


def test_damaged_lexical_data_is_left_out_and_built_again(
    index_dir: Path,
    embedder,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    copy, gen = copy_index(index_dir, tmp_path / "index")
    flip_last_byte(gen / "lexical_data.npy")
    with caplog.at_level(logging.WARNING):
        stored = _load(copy, embedder)
    assert LexicalTable.kind not in stored.derived
    assert "lexical_data.npy" in stored.damaged[LexicalTable.kind]
    assert "checksum" in stored.damaged[LexicalTable.kind]
    assert sum("lexical_data.npy" in r.getMessage() for r in caplog.records) == 1
    _assert_built_again(stored, embedder, tmp_path / "cache")


def test_missing_lexical_data_is_built_in_memory(
    index_dir: Path,
    embedder,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    copy, gen = copy_index(index_dir, tmp_path / "index")
    (gen / "lexical_vocab.json").unlink()
    stored = _load(copy, embedder)
    assert "missing" in stored.damaged[LexicalTable.kind]
    _assert_built_again(stored, embedder, tmp_path / "cache")


def test_lexical_data_that_does_not_fit_the_chunks_is_refused(
    index_dir: Path,
    embedder,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
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
    with pytest.raises(DerivedDataError, match="other BM25 parameters"):
        LexicalTable.open(tmp_path, {**meta, "k1": 2.0}, n, 384)
    rows = np.load(tmp_path / "lexical_rows.npy")
    rows[0] = n + 3
    np.save(tmp_path / "lexical_rows.npy", rows)
    with pytest.raises(DerivedDataError, match=r"lexical_rows\.npy: refers to rows outside"):
        LexicalTable.open(tmp_path, meta, n, 384)
    table.write(tmp_path)
    vocab = json.loads((tmp_path / "lexical_vocab.json").read_text(encoding="utf-8"))
    vocab["de"] = vocab["de"][:-1]
    (tmp_path / "lexical_vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    # The vocabulary is read at the first search: one that does not fit is not used.
    langs = [c.lang for c in stored.chunks]
    with caplog.at_level(logging.WARNING):
        assert LexicalTable.open(tmp_path, meta, n, 384).index(langs) is None
    assert "lexical_vocab.json: de: " in caplog.text
    # Chunks in other languages than the stored index's: not used, built in memory.
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


def test_the_builder_counts_terms_into_the_cache_dir_it_is_given(
    tmp_path: Path,
    fake_embedder,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The settings' cache dir reaches the table's build (index/builder.py), so a later
    index run reads the terms of unchanged chunks instead of analysing them again."""
    docs_dir = tmp_path / "docs"
    docs_dir.mkdir()
    for i, text in enumerate(TEXTS[:4]):
        (docs_dir / f"d{i}.txt").write_text(text + "\n", encoding="utf-8")
    docs, _ = read_documents([docs_dir])
    stored, _ = update_index(docs, tmp_path / "index", fake_embedder, 48, 1, cache_dir=tmp_path)
    (path,) = (tmp_path / "lexical-terms").glob("*.json")
    chunks = {(c.lang, c.text) for c in stored.chunks}
    assert len(json.loads(path.read_text(encoding="utf-8"))) == len(chunks)
    table = stored.derived[LexicalTable.kind]
    assert isinstance(table, LexicalTable)
    mapped = table.index([c.lang for c in stored.chunks])
    assert mapped is not None
    _same(mapped, _bm25s_own([c.text for c in stored.chunks], [c.lang for c in stored.chunks]))
    # An index too large for the cache (every chunk's terms as strings) analyses anew.
    monkeypatch.setattr(index.builder, "TERM_CACHE_CHUNKS", len(stored.chunks) - 1)
    (docs_dir / "d9.txt").write_text(TEXTS[8] + "\n", encoding="utf-8")
    docs, _ = read_documents([docs_dir])
    bigger, _ = update_index(docs, tmp_path / "index", fake_embedder, 48, 1, cache_dir=tmp_path)
    assert len(json.loads(path.read_text(encoding="utf-8"))) == len(chunks)  # not extended
    texts, langs = [c.text for c in bigger.chunks], [c.lang for c in bigger.chunks]
    table = bigger.derived[LexicalTable.kind]
    assert isinstance(table, LexicalTable)
    mapped = table.index(langs)
    assert mapped is not None
    _same(mapped, _bm25s_own(texts, langs))
