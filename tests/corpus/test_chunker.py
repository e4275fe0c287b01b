from __future__ import annotations

import hashlib
import itertools
import random
import string
from collections.abc import Callable

import pytest

from corpus.chunker import chunk_document
from corpus.cleaning import content_spans
from corpus.document import Chunk, Document
from corpus.sentences import split_sentences

Counter = Callable[[str], int]

LATIN = (
    "The CIO runs the IT operations. He or she looks for ways to cut costs.\n\n"
    "The CTO manages the engineering department. The CTO merges technology with "
    "production. Vendors matter too.\n"
)
CHINESE = (
    "港務長的職責\n\n港務長決定哪些船隻可以進港。冬季風暴時她可以關閉港口好幾天。"
    "漁民每天晚上向她的辦公室申報漁獲。"
)
HINDI = (
    "हार्बर मास्टर और लाइटहाउस कीपर में फ़र्क;\nहार्बर मास्टर, यानी बंदरगाह की प्रमुख, तय करती है कि "
    "कौन से जहाज़ बंदरगाह में आ सकते हैं। सर्दियों के तूफ़ानों में वह बंदरगाह को कई दिनों के लिए "
    "बंद कर सकती है। मछुआरों को हर शाम अपनी पकड़ की जानकारी देनी होती है।"
)
ZH_MARKERS = ("當前位置", "上一篇", "下一篇", "copyright")


def _doc(text: str, lang: str = "en", doc_id: str = "d.txt") -> Document:
    sha = hashlib.sha256(text.encode()).hexdigest()
    return Document(doc_id, f"/x/{doc_id}", "Title", lang, text, sha)


def _sentences(doc: Document) -> list[tuple[int, int]]:
    return [s for a, b in content_spans(doc.text) for s in split_sentences(doc.text, a, b)]


def _check(doc: Document, chunks: list[Chunk], count: Counter, max_tokens: int) -> None:
    """Offsets round-trip, every chunk fits, and every sentence's text is in some chunk."""
    assert chunks
    for i, chunk in enumerate(chunks):
        assert doc.text[chunk.start : chunk.end] == chunk.text
        assert chunk.chunk_id == f"{doc.doc_id}#{i}"
        assert (chunk.doc_id, chunk.path, chunk.title) == (doc.doc_id, doc.path, doc.title)
        assert count(chunk.text) <= max_tokens
    covered = [False] * len(doc.text)
    for chunk in chunks:
        covered[chunk.start : chunk.end] = [True] * (chunk.end - chunk.start)
    for start, end in _sentences(doc):
        assert all(covered[i] or doc.text[i].isspace() for i in range(start, end))


@pytest.mark.parametrize(("text", "lang"), [(LATIN, "en"), (CHINESE, "zh"), (HINDI, "hi")])
@pytest.mark.parametrize("max_tokens", [8, 12, 20, 512])
def test_scripts_round_trip_and_fit(
    count_tokens: Counter, text: str, lang: str, max_tokens: int
) -> None:
    doc = _doc(text, lang)
    _check(doc, chunk_document(doc, count_tokens, max_tokens), count_tokens, max_tokens)


@pytest.mark.parametrize("lang", ["de", "en", "hi", "tr", "zh"])
@pytest.mark.parametrize("max_tokens", [32, 64, 256, 512])
def test_default_documents(
    default_docs: dict[str, Document], count_tokens: Counter, lang: str, max_tokens: int
) -> None:
    doc = default_docs[lang]
    chunks = chunk_document(doc, count_tokens, max_tokens)
    _check(doc, chunks, count_tokens, max_tokens)
    long_chunks = [c for c in chunks if sum(ch.isalpha() for ch in c.text) >= 200]
    assert all(c.lang == lang for c in long_chunks)


def test_zh_navigation_and_footer_never_enter_a_chunk(
    default_docs: dict[str, Document], count_tokens: Counter
) -> None:
    doc = default_docs["zh"]
    assert all(marker in doc.text for marker in ZH_MARKERS)
    for max_tokens in (32, 256, 512):
        for chunk in chunk_document(doc, count_tokens, max_tokens):
            assert not any(marker in chunk.text for marker in ZH_MARKERS), chunk.text


def test_boilerplate_between_content_is_not_spanned(count_tokens: Counter) -> None:
    doc = _doc("First part here.\n• 上一篇:old news\nSecond part here.\n")
    chunks = chunk_document(doc, count_tokens, 512)
    assert [c.text for c in chunks] == ["First part here.", "Second part here."]


