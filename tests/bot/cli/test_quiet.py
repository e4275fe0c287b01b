"""`--quiet`: no progress on stderr, the bars drawn by reading, chunking and embedding
included (issue 17: they still showed). The fake model: the output is under test."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli

BAR = "|"  # tqdm draws "chunking:  40%|████      | 80.0k/200k"


@pytest.fixture
def env(fake_model_env: dict[str, str]) -> dict[str, str]:
    return fake_model_env


def _index(env: dict[str, str], doc: Path, *extra: str) -> str:
    result = CliRunner().invoke(
        cli, ["index", str(doc), "--index", str(doc.parent / "idx"), *extra], env=env
    )
    assert result.exit_code == 0, result.output
    return result.stderr


def test_quiet_index_shows_no_progress(env: dict[str, str], tmp_path: Path) -> None:
    para = "The chief data officer {i} owns the data strategy of unit {i}.\n\n"
    long = tmp_path / "long.md"
    long.write_text("".join(para.format(i=i) for i in range(4000)))  # past QUIET_CHARS
    loud = _index(env, long)
    assert "chunking" in loud and "embedding" in loud and BAR in loud
    long.write_text(long.read_text() + "The CDO reports to the CEO.\n")
    quiet = _index(env, long, "--quiet")
    assert quiet == "", quiet


def test_quiet_eval_shows_no_progress(env: dict[str, str], tmp_path: Path) -> None:
    """Its own bars (questions) were hidden; the index it builds drew its own."""
    data = tmp_path / "set"
    (data / "docs").mkdir(parents=True)
    para = "The chief data officer {i} owns the data strategy of unit {i}.\n\n"
    (data / "docs" / "long.md").write_text("".join(para.format(i=i) for i in range(4000)))
    (data / "questions.jsonl").write_text(
        '{"id": "q1", "lang": "en", "question": "Who owns the data strategy of unit 7?", '
        '"docs": ["docs/long.md"]}\n'
    )
    result = CliRunner().invoke(cli, ["eval", str(data), "--json", "--quiet"], env=env)
    assert result.exit_code == 0, result.output
    assert BAR not in result.stderr and "chunking" not in result.stderr, result.stderr
