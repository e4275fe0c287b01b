"""Translations of cited sentences: the same sentence as the other languages' documents
say it, shown under a source so a reader can check a quote in a language they read.

They come from the sentence links of index/parallel.py: only documents aligned as
translations of each other have them, so a sentence of a text that merely shares the
topic (another article about the same role) is never shown as "the same in another
language". Looked up, not searched: no model work at answer time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from corpus.sentences import split_sentences

if TYPE_CHECKING:
    from bot.answers.composer import Answer, Citation
    from bot.retrieval.retriever import Retriever


@dataclass(frozen=True)
class Parallel:
    """The cited sentence as another language's document says it."""

    lang: str
    doc_id: str
    title: str
    start: int
    end: int
    text: str
    score: float  # the link's margin (index/parallel.py)


# A translation is about as long as its original once a Han character (about a word) is
# weighted as three letters; "-3 ->", a leftover line of a web page, is near everything
# in the model's eyes and like no sentence in length.
LENGTH_RATIO = 3.0
MIN_LETTERS = 4


def cited_translations(retriever: Retriever, answer: Answer) -> dict[int, list[Parallel]]:
    """For each citation (by number), its supporting sentence in the other languages."""
    out: dict[int, list[Parallel]] = {}
    for c in answer.citations if answer.found else ():
        found = _translations(retriever, c)
        if found:
            out[c.n] = found
    return out


def _translations(retriever: Retriever, c: Citation) -> list[Parallel]:
    """The linked sentences of every sentence in the cited span, as one span per document
    (a definition is cited with its term: two lines, each linked on its own)."""
    spans: dict[str, tuple[int, int, float]] = {}
    langs: dict[str, str] = {}
    for a, _ in split_sentences(c.text):
        start = c.start + a
        if not c.sentence_start <= start < c.sentence_end:
            continue
        for t in retriever.links.translations(c.doc_id, start):
            lo, hi, margin = spans.get(t.doc_id, (t.start, t.end, t.margin))
            spans[t.doc_id] = (min(lo, t.start), max(hi, t.end), min(margin, t.margin))
            langs[t.doc_id] = t.lang
    cited = c.text[c.sentence_start - c.start : c.sentence_end - c.start]
    docs = retriever.stored.documents
    out = []
    for doc_id, (start, end, margin) in sorted(spans.items(), key=lambda kv: langs[kv[0]]):
        text = retriever.document_text(doc_id, start, end)
        if text is not None and _comparable(cited, text):
            title = docs[doc_id].title if doc_id in docs else doc_id
            out.append(Parallel(langs[doc_id], doc_id, title, start, end, text, margin))
    return out


def _weight(text: str) -> int:
    return sum(3 if "\u3400" <= ch <= "\u9fff" else 1 for ch in text if ch.isalpha())


def _comparable(original: str, candidate: str) -> bool:
    """Could ``candidate`` be a translation of ``original``, by length alone?"""
    a, b = _weight(original), _weight(candidate)
    return min(a, b) >= MIN_LETTERS and max(a, b) <= LENGTH_RATIO * min(a, b)
