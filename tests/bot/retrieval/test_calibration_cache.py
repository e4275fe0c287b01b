"""The off-topic bank's vectors are cached per model and bank: reused, rebuilt when
damaged (a warning, never a traceback), and never stop an answer when unwritable."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.retrieval.calibration import bank_vectors, offtopic_questions


class Counting:
    """Wraps an embedder and counts the questions it embeds."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner = inner
        self.name, self.dim, self.max_tokens = inner.name, inner.dim, inner.max_tokens
        self.queries = 0

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.queries += len(texts)
        return np.asarray(self.inner.embed_queries(texts), dtype=np.float32)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self.inner.embed_passages(texts), dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        return int(self.inner.count_tokens(text))


def _files(cache: Path) -> list[Path]:
    return sorted((cache / "offtopic-vectors").glob("*"))


def test_vectors_are_embedded_once_and_then_read(tmp_path: Path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    first = Counting(fake_embedder)
    made = bank_vectors(first, tmp_path)
    assert first.queries == sum(len(qs) for qs in offtopic_questions().values())
    assert len(_files(tmp_path)) == 1 and _files(tmp_path)[0].suffix == ".npz"
    again = Counting(fake_embedder)
    read = bank_vectors(again, tmp_path)
    assert again.queries == 0
    assert list(read) == list(made)
    for lang in made:
        assert np.array_equal(read[lang], made[lang])


def test_each_model_has_its_own_file(tmp_path: Path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    bank_vectors(fake_embedder, tmp_path)
    other = Counting(fake_embedder)
    other.name = "another/model"
    bank_vectors(other, tmp_path)
    assert other.queries > 0
    assert len(_files(tmp_path)) == 2


@pytest.mark.parametrize("damage", ["garbage", "truncated", "wrong shape", "empty"])
def test_a_damaged_file_is_a_warning_and_is_rebuilt(
    tmp_path: Path, fake_embedder, caplog, damage: str
) -> None:  # type: ignore[no-untyped-def]
    made = bank_vectors(fake_embedder, tmp_path)
    (path,) = _files(tmp_path)
    if damage == "garbage":
        path.write_bytes(b"not a numpy file at all")
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:300])
    elif damage == "wrong shape":
        np.savez(path, vectors=np.ones((3, fake_embedder.dim), dtype=np.float32))
    else:
        path.write_bytes(b"")
    again = Counting(fake_embedder)
    with caplog.at_level(logging.WARNING):
        read = bank_vectors(again, tmp_path)
    assert again.queries > 0
    assert "unreadable off-topic question cache" in caplog.text and str(path) in caplog.text
    assert all(np.array_equal(read[lang], made[lang]) for lang in made)
    healed = Counting(fake_embedder)
    bank_vectors(healed, tmp_path)
    assert healed.queries == 0, "the rebuilt file is read next time"


def test_an_unwritable_cache_only_warns(tmp_path: Path, fake_embedder, caplog) -> None:  # type: ignore[no-untyped-def]
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("a file where the cache dir should be")
    with caplog.at_level(logging.WARNING):
        made = bank_vectors(fake_embedder, blocked)
    assert set(made) == set(offtopic_questions())
    assert "cannot cache the off-topic question vectors" in caplog.text
    assert not list(tmp_path.glob("**/*.tmp.npz"))


def test_the_real_model_reads_back_what_it_wrote(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    made = bank_vectors(embedder, tmp_path)
    read = bank_vectors(embedder, tmp_path)
    for lang, qs in offtopic_questions().items():
        assert read[lang].shape == (len(qs), embedder.dim)
        assert np.allclose(read[lang], made[lang], atol=1e-6)
