"""The environment of a `polyqa` command run with the fake model, in a test's own dirs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus.progress import set_quiet
from tests.conftest import FakeEmbedder


@pytest.fixture
def fake_model_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Data and cache dirs under ``tmp_path``, the fake model in place of the real one
    (for tests of what the command does with documents, not of vectors)."""
    monkeypatch.setattr("bot.service.make_index_embedder", lambda *a, **k: FakeEmbedder())
    yield {
        "POLYQA_DATA_DIR": str(tmp_path / "data"),
        "POLYQA_CACHE_DIR": str(tmp_path / "cache"),
        "POLYQA_ENGINE": "sentence-transformers",
    }
    set_quiet(False)  # one switch per process: leave it as other tests expect it
