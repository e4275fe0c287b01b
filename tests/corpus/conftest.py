"""Shared helpers for the corpus tests: a stand-in token counter and the default corpus."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from corpus.document import Document
from corpus.reader import default_corpus_dir, read_document

# One token per CJK character or per other whitespace-free run, plus 2 (prefix, specials).
_TOKEN = re.compile(r"[\u3400-\u9fff]|[^\s\u3400-\u9fff]+")
OVERHEAD = 2


def _count_tokens(text: str) -> int:
    return OVERHEAD + len(_TOKEN.findall(text))


@pytest.fixture
def count_tokens() -> Callable[[str], int]:
    """Deterministic and additive, like a real tokenizer's count to a first approximation."""
    return _count_tokens


def default_paths() -> list[Path]:
    return sorted(default_corpus_dir().glob("*.txt"))


@pytest.fixture(scope="session")
def default_docs() -> dict[str, Document]:
    """The five default documents, keyed by their language prefix (de, en, hi, tr, zh)."""
    docs = {p.name[:2]: read_document(p, default_corpus_dir()) for p in default_paths()}
    assert sorted(docs) == ["de", "en", "hi", "tr", "zh"]
    return docs