def test_over_long_latin_sentence_is_cut_at_spaces(count_tokens: Counter) -> None:
    words = [f"w{i}" for i in range(300)]
    doc = _doc("Intro. " + " ".join(words) + " end. Outro.")
    chunks = chunk_document(doc, count_tokens, 40, overlap=0)
    _check(doc, chunks, count_tokens, 40)
    seen = [w for c in chunks for w in c.text.split()]
    assert seen == doc.text.split(), "each word exactly once, in order, none cut in half"


def test_over_long_chinese_sentence_is_cut_between_characters(count_tokens: Counter) -> None:
    text = "信息" * 500 + "。"
    doc = _doc(text, "zh")
    chunks = chunk_document(doc, count_tokens, 50, overlap=0)
    _check(doc, chunks, count_tokens, 50)
    assert "".join(c.text for c in chunks) == text
    assert max(count_tokens(c.text) for c in chunks) == 50, "pieces are as long as they can be"


def test_estimate_too_low_is_corrected(count_tokens: Counter) -> None:
    """A tokenizer whose count of a whole exceeds the sum of its parts (here: line breaks
    cost tokens) makes the estimate optimistic; the real count must still be respected."""

    def costly_breaks(text: str) -> int:
        return count_tokens(text) + 3 * text.count("\n")

    text = "\n".join(f"Line number {i} is here." for i in range(60))
    doc = _doc(text)
    _check(doc, chunk_document(doc, costly_breaks, 30), costly_breaks, 30)


def test_overlap_repeats_the_last_sentence(count_tokens: Counter) -> None:
    text = " ".join(f"Sentence number {i} is short." for i in range(30))
    doc = _doc(text)
    chunks = chunk_document(doc, count_tokens, 24, overlap=1)
    assert len(chunks) > 3
    for prev, nxt in itertools.pairwise(chunks):
        last_sentence = prev.text[prev.text.rindex("Sentence") :]
        assert nxt.text.startswith(last_sentence)
        assert nxt.end > prev.end, "progress"


def test_no_overlap(count_tokens: Counter) -> None:
    text = " ".join(f"Sentence number {i} is short." for i in range(30))
    doc = _doc(text)
    chunks = chunk_document(doc, count_tokens, 24, overlap=0)
    for prev, nxt in itertools.pairwise(chunks):
        assert nxt.start > prev.end
    assert " ".join(c.text for c in chunks) == text


@pytest.mark.parametrize("overlap", [2, 8])
def test_large_overlap_still_progresses(count_tokens: Counter, overlap: int) -> None:
    text = " ".join(f"Sentence number {i} is short." for i in range(30))
    doc = _doc(text)
    chunks = chunk_document(doc, count_tokens, 24, overlap=overlap)
    _check(doc, chunks, count_tokens, 24)
    assert all(b.start > a.start and b.end > a.end for a, b in itertools.pairwise(chunks))
    assert chunks[-1].end == len(text)


def test_prefers_to_end_at_a_paragraph(count_tokens: Counter) -> None:
    para = " ".join(f"Fact {i} here." for i in range(4))  # 4 sentences, 12 words
    doc = _doc(f"{para}\n\n{para}\n\n{para}")
    chunks = chunk_document(doc, count_tokens, 2 + 20, overlap=0)
    assert [c.text for c in chunks] == [para, para, para]


def test_count_tokens_is_called_sparingly(default_docs: dict[str, Document]) -> None:
    calls = 0

    def counting(text: str) -> int:
        nonlocal calls
        calls += 1
        return 2 + len(text.split()) + sum("\u3400" <= ch <= "\u9fff" for ch in text)

    doc = default_docs["en"]
    chunks = chunk_document(doc, counting, 128)
    assert calls <= len(_sentences(doc)) + 2 * len(chunks) + 1


def test_short_chunk_takes_the_document_language(count_tokens: Counter) -> None:
    doc = _doc("Was macht ein CTO?\n\nEr leitet die Technik.", lang="de")
    assert {c.lang for c in chunk_document(doc, count_tokens, 512)} == {"de"}


def test_long_chunk_gets_its_own_language(count_tokens: Counter) -> None:
    text = "Der CTO leitet die Technologie und entscheidet, welche Produkte entwickelt werden."
    doc = _doc(text, lang="en")
    assert [c.lang for c in chunk_document(doc, count_tokens, 512)] == ["de"]


def test_empty_and_boilerplate_only_documents_have_no_chunks(count_tokens: Counter) -> None:
    assert chunk_document(_doc("© 2024 x\n"), count_tokens, 64) == []


def test_budget_without_room_is_refused(count_tokens: Counter) -> None:
    with pytest.raises(ValueError, match="max_tokens=2"):
        chunk_document(_doc("Some text."), count_tokens, 2)


