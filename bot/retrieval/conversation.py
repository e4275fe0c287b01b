"""Follow-up questions read in the light of the earlier turns, without a language model.

"Wer hat die Brücke entworfen?" then "Wann wurde sie eröffnet?": the second question names
nothing; searched alone it finds whatever talks about openings. Three mechanisms, each
made of the model and the texts only, so they hold in any language and for documents
polyqa has never seen (no word lists: pronouns, question words and particles differ in
every language, and a list is never complete):

- **The subject of a turn** is found by occlusion: each word of the question is left out
  in turn and the question re-embedded; the words whose absence moves the vector most
  carry its meaning ("Brücke", "photosynthesis", "вулкан"), the question words and
  particles barely move it. The subject is the span from the first to the last such word.
- **The follow-up's query** is the follow-up with the earlier subject added: its own
  words decide which sentence answers, the subject which thing it is about ("Wann
  wurde sie eröffnet? Brücke"). Pasting the whole earlier question instead finds
  the earlier answer again: its words outweigh the follow-up's.
- **Topic continuity**: the passages are re-ranked by adding how much closer each is to
  the earlier turn's question than the candidates are on average (``TOPIC_WEIGHT`` times
  the cosine above their mean): a passage on the conversation's topic is evidence for
  the follow-up, and the confidence computed from it says so.

Whether the earlier turns are used at all is decided by the service on the evidence
(bot/service.py): a question that is answered alone stands alone.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from index.embedder import Embedder

if TYPE_CHECKING:
    from bot.retrieval.retriever import Hit, Pool, Retriever

logger = logging.getLogger(__name__)

# A word belongs to the subject when leaving it out moves the question's vector at least
# this share of what the most important word moves it.
SUBJECT_SHARE = 0.6
# Times the cosine of a passage with the earlier question added to its relevance.
TOPIC_WEIGHT = 1.0
# Times a passage's cosine to the passage the earlier turn's evidence ranked first (above
# the candidates' mean) added to its place in the follow-up's ranking: "Wie funktioniert
# sie?" after "Was ist eine Wärmepumpe?" is answered in the passage that answered the
# first question. Only the top passage: the second and third are weaker evidence of the
# topic and pulled the follow-up's gold out of the top 5 on roles-dev's dialogs.
ANCHOR_WEIGHT = 1.0
# Candidates re-ranked for a follow-up (the retriever's per-language depth).
TOPIC_DEPTH = 30
# Earlier turns looked at: the last few carry the subject of a conversation.
MAX_EARLIER = 4
_SPACELESS = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Earlier:
    """One earlier turn as a follow-up needs it: what it asked about (``subject``, in
    the words the user used), the vector of what was searched for it, the sentence its
    answer led with (document id, start), which the follow-up should not repeat, and the
    passage its evidence ranked first (``rows``), where the conversation's topic is."""

    question: str
    subject: str
    qvec: np.ndarray
    said: tuple[tuple[str, int], ...] = ()
    rows: tuple[int, ...] = ()  # the passage its evidence ranked first


@dataclass(frozen=True)
class FollowUp:
    """How to search a follow-up: the query, the subject it carries over, the earlier
    turn it continues."""

    question: str
    query: str
    subject: str
    earlier: Earlier


def words(text: str) -> list[tuple[int, int]]:
    """Word spans: runs between spaces with punctuation trimmed; scripts written without
    spaces (Han, kana) cut into words by jieba's dictionary."""
    out: list[tuple[int, int]] = []
    for match in re.finditer(r"\S+", text):
        span = _trimmed(text, match.start(), match.end())
        if span is None:
            continue
        start, end = span
        if not _SPACELESS.search(text[start:end]):
            out.append(span)
            continue
        pos = start
        for piece in _jieba().cut(text[start:end], HMM=False):
            inner = _trimmed(text, pos, pos + len(piece))
            if inner is not None:
                out.append(inner)
            pos += len(piece)
    return out


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span without punctuation, symbols and spaces at its ends (None if nothing is left)."""
    while start < end and unicodedata.category(text[start])[0] in "PSZ":
        start += 1
    while end > start and unicodedata.category(text[end - 1])[0] in "PSZ":
        end -= 1
    return (start, end) if start < end else None


@cache
def _jieba() -> Any:
    import jieba  # only for questions with Han or kana, as the Chinese analyser

    jieba.setLogLevel(logging.WARNING)
    return jieba


def subject_of(question: str, embedder: Embedder) -> str:
    """The words of ``question`` that carry its meaning, found by occlusion (see the
    module docstring); the whole question when it has one word or none."""
    spans = words(question)
    if len(spans) < 2:
        return question.strip()
    variants = [_without(question, s, e) for s, e in spans]
    vectors = embedder.embed_queries([question, *variants])
    moved = 1.0 - vectors[1:] @ vectors[0]
    picked = np.flatnonzero(moved >= SUBJECT_SHARE * float(moved.max()))
    return question[spans[int(picked[0])][0] : spans[int(picked[-1])][1]]


def _without(text: str, start: int, end: int) -> str:
    return " ".join((text[:start] + " " + text[end:]).split())


def follow_up(question: str, earlier: Sequence[Earlier]) -> FollowUp | None:
    """The follow-up's query with the latest earlier turn's subject, or None without
    earlier turns."""
    if not earlier:
        return None
    last = earlier[-1]
    query = f"{question.strip()} {last.subject}".strip()
    return FollowUp(question, query, last.subject, last)


class TopicRetriever:
    """A retriever whose searches favour the earlier turn's topic; everything else is
    the wrapped retriever's own (the composer reads its sentences, links, model)."""

    def __init__(
        self,
        retriever: Retriever,
        topic: np.ndarray,
        weight: float = TOPIC_WEIGHT,
        rows: Sequence[int] = (),
    ):
        self._retriever = retriever
        self._topic = np.asarray(topic, dtype=np.float32)
        self._weight = weight
        self._anchor = retriever.vectors_of(list(rows)) if rows else None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._retriever, name)

    def search(
        self,
        query: str,
        k: int,
        pool: Pool | None = None,
        query_vec: np.ndarray | None = None,
        lang: str | None = None,
    ) -> list[Hit]:
        """The wrapped search's candidates, re-ranked by relevance plus topic closeness
        above the candidates' mean, and closeness to the earlier turn's passage."""
        hits = self._retriever.search(query, max(k, TOPIC_DEPTH), pool, query_vec, lang)
        if not hits:
            return hits
        # Compared as the search compares vectors (without language directions when the
        # config removes them: the topic is a query vector of that search).
        closeness, anchored = [], []
        for h in hits:
            vecs = self._retriever.vectors_of([h.row, *h.translations])
            closeness.append(float(np.max(vecs @ self._topic)))
            if self._anchor is not None:
                anchored.append(float(np.max(vecs @ self._anchor.T)))
        level = float(np.mean(closeness))
        relevance = [
            h.relevance + self._weight * (c - level) for h, c in zip(hits, closeness, strict=True)
        ]
        # The passage the earlier answer came from orders the candidates, but does not
        # raise their relevance: the confidence that decides whether the earlier turns
        # are used at all stays the topic's alone (a bonus for the old passage would make
        # every new subject look like a follow-up).
        order = np.asarray(relevance)
        if anchored:
            order = order + ANCHOR_WEIGHT * (np.asarray(anchored) - float(np.mean(anchored)))
        ranked = sorted(range(len(hits)), key=lambda i: (-float(order[i]), hits[i].row))
        scored = [(relevance[i], hits[i]) for i in ranked]
        return [replace(h, rank=i, relevance=s) for i, (s, h) in enumerate(scored[:k], 1)]
