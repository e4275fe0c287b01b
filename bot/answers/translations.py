"""Translations of cited sentences: the same sentence as the other languages' documents
say it, shown under a source so a reader can check a quote in a language they read.

Found by meaning at answer time (the cited sentence is searched in the other languages),
not from index/parallel.py's chunk links: those pair whole passages, a citation is one
sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from bot.questions import clean_question
from bot.retrieval.retriever import Pool, Retriever
from corpus.document import Chunk
from corpus.sentences import split_sentences

if TYPE_CHECKING:
    from bot.answers.composer import Answer, Citation


@dataclass(frozen=True)
class Parallel:
    """The cited sentence as another language's document says it (found by meaning)."""

    lang: str
    doc_id: str
    title: str
    start: int
    end: int
    text: str
    score: float


# Two sentences closer than this (cosine of passage embeddings) say the same thing; the
# composer uses the same bar (bot.answers.composer.SAME_FACT).
PARALLEL_MIN = 0.88
# A translation is about as long as its original once a Han character (about a word) is
# weighted as three letters; "-3 ->", a leftover line of a web page, is near everything
# in the model's eyes and like no sentence in length.
LENGTH_RATIO = 3.0
MIN_LETTERS = 4


@dataclass
class _ParallelJob:
    """One citation's sentence (index ``x`` into the texts to embed) and its candidates."""

    n: int
    x: int
    own: list[int]  # the cited passage's sentences, ``x`` among them
    cands: list[tuple[Chunk, int, int, int]] = field(default_factory=list)  # chunk, start, end, i


def cited_translations(retriever: Retriever, answer: Answer) -> dict[int, list[Parallel]]:
    """For each citation, its supporting sentence as the other languages' documents say it.

    Candidates are the sentences of each other language's best passage for the sentence;
    one counts as a translation when it is close (PARALLEL_MIN) and the match is mutual:
    of the cited passage's sentences, the cited one is its nearest. The mutual test is
    what keeps a sentence that merely shares the topic from passing as a translation.
    """
    langs = retriever.languages
    texts: list[str] = []
    jobs = [
        _parallel_job(retriever, c, [lang for lang in langs if lang != c.lang], texts)
        for c in (answer.citations if answer.found else ())
        if c.support and len(langs) > 1
    ]
    if not jobs:
        return {}
    vecs = retriever.embedder.embed_passages(texts)
    out: dict[int, list[Parallel]] = {}
    for job in jobs:
        best: dict[str, tuple[float, Chunk, int, int, int]] = {}
        for ch, s, e, i in job.cands:
            sim = float(vecs[i] @ vecs[job.x])
            if sim >= PARALLEL_MIN and sim > best.get(ch.lang, (-1.0,))[0]:
                best[ch.lang] = (sim, ch, s, e, i)
        found = [
            Parallel(lang, ch.doc_id, ch.title, s, e, texts[i], sim)
            for lang, (sim, ch, s, e, i) in sorted(best.items())
            if job.own[int(np.argmax(vecs[job.own] @ vecs[i]))] == job.x
        ]
        if found:
            out[job.n] = found
    return out


def _parallel_job(
    retriever: Retriever, c: Citation, others: list[str], texts: list[str]
) -> _ParallelJob:
    """Queue the texts one citation needs embedded (appended to ``texts``)."""
    own = [(c.start + a, c.start + b, c.text[a:b]) for a, b in split_sentences(c.text)]
    job = _ParallelJob(c.n, -1, list(range(len(texts), len(texts) + len(own))))
    texts += [text for _, _, text in own]
    cited = (c.sentence_start, c.sentence_end)  # a definition is cited with its term: 2 lines
    job.x = next((i for i, (s, e, _) in zip(job.own, own, strict=True) if (s, e) == cited), -1)
    if job.x < 0:
        job.x = len(texts)
        texts.append(c.support[0].text)
        job.own.append(job.x)
    query = clean_question(texts[job.x])  # as a question typed in the search box would be
    for hit in retriever.search(query, len(others), Pool(langs=frozenset(others))):
        ch = hit.chunk
        for a, b in split_sentences(ch.text):
            if _comparable(texts[job.x], ch.text[a:b]):
                job.cands.append((ch, ch.start + a, ch.start + b, len(texts)))
                texts.append(ch.text[a:b])
    return job


def _weight(text: str) -> int:
    return sum(3 if "\u3400" <= ch <= "\u9fff" else 1 for ch in text if ch.isalpha())


def _comparable(original: str, candidate: str) -> bool:
    """Could ``candidate`` be a translation of ``original``, by length alone?"""
    a, b = _weight(original), _weight(candidate)
    return min(a, b) >= MIN_LETTERS and max(a, b) <= LENGTH_RATIO * min(a, b)
