"""Shared fixtures: the real model is loaded once per session (as sentence-transformers'
own conftest does); a fake embedder serves tests where the model's output is not tested."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from corpus.reader import default_corpus_dir
from index.convert import BUILTIN_MODEL
from index.embedder import SentenceTransformerEmbedder, default_cache_dir


def default_corpus_file(lang: str) -> Path:
    """The default corpus's document in ``lang``, found by its file-name prefix (``en_...``).

    Tests that need a real shipped document take it this way and assert on its ``name``:
    nothing in the tests may name a document of the default corpus, and the corpus may
    change under them."""
    found = [p for p in sorted(default_corpus_dir().iterdir()) if p.name.split("_")[0] == lang]
    assert found, f"the default corpus has no {lang!r} document"
    return found[0]


@pytest.fixture(scope="session")
def model_cache_dir() -> Path:
    """The machine's polyqa cache: the model is converted once, not once per test run."""
    return default_cache_dir()


@pytest.fixture(scope="session")
def embedder(model_cache_dir: Path) -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(BUILTIN_MODEL, model_cache_dir)


class FakeEmbedder:
    """Deterministic vectors from a hash of the text: same text, same vector."""

    name = "fake-hash-embedder"
    dim = 16
    max_tokens = 512

    def __init__(self, record: bool = True) -> None:
        # The texts embedded, for tests that check what was (re-)embedded; off where the
        # process's memory is measured (it would hold every sentence of the corpus).
        self.embedded: list[str] = []
        self.record = record

    def _vec(self, text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
        v = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
        return v / np.linalg.norm(v)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if self.record:
            self.embedded.extend(texts)
        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._vec(t) for t in texts])

    def count_tokens(self, text: str) -> int:
        return len(text.split()) + len([c for c in text if ord(c) > 0x2E80]) + 2


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(scope="session")
def default_service(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
):  # type: ignore[no-untyped-def]
    """The real service over the default corpus, indexed once into a fresh data dir."""
    from bot.service import PolyqaService
    from bot.settings import load_settings

    data_dir = tmp_path_factory.mktemp("polyqa-data")
    service = PolyqaService(load_settings(data_dir=data_dir), embedder=embedder)
    service.retriever()
    return service


@pytest.fixture(autouse=True)
def _progress_shown():  # type: ignore[no-untyped-def]
    """`--quiet` is one switch per process (corpus/progress.py): a CLI test run in-process
    with it must not hide the bars another test records."""
    from corpus.progress import set_quiet

    yield
    set_quiet(False)
