"""Checking an answer against its sources, sentence by sentence.

Every answer sentence names its sources with ``[n]``; it counts as supported when it says
what one of the cited passages' sentences says. Meaning is compared with the embedding
model, which works across languages: a Turkish answer sentence can be checked against
the German sentence it came from. Extractive sentences are copies of their source and
pass trivially; the check matters for text written by a language model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from corpus.sentences import split_sentences
from index.embedder import Embedder

MARKER = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")
# Passage-to-passage cosine of e5: paraphrases and translations score >= 0.85,
# sentences that merely share the topic 0.75-0.83.
SUPPORT_MIN = 0.84


@dataclass(frozen=True)
class CheckedSentence:
    text: str
    cites: tuple[int, ...]
    support: float
    supported: bool


def cited_numbers(text: str) -> tuple[int, ...]:
    out: list[int] = []
    for group in MARKER.findall(text):
        out.extend(int(n) for n in re.split(r"\s*,\s*", group) if int(n) not in out)
    return tuple(out)


def claim_text(sentence: str) -> str:
    """The sentence without its markers and quotes: what is compared with the source."""
    return MARKER.sub("", sentence).strip().strip("“”\"'«»„").strip()


def answer_sentences(text: str, fixed: Sequence[str] = ()) -> list[str]:
    """Sentences of an answer, leaving out the fixed phrases (headers, notices)."""
    out = []
    for a, b in split_sentences(text):
        s = text[a:b]
        if claim_text(s) and claim_text(s) not in fixed:
            out.append(s)
    return out


def check(
    sentences: Sequence[str], passages: dict[int, str], embedder: Embedder
) -> list[CheckedSentence]:
    """Support of each sentence: best similarity to a sentence of a passage it cites."""
    claims = [claim_text(s) for s in sentences]
    cites = [tuple(n for n in cited_numbers(s) if n in passages) for s in sentences]
    units: list[tuple[int, str]] = []
    for n, passage in passages.items():
        units.extend((n, passage[a:b]) for a, b in split_sentences(passage))
    if not claims or not units:
        return [CheckedSentence(s, c, 0.0, False) for s, c in zip(sentences, cites, strict=True)]
    vecs = embedder.embed_passages(claims + [u for _, u in units])
    cv, uv = vecs[: len(claims)], vecs[len(claims) :]
    owners = np.array([n for n, _ in units])
    out = []
    for i, sentence in enumerate(sentences):
        mask = np.isin(owners, cites[i])
        best = float((uv[mask] @ cv[i]).max()) if mask.any() else 0.0
        out.append(CheckedSentence(sentence, cites[i], best, best >= SUPPORT_MIN))
    return out
