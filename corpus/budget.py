"""How much work one document may cause: characters, sentences, chunks and seconds.

A document polyqa has never seen can hold anything: a 1.8 MB .docx that unpacks to half a
billion characters, a 200 MB text on one line, a million short lines. Each budget is
checked as early as the work allows (characters as soon as the text, or the size it
unpacks to, is known; sentences once the text is read, before the model is needed;
chunks while chunking; seconds between the steps of reading and of chunking), and a
document over one is refused with a one-line reason naming the setting, like an
unreadable file: the other documents are still indexed.

Sentences need a budget of their own: every sentence gets a vector (the reranker's), and
the translation links compare them, so their work grows with the sentences, not with the
characters or the chunks. A line is a sentence at least, and a chunk holds as many
one-token lines as it has tokens: four million characters of one-letter lines are
2,000,000 sentences in 16,140 chunks, inside both other budgets. Prose has 1.4-3.4
sentences a chunk, so it meets the chunk budget first (bench/README.md, issue 17).

Embedding is bounded by the chunk and sentence budgets, not by the clock: its time
depends on the machine's load, and the same document must not be indexed on a quiet day
and refused on a busy one. The clock is a safety net for extractors on pathological files.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from corpus.cleaning import count_content_sentences
from corpus.errors import BudgetError


@dataclass(frozen=True)
class DocumentBudget:
    """Limits per document; None is no limit (the settings always set all four)."""

    chars: int | None = None
    chunks: int | None = None
    seconds: float | None = None
    sentences: int | None = None

    def check_chars(self, path: str, chars: int) -> None:
        if self.chars is not None and chars > self.chars:
            raise BudgetError(
                path,
                f"too long: {chars:,} characters, over the {self.chars:,} a document may "
                "have (setting max_document_chars)",
            )

    def check_sentences(self, path: str, text: str) -> None:
        """Counted only as far as the budget: the refusal costs what the budget allows."""
        if self.sentences is None:
            return
        if count_content_sentences(text, stop_after=self.sentences) > self.sentences:
            raise BudgetError(
                path,
                f"too many sentences: over {self.sentences:,}, the most a document may have "
                "(every line is one at least; setting max_document_sentences)",
            )

    def check_chunks(self, path: str, chunks: int) -> None:
        if self.chunks is not None and chunks > self.chunks:
            raise BudgetError(
                path,
                f"too long: over {self.chunks:,} chunks, the most a document may have "
                "(setting max_document_chunks)",
            )

    def clock(self, path: str, doing: str) -> Clock:
        return Clock(path, doing, self.seconds)


class Clock:
    """Time spent on one document's step; ``check()`` between pieces of the work."""

    def __init__(self, path: str, doing: str, seconds: float | None) -> None:
        self.path = path
        self.doing = doing
        self.seconds = seconds
        self.started = time.monotonic()

    def check(self) -> None:
        if self.seconds is not None and time.monotonic() - self.started > self.seconds:
            raise BudgetError(
                self.path,
                f"{self.doing} it took over {self.seconds:g} s (setting max_document_seconds)",
            )


UNLIMITED = DocumentBudget()
