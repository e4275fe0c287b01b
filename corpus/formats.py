"""One extractor per file format: the file's bytes in, the text polyqa indexes out.

For plain text and Markdown the text is the file, decoded. For PDF, Word and web pages
it is what the format's own library extracts (pypdf, python-docx, trafilatura), and that
extracted text is what chunk offsets and citations point into; PDF page start offsets
are kept so a citation can name its page. Extraction is deterministic for a given file
and library version, so the offsets can be checked by extracting again.

Every extractor turns its library's failures into a one-line DocumentError naming the
file: one damaged file must never stop the others from being indexed.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from corpus.budget import UNLIMITED, DocumentBudget
from corpus.decoding import decode_text
from corpus.errors import BudgetError, DocumentError

logger = logging.getLogger(__name__)

MB = 1 << 20
# A Word file is a zip: refuse one that unpacks to more than this (a zip bomb), or to
# more XML than a document within the character budget needs (markup per character of
# text, plus room for styles, fonts and settings).
MAX_DOCX_UNPACKED = 512 * MB
DOCX_XML_PER_CHAR = 10
DOCX_XML_SLACK = 16 * MB
# Members are inflated this much at a time while their real size is measured.
_INFLATE_BLOCK = MB
# Between pages and between Word paragraphs: a blank line, i.e. a paragraph break.
PARAGRAPH_BREAK = "\n\n"


@dataclass(frozen=True)
class Extracted:
    """What an extractor found. ``title`` is the file's own (metadata), possibly empty."""

    text: str
    format: str
    encoding: str
    title: str = ""
    pages: tuple[int, ...] = ()  # PDF: offset in ``text`` where each page starts


Extractor = Callable[[str, bytes, DocumentBudget], Extracted]


@dataclass(frozen=True)
class Format:
    name: str
    extract: Extractor
    max_bytes: int  # larger files are refused before they are read


def extract(path: Path, raw: bytes, budget: DocumentBudget = UNLIMITED) -> Extracted:
    """The text of the file at ``path`` whose bytes are ``raw``; BudgetError as soon as
    the extractor can tell the document is over ``budget``."""
    return format_of(path).extract(str(path), raw, budget)


def format_of(path: Path) -> Format:
    """The format for a file name; DocumentError for a type polyqa does not read."""
    suffix = path.suffix.lower()
    fmt = FORMATS.get(suffix)
    if fmt is None:
        hint = "; save it as .docx" if suffix == ".doc" else ""
        raise DocumentError(
            str(path),
            f"unsupported file type '{suffix or path.name}'; supported: "
            + ", ".join(SUPPORTED_SUFFIXES)
            + hint,
        )
    return fmt


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{exc.__class__.__name__}: {text[0][:120]}" if text else exc.__class__.__name__


# --- plain text and Markdown -------------------------------------------------------------


def _text(path: str, raw: bytes, budget: DocumentBudget) -> Extracted:
    text, encoding = decode_text(path, raw)
    return Extracted(text, "text", encoding)


def _markdown(path: str, raw: bytes, budget: DocumentBudget) -> Extracted:
    text, encoding = decode_text(path, raw)
    return Extracted(text, "markdown", encoding)


# --- PDF ---------------------------------------------------------------------------------


def _pdf(path: str, raw: bytes, budget: DocumentBudget) -> Extracted:
    """The text layer, page by page; a scanned PDF (no text layer) is refused."""
    pages, title = _pdf_pages(path, raw, budget)
    pages = _drop_running_lines(pages)
    text, starts = _join_pages(pages)
    if not text.strip():
        raise DocumentError(path, "PDF without a text layer (scanned?); run OCR on it first")
    return Extracted(text, "pdf", "pypdf", title, starts)


def _pdf_pages(path: str, raw: bytes, budget: DocumentBudget) -> tuple[list[str], str]:
    """Each page's text; the budget is checked after every page."""
    from pypdf import PdfReader

    clock = budget.clock(path, "reading")
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(path, "encrypted PDF; save a copy without a password")
        pages, chars = [], 0
        for page in reader.pages:
            pages.append((page.extract_text() or "").replace("\x00", ""))
            chars += len(pages[-1])
            budget.check_chars(path, chars)
            clock.check()
        title = str(reader.metadata.get("/Title") or "") if reader.metadata else ""
    except DocumentError:
        raise
    except Exception as exc:  # pypdf raises anything from KeyError to RecursionError
        raise DocumentError(path, f"not a readable PDF ({_first_line(exc)})") from exc
    return pages, title


