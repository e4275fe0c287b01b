"""Per-language analysis: the terms a passage and a question must share to match."""

from __future__ import annotations

import pytest

from corpus.analysis import (
    analyze,
    devanagari_canonical,
    fold_case,
    normalize,
    release_dictionaries,
    shared_terms,
    turkish_lower,
)


def test_turkish_lowercasing_keeps_dotted_and_dotless_i_apart() -> None:
    assert turkish_lower("İSTANBUL IRMAK") == "istanbul ırmak"
    assert analyze("İSTANBUL", "tr") == analyze("istanbul", "tr")
    assert analyze("IRMAK", "tr") == analyze("ırmak", "tr")
    assert analyze("IRMAK", "tr") != analyze("irmak", "tr")


def test_dotted_capital_i_outside_turkish_is_plain_i() -> None:
    assert fold_case("İstanbul") == "istanbul"  # not "i̇stanbul" (i + combining dot)
    assert analyze("IBM", "en") == ["ibm"]


def test_turkish_suffixes_after_an_apostrophe_and_inflection_are_dropped() -> None:
    assert analyze("Allen'ın", "tr") == analyze("Allen", "tr")
    assert analyze("2015'te", "tr") == ["2015"]
    # Fixed-prefix stemming: inflected forms of one word meet.
    assert analyze("madenciliği", "tr") == analyze("madencilik", "tr")


def test_traditional_and_simplified_chinese_segment_to_the_same_words() -> None:
    trad, simp = analyze("數據挖掘的過程", "zh"), analyze("数据挖掘的过程", "zh")
    assert trad == simp
    assert "数据挖掘" in trad and "数据" in trad and "挖掘" in trad  # search-mode segmentation
    assert "的" not in trad  # particle


def test_chinese_keeps_latin_words_and_numbers() -> None:
    terms = analyze("第50届超级碗NFL冠军", "zh")
    assert "50" in terms and "nfl" in terms


@pytest.mark.parametrize(
    ("variant", "plain"),
    [
        ("क़िताब", "किताब"),  # precomposed nukta letter
        ("क\u093cिताब", "किताब"),  # combining nukta
        ("हँसना", "हंसना"),  # candrabindu / anusvara
        ("ज़रूरी", "जरूरी"),
    ],
)
def test_devanagari_spelling_variants_meet(variant: str, plain: str) -> None:
    assert analyze(variant, "hi") == analyze(plain, "hi")


def test_devanagari_canonical_form() -> None:
    assert devanagari_canonical("क़") == "क"
    assert devanagari_canonical("हँ") == "हं"
    assert devanagari_canonical("क्\u200dष") == "क्ष"  # joiner dropped


def test_digits_of_every_script_and_grouping_meet() -> None:
    assert normalize("१२३४") == "1234"
    assert analyze("1,234", "en") == analyze("1.234", "de") == analyze("१,२३४", "hi") == ["1234"]
    assert analyze("１２３", "zh") == ["123"]  # full-width


def test_german_and_english_case_folding_and_stemming() -> None:
    assert analyze("STRASSE", "de") == analyze("Straße", "de")
    assert analyze("Unternehmen", "de") == analyze("UNTERNEHMEN", "de")
    assert analyze("Managers managed", "en") == analyze("manager manage", "en")


def test_question_words_are_not_terms() -> None:
    assert analyze("Wer entscheidet?", "de") == analyze("entscheidet", "de")
    assert analyze("Veri madenciliği nedir?", "tr") == analyze("Veri madenciliği", "tr")
    assert analyze("什么是数据挖掘？", "zh") == analyze("数据挖掘", "zh")


def test_unknown_language_falls_back_to_script_aware_terms() -> None:
    assert analyze("東京タワー", "ja") == ["東京", "京タ", "タワ", "ワー"]  # character bigrams
    assert analyze("Привет, МИР", "xx") == ["привет", "мир"]
    assert analyze("", "xx") == []


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("Was ist ein ERP-System und wer nutzt SAP?", "zh"),
        ("什麼是企業資源規劃(ERP)?", "zh"),
        ("Wer nutzt SAP?", "de"),
    ],
)
def test_shared_terms_are_the_analysed_terms_in_common(question: str, lang: str) -> None:
    """Skipping Chinese segmentation for a question without Han loses no shared term."""
    text = "企業資源規劃(ERP):SAP與Oracle提供的系統,2024年起在E-CRM中使用。"
    asked = set(analyze(question, lang))
    assert shared_terms(text, lang, asked) == set(analyze(text, lang)) & asked
    assert shared_terms(text, lang, asked)


def test_released_dictionaries_load_again_with_the_same_words() -> None:
    """The builder drops jieba's dictionary after the lexical table (index/builder.py);
    the next Chinese text segments as before."""
    text = "灯塔看守人每天擦拭透镜"
    before = analyze(text, "zh")
    import jieba

    release_dictionaries()
    assert not jieba.dt.initialized and not jieba.dt.FREQ  # its ~60 MB let go
    assert analyze(text, "zh") == before
    assert jieba.dt.initialized
