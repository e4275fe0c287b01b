"""Each passage's background: how it scores for questions that it cannot answer.

Two uses. Retrieval removes the model's preference for passages in the question's own
language before languages are compared (``language_offsets``), and answers are judged
found or not by how far a passage stands above its background (``z_scores``).

e5's absolute similarities are high even for unrelated text (0.75-0.85), and some
passages are near everything, so neither a constant nor the query's own score spread
separates answerable from unanswerable questions. What does: how far a passage's score
for this question stands above its scores for a bank of everyday questions asked in the
same language (bot/retrieval/data/offtopic_questions.json). On the default corpus, questions it
answers reach 3.5-10 standard deviations; questions about boiling water, football or
bread stay below 2.6 (tests/bot/answers/test_composer.py).

The bank covers every language with answer phrases (bot/answers/phrases/, twenty); a
question in another language is judged against all of them at once, which is stricter:
"Что делает технический директор?" scored 2.9 that way and 4.6 against Russian ones.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

import numpy as np

from index.embedder import Embedder


@cache
def offtopic_questions() -> dict[str, tuple[str, ...]]:
    data = json.loads(
        resources.files("bot.retrieval").joinpath("data/offtopic_questions.json").read_text()
    )
    return {lang: tuple(qs) for lang, qs in data["questions"].items()}


class Calibrator:
    """Per-passage mean and spread of similarity to off-topic questions, per language."""

    def __init__(self, embedder: Embedder, vectors: np.ndarray, langs: list[str]) -> None:
        bank = offtopic_questions()
        self._bank = {lang: embedder.embed_queries(list(qs)) for lang, qs in bank.items()}
        self._bank_any = np.concatenate(list(self._bank.values()))
        self._stats = {lang: _stats(vectors @ qv.T) for lang, qv in self._bank.items()}
        self._any = _stats(vectors @ self._bank_any.T)
        self._langs = np.array(langs)

    def z_scores(self, scores: np.ndarray, lang: str) -> np.ndarray:
        """How unusual each passage's score is for it (rows of the full index)."""
        mean, std = self._stats.get(lang, self._any)
        return (scores - mean) / std

    def language_offsets(self, lang: str) -> dict[str, float]:
        """How much the model favours passages of each language for questions in ``lang``.

        The mean similarity of each language's passages to everyday questions asked in
        ``lang``: passages in the question's own language get a higher baseline, which
        is bias, not relevance, and is subtracted before languages are compared.
        """
        mean, _ = self._stats.get(lang, self._any)
        return {str(g): float(mean[self._langs == g].mean()) for g in np.unique(self._langs)}


def _stats(sims: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return sims.mean(axis=1), sims.std(axis=1) + 1e-3
