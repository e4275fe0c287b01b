"""The switch from exact to approximate search, incremental add/remove on an approximate
index, its persistence and its refusal, on small sizes (``AnnConfig.min_chunks`` lowered).

The bookkeeping tests use the fake embedder (what is under test is which rows sit in
which index and file); the search tests use the real model and the real FAISS indexes.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.retrieval.retriever import Pool, RetrievalConfig, Retriever
from index import store
from index.ann import AnnConfig, choose
from index.ann.flat import FlatIPIndex
from index.ann.ivf import LanguageIVFIndex
from index.builder import params_for, update_index
from index.errors import CorruptIndexError, IndexMismatchError
from tests.index.conftest import doc

SMALL = AnnConfig(min_chunks=40, probe=1.0)


def _long(doc_id: str, lang: str, n: int, line: str):  # type: ignore[no-untyped-def]
    return doc(doc_id, " ".join(line.format(i=i, doc=doc_id, s=i % 7) for i in range(n)), lang)


EN = _long("e1.txt", "en", 400, "Entry {i} is line {i} of {doc} in set {s}.")
DE = _long("g1.txt", "de", 120, "Eintrag {i} ist die Zeile {i} von {doc} im Satz {s}.")
EN2 = _long("e2.txt", "en", 60, "Record {i} is line {i} of {doc} in set {s}.")


def _lang(stored: store.StoredIndex, row: int) -> str:
    """The language a row is searched in: its document's (as the retriever's)."""
    return stored.documents[stored.chunks[row].doc_id].lang


def _build(tmp_path: Path, fake, docs, ann=SMALL, **kw):  # type: ignore[no-untyped-def]
    return update_index(docs, tmp_path / "idx", fake, 64, 0, ann=ann, **kw)


def _gen(tmp_path: Path) -> Path:
    index = tmp_path / "idx"
    return index / (index / "CURRENT").read_text().strip()


def _unit(n: int, dim: int, seed: int) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_below_the_threshold_the_index_is_exact_and_whole(tmp_path: Path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    stored, _ = _build(tmp_path, fake_embedder, [EN, DE], ann=AnnConfig(min_chunks=10_000))
    assert isinstance(stored.index, FlatIPIndex)
    params = json.loads((_gen(tmp_path) / "params.json").read_text())
    assert params["vectors"] == {"kind": "flat", "files": ["vectors.faiss"]}
    assert not list(_gen(tmp_path).glob("ann-*"))


def test_above_the_threshold_a_language_is_approximate(tmp_path: Path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    stored, _ = _build(tmp_path, fake_embedder, [EN, DE])
    en = sum(_lang(stored, r) == "en" for r in range(len(stored.chunks)))
    de = sum(_lang(stored, r) == "de" for r in range(len(stored.chunks)))
    assert en >= SMALL.min_chunks > de
    assert isinstance(stored.index, LanguageIVFIndex)
    assert stored.index.languages["de"] == "flat"
    assert stored.index.languages["en"].startswith("ivf-sq8")
    loaded = store.load(tmp_path / "idx", params_for(fake_embedder, 64, 0))
    assert isinstance(loaded.index, LanguageIVFIndex)
    assert loaded.index.size == len(loaded.chunks) == len(stored.chunks)
    # row i is chunk i, in its language's index, found by its own vector
    for row in (0, en // 2, len(loaded.chunks) - 1):
        vec = loaded.index.reconstruct([row])
        lang = _lang(loaded, row)
        scores, ids = loaded.index.search(vec, 1, lang=lang)
        assert ids[0][0] == row and scores[0][0] == pytest.approx(1.0, abs=2e-2)
        _, other = loaded.index.search(vec, 5, lang="de" if lang == "en" else "en")
        assert other.size and all(_lang(loaded, r) != lang for r in other[0])
    # the exact vectors are kept (float16, memory-mapped): not the quantised ones
    exact = fake_embedder.embed_passages([loaded.chunks[3].text])[0]
    assert np.abs(loaded.index.reconstruct([3])[0] - exact).max() < 1e-3
    assert isinstance(loaded.index.vectors(), np.memmap)


def test_adding_and_removing_documents_keeps_the_training(tmp_path: Path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    _build(tmp_path, fake_embedder, [EN, DE])
    first = json.loads((_gen(tmp_path) / "params.json").read_text())["vectors"]
    centroids = faiss_centroids(_gen(tmp_path) / first["langs"]["en"]["file"])
    stored, report = _build(tmp_path, fake_embedder, [EN, DE, EN2])
    assert report.added == ["e2.txt"]
    second = json.loads((_gen(tmp_path) / "params.json").read_text())["vectors"]
    assert second["langs"]["en"]["trained_on"] == first["langs"]["en"]["trained_on"]
    assert np.array_equal(
        faiss_centroids(_gen(tmp_path) / second["langs"]["en"]["file"]), centroids
    )
    rows = [r for r, c in enumerate(stored.chunks) if c.doc_id == "e2.txt"]
    _, ids = stored.index.search(stored.index.reconstruct(rows), 1, lang="en")
    assert ids[:, 0].tolist() == rows
    stored, report = _build(tmp_path, fake_embedder, [EN, DE])
    assert report.removed == ["e2.txt"]
    assert "e2.txt" not in {c.doc_id for c in stored.chunks}
    assert stored.index.size == len(stored.chunks)


def faiss_centroids(path: Path) -> np.ndarray:
    import faiss

    index = faiss.read_index(str(path))  # kept alive: it owns the quantizer
    ivf = faiss.extract_index_ivf(index)
    return np.asarray(ivf.quantizer.reconstruct_n(0, ivf.nlist)).copy()


def test_add_and_remove_by_ids_on_an_approximate_index() -> None:
    vecs = _unit(600, 32, 1)
    langs = ["en"] * 400 + ["de"] * 200
    index = choose(vecs, langs, AnnConfig(min_chunks=300, probe=1.0))
    assert isinstance(index, LanguageIVFIndex)
    assert index.remove([5, 450, 10_000]) == 2
    assert index.size == 598
    _, ids = index.search(vecs[[5, 450]], 10)
    assert 5 not in ids and 450 not in ids
    index.add(vecs[[5]], np.array([5]), ["en"])
    _, ids = index.search(vecs[[5]], 1, lang="en")
    assert ids[0][0] == 5
    with pytest.raises(ValueError, match="already present"):
        index.add(vecs[[5]], np.array([5]), ["en"])
    index.add(_unit(1, 32, 9), np.array([700]), ["tr"])  # a new row, in a new language
    _, ids = index.search(index.reconstruct([700]), 1)
    assert ids[0][0] == 700 and index.languages["tr"] == "flat"
    # a restriction inside a language scans only the rows allowed
    _, ids = index.search(vecs[[0]], 5, allowed=np.array([1, 2, 3]), lang="en")
    assert sorted(ids[0].tolist()) == [1, 2, 3]


def test_one_query_finds_what_the_same_query_finds_in_a_batch() -> None:
    """A single question's probed lists are split over the cores (faiss parallel_mode 1),
    a batch's queries (mode 0): the hits and their order must not depend on it."""
    vecs = _unit(3000, 32, 3)
    index = choose(vecs, ["en"] * 2000 + ["de"] * 1000, AnnConfig(min_chunks=300, probe=0.5))
    assert isinstance(index, LanguageIVFIndex)
    queries = _unit(40, 32, 4)
    batch_s, batch_i = index.search(queries, 20)
    for q, s, i in zip(queries, batch_s, batch_i, strict=True):
        one_s, one_i = index.search(q[None], 20)
        assert one_i[0].tolist() == i.tolist()
        assert np.allclose(one_s[0], s)


