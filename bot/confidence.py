"""Did retrieval find an answer at all? A bar relative to each passage's own background.

e5's absolute similarities are high even for unrelated text (0.75-0.85), and some
passages are near everything, so neither a constant nor the query's own score spread
separates answerable from unanswerable questions. What does: how far a passage's score
for this question stands above its scores for a bank of everyday questions asked in the
same language (bot/data/offtopic_questions.json). On the default corpus, questions it
answers reach 3.5-10 standard deviations; questions about boiling water, football or
bread stay below 2.6 (tests/bot/test_answer.py).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

import numpy as np

from index.embedder import Embedder

MIN_CONFIDENCE = 3.0


@cache
def offtopic_questions() -> dict[str, tuple[str, ...]]:
    data = json.loads(resources.files("bot").joinpath("data/offtopic_questions.json").read_text())
    return {lang: tuple(qs) for lang, qs in data["questions"].items()}


class Calibrator:
    """Per-passage mean and spread of similarity to off-topic questions, per language."""

    def __init__(self, embedder: Embedder, vectors: np.ndarray) -> None:
        bank = offtopic_questions()
        self._stats: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        all_vecs = []
        for lang, questions in bank.items():
            qv = embedder.embed_queries(list(questions))
            all_vecs.append(qv)
            self._stats[lang] = _stats(vectors @ qv.T)
        self._any = _stats(vectors @ np.concatenate(all_vecs).T)

    def z_scores(self, scores: np.ndarray, lang: str) -> np.ndarray:
        """How unusual each passage's score is for it (rows of the full index)."""
        mean, std = self._stats.get(lang, self._any)
        return (scores - mean) / std


def _stats(sims: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return sims.mean(axis=1), sims.std(axis=1) + 1e-3
