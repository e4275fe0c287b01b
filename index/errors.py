"""The errors of the index layer: a model, or an index on disk, polyqa cannot use.

Every message names the thing at fault (a file, a setting) and what the user can do about
it, on one line; the CLI prints it as is (``PolyqaError`` is the shared base, in corpus/).
"""

from __future__ import annotations

from corpus.errors import PolyqaError


class IndexMismatchError(PolyqaError):
    """An index on disk was built with another model or other settings."""


class CorruptIndexError(PolyqaError):
    """An index file on disk is missing, truncated or unreadable."""


class ModelError(PolyqaError):
    """The embedding model cannot be found, converted or loaded."""


class IndexWriteError(PolyqaError):
    """An index could not be written (disk full, read-only, permission); nothing changed."""


class ClusterError(PolyqaError):
    """A compute cluster (Ray) is not installed, cannot be reached, or lost work."""


class MilvusUnavailableError(PolyqaError):
    """The Milvus server (or Milvus Lite file) of an index cannot be reached or opened."""
