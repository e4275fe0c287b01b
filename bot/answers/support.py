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
    """Support of each sentence: best similarity to a sentence of a passage it cites.

    A sentence found word for word in a passage it cites is supported (1.0) without the
    model: embedding an extractive answer's claims and its passages' sentences was a
    fifth of a cold `polyqa ask`, to learn that copies match their source."""
    claims = [claim_text(s) for s in sentences]
    cites = [tuple(n for n in cited_numbers(s) if n in passages) for s in sentences]
    flat = {n: _flat(p) for n, p in passages.items()}
    copied = [
        bool(c) and any(_flat(c) in flat[n] for n in ns)
        for c, ns in zip(claims, cites, strict=True)
    ]
    rest = [i for i, done in enumerate(copied) if not done]
    support = dict.fromkeys((i for i, done in enumerate(copied) if done), 1.0)
    support.update(
        _by_model([claims[i] for i in rest], [cites[i] for i in rest], passages, embedder, rest)
    )
    return [
        CheckedSentence(s, c, support[i], support[i] >= SUPPORT_MIN)
        for i, (s, c) in enumerate(zip(sentences, cites, strict=True))
    ]


def _by_model(
    claims: list[str],
    cites: list[tuple[int, ...]],
    passages: dict[int, str],
    embedder: Embedder,
    keys: list[int],
) -> dict[int, float]:
    """Per claim (by its key): best cosine to a sentence of the passages it cites."""
    if not claims:
        return {}
    wanted = sorted({n for ns in cites for n in ns})
    units: list[tuple[int, str]] = []
    for n in wanted:
        passage = passages[n]
        units.extend((n, passage[a:b]) for a, b in split_sentences(passage))
    if not units:
        return dict.fromkeys(keys, 0.0)
    vecs = embedder.embed_passages(claims + [u for _, u in units])
    cv, uv = vecs[: len(claims)], vecs[len(claims) :]
    owners = np.array([n for n, _ in units])
    out = {}
    for key, vec, cited in zip(keys, cv, cites, strict=True):
        mask = np.isin(owners, cited)
        out[key] = float((uv[mask] @ vec).max()) if mask.any() else 0.0
    return out


def _flat(text: str) -> str:
    return " ".join(text.split())
