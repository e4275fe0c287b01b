"""`polyqa index` reports one line per document, whatever the file names hold (the real
CLI in a child process, on the fake embedder: the report is under test, not the model)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

CHILD = r"""
import sys
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/tests"]
import bot.service
from conftest import FakeEmbedder
bot.service.make_index_embedder = lambda *a, **k: FakeEmbedder()
sys.argv = ["polyqa", *sys.argv[2:]]
from bot.cli import main
main()
"""
LABELS = ("added ", "changed ", "removed ", "skipped ", "encoding ")


def test_a_line_break_in_a_file_name_does_not_split_the_report(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "fine.txt").write_text("The CTO leads technology.\n")
    (docs / "two\nlines.txt").write_text("The CIO runs the infrastructure.\n")
    (docs / "evil\nskipped   fake.txt: all good.txt").write_bytes(b"\x00\x01\x02binary")
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(REPO), "index", str(docs), "--index",
         str(tmp_path / "idx")],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert len(lines) == 4, done.stdout  # two added, one skipped, the summary
    assert all(line.startswith(LABELS) for line in lines[:-1]), done.stdout
    assert "added     two\\nlines.txt" in lines
    assert any(line.startswith("skipped   ") and "evil\\nskipped" in line for line in lines)
    assert lines[-1].startswith("2 added, 0 changed, 0 removed, 0 unchanged, 1 skipped")
