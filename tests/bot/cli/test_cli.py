"""The `polyqa` command line, run in-process with click's runner on the real model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.answers.phrases import t as phrases_t
from bot.cli import cli

ACCEPTANCE = [
    (
        "What is the CIO responsible for when it comes to the company's technological "
        "infrastructure?",
        [
            "responsible for the top level of management",
            "üst düzey yönetimden sorumludur",
            "प्रबंधन के शीर्ष स्तर के लिए जिम्मेदार",
        ],
    ),
    (
        "Wer entscheidet, welche Produkte ein Unternehmen nicht mehr anbieten sollte?",
        ["the CTO manages that aspect", "CTO bu yönü yönetir", "सीटीओ इस पहलू का प्रबंधन करता है"],
    ),
    ("首席技術官需要熟悉哪些監管機構？", ["US Food and Drug Administration"]),
    ("ग्राहक संबंध प्रबंधन में कॉल प्रबंधन क्या है?", ["它是CSS應用功能的核心"]),
    pytest.param(
        "Veri madenciliği nedir?",
        ["發現有用的相互關系、模式和趨勢的過程"],
        marks=pytest.mark.xfail(
            strict=True,
            reason="the 4-bit e5-small does not relate 'veri madenciliği' to 數據挖掘 "
            "(cosine 0.73, below unrelated Turkish text); needs query translation",
        ),
    ),
]


@pytest.fixture(scope="module")
def env(default_service) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Point the CLI at the session's already-indexed default corpus."""
    s = default_service.settings
    return {"POLYQA_DATA_DIR": str(s.data_dir), "POLYQA_CACHE_DIR": str(s.cache_dir)}


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(("question", "phrases"), ACCEPTANCE)
def test_search_finds_the_answer_in_any_language(env, question: str, phrases: list[str]) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(env, "search", "--json", "--k", "5", question)
    assert code == 0
    hits = json.loads(out)
    assert len(hits) == 5
    assert set(hits[0]) >= {"rank", "score", "doc_id", "path", "title", "lang", "start", "end"}
    assert any(any(p in h["text"] for p in phrases) for h in hits), [h["text"][:60] for h in hits]


def test_search_stderr_is_quiet_without_verbose(env) -> None:  # type: ignore[no-untyped-def]
    # A real process: logging is configured once per process, and the lexical index (and
    # with it bm25s, which turns its own logger to DEBUG) is built in this one.
    polyqa = Path(sys.executable).with_name("polyqa")
    done = subprocess.run(
        [str(polyqa), "search", "--json", "--k", "1", "Who does the CTO report to?"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["rank"] == 1
    assert "DEBUG" not in done.stderr, done.stderr


def test_search_lang_filter(env) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(env, "search", "--json", "--lang", "de", "Who does the CTO report to?")
    assert code == 0
    assert {h["lang"] for h in json.loads(out)} == {"de"}


@pytest.mark.parametrize(
    ("question", "lang", "word"),
    [("CTO'nun görevi nedir?", "tr", "CTO"), ("Was macht ein CTO?", "de", "CTO")],
)
def test_ask_answers_in_the_question_language(env, question: str, lang: str, word: str) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(env, "ask", "--json", question)
    assert code == 0
    data = json.loads(out)
    assert data["question_lang"] == lang
    assert data["found"] is True
    assert all(c["lang"] == lang for c in data["citations"])
    assert word in data["answer"]
    for c in data["citations"]:
        source = Path(c["path"]).read_text(encoding="utf-8")
        assert source[c["start"] : c["end"]] == c["text"]


def test_ask_rejects_an_empty_question(env) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(env, "ask", "   ")
    assert code == 1
    assert "empty" in err and len(err.strip().splitlines()) == 1


def test_index_reports_and_refuses_mismatch(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Der CTO leitet die Technik. Er berichtet an den CIO.\n")
    (docs / "b.md").write_text("# Notes\n\nThe CIO runs the internal IT systems.\n")
    idx = tmp_path / "idx"
    code, out, _ = run(env, "index", str(docs), "--index", str(idx), "--json")
    assert code == 0
    assert sorted(json.loads(out)["added"]) == ["a.txt", "b.md"]
    (docs / "b.md").write_text("# Notes\n\nThe CIO runs IT operations and training.\n")
    code, out, _ = run(env, "index", str(docs), "--index", str(idx), "--json")
    report = json.loads(out)
    assert (report["changed"], report["unchanged"]) == (["b.md"], ["a.txt"])
    code, _, err = run({**env, "POLYQA_CHUNK_TOKENS": "64"}, "search", "x", "--index", str(idx))
    assert code == 1
    assert "chunk_tokens 128" in err and "polyqa index" in err


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("empty.txt", b"", "empty"),
        ("binary.txt", b"\x00\x01\x02PNG\x00\xff" * 50, "binary"),
    ],
)
def test_bad_document_is_one_line_and_loses_nothing(  # type: ignore[no-untyped-def]
    env, tmp_path: Path, name: str, content: bytes, problem: str
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text("The CTO leads the engineering department.\n")
    idx = tmp_path / "idx"
    assert run(env, "index", str(docs), "--index", str(idx))[0] == 0
    (docs / name).write_bytes(content)
    code, out, _ = run(env, "index", str(docs), "--index", str(idx))
    assert code == 0
    skipped = [line for line in out.splitlines() if line.startswith("skipped")]
    assert len(skipped) == 1 and name in skipped[0] and problem.lower() in skipped[0].lower()
    code, out, _ = run(env, "search", "--json", "engineering", "--index", str(idx))
    assert json.loads(out)[0]["doc_id"] == "good.txt"


def test_folder_without_documents_is_an_error(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "empty").mkdir()
    code, _, err = run(env, "index", str(tmp_path / "empty"), "--index", str(tmp_path / "i"))
    assert code == 1
    assert str(tmp_path / "empty") in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "i" / "CURRENT").exists()


def test_ask_and_search_after_earlier_questions(env) -> None:  # type: ignore[no-untyped-def]
    follow_up, earlier = "Hangi satıcılarla çalışır?", "CTO nedir?"
    code, out, _ = run(env, "ask", "--json", "--after", earlier, follow_up)
    assert code == 0
    answer = json.loads(out)
    assert answer["question"] == follow_up and answer["found"]
    assert answer["notice"] == phrases_t("follow_up", "tr", subject="CTO")
    assert answer["answer"].startswith(answer["notice"] + "\n")
    assert "satıcı" in answer["answer"].split("\n", 1)[1]
    code, out, _ = run(env, "search", "--json", "-k", "3", "--after", earlier, follow_up)
    assert code == 0
    assert "satıcı" in json.loads(out)[0]["text"]
    code, alone, _ = run(env, "ask", "--json", follow_up)
    assert "notice" in json.loads(alone) and json.loads(alone)["notice"] is None
