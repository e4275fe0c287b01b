"""The few named errors of polyqa.

They live in the first package of the flow so that ``index`` and ``bot`` can raise and
catch them without importing backwards. Every message names the thing at fault (a file,
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


class IndexMismatchError(PolyqaError):
    """An index on disk was built with another model or other settings."""


class CorruptIndexError(PolyqaError):
    """An index file on disk is missing, truncated or unreadable."""


class ModelError(PolyqaError):
    """The embedding model cannot be found, converted or loaded."""


class SettingsError(PolyqaError):
    """A setting has a value polyqa cannot use."""
