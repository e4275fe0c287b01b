"""The languages' background: from each language's centroid (large indexes) it is what
the passage-by-passage means give (small ones), for every question language."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.retrieval import calibration
from bot.retrieval.calibration import Calibrator


def test_centroids_give_the_per_passage_background(
    tmp_path: Path, fake_embedder, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(3)
    langs = rng.choice(["de", "tr", "zh"], size=700, p=[0.6, 0.3, 0.1])
    # Each language leans its own way, as a model's passages do.
    lean = {g: rng.normal(size=fake_embedder.dim) for g in ("de", "tr", "zh")}
    vectors = rng.normal(size=(700, fake_embedder.dim)) + np.stack([2 * lean[g] for g in langs])
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    rows = {g: np.flatnonzero(langs == g) for g in ("zh", "de", "tr")}
    exact = Calibrator(fake_embedder, vectors, rows, tmp_path)
    monkeypatch.setattr(calibration, "CENTROID_MIN_PASSAGES", 100)
    monkeypatch.setattr(calibration, "_BLOCK", 64)  # several blocks per language
    by_centroid = Calibrator(fake_embedder, vectors.astype(np.float16), rows, tmp_path)
    for lang in ("de", "en", "xx"):  # xx: no bank of its own, every language's at once
        want, got = exact.language_offsets(lang), by_centroid.language_offsets(lang)
        assert sorted(got) == ["de", "tr", "zh"]
        for g in want:
            assert got[g] == pytest.approx(want[g], abs=5e-4)
        assert max(want.values()) - min(want.values()) > 0.01  # the languages differ
    monkeypatch.setattr(calibration, "CENTROID_SAMPLE", 200)  # every 2nd or 3rd row
    sampled = Calibrator(fake_embedder, vectors, rows, tmp_path)
    for lang in ("de", "en"):
        want, got = exact.language_offsets(lang), sampled.language_offsets(lang)
        assert got != want
        for g in want:
            assert got[g] == pytest.approx(want[g], abs=3e-3)
