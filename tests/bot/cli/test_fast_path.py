"""The command line's fast path: a question is answered without torch, and gets what the
sentence-transformers path gives, hit for hit and sentence for sentence.

Timings are in bench/ (speed.py's cold rows), not here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.service import PolyqaService
from bot.settings import load_settings
from index.fast_embedder import FastE5Embedder

REPO = Path(__file__).resolve().parents[3]
ROLES = REPO.parent / "shared" / "eval" / "roles-dev" / "questions.jsonl"
HEAVY = ("torch", "transformers", "sentence_transformers", "gradio", "matplotlib", "httpx")


@pytest.fixture(scope="module")
def env(default_service: PolyqaService) -> dict[str, str]:
    s = default_service.settings
    return {"POLYQA_DATA_DIR": str(s.data_dir), "POLYQA_CACHE_DIR": str(s.cache_dir)}


def _python(env: dict[str, str], script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in a fresh Python process from the repository, as a user's command."""
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done


def _modules_after(env: dict[str, str], *args: str) -> tuple[dict[str, bool], str]:
    """Run one command in a fresh process; which heavy modules it imported, its output."""
    script = (
        "import json, sys\n"
        "from bot.cli import cli\n"
        "cli.main(sys.argv[1:], prog_name='polyqa', standalone_mode=False)\n"
        f"print(json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}), file=sys.stderr)\n"
    )
    done = _python(env, script, *args)
    return json.loads(done.stderr.strip().splitlines()[-1]), done.stdout


@pytest.mark.parametrize("command", ["search", "ask"])
def test_a_question_imports_no_torch(env: dict[str, str], command: str) -> None:
    loaded, out = _modules_after(env, command, "--json", "Wer leitet die IT-Abteilung?")
    assert out.strip()
    assert not any(loaded.values()), loaded


def test_search_needs_no_chinese_segmenter_for_a_german_question(env: dict[str, str]) -> None:
    script = (
        "import sys\n"
        "from bot.cli import cli\n"
        "cli.main(['search', '--k', '3', 'Wer leitet die IT?'], standalone_mode=False)\n"
        "print('jieba' in sys.modules, file=sys.stderr)\n"
    )
    for _ in range(2):  # the first run may fill the term cache
        done = _python(env, script)
    assert done.stderr.strip().splitlines()[-1] == "False"


@pytest.fixture(scope="module")
def fast_service(default_service: PolyqaService, tmp_path_factory) -> PolyqaService:  # type: ignore[no-untyped-def]
    """The same index, everything else computed by the fast embedder: a cache dir of its
    own (the model linked in), so the off-topic bank, the reranker's sentences and the
    terms are its own."""
    cache = tmp_path_factory.mktemp("cache")
    (cache / "models").symlink_to(default_service.settings.cache_dir.resolve() / "models")
    settings = load_settings(data_dir=default_service.settings.data_dir, cache_dir=cache)
    embedder = FastE5Embedder(cache)
    # A first start fills the caches; the reranker's cache keeps float16 vectors, and the
    # start that computes them uses them unrounded: answer from the cache, as later
    # starts (and default_service, over a cache filled before) do.
    PolyqaService(settings, embedder=embedder).retriever()
    service = PolyqaService(settings, embedder=embedder)
    service.retriever()
    return service


def _roles() -> list[dict[str, object]]:
    if not ROLES.is_file():
        pytest.skip(f"{ROLES} is not here")
    return [json.loads(line) for line in ROLES.read_text(encoding="utf-8").splitlines()]


def _hits(service: PolyqaService, question: str) -> list[tuple[str, int, int]]:
    return [(h.chunk.doc_id, h.chunk.start, h.chunk.end) for h in service.search(question, 5)]


def test_roles_dev_gets_the_same_top_5(
    default_service: PolyqaService, fast_service: PolyqaService
) -> None:
    questions = [str(q["question"]) for q in _roles()]
    differ = [q for q in questions if _hits(default_service, q) != _hits(fast_service, q)]
    assert differ == []


def test_roles_dev_gets_the_same_answers(
    default_service: PolyqaService, fast_service: PolyqaService
) -> None:
    differ = []
    for q in _roles():
        a, b = default_service.ask(str(q["question"])), fast_service.ask(str(q["question"]))
        cites = [
            [(c.doc_id, c.start, c.end, c.sentence_start) for c in x.citations] for x in (a, b)
        ]
        if (a.answer, a.found, a.question_lang) != (b.answer, b.found, b.question_lang):
            differ.append((q["id"], a.answer[:80], b.answer[:80]))
        elif cites[0] != cites[1]:
            differ.append((q["id"], cites[0], cites[1]))
    assert differ == []
