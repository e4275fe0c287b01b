"""Find the parts of a document that are real content.

Saved web pages carry navigation, previous/next links and copyright footers. Indexed,
they become chunks that match many questions and answer none, so they are left out. The
text itself is never rewritten: we only return offsets, so citations stay checkable.
"""

from __future__ import annotations

import re

from corpus.sentences import line_spans, trim_span

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


def is_boilerplate(line: str) -> bool:
    """A short navigation, previous/next or footer line, or one with no letter or digit."""
    stripped = line.strip()
    if not any(ch.isalnum() for ch in stripped):
        return True
    if len(stripped) >= MAX_BOILERPLATE_CHARS:
        return False
    return bool(_BOILERPLATE.search(stripped.lstrip(_BULLETS + " \t")))


def content_spans(text: str) -> list[tuple[int, int]]:
    """Runs of content lines as (start, end) offsets into ``text``, trimmed of whitespace.

    Blank lines stay inside a run (they are paragraph breaks, not boilerplate); a
    boilerplate line ends the run, so no span ever contains one.
    """
    spans: list[tuple[int, int]] = []
    run_start: int | None = None
    run_end = 0
    for start, end in line_spans(text):
        line = text[start:end]
        if not line.strip():
            continue
        if is_boilerplate(line):
            if run_start is not None:
                spans.append(trim_span(text, run_start, run_end))
            run_start = None
            continue
        if run_start is None:
            run_start = start
        run_end = end
    if run_start is not None:
        spans.append(trim_span(text, run_start, run_end))
    return spans
