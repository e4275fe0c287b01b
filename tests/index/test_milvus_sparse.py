"""The hybrid path on Milvus Lite (index/ann/milvus_sparse.py): the lexical stage served
as sparse BM25 vectors by the collection, with polyqa's analysers and weights.

What is checked: for queries in six languages (Chinese and Hindi among them, and queries
quoting a name or a number of another language's passage), the scores Milvus serves equal
LexicalIndex's (bm25s) row for row; the retriever over the Milvus index, real model,
returns the hits the FAISS index's retriever returns; adding, changing and removing
documents is reflected in the sparse results, and only the changed languages' rows are
rewritten. Bounded: a few dozen chunks, one Lite engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from bot.retrieval.retriever import Retriever
from index import store
from index.ann import AnnConfig
from index.ann.milvus import MilvusIndex, forget_client
from index.ann.milvus_sparse import MilvusLexical
from index.builder import update_index
from index.embedder import Embedder
from index.lexical import LexicalIndex
from tests.index.conftest import doc

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

# Made up for this test: invented names and numbers shared across languages.
DOCS = {
    "en1.txt": (
        "en",
        "The lighthouse of Velmora was rebuilt in 1874 by the engineer Tobias Quintrel. "
        "Its lamp burns whale oil and can be seen from 19 miles away.",
    ),
    "en2.txt": (
        "en",
        "A bakery in the harbour town sells rye bread every morning. "
        "The baker opens at six and closes when the bread is gone.",
    ),
    "de1.txt": (
        "de",
        "Der Leuchtturm von Velmora wurde 1874 neu gebaut. Der Ingenieur Quintrel "
        "plante die Lampe, die man aus großer Entfernung sieht.",
    ),
    "de2.txt": (
        "de",
        "Die Bäckerei am Hafen verkauft jeden Morgen Roggenbrot an die Fischer.",
    ),
    "zh1.txt": (
        "zh",
        "韦尔莫拉灯塔于1874年由工程师昆特雷尔重建。灯塔的灯光在很远的地方都能看到。",
    ),
    "zh2.txt": ("zh", "港口小镇的面包店每天早上出售黑麦面包。面包师六点开门。"),
    "hi1.txt": (
        "hi",
        "वेल्मोरा का प्रकाशस्तंभ 1874 में इंजीनियर क्विंट्रेल ने दोबारा बनाया। इसकी रोशनी बहुत दूर से दिखाई देती है।",
    ),
    "hi2.txt": ("hi", "बंदरगाह के कस्बे की बेकरी हर सुबह राई की रोटी बेचती है।"),
    "tr1.txt": (
        "tr",
        "Velmora Deniz Feneri 1874 yılında mühendis Quintrel tarafından yeniden inşa edildi. "
        "İşığı çok uzaktan görülür.",
    ),
    "fr1.txt": (
        "fr",
        "Le phare de Velmora a été reconstruit en 1874. La boulangerie du port vend du "
        "pain de seigle chaque matin.",
    ),
}
QUERIES = [
    "Who rebuilt the lighthouse of Velmora?",
    "When was the lighthouse rebuilt, 1874?",
    "Wer hat den Leuchtturm gebaut?",
    "韦尔莫拉灯塔是谁重建的？",
    "面包店几点开门",
    "प्रकाशस्तंभ किसने बनाया?",
    "बेकरी क्या बेचती है",
    "Feneri kim inşa etti?",
    "Où est la boulangerie ?",
    "Quintrel",
    "nothing here matches zxqv",
]


def _docs(spec: dict[str, tuple[str, str]]) -> list:
    return [doc(name, text, lang) for name, (lang, text) in sorted(spec.items())]


@pytest.fixture
def lite(tmp_path: Path) -> Iterator[AnnConfig]:
    yield AnnConfig(backend="milvus", milvus_uri="")
    forget_client(str((tmp_path / "index").resolve() / "milvus.db"))


def _build(
    spec: dict[str, tuple[str, str]], index_dir: Path, ann: AnnConfig, embedder: Embedder
) -> store.StoredIndex:
    stored, _ = update_index(_docs(spec), index_dir, embedder, 40, 8, ann=ann)
    return stored


def _served(stored: store.StoredIndex) -> MilvusLexical:
    assert isinstance(stored.index, MilvusIndex)
    chunks = stored.chunks
    served = stored.index.lexical_source([c.text for c in chunks], [c.lang for c in chunks])
    assert served is not None
    return served


def _local(stored: store.StoredIndex) -> LexicalIndex:
    return LexicalIndex([c.text for c in stored.chunks], [c.lang for c in stored.chunks])


def _assert_same_scores(served: MilvusLexical, local: LexicalIndex) -> None:
    for query in QUERIES:
        mine, theirs = served.scores(query), local.scores(query)
        assert np.array_equal(np.flatnonzero(mine), np.flatnonzero(theirs)), query
        np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-6, err_msg=query)


def test_sparse_scores_equal_bm25s(lite: AnnConfig, tmp_path: Path, embedder: Embedder) -> None:
    stored = _build(DOCS, tmp_path / "index", lite, embedder)
    served = _served(stored)
    assert served.languages == ["de", "en", "fr", "hi", "tr", "zh"]
    local = _local(stored)
    _assert_same_scores(served, local)
    # Every language's query finds something, the cross-language name in several.
    assert np.count_nonzero(served.scores("Quintrel")) >= 3
    assert np.count_nonzero(served.scores("韦尔莫拉灯塔是谁重建的？")) > 0
    assert np.count_nonzero(served.scores("प्रकाशस्तंभ किसने बनाया?")) > 0
    # A second reader of the same texts rewrites nothing.
    assert _served(stored).written == []


def test_retriever_over_milvus_equals_faiss(
    lite: AnnConfig, tmp_path: Path, embedder: Embedder
) -> None:
    milvus = _build(DOCS, tmp_path / "index", lite, embedder)
    faiss = _build(DOCS, tmp_path / "faiss", AnnConfig(), embedder)
    with_milvus = Retriever(milvus, embedder, cache_dir=tmp_path / "cache")
    with_faiss = Retriever(faiss, embedder, cache_dir=tmp_path / "cache")
    assert isinstance(with_milvus.lexical, MilvusLexical)
    assert isinstance(with_faiss.lexical, LexicalIndex)
    for query in QUERIES:
        a, b = with_milvus.search(query, 5), with_faiss.search(query, 5)
        assert [h.chunk.doc_id for h in a] == [h.chunk.doc_id for h in b], query
        assert [h.retrievers for h in a] == [h.retrievers for h in b], query
        np.testing.assert_allclose(
            [h.relevance for h in a], [h.relevance for h in b], atol=1e-5, err_msg=query
        )


def test_update_is_reflected_and_rewrites_changed_languages_only(
    lite: AnnConfig, tmp_path: Path, embedder: Embedder
) -> None:
    index_dir = tmp_path / "index"
    stored = _build(DOCS, index_dir, lite, embedder)
    first = _served(stored)
    assert sorted(first.written) == ["de", "en", "fr", "hi", "tr", "zh"]
    quoted = "面包店几点开门"
    assert np.count_nonzero(first.scores(quoted)) > 0
    updated = dict(DOCS)
    del updated["zh2.txt"]  # removed: its Chinese terms no longer match
    updated["hi3.txt"] = ("hi", "बंदरगाह पर एक नया प्रकाशस्तंभ 1999 में बना।")  # added
    updated["de2.txt"] = ("de", "Die Bäckerei am Hafen schließt im Winter um vier Uhr.")
    stored2 = _build(updated, index_dir, lite, embedder)
    second = _served(stored2)
    assert sorted(second.written) == ["de", "hi", "zh"]  # en, fr, tr kept as they were
    _assert_same_scores(second, _local(stored2))
    bakery = [r for r, c in enumerate(stored2.chunks) if c.lang == "zh" and "面包" in c.text]
    assert bakery == [] and not np.any(second.scores(quoted) > 0.5)
    new = {r for r, c in enumerate(stored2.chunks) if c.doc_id == "hi3.txt"}
    assert new & set(np.flatnonzero(second.scores("1999 प्रकाशस्तंभ")).tolist())
    assert not np.any(second.scores("Roggenbrot"))  # the changed German text's old term