def _join_pages(pages: list[str]) -> tuple[str, tuple[int, ...]]:
    parts, starts, pos = [], [], 0
    for i, page in enumerate(pages):
        if i:
            parts.append(PARAGRAPH_BREAK)
            pos += len(PARAGRAPH_BREAK)
        starts.append(pos)
        body = page.strip()
        parts.append(body)
        pos += len(body)
    return "".join(parts), tuple(starts)


def _shape(line: str) -> str:
    """A line with its numbers blanked: "Page 3 of 9" and "Page 4 of 9" are one shape."""
    return re.sub(r"\d+", "#", line.strip().lower())


def _drop_running_lines(pages: list[str], edge: int = 2) -> list[str]:
    """Remove running headers and footers: lines of one shape that open or close most
    pages (a title, "Page 3 of 9"). They would otherwise sit in every chunk."""
    if len(pages) < 3:
        return pages
    counts: Counter[str] = Counter()
    for page in pages:
        lines = [ln for ln in page.splitlines() if ln.strip()]
        counts.update({_shape(ln) for ln in lines[:edge] + lines[-edge:]})
    furniture = {s for s, n in counts.items() if n >= max(3, 0.6 * len(pages))}
    if not furniture:
        return pages
    return [_without_edges(page, furniture, edge) for page in pages]


def _without_edges(page: str, furniture: set[str], edge: int) -> str:
    lines = page.splitlines()
    filled = [i for i, ln in enumerate(lines) if ln.strip()]
    edges = set(filled[:edge] + filled[-edge:])
    return "\n".join(
        ln for i, ln in enumerate(lines) if not (i in edges and _shape(ln) in furniture)
    )


# --- Word (.docx) ------------------------------------------------------------------------


def _docx(path: str, raw: bytes, budget: DocumentBudget) -> Extracted:
    """Paragraphs and tables in document order; headers and footers are left out."""
    from docx import Document as open_docx

    _check_zip(path, raw, budget)
    try:
        doc = open_docx(io.BytesIO(raw))
        blocks = [_block_text(block) for block in doc.iter_inner_content()]
        title = doc.core_properties.title or ""
    except Exception as exc:  # python-docx and lxml raise many types on damaged files
        raise DocumentError(path, f"not a readable Word .docx file ({_first_line(exc)})") from exc
    text = PARAGRAPH_BREAK.join(b for b in blocks if b.strip())
    return Extracted(text, "docx", "python-docx", title)


def _check_zip(path: str, raw: bytes, budget: DocumentBudget) -> None:
    """Refuse a zip bomb before python-docx inflates it: by the sizes the zip declares,
    then by the sizes its members really inflate to, measured a block at a time (a zip
    may declare small sizes and hold gigabytes; read whole, a member is inflated whole
    before its size is checked)."""
    limit = _docx_limit(budget)
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile as exc:
        raise DocumentError(path, "not a readable Word .docx file (not a zip package)") from exc
    with zf:
        infos = zf.infolist()
        _refuse_unpacked(path, sum(info.file_size for info in infos), limit, budget)
        unpacked = 0
        for info in infos:
            try:
                with zf.open(info) as member:
                    while block := member.read(_INFLATE_BLOCK):
                        unpacked += len(block)
                        _refuse_unpacked(path, unpacked, limit, budget)
            except zipfile.BadZipFile as exc:  # a forged size ends in a CRC mismatch
                raise DocumentError(
                    path,
                    f"not a readable Word .docx file ({info.filename!r} in it does not match "
                    "the size or checksum its zip declares)",
                ) from exc
            except (OSError, EOFError, ValueError, NotImplementedError) as exc:
                raise DocumentError(
                    path, f"not a readable Word .docx file ({info.filename!r}: {_first_line(exc)})"
                ) from exc


def _docx_limit(budget: DocumentBudget) -> int:
    if budget.chars is None:
        return MAX_DOCX_UNPACKED
    return min(MAX_DOCX_UNPACKED, DOCX_XML_SLACK + DOCX_XML_PER_CHAR * budget.chars)


def _refuse_unpacked(path: str, unpacked: int, limit: int, budget: DocumentBudget) -> None:
    if unpacked <= limit:
        return
    if limit == MAX_DOCX_UNPACKED:
        raise DocumentError(
            path, f"unpacks to over {limit // MB} MB, the most a Word file may (a zip bomb?)"
        )
    raise BudgetError(
        path,
        f"unpacks to over {limit // MB} MB, more than a document of "
        f"{budget.chars:,} characters needs (setting max_document_chars)",
    )


