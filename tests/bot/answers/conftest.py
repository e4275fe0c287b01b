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


def service_over(root: Path, texts: dict[str, str], embedder, cache_dir: Path):  # type: ignore[no-untyped-def]
    """The extractive service over ``texts`` (file name -> text) written under ``root``,
    indexed with the real model: what the service-level answer tests ask."""
    from bot.service import PolyqaService
    from bot.settings import load_settings

    (root / "docs").mkdir()
    for name, text in texts.items():
        (root / "docs" / name).write_text(text + "\n", encoding="utf-8")
    settings = load_settings(data_dir=root / "data", cache_dir=cache_dir)
    service = PolyqaService(settings, embedder=embedder)
    service.index([root / "docs"])
    return service
