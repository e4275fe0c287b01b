"""Retrieval policy: fusion, balance, parallel passages, pool restriction, provenance.

Unit tests build a tiny index from hand-made vectors; the tests marked with the real
model show the two promises of hybrid retrieval: a question that shares no word with
the passage finds it (dense), and one quoting a rare term finds it even where the dense
score misses (lexical).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from bot.retrieval.retriever import Hit, Mode, Pool, RetrievalConfig, Retriever, _round_robin, _rrf
from corpus.analysis import analyze
from corpus.document import Chunk
from index.embedder import Embedder
from index.faiss_index import FlatIPIndex
from index.store import DocRecord, IndexParams, StoredIndex


def make_store(
    texts: Sequence[str], langs: Sequence[str], vectors: np.ndarray, docs: Sequence[str] = ()
) -> StoredIndex:
    """One document per text unless ``docs`` names them; row i is texts[i]."""
    docs = list(docs) or [f"{lang}/d{i}.txt" for i, lang in enumerate(langs)]
    dim = vectors.shape[1]
    chunks = [
        Chunk(f"{d}#{i}", d, d, d, lang, 0, len(t), t)
        for i, (t, lang, d) in enumerate(zip(texts, langs, docs, strict=True))
    ]
    records = {
        d: DocRecord(d, d, d, lang, "0" * 64, 1, "2026-01-01T00:00:00")
        for d, lang in zip(docs, langs, strict=True)
    }
    index = FlatIPIndex(dim)
    index.add(vectors.astype(np.float32))
    return StoredIndex(IndexParams("test", dim, 128, 1), records, chunks, index)


def embedded_store(embedder: Embedder, texts: Sequence[str], langs: Sequence[str]) -> StoredIndex:
    return make_store(texts, langs, embedder.embed_passages(list(texts)))


class NoModel:
    """An embedder for hand-made vectors: the query vector is always passed in."""

    name, dim, max_tokens = "none", 4, 512

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.tile(np.eye(self.dim, dtype=np.float32)[0], (len(texts), 1))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        raise AssertionError("tests pass query_vec")

    def count_tokens(self, text: str) -> int:
        return len(text.split())


def unit(*xs: float) -> np.ndarray:
    v = np.asarray(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


# --------------------------------------------------------------------------- pure parts


def test_rrf_credits_rank_not_score() -> None:
    assert _rrf(1, 60) == pytest.approx(1 / 61)
    assert _rrf(None, 60) == 0.0
    dense, lexical = [10, 11, 12], [12, 13]  # hand-made ranked lists of rows
    fused = {r: _rrf(_pos(dense, r), 60) + _pos_rrf(lexical, r) for r in {*dense, *lexical}}
    assert max(fused, key=lambda r: (fused[r], -r)) == 12  # in both lists beats first in one


def _pos(lst: list[int], row: int) -> int | None:
    return lst.index(row) + 1 if row in lst else None


def _pos_rrf(lst: list[int], row: int) -> float:
    return _rrf(_pos(lst, row), 60)


def test_round_robin_gives_every_language_a_place() -> None:
    score = {1: 0.9, 2: 0.8, 3: 0.7, 4: 0.3, 5: 0.2}
    en, de = [1, 2, 3], [4, 5]  # German scores lower across the board
    assert list(_round_robin([en, de], score)) == [1, 4, 2, 5, 3]


# --------------------------------------------------------------------------- hand-made index

TEXTS = [
    "The CTO manages the product line.",  # 0 en
    "Der CTO verwaltet die Produktlinie.",  # 1 de, translation of 0
    "The CIO runs internal IT operations.",  # 2 en
    "Der CIO leitet den internen IT-Betrieb.",  # 3 de, translation of 2
    "Unternehmen und Produkte und Unternehmen.",  # 4 de, shares words only
]
LANGS_ = ["en", "de", "en", "de", "de"]
VECS = np.stack(
    [
        unit(1, 0.05, 0, 0),
        unit(1, 0.06, 0, 0),
        unit(0, 1, 0.05, 0),
        unit(0, 1, 0.06, 0),
        unit(0.2, 0.2, 1, 0),
    ]
)


def hand_retriever(**cfg: object) -> Retriever:
    store = make_store(TEXTS, LANGS_, VECS)
    # neutral and debias need the off-topic bank embedded: hand-made vectors have no model
    config = RetrievalConfig(rerank=False, debias=0.0, neutral=False, **cfg)  # type: ignore[arg-type]
    return Retriever(store, NoModel(), config)  # type: ignore[arg-type]


def test_translations_are_linked_and_folded_into_one_hit() -> None:
    r = hand_retriever()
    assert r.links.of(0) == (1,) and r.links.of(2) == (3,)
    hits = r.search("CTO product line", 5, query_vec=unit(1, 0.1, 0, 0))
    assert hits[0].row == 0 and {2, 4} <= {h.row for h in hits}
    assert hits[0].translations == (1,) and hits[0].translation_chunks[0].lang == "de"
    assert 1 not in [h.row for h in hits]  # shown once, with its translation
    assert hits[0].to_dict()["translations"][0]["doc_id"] == "de/d1.txt"


def test_hits_say_which_retrievers_found_them() -> None:
    r = hand_retriever()
    hits = {h.row: h for h in r.search("CTO product line", 5, query_vec=unit(1, 0.1, 0, 0))}
    assert hits[0].retrievers == ("dense", "lexical", "parallel")
    assert hits[2].retrievers == ("dense",)  # no shared word; its translation adds nothing
    lexical = hand_retriever(mode="lexical").search("CTO", 5, query_vec=unit(1, 0, 0, 0))
    assert {h.retrievers for h in lexical} <= {("lexical",), ("lexical", "parallel")}
    assert all("CTO" in h.chunk.text for h in lexical)
    dense = hand_retriever(mode="dense", parallel=False).search("x", 5, query_vec=unit(1, 0, 0, 0))
    assert [h.retrievers for h in dense] == [("dense",)] * 5


def test_pool_restriction_applies_to_every_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    """An excluded document is never scored: the result equals an index without it."""
    r = hand_retriever()
    assert r.lexical is not None
    calls: list[set[int]] = []
    lexical_scores = r._lexical_scores

    def spy(query: str, allowed: np.ndarray) -> np.ndarray:
        out = lexical_scores(query, allowed)
        calls.append(set(np.flatnonzero(out).tolist()))
        return out

    monkeypatch.setattr(r, "_lexical_scores", spy)
    qvec = unit(1, 0.1, 0.3, 0)
    hits = r.search("CTO Produktlinie", 5, Pool(exclude_langs=frozenset({"de"})), qvec)
    assert {h.chunk.lang for h in hits} == {"en"}
    assert all(h.translations == () for h in hits)  # the German twins are out of the pool
    assert calls and all(rows and rows <= {0, 2} for rows in calls)
    alone = make_store([TEXTS[0], TEXTS[2]], ["en", "en"], VECS[[0, 2]])
    same = Retriever(
        alone, NoModel(), RetrievalConfig(rerank=False, debias=0.0, neutral=False)
    ).search("CTO Produktlinie", 5, None, qvec)
    assert [(h.chunk.text, round(h.relevance, 6)) for h in hits] == [
        (h.chunk.text, round(h.relevance, 6)) for h in same
    ]
    out = r.search("CTO", 5, Pool(exclude_docs=frozenset({"en/d0.txt"})), qvec)
    assert "en/d0.txt" not in {h.chunk.doc_id for h in out}


def test_same_language_word_overlap_does_not_crowd_out_the_translated_answer() -> None:
    """A German question: row 4 shares its words, rows 0/1 (en+de) answer it."""
    r = hand_retriever()
    hits = r.search("Welche Produkte verwaltet der CTO?", 2, query_vec=unit(1, 0.1, 0.9, 0))
    assert 0 in {h.row for h in hits} or 1 in {h.row for h in hits}


def test_a_fact_in_one_language_only_is_not_outranked_for_lacking_translations() -> None:
    """Row 5, German with no translation, matches better than row 1, the German side of
    the translated pair 0/1, and nearly as well as row 0; the pair's consensus lifts row 0's
    relevance above row 5's, yet the one-language fact ranks first on its own standing.
    Its relevance (what the answer's confidence reads) is its evidence alone."""
    texts, langs = [*TEXTS, "Der CTO berichtet an den Vorstand."], [*LANGS_, "de"]
    alone = unit(0.5, 0, 0, 1)
    store = make_store(texts, langs, np.vstack([VECS, alone]))
    r = Retriever(store, NoModel(), RetrievalConfig(rerank=False, debias=0.0, neutral=False))
    qvec = unit(1, 0, 0, 0.8)
    assert r.links.of(5) == ()
    hits = r.search("zzz", 3, query_vec=qvec)  # shares no word: dense evidence alone
    by_row = {h.row: h for h in hits}
    assert hits[0].row == 5 and 0 in by_row
    assert by_row[5].relevance == pytest.approx(float(alone @ qvec), abs=1e-5)
    assert by_row[0].relevance > by_row[5].relevance  # its translation vouches for it


def test_search_is_deterministic_and_ties_break_by_row() -> None:
    store = make_store(["same text"] * 3, ["en"] * 3, np.tile(unit(1, 0, 0, 0), (3, 1)))
    r = Retriever(
        store, NoModel(), RetrievalConfig(rerank=False, parallel=False, debias=0.0, neutral=False)
    )
    runs = [[h.row for h in r.search("same", 3, query_vec=unit(1, 0, 0, 0))] for _ in range(3)]
    assert runs == [[0, 1, 2]] * 3


def test_empty_pool_and_k() -> None:
    r = hand_retriever()
    assert r.search("x", 5, Pool(langs=frozenset({"fr"})), unit(1, 0, 0, 0)) == []
    assert r.search("x", 0, None, unit(1, 0, 0, 0)) == []


def test_hit_dict_keeps_its_keys() -> None:
    hit = hand_retriever().search("CTO", 1, query_vec=unit(1, 0, 0, 0))[0]
    assert isinstance(hit, Hit)
    keys = {"rank", "score", "doc_id", "path", "title", "lang", "start", "end", "text"}
    assert keys | {"retrievers"} <= set(hit.to_dict())


# --------------------------------------------------------------------------- real model

PASSAGES = [
    "The company's chief financial officer prepares the annual budget and reports to the board.",
    "Photosynthesis turns sunlight, water and carbon dioxide into sugar and oxygen in leaves.",
    "The river flooded the old town twice last century, so a new dam was built upstream.",
    "Regular exercise lowers blood pressure and reduces the risk of heart disease.",
]
CROSS_QUERIES = {
    "zh": ("植物如何利用阳光制造养分？", 1),
    "hi": ("नियमित व्यायाम दिल की बीमारी के खतरे को कैसे कम करता है?", 3),
    "tr": ("Şirketin yıllık bütçesini kim hazırlar?", 0),
}


@pytest.mark.parametrize("lang", sorted(CROSS_QUERIES))
def test_dense_finds_a_passage_sharing_no_word_with_the_question(
    embedder: Embedder, lang: str
) -> None:
    query, target = CROSS_QUERIES[lang]
    store = embedded_store(embedder, PASSAGES, ["en"] * len(PASSAGES))
    assert not set(analyze(query, "en")) & set(analyze(PASSAGES[target], "en"))
    modes: tuple[Mode, ...] = ("dense", "hybrid")
    for mode in modes:
        r = Retriever(store, embedder, RetrievalConfig(mode=mode))
        assert r.search(query, 1)[0].row == target, mode


RARE = [
    "During the spring inspection the technicians swapped out QZ7-XJ4M; its gasket had cracked."
]
RARE += [f"Valve QZ7-XJ4{c} was replaced because it leaked." for c in "KRTPLNW"]
RARE_QUERIES = [
    "QZ7-XJ4M vanası neden değiştirildi?",
    "QZ7-XJ4M 閥門為什麼被更換？",
    "वाल्व QZ7-XJ4M क्यों बदला गया?",
]


@pytest.mark.parametrize("query", RARE_QUERIES)
def test_a_quoted_rare_term_is_found_where_the_dense_score_misses(
    embedder: Embedder, query: str
) -> None:
    """The passages worded like the question name other valves: the model prefers them."""
    store = embedded_store(embedder, RARE, ["en"] * len(RARE))
    dense = Retriever(store, embedder, RetrievalConfig(mode="dense")).search(query, 5)
    assert 0 not in [h.row for h in dense]
    hybrid = Retriever(store, embedder, RetrievalConfig()).search(query, 5)
    assert 0 in [h.row for h in hybrid[:2]]
    lexical = Retriever(store, embedder, RetrievalConfig(mode="lexical")).search(query, 5)
    assert lexical[0].row == 0 and "lexical" in lexical[0].retrievers
