"""The built-in model exported to ONNX, for indexing: ONNX Runtime or OpenVINO run it.

Why: `polyqa index` spends its time in the model's forward pass over every chunk and
every chunk's sentences; sentence-transformers' torch did 19.6 passages/s here (issue 14).
ONNX Runtime and OpenVINO run the same graph with fused kernels, and its int8 dynamic
quantization (weights int8, activations quantized per call) uses the CPU's int8 dot
products (bench/README.md, "Indexing throughput", has the numbers and the quality check).

sentence-transformers' own ``backend="onnx"``/``"openvino"`` go through optimum-onnx and
optimum-intel, whose releases pin transformers < 4.58 while sentence-transformers 6
needs transformers 5: they cannot be installed beside it. So the graph is exported here
with torch.onnx (once, into the cache dir, beside the converted model), quantized with
onnxruntime's own quantizer, and run without torch: the tokenizer is the converted
folder's ``tokenizer.json`` (the `tokenizers` library, as sentence-transformers), mean
pooling and normalisation in numpy, texts sorted by length and batched as
sentence-transformers batches them.

An exported file is checked against the SHA-256 its marker records before use; a
missing or damaged one is exported again.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from index.checksum import file_sha256
from index.convert import BUILTIN_MODEL, PROMPTS, converted_model_dir
from index.errors import ModelError

logger = logging.getLogger(__name__)

Runtime = Literal["onnx", "onnx-int8", "openvino"]
RUNTIMES: tuple[str, ...] = ("onnx", "onnx-int8", "openvino")
EXPORT_VERSION = 1
OPSET = 17
MAX_TOKENS = 512


def exported_model(cache_dir: Path, quantized: bool) -> Path:
    """The ONNX file of the built-in model (int8 if ``quantized``), exported on first use."""
    base = converted_model_dir(cache_dir)
    folder = cache_dir / "models" / f"{base.name}-onnx-e{EXPORT_VERSION}"
    name = "model_int8.onnx" if quantized else "model.onnx"
    path, marker = folder / name, folder / f"{name}.json"
    if path.is_file() and marker.is_file():
        try:
            if json.loads(marker.read_text())["sha256"] == file_sha256(path):
                return path
        except (OSError, ValueError, KeyError, TypeError):
            pass
        logger.warning("%s: damaged (its checksum differs); exporting it again", path)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".export-", dir=folder))
    try:
        fp32 = tmp / "model.onnx"
        if quantized:
            fp32 = exported_model(cache_dir, quantized=False)
            _quantize(fp32, tmp / name)
        else:
            _export(base, fp32)
        digest = file_sha256(tmp / name)
        os.replace(tmp / name, path)
        (marker.parent / f".{marker.name}.tmp").write_text(
            json.dumps({"sha256": digest, "source": str(base), "export_version": EXPORT_VERSION})
        )
        os.replace(marker.parent / f".{marker.name}.tmp", marker)
    except OSError as exc:
        raise ModelError(
            f"{folder}: cannot write the exported model there ({exc.strerror or exc}); "
            "free some space or point POLYQA_CACHE_DIR at a writable folder"
        ) from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return path


def _export(model_dir: Path, out: Path) -> None:
    """BertModel's last hidden state for (input_ids, attention_mask), dynamic in both axes."""
    import torch
    from transformers import AutoModel

    logger.info("exporting %s to ONNX (%s)", model_dir, out)
    model = AutoModel.from_pretrained(str(model_dir)).eval()

    class Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = model

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            return self.bert(input_ids=input_ids, attention_mask=attention_mask)[0]

    ids = torch.ones((2, 8), dtype=torch.int64)
    # The tracer warns about shape checks it fixes as constants; they hold for any input of
    # an encoder (tests/index/test_onnx_embedder.py checks lengths and batches). Not news
    # for the user, whose first `polyqa index` would print a screen of them.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Hidden(),
            (ids, torch.ones_like(ids)),
            str(out),
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "last_hidden_state": {0: "batch", 1: "tokens"},
            },
            opset_version=OPSET,
            dynamo=False,
        )


