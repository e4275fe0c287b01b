"""`polyqa index` killed with SIGKILL at every step of an update: the previous index still
loads and answers, nothing a killed run left wedges the next one, and the next run
completes the work.

The child is the real CLI (`bot.cli.main`) with a pause patched in at one step; the test
waits for it to reach the step and kills it there. Most kill points use the fake
embedder (the file bookkeeping is under test, and the model would cost ~15 s a run on
this machine); one run uses the real model and the real `ask` afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.service import PolyqaService
from bot.settings import load_settings
from index import store
from index.embedder import SentenceTransformerEmbedder
from tests.conftest import default_corpus_file

REPO = Path(__file__).resolve().parents[2]
# Two real shipped documents (picked by language prefix; tests never name one): the update
# keeps the first and removes the second.
KEPT, REMOVED = default_corpus_file("en").name, default_corpus_file("de").name

CHILD = r"""
import os, sys, time
from pathlib import Path
sys.path[:0] = [os.environ["POLYQA_TEST_REPO"], os.environ["POLYQA_TEST_REPO"] + "/tests"]
point = os.environ.get("POLYQA_TEST_KILL_AT", "")
marker = Path(os.environ["POLYQA_TEST_MARKER"])

def pause_at(owner, attr, name):
    original = getattr(owner, attr)
    def paused(*args, **kwargs):
        if point == name:
            marker.write_text(name)
            time.sleep(600)  # killed here
        return original(*args, **kwargs)
    setattr(owner, attr, paused)

import bot.service
from index import store
if os.environ.get("POLYQA_TEST_FAKE"):
    from conftest import FakeEmbedder as embedder_cls
    bot.service.make_index_embedder = lambda *args, **kwargs: embedder_cls()
else:
    from index.embedder import SentenceTransformerEmbedder as embedder_cls