def test_short_lines_whose_breaks_cost_tokens_take_a_few_counts_a_chunk(
    count_tokens: Counter,
) -> None:
    """The estimate leaves out what the line breaks cost, so each run is far over; it is
    shrunk in a few counts (not one per line dropped) to the longest run that fits."""
    calls = 0

    def costly_breaks(text: str) -> int:
        nonlocal calls
        calls += 1
        return count_tokens(text) + 3 * text.count("\n")

    text = "\n".join(f"Line {i} is here" for i in range(3000))
    doc = _doc(text)
    chunks = chunk_document(doc, costly_breaks, 64, overlap=0)
    _check(doc, chunks, costly_breaks, 64)
    assert calls <= len(_sentences(doc)) + 4 * len(chunks) + 1
    for chunk, following in itertools.pairwise(chunks):
        next_line_end = text.index("\n", following.start) if "\n" in following.text else None
        longer = text[chunk.start : next_line_end]
        assert costly_breaks(longer) > 64, "each chunk is as long as it can be"


def test_a_heading_goes_with_the_text_it_names(count_tokens: Counter) -> None:
    # Title and heading do not fit with the body: the chunk ends before the heading,
    # and the next one starts with it (no overlap from before a new section).
    body = "Every vendor signs the contract before any delivery starts."
    text = f"Supply chain\nVendors:\n{body}\nAnother vendor rule follows here."
    chunks = chunk_document(_doc(text), count_tokens, 2 + 11, overlap=1)
    assert [c.text for c in chunks][:2] == ["Supply chain", f"Vendors:\n{body}"]


def test_a_list_of_label_lines_is_cut_by_the_budget(count_tokens: Counter) -> None:
    # Every line looks like a heading; none names text that follows, so chunks are as
    # long as the budget allows, not a line each.
    text = "\n".join(f"Item {i} in stock" for i in range(40)) + "\nThe list ends here."
    chunks = chunk_document(_doc(text), count_tokens, 2 + 20, overlap=0)
    _check(_doc(text), chunks, count_tokens, 2 + 20)
    assert len(chunks) <= 10 and all(c.text.count("\n") >= 3 for c in chunks[:-1])


class PieceCounter:
    """Counts as a SentencePiece tokenizer gives them: a token per word, and an empty text
    one more (its lone "▁", which any text absorbs), so a one-letter line costs nothing
    beyond the overhead when counted alone but a token in a run. Calls are counted."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, text: str) -> int:
        self.calls += 1
        return 2 + max(len(text.split()), 1)


@pytest.mark.parametrize("repeat", [True, False], ids=["same-letter", "random-letters"])
def test_one_letter_lines_take_a_few_counts_a_chunk(repeat: bool) -> None:
    """Issue 17: 2,000,000 one-letter lines sat in chunking for minutes: such lines are 0
    tokens each by their own count, so a run grew to the whole window and shrank one
    line per count (quadratic). A run now holds at most max_tokens lines and shrinks by
    galloping: a few counts a chunk, whatever the window's length."""
    rng = random.Random(0)
    letters = ["a" if repeat else rng.choice(string.ascii_lowercase) for _ in range(20_000)]
    text = "\n".join(letters) + "\n"
    counter = PieceCounter()
    doc = Document("lines.txt", "/d/lines.txt", "lines", "en", text, "sha")
    chunks = chunk_document(doc, counter, 64, 1)
    assert all(2 + len(c.text.split()) <= 64 for c in chunks)
    assert all(c.text.count("\n") >= 50 for c in chunks[:-1]), "chunks are full, not a line each"
    covered = {i for c in chunks for i in range(c.start, c.end)}
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())
    sentence_counts = len(set(letters)) + 1  # one per distinct line, and the overhead
    assert counter.calls - sentence_counts <= 12 * len(chunks), (counter.calls, len(chunks))


def test_a_long_line_is_counted_a_few_times_its_length() -> None:
    """Issue 17: a 2 MB one-line text took 88 s to chunk, worse than linear: counting the
    rest of the line for every piece. Pieces are found by galloping from their start, so
    the characters counted stay a small multiple of the line's length."""
    rng = random.Random(0)
    line = " ".join(rng.choice(["data", "officer", "strategy", "unit"]) for _ in range(40_000))
    counted = []

    def counter(text: str) -> int:
        counted.append(len(text))
        return 2 + max(len(text.split()), 1)

    doc = Document("line.txt", "/d/line.txt", "line", "en", line, "sha")
    chunks = chunk_document(doc, counter, 64, 1)
    assert all(counter(c.text) <= 64 for c in chunks)
    assert len(chunks) > 500
    assert sum(counted) < 30 * len(line), (sum(counted) / len(line), len(counted))
