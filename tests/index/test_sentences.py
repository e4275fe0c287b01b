"""Sentence vectors live in the index generation: written with it, copied for unchanged
documents, memory-mapped on load, and a damaged or missing file never stops a reader."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.retrieval.retriever import Retriever
from bot.service import PolyqaService
from bot.settings import load_settings
from corpus.document import Chunk
from corpus.reader import default_corpus_dir
from corpus.sentences import sentences_in_context
from index import store
from index.builder import update_index
from index.embedder import SentenceTransformerEmbedder
from index.errors import IndexMismatchError
from index.sentences import RECIPE, SentenceVectors, sentence_units
from tests.index.conftest import DOCS, doc

REPO = Path(__file__).resolve().parents[2]
POLYQA = str(Path(sys.executable).parent / "polyqa")  # the command a user runs


DOCS = DOCS[:2]  # a Latin-script pair


def _gen(index: Path) -> Path:
    return index / (index / "CURRENT").read_text().strip()


def test_vectors_are_found_by_position(fake_embedder) -> None:  # type: ignore[no-untyped-def]
    # The answer composer reuses these instead of embedding every candidate again.
    text = "Der CTO leitet die Technik. Er berichtet an den CEO.\nCIO: der Informationschef"
    chunk = Chunk("d#0", "d", "/x/d", "d", "de", 100, 100 + len(text), text)
    vectors = SentenceVectors.build([chunk], fake_embedder)
    second = text.index("Er berichtet")
    assert (second, text.index("\n"), "Er berichtet an den CEO.") in sentence_units(chunk)
    want = fake_embedder.embed_passages(["Er berichtet an den CEO."])[0]
    assert np.allclose(vectors.vector_of(0, second), want, atol=1e-3)  # float16
    assert vectors.vector_of(0, second + 1) is None
    assert vectors.vector_of(1, 0) is None
    best = vectors.best(want, np.array([0, 5]))
    assert best[0] == pytest.approx(1.0, abs=1e-3) and best[1] == -1.0


def test_a_sentence_after_a_heading_is_stored_under_it(tmp_path: Path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    # What the reranker scores and what the answer composer looks up by a sentence's
    # start (its _Sentence.own) is the sentence in context, as sentences_in_context says.
    text = "Lieferkette:\nSie umfasst alle Zulieferer. Der CTO prüft sie."
    update_index([doc("g.txt", text, "de")], tmp_path / "idx", fake_embedder, 64, 0)
    loaded = store.load(tmp_path / "idx")
    assert loaded.sentences is not None and len(loaded.chunks) == 1
    units = sentences_in_context(loaded.chunks[0].text)
    assert units[1][2] == "Lieferkette: Sie umfasst alle Zulieferer."
    for start, _, context in units:
        want = fake_embedder.embed_passages([context])[0]
        assert np.allclose(loaded.sentences.vector_of(0, start), want, atol=1e-3)


def test_vectors_of_another_recipe_are_recomputed_then_rewritten(
    tmp_path: Path, fake_embedder, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    index = tmp_path / "idx"
    update_index(DOCS, index, fake_embedder, 64, 0)
    params_path = _gen(index) / "params.json"
    params = json.loads(params_path.read_text())
    assert params["derived"]["sentences"]["recipe"] == RECIPE
    del params["derived"]["sentences"]["recipe"]  # as written before sentences had context
    params_path.write_text(json.dumps(params))
    with caplog.at_level(logging.WARNING):
        loaded = store.load(index)
    assert loaded.sentences is None and "recipe 1" in loaded.damaged["sentences"]
    assert any("recipe 1" in r.getMessage() for r in caplog.records)
    fake_embedder.embedded.clear()
    _, report = update_index(DOCS, index, fake_embedder, 64, 0)
    assert report.embedded_chunks == 0 and report.embedded_sentences == 4
    rewritten = store.load(index)
    assert rewritten.sentences is not None and not rewritten.damaged


def test_stored_in_the_generation_and_memory_mapped(tmp_path: Path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    index = tmp_path / "idx"
    update_index(DOCS, index, fake_embedder, 64, 0)
    gen = _gen(index)
    params = json.loads((gen / "params.json").read_text())
    assert set(SentenceVectors.files) <= set(params["checksums"])
    assert params["derived"]["sentences"]["count"] == 4
    fake_embedder.embedded.clear()
    loaded = store.load(index)
    assert isinstance(loaded.sentences, SentenceVectors) and not loaded.damaged
    assert isinstance(loaded.sentences.vectors, np.memmap)  # never read whole
    retriever = Retriever(loaded, fake_embedder)
    assert retriever.sentences is loaded.sentences and fake_embedder.embedded == []
    row = next(i for i, c in enumerate(loaded.chunks) if c.doc_id == "b.txt")
    start = loaded.chunks[row].text.index("Er berichtet")
    want = fake_embedder.embed_passages(["Er berichtet an den CEO."])[0]
    assert np.allclose(loaded.sentences.vector_of(row, start), want, atol=1e-3)


def test_unchanged_documents_keep_their_sentence_vectors(tmp_path: Path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    index = tmp_path / "idx"
    update_index(DOCS, index, fake_embedder, 64, 0)
    before = store.load(index).sentences
    assert before is not None
    kept = np.array(before.vectors[: before.ptr[1]])
    fake_embedder.embedded.clear()
    changed = doc("b.txt", "Der CTO leitet die Technik. Er berichtet an den CIO.", "de")
    _, report = update_index([DOCS[0], changed], index, fake_embedder, 64, 0)
    assert report.embedded_sentences == 2
    assert not any("CTO leads" in t for t in fake_embedder.embedded), "a.txt embedded again"
    after = store.load(index).sentences
    assert after is not None and np.array_equal(after.vectors[: after.ptr[1]], kept)


DAMAGE = {
    "truncated": lambda p: p.write_bytes(p.read_bytes()[:60]),
    "garbled": lambda p: p.write_bytes(b"\x00garbage" * 40),
    "empty": lambda p: p.write_bytes(b""),
    "deleted": lambda p: p.unlink(),
}


@pytest.mark.parametrize("name", SentenceVectors.files)
@pytest.mark.parametrize("how", sorted(DAMAGE))
def test_damaged_sentence_file_warns_and_the_next_run_repairs_it(
    tmp_path: Path, fake_embedder, caplog: pytest.LogCaptureFixture, name: str, how: str
) -> None:  # type: ignore[no-untyped-def]
    index = tmp_path / "idx"
    update_index(DOCS, index, fake_embedder, 64, 0)
    path = _gen(index) / name
    DAMAGE[how](path)
    with caplog.at_level(logging.WARNING):
        loaded = store.load(index)
    assert loaded.sentences is None and str(path) in loaded.damaged["sentences"]
    warning = next(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert str(path) in warning and "\n" not in warning and "polyqa index" in warning
    retriever = Retriever(loaded, fake_embedder)  # rebuilt in memory: searches still work
    assert retriever.sentences is not None and retriever.sentences.count == 4
    assert retriever.search("Who runs the infrastructure?", 2)
    fake_embedder.embedded.clear()
    _, report = update_index(DOCS, index, fake_embedder, 64, 0)  # nothing changed, but...
    assert report.embedded_chunks == 0 and report.embedded_sentences == 4
    repaired = store.load(index)
    assert repaired.sentences is not None and not repaired.damaged


def test_old_format_is_refused_and_the_default_index_rebuilt(tmp_path: Path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    settings = load_settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    PolyqaService(settings, embedder=fake_embedder).retriever()
    index = settings.default_index_dir
    params_path = _gen(index) / "params.json"
    params = json.loads(params_path.read_text())
    params["format"] = 1
    params_path.write_text(json.dumps(params))
    with pytest.raises(IndexMismatchError, match=r"format 1, this polyqa reads 2.*polyqa index"):
        store.load(index)
    hits = PolyqaService(settings, embedder=fake_embedder).search("Who does the CTO report to?")
    assert hits and all(Path(h.chunk.path).parent == default_corpus_dir() for h in hits)
    assert json.loads((_gen(index) / "params.json").read_text())["format"] == store.FORMAT_VERSION


def test_the_old_global_cache_is_ignored(tmp_path: Path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    cache = tmp_path / "cache"
    (cache / "sentence-vectors").mkdir(parents=True)
    (cache / "sentence-vectors" / "fake-hash-embedder.npz").write_bytes(b"PK\x03\x04 garbage")
    settings = load_settings(data_dir=tmp_path / "data", cache_dir=cache)
    assert PolyqaService(settings, embedder=fake_embedder).search("Who runs the harbour?")
    assert sorted(p.name for p in (cache / "sentence-vectors").iterdir()) == [
        "fake-hash-embedder.npz"
    ]


@pytest.mark.slow
@pytest.mark.parametrize("how", ["truncated", "empty"])
def test_read_commands_survive_damaged_sentence_vectors(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, model_cache_dir: Path, how: str
) -> None:
    """The real `polyqa search` and `polyqa ask` over an index whose sentence vectors are
    damaged: answers, one warning line naming the file, no traceback."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "note.txt").write_text("The chief data officer owns the data strategy.\n")
    index = tmp_path / "idx"
    settings = load_settings(index_dir=index, cache_dir=model_cache_dir)
    PolyqaService(settings, embedder=embedder).index([folder])
    damaged = _gen(index) / "sentences.npy"
    DAMAGE[how](damaged)
    env = dict(os.environ, POLYQA_CACHE_DIR=str(model_cache_dir))
    env["POLYQA_CONFIG"] = str(tmp_path / "none.toml")
    for command in (["search", "--json"], ["ask"]):
        done = subprocess.run(
            [POLYQA, *command, "Who owns the data strategy?", "--index", str(index)],
            capture_output=True, text=True, env=env, cwd=REPO, timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        assert "Traceback" not in done.stderr and "note.txt" in done.stdout
        warnings = [line for line in done.stderr.splitlines() if line.startswith("WARNING")]
        assert len(warnings) == 1 and str(damaged) in warnings[0], done.stderr
