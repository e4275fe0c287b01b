"""The embedding model: one small interface, one sentence-transformers implementation.

The rest of polyqa only sees ``Embedder``: it needs passages and queries turned into
unit vectors, and the model's own token count so the chunker never feeds more than the
model reads (sentence-transformers truncates silently at ``max_seq_length``).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from index.convert import BUILTIN_MODEL, converted_model_dir
from index.errors import ModelError

logger = logging.getLogger(__name__)


class Embedder(Protocol):
    """What the index needs from a model."""

    name: str
    dim: int
    max_tokens: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def count_tokens(self, text: str) -> int: ...


class SentenceTransformerEmbedder:
    """Any sentence-transformers model; e5-style prompts are used when the model has them.

    Vectors come back L2-normalised float32, so inner product is cosine similarity.
    """

    def __init__(self, name: str, cache_dir: Path, batch_size: int = 32) -> None:
        self.name = name
        self.batch_size = batch_size
        self._model = _load(name, cache_dir)
        dim_of = getattr(self._model, "get_embedding_dimension", None)
        dim_of = dim_of or self._model.get_sentence_embedding_dimension
        self.dim = int(dim_of() or 0)
        self.max_tokens = int(self._model.max_seq_length)
        prompts = self._model.prompts or {}
        self._passage_prompt = "passage" if "passage" in prompts else None
        self._query_prompt = "query" if "query" in prompts else None
        self._prefix = prompts.get("passage", "")
        # The tokenizer is not safe for concurrent use from several threads (chat server).
        self._lock = threading.Lock()
        self._counter = _plain_tokenizer(self._model.tokenizer)

    def _encode(self, texts: Sequence[str], prompt_name: str | None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vecs = self._model.encode(
                list(texts),
                prompt_name=prompt_name,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vecs, dtype=np.float32)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._passage_prompt)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._query_prompt)

    def count_tokens(self, text: str) -> int:
        """Tokens the model reads for this passage: prompt and special tokens included."""
        return self.count_tokens_many([text])[0]

    def count_tokens_many(self, texts: Sequence[str]) -> list[int]:
        """``count_tokens`` of each text in one tokenizer call (the chunker counts every
        sentence of a span at once: per call, the tokenizer's overhead dominated)."""
        if not texts:
            return []
        prefixed = [self._prefix + t for t in texts]
        if self._counter is not None:  # the Rust tokenizer itself: half the time
            return [len(e.ids) for e in self._counter.encode_batch(prefixed)]
        with self._lock:
            batch = self._model.tokenizer(prefixed, add_special_tokens=True)["input_ids"]
        return [len(ids) for ids in batch]


def _plain_tokenizer(tokenizer: Any) -> Any:
    """A private copy of a fast tokenizer's Rust tokenizer, never truncating or padding
    (its configuration may truncate at the model's limit: a count must not stop there);
    None for a tokenizer without one."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        return None
    from tokenizers import Tokenizer

    copy = Tokenizer.from_str(backend.to_str())
    copy.no_truncation()
    copy.no_padding()
    return copy


def _load(name: str, cache_dir: Path) -> Any:
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # a bar per model load is noise on stderr

    path = str(converted_model_dir(cache_dir)) if name == BUILTIN_MODEL else name
    try:
        model = SentenceTransformer(path, device="cpu")
    except (OSError, ValueError) as exc:
        raise ModelError(
            f"model {name!r} could not be loaded ({exc.__class__.__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''}); name a local "
            f"sentence-transformers folder, a hub id where the hub is reachable, "
            f"or the built-in {BUILTIN_MODEL!r}"
        ) from exc
    model.eval()
    logger.info("loaded model %s (%s)", name, path)
    return model


def default_cache_dir() -> Path:
    """Where converted models live: $POLYQA_CACHE_DIR, else $XDG_CACHE_HOME/polyqa."""
    env = os.environ.get("POLYQA_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "polyqa"
