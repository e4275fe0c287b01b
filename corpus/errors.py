"""The base of polyqa's errors, and the corpus layer's own.

``PolyqaError`` lives in the first package of the flow so every layer can share it
without importing backwards; each layer's own errors live in that layer
(``index/errors.py``, ``bot/errors.py``). Every message names the thing at fault (a file,
a setting) and what the user can do about it, on one line.
"""

from __future__ import annotations


class PolyqaError(Exception):
    """Base class: anything a user can act on. The CLI prints it as one line, exit 1."""


class DocumentError(PolyqaError):
    """A document cannot be read (format, encoding, empty, binary)."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class NoDocumentsError(PolyqaError):
    """A path given to index holds no document polyqa can read."""
