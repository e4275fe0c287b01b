"""The converted model's forward pass in numpy: BERT encoder, mean pooling, unit length.

Why: the query path embeds one question and a few sentences; torch takes 1.3 s to import
and sentence-transformers 5 s, numpy is loaded anyway. The weights are the converted
sentence-transformers folder's own ``model.safetensors`` (index/convert.py), memory-mapped,
so only the pages used are read; in float32 like torch, the vectors agree with
sentence-transformers' to float32 rounding (tests/index/test_fast_embedder.py).

The texts of a call are concatenated into one token matrix, so every weight is read once
per call; only attention is computed per text. GELU is the exact erf form (the model's
``hidden_act``), with erf from a rational approximation accurate to 3.5e-7 in float32.
"""

from __future__ import annotations

import itertools
import json
import mmap
import struct
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.errors import ModelError

_DTYPES = {"F32": np.float32}


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Read-only arrays over a memory map of the file (no copy)."""
    try:
        with path.open("rb") as f:
            (n,) = struct.unpack("<Q", f.read(8))
            header = json.loads(f.read(n))
            mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError, struct.error) as exc:
        raise ModelError(f"{path}: unreadable model weights ({exc})") from exc
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = _DTYPES.get(info["dtype"])
        start, end = info["data_offsets"]
        if dtype is None or 8 + n + end > len(mm):
            raise ModelError(f"{path}: tensor {name} is {info['dtype']} or runs past the end")
        count = (end - start) // np.dtype(dtype).itemsize
        out[name] = np.frombuffer(mm, dtype, count, 8 + n + start).reshape(info["shape"])
    return out


class BertEncoder:
    """``embed(ids)``: one unit vector per token-id list (special tokens included)."""

    def __init__(self, model_dir: Path) -> None:
        config = json.loads((model_dir / "config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.layers = int(config["num_hidden_layers"])
        if config.get("hidden_act") != "gelu" or config.get("model_type") != "bert":
            raise ModelError(f"{model_dir}: not the BERT model index/convert.py writes")
        self.w = read_safetensors(model_dir / "model.safetensors")
        self.dim = int(self.w["embeddings.word_embeddings.weight"].shape[1])

    def embed(self, batch: Sequence[Sequence[int]]) -> np.ndarray:
        if not batch:
            return np.zeros((0, self.dim), dtype=np.float32)
        w = self.w
        bounds = np.cumsum([0, *map(len, batch)])
        ids = np.concatenate([np.asarray(b, dtype=np.int64) for b in batch])
        positions = np.concatenate([np.arange(len(b)) for b in batch])
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][positions]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        for layer in range(self.layers):
            x = self._layer(x, f"encoder.layer.{layer}.", bounds)
        pooled = np.stack([x[a:b].mean(axis=0) for a, b in itertools.pairwise(bounds)])
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return (pooled / norms).astype(np.float32)

    def _layer(self, x: np.ndarray, p: str, bounds: np.ndarray) -> np.ndarray:
        q = self._linear(x, p + "attention.self.query")
        k = self._linear(x, p + "attention.self.key")
        v = self._linear(x, p + "attention.self.value")
        attended = np.empty_like(x)
        for a, b in itertools.pairwise(bounds):
            attended[a:b] = self._attention(q[a:b], k[a:b], v[a:b])
        x = self._norm(self._linear(attended, p + "attention.output.dense") + x,
                       p + "attention.output.LayerNorm")  # fmt: skip
        h = _gelu(self._linear(x, p + "intermediate.dense"))
        return self._norm(self._linear(h, p + "output.dense") + x, p + "output.LayerNorm")

    def _attention(self, q: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray:
        n, d = q.shape
        hd = d // self.heads
        qh, kh, vh = (t.reshape(n, self.heads, hd).transpose(1, 0, 2) for t in (q, k, v))
        scores = qh @ kh.transpose(0, 2, 1) / np.float32(np.sqrt(hd))
        scores -= scores.max(axis=-1, keepdims=True)
        probs = np.exp(scores)
        probs /= probs.sum(axis=-1, keepdims=True)
        return np.asarray((probs @ vh).transpose(1, 0, 2).reshape(n, d))

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        return np.asarray(x @ self.w[name + ".weight"].T + self.w[name + ".bias"])

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(axis=-1, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        y = (x - mean) / np.sqrt(var + np.float32(self.eps))
        return np.asarray(y * self.w[name + ".weight"] + self.w[name + ".bias"], dtype=np.float32)


def _gelu(x: np.ndarray) -> np.ndarray:
    return np.asarray(0.5 * x * (1.0 + _erf(x * _SQRT_HALF)), dtype=np.float32)


_SQRT_HALF = np.float32(np.sqrt(0.5))  # float32: a float64 scalar would widen x


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to 3.5e-7 (Numerical Recipes' erfc Chebyshev fit), in float32 and in place.

    In float64 (to 8e-8) it was a quarter of a question's embedding (6.8 of ~28 ms under
    load), in float32 3.3 ms; the vectors move by 5e-8 at most, float32's own rounding."""
    z = np.abs(x)
    t = np.float32(1.0) / (np.float32(1.0) + np.float32(0.5) * z)
    poly = np.full_like(t, _ERFC[0])
    for c in _ERFC[1:]:  # Horner's rule
        poly *= t
        poly += c
    poly -= z * z
    erfc = t * np.exp(poly)
    return np.where(x >= 0, np.float32(1.0) - erfc, erfc - np.float32(1.0))


# The fit's coefficients, highest power of t first.
_ERFC = tuple(
    np.float32(c)
    for c in (
        0.17087277, -0.82215223, 1.48851587, -1.13520398, 0.27886807,
        -0.18628806, 0.09678418, 0.37409196, 1.00002368, -1.26551223,
    )
)  # fmt: skip
