"""Each passage's background: how it scores for questions that it cannot answer.

Retrieval removes the model's preference for passages in the question's own language
before languages are compared (``language_offsets``): e5's absolute similarities are high
even for unrelated text (0.75-0.85), and higher for a passage in the question's own
language whatever it says. The background is the mean similarity of each language's
passages to a bank of everyday questions asked in the question's language
(bot/retrieval/data/offtopic_questions.json). (It once also judged whether an answer was
found, by how many standard deviations the best passage stood above it; on roles-dev that
told right from wrong answers no better than chance, see bot/answers/confidence.py.)

The bank covers every language with answer phrases (bot/answers/phrases/, twenty); a
question in another language is judged against all of them at once.

The bank's vectors depend only on the model and the bank, so they are kept in the cache
dir (one file per model and bank version) instead of being embedded at every start: the
retriever consults the calibrator on every search, so a question would otherwise embed
the whole bank first.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import re
import zipfile
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np

from index.embedder import Embedder

logger = logging.getLogger(__name__)


@cache
def _bank_text() -> str:
    return resources.files("bot.retrieval").joinpath("data/offtopic_questions.json").read_text()


@cache
def offtopic_questions() -> dict[str, tuple[str, ...]]:
    data = json.loads(_bank_text())
    return {lang: tuple(qs) for lang, qs in data["questions"].items()}


# Passages from which the background is computed from each language's centroid instead
# of passage by passage. The two are equal (a mean of inner products is the inner
# product of the means) up to float rounding; per passage, a 10^6-chunk index would
# multiply 10^6 vectors by the whole bank (minutes) at every start, by centroids it reads
# each vector once. At the default corpus's and eval sets' sizes nothing changes.
CENTROID_MIN_PASSAGES = 50_000
# Passages converted to float32 at once (bounds memory over a float16 memory map).
_BLOCK = 1 << 16
# Passages a language's centroid is estimated from, evenly spaced over its rows: reading
# and widening all 10^6 float16 vectors was 1.8 s of the load (bench/README.md, issue 15).
# A mean of this many unit vectors is within ~1e-3 of the whole language's in every
# offset measured (the 10^6-chunk bench index: 4.3e-5 at most, 0.36 s against 1.72).
CENTROID_SAMPLE = 1 << 16


class Calibrator:
    """Per-passage mean similarity to off-topic questions, per question language."""

    def __init__(
        self,
        embedder: Embedder,
        vectors: np.ndarray,
        rows: Mapping[str, np.ndarray],
        cache_dir: Path | None = None,
    ) -> None:
        """``rows``: each language's rows of ``vectors`` (ascending), as the retriever
        keeps them; a 10^6-chunk index's languages are not worked out again here."""
        self._bank = bank_vectors(embedder, cache_dir)
        self._bank_any = np.concatenate(list(self._bank.values()))
        self._rows = {str(g): np.asarray(r) for g, r in sorted(rows.items())}
        self._names = list(self._rows)
        self._offsets: dict[str, dict[str, float]] = {}
        self._centroids: dict[str, np.ndarray] | None = None
        self._means: dict[str, np.ndarray] = {}
        if len(vectors) >= CENTROID_MIN_PASSAGES:
            self._centroids = {g: _centroid(vectors, r) for g, r in self._rows.items()}
        else:
            self._means = {lang: (vectors @ qv.T).mean(axis=1) for lang, qv in self._bank.items()}
            self._any = (vectors @ self._bank_any.T).mean(axis=1)

    def language_offsets(self, lang: str) -> dict[str, float]:
        """How much the model favours passages of each language for questions in ``lang``.

        The mean similarity of each language's passages to everyday questions asked in
        ``lang``: passages in the question's own language get a higher baseline, which
        is bias, not relevance, and is subtracted before languages are compared.
        Computed once per question language (the retriever asks at every search).
        """
        key = lang if lang in self._bank else ""
        found = self._offsets.get(key)
        if found is None:
            found = self._offsets[key] = self._compute(key)
        return dict(found)

    def _compute(self, key: str) -> dict[str, float]:
        bank = self._bank[key] if key else self._bank_any
        if self._centroids is not None:
            level = bank.mean(axis=0)
            return {g: float(self._centroids[g] @ level) for g in self._names}
        mean = self._means[key] if key else self._any
        return {g: float(mean[r].mean()) for g, r in self._rows.items()}


def _centroid(vectors: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The mean of the rows' vectors (of at most CENTROID_SAMPLE of them, evenly spaced),
    read a block of rows at a time."""
    rows = rows[:: max(1, math.ceil(len(rows) / CENTROID_SAMPLE))]
    total = np.zeros(vectors.shape[1], dtype=np.float64)
    for start in range(0, len(rows), _BLOCK):
        block = np.asarray(vectors[rows[start : start + _BLOCK]], dtype=np.float32)
        total += block.sum(axis=0, dtype=np.float64)
    return (total / max(len(rows), 1)).astype(np.float32)


def bank_vectors(
    embedder: Embedder, cache_dir: Path | None, kind: Literal["query", "passage"] = "query"
) -> dict[str, np.ndarray]:
    """The bank's vectors per language, embedded as questions or as passages (the model
    prefixes each differently): from the cache when it holds them."""
    bank = offtopic_questions()
    path = _bank_cache_path(embedder.name, cache_dir, kind) if cache_dir is not None else None
    if path is not None and path.is_file():
        cached = _read_bank(path, bank, embedder.dim)
        if cached is not None:
            return cached
    embed = embedder.embed_queries if kind == "query" else embedder.embed_passages
    vectors = {lang: embed(list(qs)) for lang, qs in bank.items()}
    if path is not None:
        _write_bank(path, vectors)
    return vectors


def _bank_cache_path(model: str, cache_dir: Path, kind: str = "query") -> Path:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", model).strip("_") or "model"
    digest = hashlib.sha256(_bank_text().encode()).hexdigest()[:16]
    suffix = "" if kind == "query" else f"-{kind}"
    return cache_dir / "offtopic-vectors" / f"{slug}-{digest}{suffix}.npz"


def _read_bank(
    path: Path, bank: dict[str, tuple[str, ...]], dim: int
) -> dict[str, np.ndarray] | None:
    """The cached vectors if they are whole and fit the bank; None (and a warning) if not."""
    sizes = [len(qs) for qs in bank.values()]
    try:
        with np.load(path) as data:
            vecs = np.asarray(data["vectors"], dtype=np.float32)
        if vecs.shape != (sum(sizes), dim) or not np.isfinite(vecs).all():
            raise ValueError(f"{vecs.shape} vectors for {sum(sizes)} questions of {dim} dims")
        if not np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-3):
            raise ValueError("vectors are not unit length")
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        logger.warning("%s: unreadable off-topic question cache (%s); rebuilding it", path, exc)
        return None
    parts = np.split(vecs, np.cumsum(sizes)[:-1])
    return dict(zip(bank, parts, strict=True))


def _write_bank(path: Path, vectors: dict[str, np.ndarray]) -> None:
    """Whole file or none: written beside its final name, then renamed."""
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.npz")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(tmp, vectors=np.concatenate(list(vectors.values())).astype(np.float32))
        os.replace(tmp, path)
    except OSError as exc:
        logger.warning("%s: cannot cache the off-topic question vectors (%s)", path, exc)
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
