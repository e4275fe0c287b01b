"""The lazily read profiles give langdetect the numbers its own loader gives it."""

from __future__ import annotations

import pytest
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

from corpus.ngram_profiles import lazy_factory

TEXTS = [
    "Die Bibliothek öffnet morgen früh um neun Uhr.",
    "La bibliothèque ouvre demain matin à neuf heures.",
    "Kütüphane yarın sabah dokuzda açılıyor.",
    "Библиотека открывается завтра в девять утра.",
    "المكتبة تفتح غدا في التاسعة صباحا.",
    "पुस्तकालय कल सुबह नौ बजे खुलता है।",
    "圖書館明天早上九點開門。",
    "図書館は明日の朝九時に開きます。",
    "Biblioteka otwiera się jutro o dziewiątej rano.",
    "xq zzv 12 ### ok",
]


@pytest.fixture(scope="module")
def factories() -> tuple[DetectorFactory, DetectorFactory]:
    stock = DetectorFactory()
    stock.load_profile(PROFILES_DIRECTORY)
    lazy = lazy_factory(PROFILES_DIRECTORY)
    stock.set_seed(0)
    lazy.set_seed(0)
    return stock, lazy


def test_same_languages_in_the_same_order(factories: tuple[DetectorFactory, ...]) -> None:
    stock, lazy = factories
    assert lazy.langlist == stock.langlist
    assert len(lazy.word_lang_prob_map) == len(stock.word_lang_prob_map)


@pytest.mark.parametrize("text", TEXTS)
def test_same_probabilities(factories: tuple[DetectorFactory, ...], text: str) -> None:
    stock, lazy = factories
    runs = []
    for factory in (stock, lazy):
        detector = factory.create()
        detector.append(text)
        detector.get_probabilities()
        runs.append(detector.langprob)
    assert runs[0] == runs[1]


def test_ngram_rows_equal_the_stock_table(factories: tuple[DetectorFactory, ...]) -> None:
    stock, lazy = factories
    for gram in ["a", "ab", "der", "ş", "的", "ing", " d"]:
        assert (gram in lazy.word_lang_prob_map) == (gram in stock.word_lang_prob_map)
        if gram in stock.word_lang_prob_map:
            assert lazy.word_lang_prob_map[gram] == stock.word_lang_prob_map[gram]
    assert "no such gram" not in lazy.word_lang_prob_map


def test_a_damaged_profile_is_named(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "xx").write_text('{"name": "xx", "freq": {', encoding="utf-8")
    with pytest.raises(LangDetectException, match="xx"):
        lazy_factory(tmp_path)
