"""Language directions: the part of a vector that says which language a text is in.

A multilingual model's vectors carry the text's language as well as its meaning: every
German passage shares a German direction, every Turkish question a Turkish one. Cosines
then rate a passage in the question's own language higher whatever it says, so a
Turkish passage on the topic beats the German one that answers. Removing each
language's mean direction makes vectors of one meaning in two languages closer
(Libovický et al., "On the Language Neutrality of Pre-trained Multilingual
Representations", 2020).

The means must hold the language and nothing else, so they are estimated on parallel
text: the off-topic question bank (bot/retrieval/data/offtopic_questions.json) asks the
same everyday questions in every language it covers. A language's direction is its
mean vector minus the mean over all languages, once with the bank embedded as queries
(for questions) and once as passages (for documents). A language the bank does not
cover is left as it is.

Applied where vectors are compared: the question's vector before search, the passages'
and sentences' vectors of the candidates it scores (``passages``); the stored index is
not changed, so an index is independent of this and needs no rebuilding.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bot.retrieval.calibration import bank_vectors
from index.embedder import Embedder


def _unit(vecs: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vecs, axis=-1, keepdims=True)
    return np.asarray(vecs / np.maximum(norms, 1e-12), dtype=np.float32)


def _directions(means: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    overall = np.mean(list(means.values()), axis=0)
    return {lang: np.asarray(m - overall, dtype=np.float32) for lang, m in means.items()}


class LanguageDirections:
    """Per language, the direction its questions and its passages share."""

    def __init__(self, query: dict[str, np.ndarray], passage: dict[str, np.ndarray]) -> None:
        self._query = query
        self._passage = passage

    @classmethod
    def from_bank(cls, embedder: Embedder, cache_dir: Path | None = None) -> LanguageDirections:
        """Estimated on the off-topic bank, embedded both ways (cached in ``cache_dir``)."""
        queries = bank_vectors(embedder, cache_dir, kind="query")
        passages = bank_vectors(embedder, cache_dir, kind="passage")
        return cls(
            _directions({lang: v.mean(axis=0) for lang, v in queries.items()}),
            _directions({lang: v.mean(axis=0) for lang, v in passages.items()}),
        )

    @property
    def languages(self) -> list[str]:
        return sorted(self._query)

    def query(self, vec: np.ndarray, lang: str) -> np.ndarray:
        """The question's vector without its language's direction, unit length."""
        shift = self._query.get(lang)
        return np.asarray(vec, dtype=np.float32) if shift is None else _unit(vec - shift)

    def shifts(self, langs: Sequence[str]) -> np.ndarray:
        """One row per passage: its language's direction (zero for one not covered)."""
        dim = len(next(iter(self._passage.values())))
        zero = np.zeros(dim, dtype=np.float32)
        return np.stack([self._passage.get(lang, zero) for lang in langs]).astype(np.float32)

    def passages(self, vecs: np.ndarray, langs: Sequence[str]) -> np.ndarray:
        """Passage vectors without their languages' directions, unit length."""
        if len(langs) == 0:
            return np.asarray(vecs, dtype=np.float32)
        return _unit(np.asarray(vecs, dtype=np.float32) - self.shifts(langs))
