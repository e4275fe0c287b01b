"""Parallel passages: chunks in different languages that say the same thing.

A corpus often holds one text in several languages (the default corpus has three
translations of one article). Linking them lets a search show one passage with its
translations instead of the same fact three times, and lets the translations vouch for
each other: a passage whose translations also match the question is more likely the
answer than one that matches alone (bot/retrieval/retriever.py uses both).

Translations are found with the model's own vectors and the *margin* criterion of
parallel-sentence mining (Artetxe & Schwenk, "Margin-based parallel corpus mining with
multilingual sentence embeddings", ACL 2019): a pair is linked when its cosine stands
out against both chunks' typical nearest neighbours in the other language, i.e.

    margin(a, b) = cos(a, b) / ((knn_B(a) + knn_A(b)) / 2) >= threshold

where knn_B(a) is the mean cosine of a to its k nearest chunks of language B. A raw
cosine threshold does not work: e5's cosines are high for any two texts on one topic.
On xquad-dev (the same paragraphs in five languages, chunked independently) a threshold
of 1.02 links 98% of chunks with 99.9% of links between the same paragraph.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

logger = logging.getLogger(__name__)

MARGIN = 1.02
NEIGHBOURS = 4
# Chunks compared at once per language pair: bounds memory at BLOCK x (chunks of B) floats.
_BLOCK = 2048


@dataclass(frozen=True)
class ParallelLinks:
    """For every store row, the rows of its translations (best margin first)."""

    links: tuple[tuple[int, ...], ...]
    build_seconds: float = 0.0

    def of(self, row: int) -> tuple[int, ...]:
        return self.links[row] if 0 <= row < len(self.links) else ()

    @property
    def pairs(self) -> int:
        return sum(len(x) for x in self.links) // 2

    @classmethod
    def empty(cls, n: int) -> ParallelLinks:
        return cls(tuple(() for _ in range(n)))


def link_parallel(
    vectors: np.ndarray,
    langs: Sequence[str],
    doc_ids: Sequence[str],
    threshold: float = MARGIN,
    k: int = NEIGHBOURS,
) -> ParallelLinks:
    """Link chunks of different languages (and documents) whose margin is >= threshold."""
    started = time.perf_counter()
    n = len(langs)
    rows_of: dict[str, np.ndarray] = {}
    for lang in sorted(set(langs)):
        rows_of[lang] = np.flatnonzero(np.asarray(langs) == lang)
    found: list[dict[int, float]] = [{} for _ in range(n)]
    names = sorted(rows_of)
    for i, lang_a in enumerate(names):
        for lang_b in names[i + 1 :]:
            _link_pair(vectors, rows_of[lang_a], rows_of[lang_b], doc_ids, threshold, k, found)
    links = tuple(
        tuple(r for r, _ in sorted(f.items(), key=lambda kv: (-kv[1], kv[0]))) for f in found
    )
    out = ParallelLinks(links, time.perf_counter() - started)
    logger.info("parallel passages: %d links in %.2fs", out.pairs, out.build_seconds)
    return out


def _link_pair(
    vectors: np.ndarray,
    rows_a: np.ndarray,
    rows_b: np.ndarray,
    doc_ids: Sequence[str],
    threshold: float,
    k: int,
    found: list[dict[int, float]],
) -> None:
    """Margin-link the chunks of language A with those of language B (both directions)."""
    if rows_a.size == 0 or rows_b.size == 0:
        return
    va, vb = vectors[rows_a], vectors[rows_b]
    knn_a_to_b = np.concatenate(
        [_knn_mean(va[s : s + _BLOCK] @ vb.T, k) for s in range(0, len(va), _BLOCK)]
    )
    knn_b_to_a = np.concatenate(
        [_knn_mean(vb[s : s + _BLOCK] @ va.T, k) for s in range(0, len(vb), _BLOCK)]
    )
    for s in range(0, len(va), _BLOCK):
        sims = va[s : s + _BLOCK] @ vb.T
        margin = sims / ((knn_a_to_b[s : s + _BLOCK, None] + knn_b_to_a[None, :]) / 2)
        for i, j in zip(*np.nonzero(margin >= threshold), strict=True):
            a, b = int(rows_a[s + i]), int(rows_b[j])
            if doc_ids[a] != doc_ids[b]:
                found[a][b] = found[b][a] = float(margin[i, j])


def _knn_mean(sims: np.ndarray, k: int) -> np.ndarray:
    """Mean of each row's k largest similarities (all of them when there are fewer)."""
    k = min(k, sims.shape[1])
    top = np.partition(sims, sims.shape[1] - k, axis=1)[:, -k:]
    return np.asarray(top.mean(axis=1))
