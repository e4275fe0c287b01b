"""`polyqa index` with a document over a budget set in the settings (here by its
environment variable): the document is refused with one line naming it, the budget and
the setting; the batch's other documents are indexed; the index it had is left as it
was. The fake model: the refusals and the index's contents are under test, not vectors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import cli
from index import store

REASON = (
    "too many sentences: over 1,000, the most a document may have "
    "(every line is one at least; setting max_document_sentences)"
)


@pytest.fixture
def env(fake_model_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    return {
        **fake_model_env,
        "POLYQA_CONFIG": str(tmp_path / "no-config.toml"),
        "POLYQA_MAX_DOCUMENT_SENTENCES": "1000",
    }


def _index(env: dict[str, str], index_dir: Path, *paths: Path) -> Result:
    args = ["index", "--quiet", *map(str, paths), "--index", str(index_dir)]
    return CliRunner().invoke(cli, args, env=env)


def test_a_many_line_text_is_refused_and_the_rest_indexed(
    env: dict[str, str], tmp_path: Path
) -> None:
    docs, index_dir = tmp_path / "docs", tmp_path / "idx"
    docs.mkdir()
    (docs / "a.txt").write_text("The CTO leads technology. She reports to the CEO.\n")
    (docs / "b.txt").write_text("The CIO runs the infrastructure.\n")
    assert _index(env, index_dir, docs).exit_code == 0
    before = store.load(index_dir)

    lines = docs / "lines.txt"
    lines.write_text("a\n" * 3000)  # 6 kB: far inside the character and chunk budgets
    (docs / "c.txt").write_text("The CDO owns the data strategy.\n")
    result = _index(env, index_dir, docs)
    assert result.exit_code == 0, result.output
    assert f"skipped   {lines}: {REASON}\n" in result.stdout
    assert "added     c.txt\n" in result.stdout
    assert "2 unchanged, 1 skipped" in result.stdout
    after = store.load(index_dir)
    assert sorted(after.documents) == ["a.txt", "b.txt", "c.txt"]
    for doc_id in ("a.txt", "b.txt"):
        assert after.documents[doc_id] == before.documents[doc_id]
    assert not any(c.doc_id == "lines.txt" for c in after.chunks)


def test_a_refused_text_alone_leaves_the_index_as_it_was(
    env: dict[str, str], tmp_path: Path
) -> None:
    docs, index_dir = tmp_path / "docs", tmp_path / "idx"
    docs.mkdir()
    (docs / "a.txt").write_text("The CTO leads technology.\n")
    assert _index(env, index_dir, docs / "a.txt").exit_code == 0
    generation = (index_dir / "CURRENT").read_text()

    lines = docs / "lines.txt"
    lines.write_text("x y\n" * 3000)
    result = _index(env, index_dir, lines)
    assert result.exit_code == 1
    assert result.stderr == f"Error: no document could be read: {lines}: {REASON}\n"
    assert (index_dir / "CURRENT").read_text() == generation
    assert sorted(store.load(index_dir).documents) == ["a.txt"]

    raised = dict(env, POLYQA_MAX_DOCUMENT_SENTENCES="3000")  # the setting the reason names
    result = _index(raised, index_dir, lines)
    assert result.exit_code == 0, result.output
    assert sorted(store.load(index_dir).documents) == ["lines.txt"]
