from __future__ import annotations

import pytest

from corpus.cleaning import content_spans
from corpus.document import Document
from corpus.sentences import split_sentences


def _split(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def _non_space(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace())


def _check_invariants(text: str, spans: list[tuple[int, int]], start: int, end: int) -> None:
    """In order, inside [start, end), trimmed, and together holding all the visible text."""
    previous_end = start
    for s, e in spans:
        assert previous_end <= s < e <= end
        assert not text[s].isspace() and not text[e - 1].isspace()
        assert text[previous_end:s].strip() == ""
        previous_end = e
    assert text[previous_end:end].strip() == ""
    assert "".join(_non_space(text[s:e]) for s, e in spans) == _non_space(text[start:end])


def test_latin_boundaries() -> None:
    text = (
        "Hello world. This is e.g. a test, z.B. one. Dr. Smith paid 3.5 dollars! "
        'Really? He said "Stop." Then… left. Er kam am 3. Oktober. Next one'
    )
    assert _split(text) == [
        "Hello world.",
        "This is e.g. a test, z.B. one.",
        "Dr. Smith paid 3.5 dollars!",
        "Really?",
        'He said "Stop."',
        "Then… left.",
        "Er kam am 3. Oktober.",
        "Next one",
    ]


def test_scraped_period_comma() -> None:
    text = "Hafenverwaltung“., Die Stelle wurde wichtiger., In kleineren"
    assert _split(text) == [
        "Hafenverwaltung“.,",
        "Die Stelle wurde wichtiger.,",
        "In kleineren",
    ]


def test_chinese_boundaries_without_spaces() -> None:
    text = "首席技術官需要熟悉哪些監管機構？他說：「好。」然後走了；最後！結束"
    assert _split(text) == [
        "首席技術官需要熟悉哪些監管機構？",
        "他說：「好。」",
        "然後走了；",
        "最後！",
        "結束",
    ]


def test_ascii_question_mark_before_han() -> None:
    assert _split("什麼是CRM?答案是這個。") == ["什麼是CRM?", "答案是這個。"]


def test_devanagari_danda() -> None:
    text = "हार्बर मास्टर और कीपर में फ़र्क है। यह अलग है॥ नहीं।बंदरगाह क्या है? ठीक"
    assert _split(text) == [
        "हार्बर मास्टर और कीपर में फ़र्क है।",
        "यह अलग है॥",
        "नहीं।",
        "बंदरगाह क्या है?",
        "ठीक",
    ]


def test_every_line_break_ends_a_sentence() -> None:
    text = "Heading\r\n\r\n- item one\n- item two.  \rLast line without punct\n"
    assert _split(text) == ["Heading", "- item one", "- item two.", "Last line without punct"]


def test_long_line_without_punctuation_is_one_span() -> None:
    text = " ".join(["word"] * 5000)
    assert split_sentences(text) == [(0, len(text))]


def test_start_and_end_restrict_the_range() -> None:
    text = "Skip me. Take this. And this. Not this."
    start, end = text.index("Take"), text.index("Not")
    spans = split_sentences(text, start, end)
    assert [text[s:e] for s, e in spans] == ["Take this.", "And this."]
    _check_invariants(text, spans, start, end)


@pytest.mark.parametrize("text", ["", "   ", "\n\n", "\u3000"])
def test_nothing_to_split(text: str) -> None:
    assert split_sentences(text) == []


@pytest.mark.parametrize("lang", ["de", "en", "hi", "tr", "zh"])
def test_default_documents(default_docs: dict[str, Document], lang: str) -> None:
    text = default_docs[lang].text
    for start, end in content_spans(text):
        spans = split_sentences(text, start, end)
        assert len(spans) > 5
        _check_invariants(text, spans, start, end)