def _quantize(fp32: Path, out: Path) -> None:
    """Dynamic int8: weights int8 per channel; activations quantized per call."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    logger.info("quantizing %s to int8 (%s)", fp32, out)
    quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=True)


class OnnxE5Embedder:
    """multilingual-e5-small through ONNX Runtime or OpenVINO (see the module doc)."""

    name = BUILTIN_MODEL
    max_tokens = MAX_TOKENS

    def __init__(self, cache_dir: Path, runtime: Runtime = "onnx", batch_size: int = 32) -> None:
        from tokenizers import Tokenizer

        if runtime not in RUNTIMES:
            raise ModelError(f"unknown embed_backend {runtime!r}: one of {', '.join(RUNTIMES)}")
        self.runtime = runtime
        self.batch_size = batch_size
        model_dir = converted_model_dir(cache_dir)
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._counter = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._counter.no_padding()
        self._counter.no_truncation()
        self._pad = int(self._tokenizer.token_to_id("<pad>") or 1)
        path = exported_model(cache_dir, quantized=runtime == "onnx-int8")
        self._run = _session(path, runtime)
        self.dim = int(self._run([[0, 2]], [[1, 1]]).shape[-1])
        self._lock = threading.Lock()  # the tokenizer and the session: one call at a time
        logger.info("loaded model %s (%s, %s)", self.name, runtime, path)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, PROMPTS["passage"])

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, PROMPTS["query"])

    def count_tokens(self, text: str) -> int:
        """Tokens the model reads for this passage: prompt and special tokens included."""
        return self.count_tokens_many([text])[0]

    def count_tokens_many(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        encoded = self._counter.encode_batch([PROMPTS["passage"] + t for t in texts])
        return [len(e.ids) for e in encoded]

    def _embed(self, texts: Sequence[str], prompt: str) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        with self._lock:
            encoded = self._tokenizer.encode_batch([prompt + t for t in texts])
            # Longest first, as sentence-transformers: each batch pads to its own longest.
            order = sorted(range(len(texts)), key=lambda i: -len(encoded[i].ids))
            for first in range(0, len(order), self.batch_size):
                rows = order[first : first + self.batch_size]
                width = max(len(encoded[i].ids) for i in rows)
                ids = np.full((len(rows), width), self._pad, dtype=np.int64)
                mask = np.zeros((len(rows), width), dtype=np.int64)
                for r, i in enumerate(rows):
                    n = len(encoded[i].ids)
                    ids[r, :n] = encoded[i].ids
                    mask[r, :n] = 1
                hidden = self._run(ids, mask)
                m = mask[:, :, None].astype(np.float32)
                pooled = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
                norms = np.linalg.norm(pooled, axis=1, keepdims=True)
                out[rows] = pooled / np.maximum(norms, 1e-12)
        return out


def _session(path: Path, runtime: str) -> Any:
    """A function (ids, mask) -> last hidden state, float32 (batch, tokens, dim)."""
    if runtime == "openvino":
        import openvino as ov

        compiled = ov.Core().compile_model(str(path), "CPU")
        request = compiled.create_infer_request()

        def run_ov(ids: Any, mask: Any) -> np.ndarray:
            result = request.infer(
                {"input_ids": np.asarray(ids), "attention_mask": np.asarray(mask)}
            )
            return np.asarray(result[compiled.output(0)], dtype=np.float32)

        return run_ov
    try:
        import onnxruntime as ort
    except ImportError as exc:
        raise ModelError(
            f"embed_backend {runtime!r} needs ONNX Runtime: pip install 'polyqa[onnx]', "
            "or use the default, openvino"
        ) from exc

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    try:
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own unexported exception types
        raise ModelError(f"{path}: ONNX Runtime cannot load it ({exc})") from exc

    def run_ort(ids: Any, mask: Any) -> np.ndarray:
        feeds = {
            "input_ids": np.asarray(ids, np.int64),
            "attention_mask": np.asarray(mask, np.int64),
        }
        return np.asarray(session.run(None, feeds)[0], dtype=np.float32)

    return run_ort