def _block_text(block: Any) -> str:
    """A paragraph's text, or a table's rows (one line each, cells joined with ' | ')."""
    rows = getattr(block, "rows", None)
    if rows is None:
        return str(block.text).strip()
    lines = []
    for row in rows:
        cells: list[str] = []
        for cell in row.cells:  # a merged cell is returned once per grid column
            text = " ".join(cell.text.split())
            if text and (not cells or cells[-1] != text):
                cells.append(text)
        if cells:
            lines.append(" | ".join(cells))
    return "\n".join(lines)


# --- web pages ---------------------------------------------------------------------------

# Page furniture removed before extraction. trafilatura drops most of it itself, but on a
# page with little text it falls back to keeping everything, breadcrumbs included.
_FURNITURE_TAGS = ("nav", "header", "footer", "aside", "form", "menu")
_FURNITURE_ROLES = ("navigation", "banner", "contentinfo", "complementary", "search")
_FURNITURE_NAMES = (
    "nav", "navbar", "menu", "breadcrumb", "breadcrumbs", "crumbs", "sidebar", "footer",
    "header", "pagination", "pager", "share", "social", "related", "cookie", "cookies",
)  # fmt: skip


def _has_token(attr: str, token: str) -> str:
    return f"contains(concat(' ', normalize-space(@{attr}), ' '), ' {token} ')"


PRUNE_XPATH = [
    *(f"//{tag}" for tag in _FURNITURE_TAGS),
    *(f"//*[@role='{role}']" for role in _FURNITURE_ROLES),
    *(f"//*[{_has_token('class', name)} or {_has_token('id', name)}]" for name in _FURNITURE_NAMES),
]

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def _html(path: str, raw: bytes, budget: DocumentBudget) -> Extracted:
    """The page's main text (trafilatura): navigation, sidebars and footers dropped."""
    import trafilatura

    match = _META_CHARSET.search(raw[:4096])
    declared = match.group(1).decode("ascii") if match else None
    page, encoding = decode_text(path, raw, declared)
    try:
        doc = trafilatura.bare_extraction(
            page,
            favor_recall=True,
            include_comments=False,
            include_tables=True,
            with_metadata=True,
            prune_xpath=PRUNE_XPATH,
        )
    except Exception as exc:  # lxml and trafilatura raise many types on broken markup
        raise DocumentError(path, f"not a readable web page ({_first_line(exc)})") from exc
    text = getattr(doc, "text", None) or ""
    title = getattr(doc, "title", None) or ""
    if not text.strip():
        # lxml, under trafilatura, stops building the tree 256 elements deep: a page
        # nested deeper (100,000 <div>s) loses its text there, but not here.
        text, title = _flat_html_text(page)
    if not text.strip():
        raise DocumentError(path, "no main text found in this web page")
    return Extracted(text, "html", encoding, title)


_SKIPPED_TAGS = frozenset(("script", "style", "noscript", "template", "head", *_FURNITURE_TAGS))
_BLOCK_TAGS = frozenset((
    "address", "article", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "pre", "section",
    "table", "td", "th", "tr", "ul",
))  # fmt: skip


class _FlatText(HTMLParser):
    """A page's text from its stream of tags (no tree is built, so no depth limit):
    furniture, scripts and styles left out, one line per block element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.title: list[str] = []
        self._line: list[str] = []
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, +1)

    def handle_endtag(self, tag: str) -> None:
        self._tag(tag, -1)

    def _tag(self, tag: str, step: int) -> None:
        if tag == "title":
            self._in_title = step > 0
        if tag in _SKIPPED_TAGS:
            self._skip = max(0, self._skip + step)
        if tag in _BLOCK_TAGS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif not self._skip:
            self._line.append(data)

    def flush(self) -> None:
        line = " ".join("".join(self._line).split())
        if line:
            self.lines.append(line)
        self._line = []


def _flat_html_text(page: str) -> tuple[str, str]:
    """(text, title) of a page read by ``_FlatText``."""
    reader = _FlatText()
    reader.feed(page)
    reader.close()
    reader.flush()
    return PARAGRAPH_BREAK.join(reader.lines), " ".join("".join(reader.title).split())


FORMATS: dict[str, Format] = {
    ".txt": Format("text", _text, 256 * MB),
    ".md": Format("markdown", _markdown, 256 * MB),
    ".pdf": Format("pdf", _pdf, 256 * MB),
    ".docx": Format("docx", _docx, 64 * MB),
    ".html": Format("html", _html, 32 * MB),
    ".htm": Format("html", _html, 32 * MB),
}
SUPPORTED_SUFFIXES = tuple(sorted(FORMATS))
