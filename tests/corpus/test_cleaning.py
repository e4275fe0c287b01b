from __future__ import annotations

import pytest

from corpus.cleaning import content_spans, count_content_sentences, is_boilerplate
from corpus.document import Document
from corpus.sentences import split_sentences

ZH_MARKERS = ("當前位置", "上一篇", "下一篇", "copyright")


def _texts(text: str) -> list[str]:
    return [text[s:e] for s, e in content_spans(text)]


def test_zh_default_page_loses_navigation_and_footer(default_docs: dict[str, Document]) -> None:
    text = default_docs["zh"].text
    spans = content_spans(text)
    assert spans, "the page has content"
    for start, end in spans:
        assert not any(marker in text[start:end] for marker in ZH_MARKERS)
    # The page has navigation above its content and a footer below, and both are cut: the
    # content starts on a line that is not navigation and ends with a sentence.
    assert any(marker in text[: spans[0][0]] for marker in ZH_MARKERS), "navigation above"
    assert any(marker in text[spans[-1][1] :].lower() for marker in ZH_MARKERS), "footer below"
    assert not is_boilerplate(text[spans[0][0] :].splitlines()[0])
    assert text[: spans[-1][1]].endswith("。")


def test_page_loses_navigation_and_footer() -> None:
    page = (
        "當前位置:港口資訊網 - 航運 - 港務長的職責\n\n港務長的職責\n\n"
        "港務長決定哪些船隻可以進港。冬季風暴時她可以關閉港口。\n\n"
        "• 上一篇:漁船如何申報漁獲?\n• 下一篇:燈塔的歷史(12條)\ncopyright 2024港口資訊網\n"
    )
    assert _texts(page) == [
        "港務長的職責\n\n港務長決定哪些船隻可以進港。冬季風暴時她可以關閉港口。"
    ]


@pytest.mark.parametrize(
    "line",
    [
        "當前位置:港口資訊網 - 航運 - 港務長的職責",
        "当前位置：首页 > 新闻",
        "Home > News > CTO",
        "You are here: Docs",
        "  • 上一篇:漁船如何申報漁獲?",
        "• 下一篇:燈塔的歷史(12條)",
        "Previous article: What is a CTO",
        "copyright 2024港口資訊網",
        "© 2024 Example Inc.",
        "All rights reserved.",
        "版權所有 © 港口資訊網",
        "• • •",
        "-----",
        "",
    ],
)
def test_boilerplate_lines(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "港務長的職責",
        "Copyright law",
        "The CTO should know who holds the copyright on code written by contractors, "
        "since © notices alone do not settle it.",
        "1.",
        "Home office rules for the IT department",
    ],
)
def test_content_lines(line: str) -> None:
    assert not is_boilerplate(line)


def test_spans_are_offsets_into_the_unchanged_text() -> None:
    text = "  Title\r\n\r\nFirst para.\n• 上一篇:x\n\nSecond para.\n  copyright 2024 x  \n"
    spans = content_spans(text)
    assert _texts(text) == ["Title\r\n\r\nFirst para.", "Second para."]
    for start, end in spans:
        assert not text[start].isspace() and not text[end - 1].isspace()


def test_boilerplate_in_the_middle_splits_the_run() -> None:
    text = "One.\nHome > Two\nThree.\n"
    assert _texts(text) == ["One.", "Three."]


def test_no_content() -> None:
    assert content_spans("") == []
    assert content_spans("\n\n  \n") == []
    assert content_spans("© 2024\n* * *\n") == []


def _split_count(text: str) -> int:
    return sum(len(split_sentences(text, a, b)) for a, b in content_spans(text))


MIXED = (
    "# Title\n\nHome > News\nDr. Smith met J. Smith on 3. May. Prices rose 3.5 % again!\n"
    "  \n港務長負責港口的安全。她每天早上查看天氣預報。\n"
    f"![img](data:image/png;base64,{'QUJD' * 100}) Text after the image. And more\n"
    "© 2024 Example Corp. All rights reserved\n- a\n- b\r\nlast line…"
)


def test_sentences_are_counted_as_the_chunker_splits_them(
    default_docs: dict[str, Document],
) -> None:
    """The sentence budget counts what chunking will split: headings, abbreviations,
    navigation and footer lines, an inlined image, CJK stops, CRLF."""
    texts = [d.text for d in default_docs.values()] + [MIXED]
    assert [count_content_sentences(t) for t in texts] == [_split_count(t) for t in texts]
    assert count_content_sentences(MIXED) == 11


def test_counting_stops_past_the_limit() -> None:
    text = "a\n" * 100_000
    assert count_content_sentences(text) == 100_000
    assert count_content_sentences(text, stop_after=999) == 1000
    assert count_content_sentences("One. Two.\n" * 3, stop_after=100) == 6
