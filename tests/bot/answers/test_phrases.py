"""The fixed phrases: every table complete, language lists that read right in each
language, English for languages without a table, and an off-topic bank per language."""

from __future__ import annotations

import re
import string

import pytest

from bot.answers import phrases
from bot.retrieval.calibration import offtopic_questions

ISSUE_LANGS = ("ru", "ar", "ja", "ko", "pt", "it", "nl", "pl", "uk", "vi", "id", "fa", "sv")
TABLED = ("en", "tr", "hi", "de", "zh", "es", "fr", *ISSUE_LANGS)
# Lists of one, two and three languages, mixing the table's own language with others.
LISTS = (["de"], ["de", "zh"], ["en", "de", "zh"], ["it", "en"], ["vi", "hi", "ar"])


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_at_least_twenty_languages_have_a_table() -> None:
    assert set(TABLED) <= set(phrases.LANGUAGES)
    assert len(phrases.LANGUAGES) >= 20
    assert len(set(phrases.LANGUAGES)) == len(phrases.LANGUAGES)


@pytest.mark.parametrize("lang", phrases.LANGUAGES)
def test_table_has_the_english_keys_and_placeholders(lang: str) -> None:
    english, table = phrases.PHRASES["en"], phrases.PHRASES[lang]
    assert set(table) == set(english)
    for key, text in table.items():
        assert text.strip(), key
        assert _placeholders(text) == _placeholders(english[key]), key
    assert table["found_in_other"].count("{langs}") == 1
    if lang != "en":  # translated: only words like "Chat" or "Filter" may stay as they are
        same = [key for key in table if table[key] == english[key]]
        assert len(same) <= 4, same


@pytest.mark.parametrize("lang", phrases.LANGUAGES)
def test_table_names_every_language_polyqa_speaks(lang: str) -> None:
    names = phrases.LANG_NAMES[lang]
    assert set(phrases.LANGUAGES) <= set(names)
    assert all(name.strip() and "{" not in name for name in names.values())
    assert len(set(names.values())) == len(names), "two languages share a name"


def test_each_language_calls_itself_by_a_name_of_its_own() -> None:
    own = [phrases.t("language_name", lang) for lang in phrases.LANGUAGES]
    assert len(set(own)) == len(own)


@pytest.mark.parametrize("lang", phrases.LANGUAGES)
@pytest.mark.parametrize("codes", LISTS, ids=lambda codes: "+".join(codes))
def test_found_in_other_reads_with_one_to_three_languages(lang: str, codes: list[str]) -> None:
    listed = phrases.lang_list(codes, lang)
    text = phrases.t("found_in_other", lang, langs=listed)
    assert "{" not in text and "}" not in text
    positions = [text.find(phrases.lang_name(c, lang)) for c in codes]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), text
    assert not re.search(r"\s{2}|\s[,、،]|^\s|\s$", text), text


@pytest.mark.parametrize(
    ("lang", "codes", "expected"),
    [
        ("en", ["en", "de", "zh"], "in English, German and Chinese sources"),
        ("de", ["de", "zh"], "in deutschen und chinesischen Quellen"),
        ("de", ["hi"], "in hindisprachigen Quellen"),
        ("es", ["it", "en"], "en fuentes en italiano e inglés"),
        ("es", ["de", "zh"], "en fuentes en alemán y chino"),
        ("fr", ["de", "zh"], "dans des sources en allemand et en chinois"),
        ("ru", ["de", "hi"], "в источниках на немецком и хинди"),
        ("uk", ["vi", "it"], "дають в’єтнамські та італійські джерела"),
        ("pl", ["it", "hi"], "w źródłach po włosku i w hindi"),
        ("ar", ["en", "de", "zh"], "في مصادر إنجليزية وألمانية وصينية"),
        ("fa", ["en", "de", "zh"], "در منابع انگلیسی، آلمانی و چینی آمده"),
        ("ja", ["de", "zh"], "ドイツ語と中国語の資料"),
        ("ja", ["en", "de", "zh"], "英語、ドイツ語、中国語の資料"),
        ("ko", ["de", "zh"], "독일어와 중국어 자료"),
        ("ko", ["en", "de", "zh"], "영어, 독일어, 중국어 자료"),
        ("zh", ["en", "de", "zh"], "英文、德文和中文資料"),
        ("vi", ["de", "zh"], "nguồn bằng tiếng Đức và tiếng Trung"),
        ("id", ["en", "de", "zh"], "berbahasa Inggris, Jerman, dan Mandarin"),
        ("sv", ["de", "zh"], "i tyska och kinesiska källor"),
        ("nl", ["de", "hi"], "in Duitse en Hinditalige bronnen"),
    ],
)
def test_language_names_take_the_form_the_phrase_needs(
    lang: str, codes: list[str], expected: str
) -> None:
    assert expected in phrases.t("found_in_other", lang, langs=phrases.lang_list(codes, lang))


@pytest.mark.parametrize("lang", ["sw", "el", "und", ""])
def test_a_language_without_a_table_falls_back_to_english(lang: str) -> None:
    assert phrases.phrase_lang(lang) == "en"
    assert phrases.t("not_found", lang) == phrases.PHRASES["en"]["not_found"]
    assert phrases.t("upload_types", lang, types=".txt") == "Formats: .txt"
    assert phrases.lang_list(["de", "zh"], lang) == "German and Chinese"


def test_a_language_without_a_name_is_cited_by_its_code() -> None:
    assert phrases.lang_name("el", "de") == "el"
    assert phrases.lang_list(["de", "el"], "ru") == "немецком и el"


def test_phrases_fill_their_placeholders() -> None:
    counts = {"added": "3", "changed": "1", "unchanged": "0", "chunks": "120"}
    for lang in phrases.LANGUAGES:
        done = phrases.t("upload_done", lang, **counts)
        assert all(v in done for v in counts.values()) and "{" not in done, lang
        skipped = phrases.t("upload_skipped", lang, name="a.pdf", reason="no text layer")
        assert "a.pdf" in skipped and "no text layer" in skipped, lang


@pytest.mark.parametrize("lang", TABLED)
def test_offtopic_bank_has_twelve_everyday_questions_per_language(lang: str) -> None:
    questions = offtopic_questions()[lang]
    assert len(set(questions)) >= 12
    assert all(q.strip() == q and q for q in questions)
