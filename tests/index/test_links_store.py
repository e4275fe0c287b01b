"""Translation links stored in the index generation (index/parallel.py ``LinkTable``):
written by the builder, read back as the links a retriever would compute, left out and
recomputed when damaged, refused when they do not fit the chunks; real model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.retrieval.retriever import RetrievalConfig, Retriever
from index import store
from index.derived import DerivedDataError
from index.parallel import LinkTable, ParallelLinks, link_parallel
from tests.index.conftest import (
    copy_index,
    flip_last_byte,
    load_harbour_index,
    write_harbour_index,
)


def _same(a: ParallelLinks, b: ParallelLinks) -> None:
    assert [tuple(x) for x in a.links] == [tuple(x) for x in b.links]
    assert a.documents == b.documents
    assert dict(a.sentences) == dict(b.sentences)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:  # type: ignore[no-untyped-def]
    return write_harbour_index(tmp_path_factory.mktemp("stored-links"), embedder)


def _load(index_dir: Path, embedder) -> store.StoredIndex:  # type: ignore[no-untyped-def]
    return load_harbour_index(index_dir, embedder)


def test_stored_links_are_the_links_computed_at_search_time(index_dir: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    stored = _load(index_dir, embedder)
    assert isinstance(stored.derived.get(LinkTable.kind), LinkTable)
    assert LinkTable.kind not in stored.damaged
    retriever = Retriever(stored, embedder, RetrievalConfig(), index_dir.parent / "cache")
    computed = link_parallel(retriever._link_units(), len(stored.chunks))
    assert computed.pairs > 0 and computed.aligned("de/hafen.txt", "en/harbour.txt")
    _same(retriever.links, computed)
    for key, found in computed.sentences.items():
        assert retriever.links.translations(*key) == found
    assert retriever.links.translations("de/hafen.txt", 10**6) == ()
    assert retriever.links.of(len(stored.chunks)) == ()


def test_another_threshold_computes_the_links_again(index_dir: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    stored = _load(index_dir, embedder)
    config = RetrievalConfig(link_ann_min=1)  # not what the builder linked with
    retriever = Retriever(stored, embedder, config, index_dir.parent / "cache")
    computed = link_parallel(retriever._link_units(), len(stored.chunks), ann_min=1)
    _same(retriever.links, computed)


def test_damaged_links_are_left_out_and_computed(
    index_dir: Path,
    embedder,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    copy, gen = copy_index(index_dir, tmp_path / "index")
    flip_last_byte(gen / "links_rows.npy")
    stored = _load(copy, embedder)
    assert LinkTable.kind not in stored.derived
    assert "links_rows.npy" in stored.damaged[LinkTable.kind]
    assert "checksum" in stored.damaged[LinkTable.kind]
    retriever = Retriever(stored, embedder, RetrievalConfig(), tmp_path / "cache")
    good = Retriever(_load(index_dir, embedder), embedder, RetrievalConfig(), tmp_path / "cache")
    _same(retriever.links, good.links)


def test_links_that_do_not_fit_the_chunks_are_refused(
    index_dir: Path,
    embedder,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    stored = _load(index_dir, embedder)
    table = stored.derived[LinkTable.kind]
    assert isinstance(table, LinkTable)
    meta = table.write(tmp_path)
    n = len(stored.chunks)
    assert isinstance(LinkTable.open(tmp_path, meta, n, 384), LinkTable)
    with pytest.raises(DerivedDataError, match=r"links_ptr.npy: holds"):
        LinkTable.open(tmp_path, meta, n + 1, 384)  # another index's chunk count
    rows = np.asarray(table.rows).copy()
    rows[0] = n + 3
    np.save(tmp_path / "links_rows.npy", rows)
    with pytest.raises(DerivedDataError, match=r"links_rows.npy: refers to rows outside"):
        LinkTable.open(tmp_path, meta, n, 384)
    with pytest.raises(DerivedDataError, match="incomplete links metadata"):
        LinkTable.open(tmp_path, {"rows": 1}, n, 384)
