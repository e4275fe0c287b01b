"""Find the parts of a document that are real content.

Saved web pages carry navigation, previous/next links and copyright footers. Indexed,
they become chunks that match many questions and answer none, so they are left out; so
are blobs of encoded data (an image inlined in Markdown as base64, a hex dump), which
would become thousands of chunks no question matches. The text itself is never
rewritten: we only return offsets, so citations stay checkable.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from corpus.sentences import count_line_sentences, trim_span

# Longer lines are real sentences that merely mention "copyright" or a breadcrumb word.
MAX_BOILERPLATE_CHARS = 80

_BULLETS = "•·▪▫◦‣∙●○■□➢➤►*-–—>»|"

_BOILERPLATE = re.compile(
    r"""
    ^(?:
        當前位置|当前位置|您的位置|您現在的位置|您现在的位置|現在位置|所在位置
      | current\s+location | you\s+are\s+here | home\s*[>»›/]
      | 首頁\s*[>»›]|首页\s*[>»›]
      | 上一篇|下一篇|上一頁|下一頁|上一页|下一页|上一條|下一條|上一条|下一条
      | previous\s+(?:article|post|page) | next\s+(?:article|post|page)
    )
    | copyright\b.*(?:\d{4}|©|\(c\)) | © | \(c\)\s*\d{4} | all\s+rights\s+reserved
    | 版權所有|版权所有 | alle\s+rechte\s+vorbehalten | tüm\s+hakları\s+saklıdır
    | todos\s+los\s+derechos\s+reservados | tous\s+droits\s+réservés
    """,
    re.IGNORECASE | re.VERBOSE,
)


# A line that is only a page number, as PDFs and printed pages carry: "12", "- 12 -",
# "Page 3 of 9", "Seite 3", "3 / 9", "第 3 頁".
_PAGE_NUMBER = re.compile(
    r"""
    ^(?:page|seite|sayfa|página|pagina|pag\.|p\.|s\.|страница|стр\.|पृष्ठ)?\s*
    [-–—]?\s*\d{1,4}\s*[-–—]?
    (?:\s*(?:/|of|von|de|di|из)\s*\d{1,4})?$
    | ^第\s*\d{1,4}\s*[頁页]
    """,
    re.IGNORECASE | re.VERBOSE,
)

# A run of base64 or hex this long is data, not words (no word of any language is; a
# data: URI's type and encoding go with it).
MIN_BLOB_CHARS = 200
_BLOB_CHAR = "A-Za-z0-9+/=_-"
_BLOB = re.compile(  # starting only where a run starts: linear on any line
    rf"(?<![{_BLOB_CHAR}])(?:data:[\w.+/-]*(?:;[\w.+=-]*)*,)?[{_BLOB_CHAR}]{{{MIN_BLOB_CHARS},}}"
)

# What str.splitlines() breaks lines at; "\r\n" is one break.
_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def is_boilerplate(line: str) -> bool:
    """A short navigation, previous/next, footer or page-number line, or one with no
    letter or digit."""
    stripped = line.strip()
    if len(stripped) >= MAX_BOILERPLATE_CHARS:
        return not any(ch.isalnum() for ch in stripped)
    return _short_boilerplate(stripped)


@lru_cache(maxsize=4096)
def _short_boilerplate(stripped: str) -> bool:
    """``is_boilerplate`` of a short stripped line; remembered, as lines repeat (a list,
    a log, a page footer; a text of two million lines checks each distinct one once)."""
    if not any(ch.isalnum() for ch in stripped):
        return True
    bare = stripped.lstrip(_BULLETS + " \t")
    return bool(_BOILERPLATE.search(bare) or _PAGE_NUMBER.match(bare))


def iter_lines(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """(start, end) of each line of text[start:end] without its break, as ``line_spans``
    gives, one at a time: a list of every line of a 50 MB file costs more than the file."""
    pos, end = start, len(text) if end is None else end
    while pos < end:
        match = _LINE_BREAK.search(text, pos, end)
        if match is None:
            yield pos, end
            return
        yield pos, match.start()
        pos = match.end()


def content_spans(text: str) -> list[tuple[int, int]]:
    """Runs of content lines as (start, end) offsets into ``text``, trimmed of whitespace.

    Blank lines stay inside a run (they are paragraph breaks, not boilerplate); a
    boilerplate line ends the run, so no span ever contains one.
    """
    return list(iter_content_spans(text))


def _pieces(text: str) -> Iterator[tuple[int, int] | None]:
    """Each line, and the parts of a line around its data blobs; None for a blob."""
    for start, end in iter_lines(text):
        if end - start < MIN_BLOB_CHARS:
            yield start, end
            continue
        pos = start
        for blob in _BLOB.finditer(text, start, end):
            yield pos, blob.start()
            yield None
            pos = blob.end()
        yield pos, end


def iter_content_spans(text: str, stop_after: int | None = None) -> Iterator[tuple[int, int]]:
    """``content_spans`` one at a time, for callers that need only the first few.

    With ``stop_after``, the spans end once a run has reached that many characters: the
    run so far is the last span. For callers that read the beginning of a text (its
    title, a sample of its language), so a text of two million lines without a break in
    its content is not walked to its end for that.
    """
    run_start: int | None = None
    run_end = 0
    for piece in _pieces(text):
        if stop_after is not None and run_start is not None and run_end - run_start >= stop_after:
            break
        if piece is None:  # a blob ends the run, like a boilerplate line
            if run_start is not None:
                yield trim_span(text, run_start, run_end)
            run_start = None
            continue
        start, end = piece
        line = text[start:end]
        if not line.strip():
            continue
        if is_boilerplate(line):
            if run_start is not None:
                yield trim_span(text, run_start, run_end)
            run_start = None
            continue
        if run_start is None:
            run_start = start
        run_end = end
    if run_start is not None:
        yield trim_span(text, run_start, run_end)


def count_content_sentences(text: str, stop_after: int | None = None) -> int:
    """The sentences of the text's content spans, as the chunker splits them (every
    content line holds one at least); with ``stop_after``, counting stops once past it,
    so a text of two million lines is not walked to its end to be found over a budget."""
    count = 0
    for piece in _pieces(text):
        if piece is None:
            continue
        line = text[piece[0] : piece[1]]
        if line.strip() and not is_boilerplate(line):
            count += count_line_sentences(line)
            if stop_after is not None and count > stop_after:
                break
    return count
