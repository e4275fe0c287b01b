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


GLOSSARY = [
    "潮汐表(QRX):港務員每晚記下的漲潮鐘點。",  # 0 zh
    "燈塔的燈光每晚由看守人檢查。",  # 1 zh
    "漁船在清晨出海捕魚。",  # 2 zh
    "Ein Lager wird von der Logistik geführt.",  # 3 de
]
GLOSSARY_LANGS = ["zh", "zh", "zh", "de"]


def test_a_term_shared_across_scripts_is_not_drowned_by_the_others() -> None:
    """A Turkish question shares only the acronym with the Chinese entry: its other words
    cannot occur in Chinese text, so they weigh a fraction in the zh index's mass."""
    ix = LexicalIndex(GLOSSARY, GLOSSARY_LANGS)
    alone = ix.match("QRX", "zh")[0]
    asked = ix.match("Şirketlerde QRX sistemi ne işe yarar ve kim yönetir?", "zh")
    assert list(asked) == [0]
    # Counted at full IDF, the six Turkish words would leave the acronym under a tenth.
    assert asked[0] > 0.15 * alone
    # Unseen words in the index's own script still count in full: a question asking
    # for more than a passage holds keeps a low share.
    own = ix.match("Lager Zebra Giraffe Mango Banane Kiwi", "de")
    assert 0 < own[3] < 0.25 * ix.match("Lager", "de")[3]


def test_main_script_ignores_numbers_and_breaks_ties_by_name() -> None:
    from index.lexical_mass import main_script, script

    assert script("qrx") == "LATIN" and script("潮汐") == "CJK" and script("2024") == "?"
    assert script("şirket") == "LATIN" and script("कंपनी") == "DEVANAGARI"
    assert main_script(["潮汐", "燈塔", "qrx", "2024", "12"]) == "CJK"
    assert main_script(["ab", "潮汐"]) == main_script(["潮汐", "ab"]) == "CJK"
    assert main_script([]) == "?"
