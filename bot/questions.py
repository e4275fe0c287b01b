"""What a question must be before polyqa searches for it: text, not empty, not a document.

Every front end (CLI, chat window, HTTP API) passes questions through ``clean_question``
so they all refuse the same things with the same one-line message.

Why over-long questions are refused rather than cut: the model reads 512 tokens, and a
100,000-character "question" is a pasted document. Cutting it would answer a question
the user did not ask, without their knowing which part was used; refusing costs nothing
(the check comes before any model work) and says what to do instead.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from bot.errors import QuestionError

# Longer than any real question in any script, and within the model's 512 tokens for
# most of them; the token check below catches the rest.
MAX_QUESTION_CHARS = 2_000
# Inputs this much longer than the limit are refused before any normalising work.
_RAW_FACTOR = 8

# Control characters (tabs and line breaks become spaces), lone surrogates (unencodable),
# the byte order mark and Unicode non-characters. Format characters such as ZWJ and
# ZWNJ are kept: Hindi and Persian spelling needs them.
_UNWANTED = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")


def clean_question(
    text: object,
    *,
    max_chars: int = MAX_QUESTION_CHARS,
    count_tokens: Callable[[str], int] | None = None,
    max_tokens: int | None = None,
) -> str:
    """The question normalised (NFC, control characters stripped, whitespace collapsed).

    Raises QuestionError when it is not text, is empty or has no letter or digit, is
    longer than ``max_chars``, or (given ``count_tokens`` and ``max_tokens``, e.g. the
    embedder's) longer than the model reads.
    """
    if not isinstance(text, str):
        raise QuestionError(f"the question must be text, not {type(text).__name__}")
    if len(text) > max_chars * _RAW_FACTOR:
        raise _too_long(len(text), max_chars)
    cleaned = " ".join(_UNWANTED.sub(" ", unicodedata.normalize("NFC", text)).split())
    if not cleaned:
        raise QuestionError("the question is empty; type a question")
    if not any(ch.isalnum() for ch in cleaned):
        raise QuestionError("the question has no letters or digits; type a question")
    if len(cleaned) > max_chars:
        raise _too_long(len(cleaned), max_chars)
    if count_tokens is not None and max_tokens is not None:
        tokens = count_tokens(cleaned)
        if tokens > max_tokens:
            raise QuestionError(
                f"the question is {tokens} tokens long and the model reads {max_tokens}; shorten it"
            )
    return cleaned


def _too_long(length: int, max_chars: int) -> QuestionError:
    return QuestionError(
        f"the question is {length:,} characters long and polyqa reads up to {max_chars:,}; "
        "ask a shorter question, or index the text as a document and ask about it"
    )
