"""The lexical index's cached terms: the same index as analysing afresh, jieba left
unloaded by a warm start, a damaged cache a warning and rebuilt."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from index.lexical import LexicalIndex
from index.lexical_cache import TermCache

REPO = Path(__file__).resolve().parents[2]
TEXTS = [
    "Mara Okonjo topped the squad with 14 saves.",
    "Die Falcons ließen nur 275 Punkte zu.",
    "猎鹰队防守只丢了275分。",
    "Falcons savunması sadece 275 sayı verdi.",
    "फाल्कन्स की रक्षा ने केवल 275 अंक दिए।",
    "Tove Lindqvist topped the squad in blocks (97).",
]
LANGS = ["en", "de", "zh", "tr", "hi", "en"]
QUERIES = ["Falcons: how many points were given up? 275", "猎鹰队丢了多少分？", "Lindqvist blocks"]


def _results(ix: LexicalIndex) -> list[list[tuple[float, int]]]:
    return [ix.search(q, lang, 5) for q in QUERIES for lang in ix.languages]


def test_cached_terms_give_the_same_index(tmp_path: Path) -> None:
    fresh = _results(LexicalIndex(TEXTS, LANGS))
    assert _results(LexicalIndex(TEXTS, LANGS, tmp_path)) == fresh  # writes the cache
    (path,) = (tmp_path / "lexical-terms").glob("*.json")
    assert len(json.loads(path.read_text(encoding="utf-8"))) == len(
        set(zip(TEXTS, LANGS, strict=True))
    )
    assert _results(LexicalIndex(TEXTS, LANGS, tmp_path)) == fresh  # reads it


def test_new_texts_are_added_to_the_cache(tmp_path: Path) -> None:
    LexicalIndex(TEXTS[:2], LANGS[:2], tmp_path)
    LexicalIndex(TEXTS, LANGS, tmp_path)
    assert len(TermCache(tmp_path).load()) == len(TEXTS)


@pytest.mark.parametrize("damage", ["{not json", '{"k": "not a list"}', "[1, 2]", ""])
def test_a_damaged_cache_is_a_warning_and_is_rebuilt(tmp_path: Path, caplog, damage: str) -> None:  # type: ignore[no-untyped-def]
    fresh = _results(LexicalIndex(TEXTS, LANGS))
    path = TermCache(tmp_path).path
    path.parent.mkdir(parents=True)
    path.write_text(damage, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert _results(LexicalIndex(TEXTS, LANGS, tmp_path)) == fresh
    assert "unreadable lexical term cache" in caplog.text and str(path) in caplog.text
    assert len(TermCache(tmp_path).load()) == len(TEXTS)


def test_an_unwritable_cache_only_warns(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    with caplog.at_level(logging.WARNING):
        ix = LexicalIndex(TEXTS, LANGS, blocked)
    assert "cannot cache the lexical terms" in caplog.text
    assert _results(ix) == _results(LexicalIndex(TEXTS, LANGS))


def test_a_warm_start_loads_jieba_only_for_a_chinese_question(tmp_path: Path) -> None:
    """A fresh process, as the command line starts: Chinese chunks need no segmentation
    when their terms are cached; a Chinese question still does."""
    LexicalIndex(TEXTS, LANGS, tmp_path)
    script = (
        "import sys; from pathlib import Path; from index.lexical import LexicalIndex\n"
        f"ix = LexicalIndex({TEXTS!r}, {LANGS!r}, Path({str(tmp_path)!r}))\n"
        "before = [ix.search(sys.argv[1], lang, 3) for lang in ix.languages]\n"
        "print('jieba' in sys.modules, bool(before[ix.languages.index('zh')]))\n"
    )
    for question, loads in (("How many points? 275", False), ("猎鹰队丢了多少分？", True)):
        done = subprocess.run(
            [sys.executable, "-c", script, question],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        assert done.stdout.split() == [str(loads), "True"], done.stderr
