"""An answer composer over documents a test writes (the real model and index)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.answers.composer import Composer


@pytest.fixture
def composer_over(tmp_path: Path, embedder) -> Callable[[dict[str, str]], Composer]:  # type: ignore[no-untyped-def]
    """``composer_over({"en/a.txt": text, ...})``: those texts indexed, composed from."""
    from tests.index.test_parallel import _retriever

    def make(texts: dict[str, str]) -> Composer:
        return Composer(_retriever(tmp_path, texts, embedder))

    return make
