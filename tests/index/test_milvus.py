"""The Milvus backend (index/ann/milvus.py) on real engines: Milvus Lite, and the real
standalone server (PyPI ``milvus`` 2.3.5) started on loopback by this module.

What is checked, on both: a search through Milvus returns exactly what FAISS's exact
index returns over the same vectors (with per-language and pool restrictions); an update
writes only the chunks of the documents added, changed or removed, and the generation
before it still answers as it did; a collection that does not hold the index's
parameters is refused; a write killed in the middle of its Milvus writes leaves the
index answering as before, and the next write completes. The documents are embedded by
the fake (hash) embedder: the engine is under test, not the model.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from index import store
from index.ann import AnnConfig
from index.ann.flat import FlatIPIndex
from index.ann.milvus import (
    MilvusIndex,
    client,
    forget_client,
    local_server,
)
from index.builder import update_index
from index.errors import IndexMismatchError, MilvusUnavailableError
from tests.conftest import FakeEmbedder
from tests.index.conftest import doc

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

REPO = Path(__file__).resolve().parents[2]
WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "theta", "kappa", "sigma", "omega"]


def _text(seed: int, sentences: int = 12) -> str:
    rng = np.random.default_rng(seed)
    return " ".join(
        " ".join(rng.choice(WORDS, 7)).capitalize() + f" {seed}x{i}." for i in range(sentences)
    )


def _docs(specs: dict[str, tuple[int, str]]) -> list:
    return [doc(name, _text(seed), lang) for name, (seed, lang) in sorted(specs.items())]


BASE = {"a.txt": (1, "en"), "b.txt": (2, "de"), "c.txt": (3, "en"), "d.txt": (4, "fr")}
# b changed, c removed, e added; a and d unchanged.
UPDATED = {"a.txt": (1, "en"), "b.txt": (20, "de"), "d.txt": (4, "fr"), "e.txt": (5, "de")}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real Milvus server, started once for this module (bounded: 120 s)."""
    pytest.importorskip("milvus", reason="PyPI milvus (the server binary) is not installed")
    base = tmp_path_factory.mktemp("milvus-server")
    try:
        with local_server(base, timeout=120.0) as uri:
            yield uri
    except RuntimeError as exc:
        pytest.skip(f"the Milvus server binary cannot start on this machine: {exc}")


