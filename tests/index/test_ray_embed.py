"""`polyqa index --ray`: the real model on a real local Ray cluster (one for the module)
gives the index the in-process path gives: the same chunks in the same order, vectors
equal to cosine 0.9999, the same search results; a cluster that is not there, or Ray not
installed, is one line.

Every Ray run is bounded: the CLI runs in a subprocess with a timeout, the embedder's own
run in a thread waited on with one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from bot.cli import cli
from index import store
from index.convert import BUILTIN_MODEL
from index.embedder import SentenceTransformerEmbedder

ray = pytest.importorskip("ray", reason="polyqa[ray] is not installed")

RAY_SECONDS = 600  # one `polyqa index --ray` run: cluster connect, 2 actors, ~100 texts

# Texts of this test's own, in three languages and two scripts.
TEXTS = {
    "bread.txt": (
        "Sourdough starts with flour and water left to ferment for several days. "
        "Wild yeasts and lactic bacteria make the dough rise slowly and give it a sour taste. "
        "A baker feeds the starter every morning with fresh flour.\n\n"
        "The loaf is shaped by hand and proofed overnight in a cool room. "
        "It bakes in a very hot oven, first covered, then open so the crust turns dark."
    ),
    "faro.txt": (
        "El farero subía cada tarde los ciento veinte escalones de la torre. "
        "Limpiaba la lente, llenaba el depósito de aceite y encendía la llama antes del anochecer. "
        "Durante las tormentas anotaba en un cuaderno la fuerza del viento.\n\n"
        "Desde que la luz es automática, la torre está vacía y los barcos confían en el radar. "
        "El cuaderno del último farero se guarda hoy en el museo del puerto."
    ),
    "madhumakhi.txt": (
        "मधुमक्खियाँ फूलों से रस इकट्ठा करके छत्ते में शहद बनाती हैं। "
        "एक छत्ते में हज़ारों श्रमिक मक्खियाँ और एक रानी मक्खी रहती है। "
        "मधुमक्खी पालक धुएँ से मक्खियों को शांत करता है।\n\n"
        "सर्दियों में मक्खियाँ एक साथ सिमटकर छत्ते को गर्म रखती हैं। "
        "वसंत आने पर वे फिर से खेतों और बगीचों में उड़ने लगती हैं।"
    ),
}
QUERIES = ["How long is the dough proofed?", "¿Dónde está el cuaderno del farero?"]


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """One local cluster for the module (two CPUs, as `--ray` alone starts); its address."""
    context = ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield context.address_info["gcs_address"]
    finally:
        ray.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ray-corpus")
    for name, text in TEXTS.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, model_cache_dir: Path) -> dict[str, str]:
    """Small chunks (several a document), this module's data dir, the machine's model."""
    return {
        "POLYQA_DATA_DIR": str(tmp_path_factory.mktemp("ray-data")),
        "POLYQA_CACHE_DIR": str(model_cache_dir),
        "POLYQA_CHUNK_TOKENS": "40",
    }


@pytest.fixture(scope="module")
def both(
    cluster: str, corpus: Path, env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, dict]:  # type: ignore[type-arg]
    """The corpus indexed in-process and on the module's cluster (by its address, from a
    process of its own, as a user's `polyqa index PATH --ray ADDRESS`)."""
    here = tmp_path_factory.mktemp("in-process") / "index"
    result = CliRunner().invoke(
        cli, ["index", str(corpus), "--index", str(here), "--quiet"], env=env
    )
    assert result.exit_code == 0, result.output
    there = tmp_path_factory.mktemp("on-ray") / "index"
    polyqa = Path(sys.executable).with_name("polyqa")
    done = subprocess.run(
        [str(polyqa), "index", str(corpus), "--index", str(there), "--json", "--ray", cluster],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=RAY_SECONDS,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return here, there, json.loads(done.stdout)


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


def test_ray_index_equals_the_in_process_one(both) -> None:  # type: ignore[no-untyped-def]
    here, there, report = both
    assert sorted(report["added"]) == sorted(TEXTS)
    assert report["embedded_chunks"] == report["chunks"] > len(TEXTS)  # several a document
    mine, theirs = store.load(here), store.load(there)
    assert [c.chunk_id for c in theirs.chunks] == [c.chunk_id for c in mine.chunks]
    assert [(c.start, c.end, c.lang) for c in theirs.chunks] == [
        (c.start, c.end, c.lang) for c in mine.chunks
    ]
    assert {c.lang for c in mine.chunks} == {"en", "es", "hi"}
    assert _cosines(mine.index.vectors(), theirs.index.vectors()).min() >= 0.9999
    s_mine, s_theirs = mine.sentences, theirs.sentences
    assert s_mine is not None and s_theirs is not None
    assert np.array_equal(s_mine.spans, s_theirs.spans)
    assert np.array_equal(s_mine.ptr, s_theirs.ptr)
    assert _cosines(s_mine.vectors, s_theirs.vectors).min() >= 0.9999


@pytest.mark.parametrize("query", QUERIES)
def test_ray_index_answers_as_the_in_process_one(both, env, query: str) -> None:  # type: ignore[no-untyped-def]
    here, there, _ = both

    def hits(index: Path) -> list[dict]:  # type: ignore[type-arg]
        args = ["search", "--json", "--k", "5", "--index", str(index), query]
        result = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    mine, theirs = hits(here), hits(there)
    assert [(h["doc_id"], h["start"], h["end"]) for h in theirs] == [
        (h["doc_id"], h["start"], h["end"]) for h in mine
    ]
    assert np.allclose([h["score"] for h in theirs], [h["score"] for h in mine], atol=1e-3)


def test_ray_embedder_keeps_order_and_repeats_itself(
    cluster: str, embedder: SentenceTransformerEmbedder, model_cache_dir: Path
) -> None:
    """Texts of very different lengths (the embedder sorts them by length to batch them)
    come back in the order given, equal to the in-process vectors, the same bit for bit
    when embedded again."""
    from index.ray_embed import RayEmbedder

    texts = [s for t in TEXTS.values() for s in t.replace("।", "।\n").splitlines() if s]
    texts = texts[::2] + texts[1::2]  # not in length order
    ray_embedder = RayEmbedder(BUILTIN_MODEL, model_cache_dir, cluster, actors=2, batch_size=4)
    with ThreadPoolExecutor(1) as pool:  # bounded: a stuck cluster fails the test
        first = pool.submit(ray_embedder._run, texts).result(timeout=RAY_SECONDS)
        again = pool.submit(ray_embedder._run, texts).result(timeout=RAY_SECONDS)
    ray_embedder.close()  # joined, not started: the module's cluster keeps running
    assert ray.is_initialized()
    assert np.array_equal(first, again)
    assert _cosines(first, embedder.embed_passages(texts)).min() >= 0.9999
    assert ray_embedder.name == BUILTIN_MODEL and ray_embedder.dim == first.shape[1]


def test_an_unreachable_cluster_is_one_line(corpus: Path, env: dict[str, str]) -> None:
    args = ["index", str(corpus), "--index", str(corpus.parent / "never"), "--ray"]
    result = CliRunner().invoke(cli, [*args, "127.0.0.1:9"], env=env)
    assert result.exit_code == 1
    assert "Ray cluster '127.0.0.1:9' cannot be reached" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 2  # "loading ...", then the error
    result = CliRunner().invoke(cli, [*args, "nowhere"], env=env)
    assert result.exit_code == 1
    assert "is not host:port" in result.stderr
    assert not (corpus.parent / "never").exists()


def test_ray_missing_says_which_extra(
    corpus: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` fails as if not installed
    args = ["index", str(corpus), "--index", str(corpus.parent / "never"), "--quiet", "--ray"]
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 1
    assert result.stderr.strip().endswith("install polyqa[ray]")
    assert len(result.stderr.strip().splitlines()) == 1
