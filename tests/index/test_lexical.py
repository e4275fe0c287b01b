"""The BM25 index: per-language analysis, calibrated scores, pool restriction, ties."""

from __future__ import annotations

from index.lexical import LexicalIndex

TEXTS = [
    "Mara Okonjo topped the squad with 14 saves.",  # 0 en
    "Tove Lindqvist topped the squad in blocks (97).",  # 1 en
    "Die Falcons ließen nur 275 Punkte zu.",  # 2 de
    "猎鹰队防守只丢了275分。",  # 3 zh
    "Falcons savunması sadece 275 sayı verdi.",  # 4 tr
    "Tove Lindqvist topped the squad in blocks (97).",  # 5 en, a duplicate of 1
]
LANGS = ["en", "en", "de", "zh", "tr", "en"]


def test_rare_term_ranks_its_passage_first() -> None:
    ix = LexicalIndex(TEXTS, LANGS)
    assert [r for _, r in ix.search("How many blocks did Lindqvist make?", "en", 3)] == [1, 5]


def test_each_language_is_searched_with_its_own_analyser() -> None:
    ix = LexicalIndex(TEXTS, LANGS)
    # A Chinese question quoting a number finds the number in every language's passage.
    for lang, row in (("de", 2), ("zh", 3), ("tr", 4)):
        assert [r for _, r in ix.search("猎鹰队丢了多少分？275", lang, 3)] == [row]
    assert ix.search("猎鹰队丢了多少分", "zh", 3)[0][1] == 3  # segmented: 猎鹰 / 丢 / 分


def test_scores_are_a_share_of_the_query() -> None:
    ix = LexicalIndex(TEXTS, LANGS)
    full = ix.search("Mara Okonjo saves", "en", 1)[0][0]
    part = ix.search("Mara Okonjo saves Ravens Bergen Halvorsen", "en", 1)[0][0]
    assert 0 < part < full <= 1.5


def test_allowed_rows_restrict_before_ranking() -> None:
    ix = LexicalIndex(TEXTS, LANGS)
    assert [r for _, r in ix.search("Lindqvist blocks", "en", 3, allowed={5, 0})] == [5]
    assert ix.search("Lindqvist blocks", "en", 3, allowed=set()) == []
    assert ix.match("Lindqvist", "en", allowed=[0]) == {}


def test_ties_are_broken_by_row() -> None:
    ix = LexicalIndex(TEXTS, LANGS)
    hits = ix.search("Lindqvist", "en", 5)
    assert hits[0][0] == hits[1][0] and [r for _, r in hits] == [1, 5]


def test_unknown_language_empty_query_and_empty_corpus() -> None:
    ix = LexicalIndex(TEXTS, LANGS)
    assert ix.search("Lindqvist", "fr", 3) == []
    assert ix.search("the of ?", "en", 3) == []
    empty = LexicalIndex([], [])
    assert empty.languages == [] and empty.search("x", "en", 3) == []
    no_terms = LexicalIndex(["?!", "..."], ["en", "en"])
    assert no_terms.search("anything", "en", 3) == []
