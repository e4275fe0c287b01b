"""The base of polyqa's errors, and the corpus layer's own.

``PolyqaError`` lives in the first package of the flow so every layer can share it
without importing backwards; each layer's own errors live in that layer
(``index/errors.py``, ``bot/errors.py``). Every message names the thing at fault (a file,
a setting) and what the user can do about it, on one line.
"""

from __future__ import annotations

import re

# Characters that would break a one-line message: line breaks, other controls, bidi
# overrides (which reorder what follows them on screen).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def display_path(name: str) -> str:
    """A file name or path as it may appear in one line of a report or an error: control
    and bidi characters written as escapes (a name may hold a newline)."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), name)


class PolyqaError(Exception):
    """Base class: anything a user can act on. The CLI prints it as one line, exit 1."""


class DocumentError(PolyqaError):
    """A document cannot be read (format, encoding, empty, binary)."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path  # as given: the file to skip or remove
        self.problem = problem
        super().__init__(f"{display_path(path)}: {problem}")


class NoDocumentsError(PolyqaError):
    """A path given to index holds no document polyqa can read."""


class BudgetError(DocumentError):
    """A document needs more work than its budget allows (corpus/budget.py)."""
