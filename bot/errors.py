"""The errors of the bot layer: what a user asked, set or sent that polyqa cannot use.

Every message names the thing at fault and what to do about it, on one line; the CLI
prints it as is, the chat window shows it in place of an answer (``PolyqaError`` is the
shared base, in corpus/).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from corpus.errors import PolyqaError

_SHOWN_PROBLEMS = 5


class SettingsError(PolyqaError):
    """A setting has a value polyqa cannot use."""


class QuestionError(PolyqaError):
    """A question polyqa will not search for; the message says why, on one line."""


class LLMError(PolyqaError):
    """The chat endpoint could not produce an answer (unreachable, timed out, HTTP error,
    malformed stream)."""

    def __init__(self, endpoint: str, problem: str) -> None:
        self.endpoint = endpoint
        self.problem = problem
        super().__init__(f"LLM endpoint {endpoint}: {problem}")


class UploadError(PolyqaError):
    """An upload polyqa will not store; the message says why, on one line."""


class DatasetError(PolyqaError):
    """The dataset folder or its questions file cannot be used as it is.

    Every bad line is named by its number, so a broken question is fixed, not silently
    dropped from the score.
    """

    def __init__(self, path: Path, problems: Sequence[str]) -> None:
        self.path = path
        self.problems = list(problems)
        shown = "; ".join(self.problems[:_SHOWN_PROBLEMS])
        more = len(self.problems) - _SHOWN_PROBLEMS
        super().__init__(f"{path}: {shown}" + (f"; and {more} more" if more > 0 else ""))
