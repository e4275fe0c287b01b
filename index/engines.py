"""Which engine embeds documents at index time (the ``embed_backend`` setting).

Apart from index/embedder.py because the engines it picks (index/onnx_embedder.py,
index/fast_embedder.py) are built on that module's ``Embedder``: choosing among them there
made an import cycle.
"""

from __future__ import annotations

from pathlib import Path

from index.convert import BUILTIN_MODEL
from index.embedder import Embedder, SentenceTransformerEmbedder
from index.errors import ModelError


def make_index_embedder(
    name: str, cache_dir: Path, backend: str = "torch", batch_size: int = 32
) -> Embedder:
    """The engine documents are embedded with. ``backend`` other than "torch" applies to
    the built-in model only (index/onnx_embedder.py exports it); any other model, and
    "torch", is sentence-transformers. "numpy" is the query path's engine (a benchmark
    variant: one thread, no batching across texts' padding)."""
    if name == BUILTIN_MODEL and backend in ("onnx", "onnx-int8", "openvino"):
        from index.onnx_embedder import OnnxE5Embedder

        return OnnxE5Embedder(cache_dir, backend, batch_size)  # type: ignore[arg-type]
    if name == BUILTIN_MODEL and backend == "numpy":
        from index.fast_embedder import FastE5Embedder

        return FastE5Embedder(cache_dir)
    if backend not in ("torch", "onnx", "onnx-int8", "openvino", "numpy"):
        raise ModelError(f"unknown embed_backend {backend!r}: torch, onnx, onnx-int8 or openvino")
    return SentenceTransformerEmbedder(name, cache_dir, batch_size)