def test_damaged_or_unknown_approximate_files_are_refused(tmp_path: Path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    _build(tmp_path, fake_embedder, [EN, DE])
    gen = _gen(tmp_path)
    ann = sorted(gen.glob("ann-*.faiss"))[-1]
    data = bytearray(ann.read_bytes())
    data[-10] ^= 0xFF
    ann.write_bytes(bytes(data))
    with pytest.raises(CorruptIndexError, match=rf"{ann.name}: damaged .*polyqa index"):
        store.load(tmp_path / "idx")
    _build(tmp_path, fake_embedder, [EN, DE, EN2])  # a write repairs it
    gen = _gen(tmp_path)
    params = json.loads((gen / "params.json").read_text())
    table = gen / "vectors.npy"
    table.unlink()
    with pytest.raises(CorruptIndexError, match=r"vectors\.npy: missing"):
        store.load(tmp_path / "idx")
    params["vectors"]["kind"] = "hnsw-from-the-future"
    (gen / "params.json").write_text(json.dumps(params))
    with pytest.raises(IndexMismatchError, match="hnsw-from-the-future"):
        store.load(tmp_path / "idx")


def test_a_row_in_another_languages_index_is_refused(tmp_path: Path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    _build(tmp_path, fake_embedder, [EN, DE])
    gen = _gen(tmp_path)
    params = json.loads((gen / "params.json").read_text())
    for record in params["documents"]:
        if record["doc_id"] == "g1.txt":
            record["lang"] = "tr"
    (gen / "params.json").write_text(json.dumps(params))
    with pytest.raises(CorruptIndexError, match=r"in the 'de' index but its document is 'tr'"):
        store.load(tmp_path / "idx")


def test_retriever_finds_the_same_over_exact_and_approximate(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    # Probing every list, the approximate index ranks as the exact one does (to SQ8's
    # rounding): the switch changes the engine, not what a search finds.
    docs = [EN, DE]
    exact, _ = update_index(docs, tmp_path / "exact", embedder, 64, 0, ann=AnnConfig(10**6))
    approx, _ = update_index(docs, tmp_path / "ann", embedder, 64, 0, ann=SMALL)
    assert isinstance(exact.index, FlatIPIndex) and isinstance(approx.index, LanguageIVFIndex)
    config = RetrievalConfig(mode="dense", parallel=False)
    a = Retriever(exact, embedder, config, tmp_path / "cache")
    b = Retriever(approx, embedder, config, tmp_path / "cache")
    for query in ("Which line is number 123?", "Eintrag 42 in set 0", "line 399 of e1"):
        for pool in (Pool(), Pool(langs=frozenset({"en"}))):
            top_a = [h.row for h in a.search(query, 5, pool, lang="en")]
            top_b = [h.row for h in b.search(query, 5, pool, lang="en")]
            assert top_a[:3] == top_b[:3]


def test_never_more_lists_than_vectors() -> None:
    """k-means cannot train more lists than points: a threshold lowered to a handful of
    chunks must still index (the IVF rule alone asks 4·√n, more than n below 16)."""
    from index.ann.ivf import n_lists

    assert [n_lists(n) for n in (1, 2, 8, 15, 16, 100)] == [1, 2, 8, 15, 16, 40]
    rng = np.random.default_rng(5)
    for n in (2, 8):
        vectors = rng.normal(size=(n, 16)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        index = choose(vectors, ["de"] * n, AnnConfig(min_chunks=2))
        scores, ids = index.search(vectors[:1], 1)
        assert ids[0][0] == 0 and scores[0][0] == pytest.approx(1.0, abs=0.02)