pause_at(embedder_cls, "embed_passages", "embed")       # nothing written yet
pause_at(store.FlatIPIndex, "save", "write")            # partial dir half written
pause_at(store, "_publish", "publish")                  # partial dir complete
pause_at(store, "_switch", "switch")                    # generation renamed, not live
pause_at(store, "_prune", "prune")                      # live, old files still there
sys.argv = ["polyqa", *sys.argv[1:]]
from bot.cli import main
main()
"""

BEFORE_SWITCH = ("embed", "write", "publish", "switch")
QUESTION = "Who does the CTO report to?"


def _env(tmp_path: Path, marker: Path, kill_at: str, fake: bool, cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        POLYQA_TEST_REPO=str(REPO),
        POLYQA_TEST_MARKER=str(marker),
        POLYQA_TEST_KILL_AT=kill_at,
        POLYQA_CONFIG=str(tmp_path / "no-config.toml"),
        POLYQA_CACHE_DIR=str(cache),
        # The engine the real-model run pauses in (the in-process index beside it is torch's).
        POLYQA_EMBED_BACKEND="torch",
        XDG_DATA_HOME=str(tmp_path / "xdg-data"),
    )
    env.pop("POLYQA_TEST_FAKE", None)
    if fake:
        env["POLYQA_TEST_FAKE"] = "1"
    return env


def run_index(
    tmp_path: Path, corpus: Path, index: Path, cache: Path, kill_at: str = "", fake: bool = True
) -> str:
    """Run `polyqa index`; with ``kill_at``, SIGKILL it on reaching that step."""
    marker = tmp_path / "reached"
    marker.unlink(missing_ok=True)
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, "index", str(corpus), "--index", str(index)],
        env=_env(tmp_path, marker, kill_at, fake, cache),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    if not kill_at:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-3000:]
        return out
    deadline = time.monotonic() + 300
    while not (marker.exists() and marker.read_text() == kill_at):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            _, err = proc.communicate()
            pytest.fail(f"never reached {kill_at!r} (exit {proc.returncode}): {err[-3000:]}")
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    return ""


def _fingerprint(index: Path) -> tuple[str, list[tuple[str, int, int, str]]]:
    stored = store.load(index)
    current = (index / "CURRENT").read_text()
    return current, [(c.doc_id, c.start, c.end, c.text) for c in stored.chunks]


# What a kill at each step leaves next to the live generation (cleaned by the next run).
LEFT_BEHIND = {"embed": "", "write": "partial", "publish": "partial", "switch": "unswitched"}


def _left_behind(index: Path) -> str:
    live = (index / "CURRENT").read_text().strip()
    names = [p.name for p in index.iterdir()]
    if any(n.endswith(".partial") for n in names):
        return "partial"
    if any(n.startswith("g") and n > live for n in names):
        return "unswitched"
    return ""


def _debris(index: Path) -> list[str]:
    return sorted(p.name for p in index.iterdir() if p.name.endswith((".partial", ".tmp")))


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for lang in ("en", "de"):
        shutil.copy(default_corpus_file(lang), folder)
    (folder / "notes.md").write_text("# Notes\n\nThe CIO runs the infrastructure.\n")
    return folder


def _change(corpus: Path, version: int) -> None:
    (corpus / "notes.md").write_text(f"# Notes\n\nThe CIO runs version {version} of IT.\n")
    (corpus / "new.txt").write_text("The chief data officer owns the data strategy.\n")
    (corpus / REMOVED).unlink(missing_ok=True)


def test_killed_at_every_step_keeps_the_previous_index(
    tmp_path: Path, corpus: Path, model_cache_dir: Path, fake_embedder
) -> None:  # type: ignore[no-untyped-def]
    index = tmp_path / "idx"
    run_index(tmp_path, corpus, index, model_cache_dir)
    before = _fingerprint(index)
    old_docs = {KEPT, REMOVED, "notes.md"}
    _change(corpus, 2)
    settings = load_settings(index_dir=index)
    for point in BEFORE_SWITCH:
        run_index(tmp_path, corpus, index, model_cache_dir, kill_at=point)
        assert _fingerprint(index) == before, f"killed at {point}: the index changed"
        assert _left_behind(index) == LEFT_BEHIND[point], "killed where it should have been"
        hits = PolyqaService(settings, embedder=fake_embedder).search(QUESTION, k=3)
        assert hits and {h.chunk.doc_id for h in hits} <= old_docs
    out = run_index(tmp_path, corpus, index, model_cache_dir)
    assert "added     new.txt" in out and "changed   notes.md" in out
    assert f"removed   {REMOVED}" in out and "1 unchanged" in out
    assert set(store.load(index).documents) == {KEPT, "new.txt", "notes.md"}
    assert _debris(index) == []

    _change(corpus, 3)
    run_index(tmp_path, corpus, index, model_cache_dir, kill_at="prune")
    notes = [c.text for c in store.load(index).chunks if c.doc_id == "notes.md"]
    assert any("version 3" in t for t in notes), "killed after the switch: the new index is live"
    out = run_index(tmp_path, corpus, index, model_cache_dir)
    assert "0 added, 0 changed, 0 removed, 3 unchanged" in out
    generations = [p.name for p in index.iterdir() if p.name.startswith("g")]
    assert len(generations) <= 2 and _debris(index) == []


@pytest.mark.slow
def test_killed_while_embedding_with_the_real_model(
    tmp_path: Path,
    corpus: Path,
    embedder: SentenceTransformerEmbedder,
    model_cache_dir: Path,
) -> None:
    """The real `polyqa index` killed mid-embedding; the old index answers with the real
    model, and the next real run embeds only what changed."""
    index = tmp_path / "idx"
    settings = load_settings(index_dir=index, cache_dir=model_cache_dir)
    PolyqaService(settings, embedder=embedder).index([corpus])
    _change(corpus, 2)
    run_index(tmp_path, corpus, index, model_cache_dir, kill_at="embed", fake=False)
    old = PolyqaService(settings, embedder=embedder).ask(QUESTION)
    assert old.found and old.citations
    assert {c.doc_id for c in old.citations} <= {KEPT, REMOVED}
    out = run_index(tmp_path, corpus, index, model_cache_dir, fake=False)
    assert "added     new.txt" in out and "(2 embedded)" in out, out
    new = PolyqaService(settings, embedder=embedder).ask("Who owns the data strategy?")
    assert new.found and new.citations[0].doc_id == "new.txt"


# --- damaged index files, and the bookkeeping the next run relies on ---------------------


def _fake_index(tmp_path: Path, fake_embedder, corpus: Path) -> Path:  # type: ignore[no-untyped-def]
    from corpus.reader import read_documents
    from index.builder import update_index

    docs, _ = read_documents([corpus])
    update_index(docs, tmp_path / "idx", fake_embedder, 128, 1)
    return tmp_path / "idx"


def _damage(index: Path, how: str) -> Path:
    gen = index / (index / "CURRENT").read_text().strip()
    if how == "current-garbage":
        (index / "CURRENT").write_text("\x00\x17garbage")
        return index / "CURRENT"
    if how == "current-not-utf8":
        (index / "CURRENT").write_bytes(b"\xff\xfeg0\x00\x00\x01")
        return index / "CURRENT"
    if how == "generation-missing":
        shutil.rmtree(gen)
        return gen
    name, cut = {
        "params-truncated": ("params.json", 40),
        "chunks-truncated": ("chunks.jsonl", 100),
        "vectors-truncated": ("vectors.faiss", 50),
    }.get(how, ("params.json", 0))
    path = gen / name
    if how == "params-incomplete":
        path.write_text(json.dumps({"format": store.FORMAT_VERSION, "params": {}}))
    elif how == "vectors-deleted":
        path = gen / "vectors.faiss"
        path.unlink()
    else:
        path.write_bytes(path.read_bytes()[:cut])
    return path


DAMAGE = [
    "current-garbage",
    "current-not-utf8",
    "generation-missing",
    "params-truncated",
    "params-incomplete",
    "chunks-truncated",
    "vectors-truncated",
    "vectors-deleted",
]


@pytest.mark.parametrize("how", DAMAGE)
def test_damaged_index_is_named_and_the_next_run_rebuilds(
    tmp_path: Path, corpus: Path, fake_embedder, how: str
) -> None:  # type: ignore[no-untyped-def]
    from corpus.reader import read_documents
    from index.builder import update_index
    from index.errors import CorruptIndexError

    index = _fake_index(tmp_path, fake_embedder, corpus)
    damaged = _damage(index, how)
    with pytest.raises(CorruptIndexError) as info:
        store.load(index)
    message = str(info.value)
    assert str(damaged) in message and "\n" not in message
    assert f"polyqa index PATH... --index {index}" in message
    docs, _ = read_documents([corpus])
    _, report = update_index(docs, index, fake_embedder, 128, 1)
    assert len(report.added) == 3 and len(store.load(index).documents) == 3


def test_moved_file_keeps_its_vectors(tmp_path: Path, corpus: Path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    from corpus.reader import read_documents
    from index.builder import update_index

    index = _fake_index(tmp_path, fake_embedder, corpus)
    before = store.load(index)
    (corpus / "notes.md").rename(corpus / "renamed.md")
    fake_embedder.embedded.clear()
    docs, _ = read_documents([corpus])
    stored, report = update_index(docs, index, fake_embedder, 128, 1)
    assert (report.added, report.removed, report.embedded_chunks) == (
        ["renamed.md"],
        ["notes.md"],
        0,
    )
    assert fake_embedder.embedded == []
    moved = [c for c in stored.chunks if c.doc_id == "renamed.md"]
    old = [c for c in before.chunks if c.doc_id == "notes.md"]
    assert [(c.start, c.end, c.text) for c in moved] == [(c.start, c.end, c.text) for c in old]
    assert all(c.path == str(corpus / "renamed.md") for c in moved)
    assert moved[0].chunk_id == "renamed.md#0"


def test_a_copy_is_skipped_and_the_indexed_name_stays(
    tmp_path: Path, corpus: Path, fake_embedder
) -> None:  # type: ignore[no-untyped-def]
    from corpus.reader import read_documents
    from index.builder import update_index

    index = _fake_index(tmp_path, fake_embedder, corpus)
    shutil.copy(corpus / "notes.md", corpus / "a_copy.md")  # sorts before notes.md
    docs, _ = read_documents([corpus])
    _, report = update_index(docs, index, fake_embedder, 128, 1)
    assert report.added == [] and "notes.md" in report.unchanged
    assert [(Path(p).name, why) for p, why in report.skipped] == [
        ("a_copy.md", "same content as notes.md")
    ]
