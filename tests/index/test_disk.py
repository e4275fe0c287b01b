"""`polyqa index` on a disk that fills up or is read-only: one line naming the path, the
previous index still loads, and nothing is left behind to fill the disk further.

The disk is a real tmpfs of a few hundred kilobytes, mounted in a private mount
namespace (`unshare --user --map-root-user --mount`, no root needed where user
namespaces are enabled); the command is the real CLI with the fake embedder (the file
bookkeeping is under test, not the model).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import default_corpus_file

REPO = Path(__file__).resolve().parents[2]
# A real shipped document (picked by its language prefix; tests never name one).
EN_DOC = default_corpus_file("en")

# Runs inside the namespace: mount the small disk, then do the steps, report as JSON.
DRIVER = r"""
import json, os, subprocess, sys
from pathlib import Path
repo, disk, docs, more, size, mode = sys.argv[1:7]
subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", disk], check=True)
sys.path[:0] = [repo, repo + "/tests"]
CHILD = '''
import sys
sys.path[:0] = [sys.argv.pop(1), sys.argv.pop(1) + "/tests"]
import bot.service
from conftest import FakeEmbedder
bot.service.make_index_embedder = lambda *a, **k: FakeEmbedder()
sys.argv = ["polyqa", *sys.argv[1:]]
from bot.cli import main
main()
'''
def polyqa(*args):
    # The fake model on both paths (the query path would convert the real one onto the disk).
    env = dict(os.environ, POLYQA_CACHE_DIR=disk, POLYQA_ENGINE="sentence-transformers")
    done = subprocess.run([sys.executable, "-c", CHILD, repo, repo, *args],
                          capture_output=True, text=True, env=env)
    return {"rc": done.returncode, "out": done.stdout, "err": done.stderr}
index = os.path.join(disk, "idx")
out = {"first": polyqa("index", docs, "--index", index)}
if mode == "ro":
    subprocess.run(["mount", "-o", "remount,ro", disk], check=True)
out["second"] = polyqa("index", docs, more, "--index", index)
out["search"] = polyqa("search", "--json", "Who does the CTO report to?", "--index", index)
from index import store
try:
    out["loaded"] = sorted(store.load(Path(index)).documents)
except Exception as exc:
    out["loaded"] = repr(exc)
out["files"] = sorted(str(p.relative_to(disk)) for p in Path(disk).rglob("*"))
print(json.dumps(out))
"""


def _unshare() -> str:
    exe = shutil.which("unshare")
    if exe is None:
        pytest.skip("no unshare(1): cannot mount a small disk without root")
    probe = subprocess.run(
        [exe, "--user", "--map-root-user", "--mount", "true"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        pytest.skip(f"user namespaces unavailable: {probe.stderr.decode().strip()}")
    return exe


def _run(tmp_path: Path, size: str, mode: str) -> dict:  # type: ignore[type-arg]
    docs, more, disk = tmp_path / "docs", tmp_path / "more", tmp_path / "disk"
    for folder in (docs, more, disk):
        folder.mkdir()
    shutil.copy(EN_DOC, docs)
    # Enough new text that its chunks and sentence vectors do not fit in what is left.
    para = "The chief data officer {i} owns the data strategy of unit {i}. It is new.\n\n"
    (more / "big.md").write_text("".join(para.format(i=i) for i in range(2000)))
    done = subprocess.run(
        [_unshare(), "--user", "--map-root-user", "--mount", sys.executable, "-c", DRIVER,
         str(REPO), str(disk), str(docs), str(more), size, mode],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict = json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[type-arg]
    assert result["first"]["rc"] == 0, result["first"]["err"][-2000:]
    return result


def _one_line_error(run: dict, expected: str) -> str:  # type: ignore[type-arg]
    assert run["rc"] == 1, run
    assert "Traceback" not in run["err"], run["err"][-3000:]
    errors = [line for line in run["err"].splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and expected in errors[0], run["err"][-3000:]
    return str(errors[0])


def test_disk_full_while_indexing(tmp_path: Path) -> None:
    result = _run(tmp_path, "160k", "rw")
    line = _one_line_error(result["second"], "cannot write (No space left on device)")
    assert "idx/" in line and "the index is unchanged" in line
    assert result["loaded"] == [EN_DOC.name], "the previous index still loads"
    generations = [f for f in result["files"] if f.count("/") == 1 and "/g" in f]
    assert not [f for f in result["files"] if ".partial" in f or f.endswith(".tmp")], result
    assert len(generations) == 1, result["files"]


def test_read_only_disk(tmp_path: Path) -> None:
    result = _run(tmp_path, "4m", "ro")
    line = _one_line_error(result["second"], "cannot write (Read-only file system)")
    assert "idx" in line
    assert result["loaded"] == [EN_DOC.name]
    search = result["search"]  # reading writes nothing: a read-only index answers
    assert search["rc"] == 0 and "Traceback" not in search["err"], search["err"][-2000:]
    assert json.loads(search["out"])[0]["doc_id"] == EN_DOC.name