@pytest.fixture(params=["lite", "server"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AnnConfig]:
    """The index's engine: Milvus Lite in the index directory, or the real server."""
    uri = "" if request.param == "lite" else request.getfixturevalue("server")
    yield AnnConfig(backend="milvus", milvus_uri=uri)
    forget_client(uri or str((tmp_path / "index").resolve() / "milvus.db"))


def _index(docs: list, index_dir: Path, ann: AnnConfig) -> store.StoredIndex:
    stored, _ = update_index(docs, index_dir, FakeEmbedder(), 32, 1, ann=ann)
    return stored


def _exact(stored: store.StoredIndex) -> FlatIPIndex:
    flat = FlatIPIndex(stored.params.dim)
    flat.add(np.asarray(stored.index.vectors()))
    return flat


def _row_langs(stored: store.StoredIndex) -> np.ndarray:
    return np.array([stored.documents[c.doc_id].lang for c in stored.chunks])


def _searches(stored: store.StoredIndex) -> list[tuple[list[int], list[float]]]:
    """Every restriction polyqa's retriever asks for: none, one language, a pool that
    leaves a document out; each query a stored chunk's vector and a mixed one."""
    langs = _row_langs(stored)
    vecs = np.asarray(stored.index.vectors())
    queries = [vecs[0], vecs[-1], (vecs[1] + vecs[-2]) / np.linalg.norm(vecs[1] + vecs[-2])]
    first_doc = stored.chunks[0].doc_id
    not_first = [i for i, c in enumerate(stored.chunks) if c.doc_id != first_doc]
    out = []
    for q in queries:
        for allowed, lang in [
            (None, None),
            *[(np.flatnonzero(langs == lang), str(lang)) for lang in sorted(set(langs))],
            (not_first, None),
            ([r for r in not_first if langs[r] == "en"], "en"),
        ]:
            scores, rows = stored.index.search(q[None, :], 5, allowed, lang)
            # Exact ties (chunks of the same text) in row order: FAISS's order among
            # them is its heap's. Scores to 5 decimals: float32 sums in another order.
            hits = sorted(
                zip(scores[0].tolist(), rows[0].tolist(), strict=True),
                key=lambda sr: (-round(sr[0], 5), sr[1]),
            )
            out.append(([r for _, r in hits], [s for s, _ in hits]))
    return out


def _same(
    found: list[tuple[list[int], list[float]]], want: list[tuple[list[int], list[float]]]
) -> bool:
    """The same rows in the same order, the same scores to float32 rounding."""
    return len(found) == len(want) and all(
        rows == wrows and np.allclose(scores, wscores, atol=1e-5)
        for (rows, scores), (wrows, wscores) in zip(found, want, strict=True)
    )


def _exact_searches(stored: store.StoredIndex) -> list[tuple[list[int], list[float]]]:
    exact = store.StoredIndex(stored.params, stored.documents, stored.chunks, _exact(stored))
    return _searches(exact)


def test_search_equals_faiss_exact(backend: AnnConfig, tmp_path: Path) -> None:
    stored = _index(_docs(BASE), tmp_path / "index", backend)
    assert isinstance(stored.index, MilvusIndex)
    assert stored.index.size == len(stored.chunks) > 8
    assert _same(_searches(stored), _exact_searches(stored))
    # And once loaded from disk (a new process would do just this).
    loaded = store.load(tmp_path / "index")
    assert isinstance(loaded.index, MilvusIndex)
    assert _same(_searches(loaded), _exact_searches(stored))


def test_update_writes_only_changed_documents(backend: AnnConfig, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    first = _index(_docs(BASE), index_dir, backend)
    before = _searches(first)
    second = _index(_docs(UPDATED), index_dir, backend)
    assert isinstance(second.index, MilvusIndex) and second.generation > first.generation
    assert _same(_searches(second), _exact_searches(second))
    index = second.index
    milvus, name = client(index._uri), index._collection
    g2 = int(second.generation[1:])

    def count(expr: str) -> int:
        return int(milvus.query(name, filter=expr, output_fields=["count(*)"])[0]["count(*)"])

    changed = sum(1 for c in second.chunks if c.doc_id in ("b.txt", "e.txt"))
    dropped = sum(1 for c in first.chunks if c.doc_id in ("b.txt", "c.txt"))
    assert count(f"born == {g2}") == changed  # only the new chunks were written
    assert count(f"died == {g2}") == dropped  # the dropped ones marked, not rewritten
    assert count(f"born <= {g2} and died > {g2}") == len(second.chunks)
    # The generation before still answers as it did (readers keep it until the next write).
    assert _same(_searches(first), before)
    # Rows dead at g2 stay while a generation that sees them is on disk (the first,
    # kept by the store for readers until the third write switches), then go.
    third = _index(_docs({"a.txt": (1, "en"), "d.txt": (4, "fr")}), index_dir, backend)
    assert _same(_searches(third), _exact_searches(third))
    assert count(f"died == {g2}") == dropped
    fourth = _index(_docs({"a.txt": (1, "en")}), index_dir, backend)
    assert _same(_searches(fourth), _exact_searches(fourth))
    g4 = int(fourth.generation[1:])
    assert count(f"died <= {g2}") == 0
    assert count(f"born <= {g4} and died > {g4}") == len(fourth.chunks)


def test_collection_of_other_parameters_is_refused(backend: AnnConfig, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    stored = _index(_docs(BASE), index_dir, backend)
    params_path = index_dir / stored.generation / "params.json"
    params = json.loads(params_path.read_text())
    params["vectors"]["describe"]["model"] = "another-model"
    params_path.write_text(json.dumps(params))
    with pytest.raises(IndexMismatchError, match=r"collection polyqa_\w+ .*model") as err:
        store.load(index_dir)
    assert "\n" not in str(err.value)


def test_unreachable_server_is_one_named_line(tmp_path: Path) -> None:
    ann = AnnConfig(backend="milvus", milvus_uri="http://127.0.0.1:9")
    with pytest.raises(MilvusUnavailableError, match=r"Milvus server http://127.0.0.1:9: ") as err:
        _index(_docs(BASE), tmp_path / "index", ann)
    assert "\n" not in str(err.value)
    assert not store.exists(tmp_path / "index")


CHILD = r"""
import os, sys, time
from pathlib import Path
sys.path[:0] = [os.environ["POLYQA_TEST_REPO"]]
from pymilvus import MilvusClient
from index.ann import AnnConfig
from index.builder import update_index
from tests.conftest import FakeEmbedder
from tests.index.test_milvus import UPDATED, _docs

marker, calls = Path(os.environ["POLYQA_TEST_MARKER"]), []
original = MilvusClient.upsert
def paused(self, name, *args, **kwargs):
    done = original(self, name, *args, **kwargs)
    calls.append(name)
    if len(calls) == int(os.environ["POLYQA_TEST_KILL_AFTER"]):
        self.flush(name)  # what was written so far is in the collection
        marker.write_text("written")
        time.sleep(600)  # killed here
    return done
MilvusClient.upsert = paused
ann = AnnConfig(backend="milvus", milvus_uri=os.environ["POLYQA_TEST_URI"])
update_index(_docs(UPDATED), Path(sys.argv[1]), FakeEmbedder(), 32, 1, ann=ann)
"""


@pytest.mark.parametrize("kill_after", [1, 2])
def test_write_killed_mid_milvus_leaves_old_answers(
    backend: AnnConfig, tmp_path: Path, kill_after: int
) -> None:
    """SIGKILL after the new rows are written (1 upsert: both are German), and after
    the first language's removals are marked (2), before the other's."""
    index_dir = tmp_path / "index"
    first = _index(_docs(BASE), index_dir, backend)
    before = _searches(first)
    lite_file = str(index_dir.resolve() / "milvus.db")
    if not backend.milvus_uri:
        forget_client(lite_file)  # Milvus Lite: one process holds the file at a time
    marker = tmp_path / "marker"
    env = dict(
        os.environ,
        POLYQA_TEST_REPO=str(REPO),
        POLYQA_TEST_MARKER=str(marker),
        POLYQA_TEST_KILL_AFTER=str(kill_after),
        POLYQA_TEST_URI=backend.milvus_uri,
    )
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(index_dir)], env=env)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert child.poll() is None, "the writer ended before the kill point"
            assert time.monotonic() < deadline, "the writer never reached the kill point"
            time.sleep(0.1)
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    again = store.load(index_dir)
    assert again.generation == first.generation
    assert _same(_searches(again), before)
    # The next write completes the work, and the killed one's rows are gone.
    done = _index(_docs(UPDATED), index_dir, backend)
    assert sorted(done.documents) == sorted(UPDATED)
    assert _same(_searches(done), _exact_searches(done))
    milvus, name = client(done.index._uri), done.index._collection  # type: ignore[attr-defined]
    g = int(done.generation[1:])
    alive = milvus.query(name, filter=f"born <= {g} and died > {g}", output_fields=["count(*)"])
    assert int(alive[0]["count(*)"]) == len(done.chunks)


def test_settings_choose_the_engine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from bot.errors import SettingsError
    from bot.settings import load_settings

    monkeypatch.setenv("POLYQA_CONFIG", str(tmp_path / "none.toml"))
    assert load_settings().ann.backend == "faiss"
    monkeypatch.setenv("POLYQA_INDEX_BACKEND", "milvus")
    monkeypatch.setenv("POLYQA_MILVUS_URI", "http://127.0.0.1:19530")
    ann = load_settings().ann
    assert (ann.backend, ann.milvus_uri) == ("milvus", "http://127.0.0.1:19530")
    with pytest.raises(SettingsError, match="index_backend"):
        load_settings(index_backend="elastic")
