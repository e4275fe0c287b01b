"""Data derived from a generation's chunks and vectors, stored in the generation itself.

Anything polyqa computes from an index to search it well (sentence vectors today) lives
beside ``chunks.jsonl`` and ``vectors.faiss`` in the generation directory, so it is

- written with the rest, into the partial generation, and made live by the same switch
  of ``CURRENT``: it always belongs to the chunks beside it, never to another index;
- listed in ``params.json`` (under ``derived``, with its metadata, and its files in
  ``checksums``), so damage is detected like damage to any other file;
- opened read-only on load, memory-mapped where it is large, so a process reads only
  the rows it uses;
- bounded by the index it belongs to: removed with its generation.

A kind is a ``Derived`` subclass listed in ``index.store.DERIVED_KINDS``. A kind that
is missing from a generation or damaged does not stop reading: ``store.load`` leaves it
out and records why in ``StoredIndex.damaged``; a ``required`` kind is refused like a
damaged chunks file instead. The next `polyqa index` writes it again.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

# Rows converted and written per call.
_WRITE_ROWS = 1 << 14


class DerivedDataError(Exception):
    """A derived file is missing, unreadable or does not fit the chunks (store.load turns
    it into a warning or, for a required kind, a CorruptIndexError)."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class Derived(ABC):
    """One kind of derived data: its files, how it is written and how it is opened."""

    kind: ClassVar[str]  # its key in params.json "derived" and in StoredIndex.derived
    files: ClassVar[tuple[str, ...]]  # file names inside the generation directory
    # True: the index is unusable without it (damage is refused with the rebuild command);
    # False: a reader rebuilds it in memory with a warning.
    required: ClassVar[bool] = False

    @abstractmethod
    def write(self, gen_dir: Path) -> dict[str, Any]:
        """Write this kind's files into ``gen_dir``; the metadata to keep in params.json."""

    @classmethod
    @abstractmethod
    def open(cls, gen_dir: Path, meta: dict[str, Any], n_chunks: int, dim: int) -> Derived:
        """Open the files written by ``write``; DerivedDataError when they do not fit."""


def write_array(path: Path, blocks: list[np.ndarray], shape: tuple[int, ...], dtype: Any) -> None:
    """Write ``blocks`` stacked along the first axis as one .npy file, a slice at a time,
    so the whole array is never in memory; fsynced."""
    with ArrayFile(path, shape, dtype) as out:
        for block in blocks:
            out.append(block)


class ArrayFile:
    """One .npy file written a block at a time, as the blocks are made (several files
    can be filled side by side from one pass); checked for the rows promised, fsynced.

    Plain writes, not a writable memory map: on a full disk a write raises OSError
    (ENOSPC), where a store through a map would kill the process with SIGBUS.
    """

    def __init__(self, path: Path, shape: tuple[int, ...], dtype: Any) -> None:
        self.path, self.shape, self.dtype = path, shape, np.dtype(dtype)
        self.rows = 0
        self._fh = path.open("wb")
        header = {
            "descr": np.lib.format.dtype_to_descr(self.dtype),
            "fortran_order": False,
            "shape": shape,
        }
        np.lib.format.write_array_header_1_0(self._fh, header)

    def append(self, block: np.ndarray) -> None:
        for i in range(0, len(block), _WRITE_ROWS):
            part = np.ascontiguousarray(block[i : i + _WRITE_ROWS], dtype=self.dtype)
            self._fh.write(part.tobytes())
        self.rows += len(block)

    def __enter__(self) -> ArrayFile:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        try:
            if kind is None:
                if self.rows != (self.shape[0] if self.shape else 1):
                    raise ValueError(f"{self.path}: {self.rows} rows written for {self.shape[0]}")
                self._fh.flush()
                os.fsync(self._fh.fileno())
        finally:
            self._fh.close()


def open_array(path: Path, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    """A read-only memory map of a .npy file, checked for the shape and type expected."""
    if not path.is_file():
        raise DerivedDataError(path, "missing")
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise DerivedDataError(path, f"unreadable ({exc.__class__.__name__})") from exc
    if array.shape != shape or array.dtype != np.dtype(dtype):
        raise DerivedDataError(
            path, f"holds {array.dtype}{list(array.shape)}, expected {np.dtype(dtype)}{list(shape)}"
        )
    return array
