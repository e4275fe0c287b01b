"""What the chat window shows, as Markdown and HTML: answers whose ``[n]`` link to their
sources, the sources panel, language coverage, the documents table.

Pure functions of the service's results (no Gradio here), so every session renders the
same way and the rendering is tested without a server. Every document text is escaped:
passages come from uploaded files and must not become markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.answers import phrases
from bot.answers.composer import Answer, Citation
from bot.answers.translations import Parallel
from index.store import DocRecord

# The languages the interface itself speaks: every language with a table of phrases.
UI_LANGS = phrases.LANGUAGES
CITE = re.compile(r"\[(\d+)\]")
# Characters Markdown would read as syntax; < > & are escaped as HTML entities instead.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~$])")
# Streaming pieces: a whole citation marker, a run of spaces, or up to 6 other characters
# (Chinese has no spaces, so pieces are cut by length, never inside an [n]).
_PIECE = re.compile(r"\[\d+\]|\s+|[^\s\[]{1,6}|\[")


@dataclass
class Turn:
    """One answered question of a session, with the translations found for its sources."""

    answer: Answer
    parallels: dict[int, list[Parallel]] = field(default_factory=dict)


def source_id(turn: int, n: int) -> str:
    """The DOM id of source ``n`` of answer ``turn``: what a ``[n]`` link points at."""
    return f"pq-src-{turn}-{n}"


def native_name(code: str) -> str:
    """A language's name in itself ("हिन्दी", "中文"); the code for languages without a table."""
    table = phrases.PHRASES.get(code)
    return table["language_name"] if table else code


def ui_lang_from_header(accept_language: str | None) -> str:
    """The interface language the browser prefers most (Accept-Language), else English.

    Tags are weighed by their ``q`` (1 when absent, 0 means "not this one"); a regional
    tag counts for its language ("pt-BR" is Portuguese, "zh-TW" Chinese).
    """
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.partition(";")
        code = tag.strip().lower().replace("_", "-").split("-")[0]
        weight = _quality(params)
        if code in UI_LANGS and weight > 0:
            ranked.append((-weight, i, code))
    return min(ranked)[2] if ranked else phrases.FALLBACK


def _quality(params: str) -> float:
    """The ``q`` weight of one Accept-Language entry; a malformed one counts as 1."""
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 1.0
    return 1.0


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def lang_badge(code: str) -> str:
    return f'<span class="pq-lang" title="{_esc(native_name(code))}">{_esc(code)}</span>'


# --- the chat column -----------------------------------------------------------------


def answer_markdown(text: str, turn: int, found: bool = True) -> str:
    """The answer with each ``[n]`` a link to its source in the panel (see ``CLICK_JS``)."""
    out, pos = [], 0
    for m in CITE.finditer(text):
        out.append(_md_escape(text[pos : m.start()]))
        n = int(m.group(1))
        out.append(f"[\\[{n}\\]](#{source_id(turn, n)})")
        pos = m.end()
    out.append(_md_escape(text[pos:]))
    md = "".join(out)
    if not found and md:
        first, _, rest = md.partition("\n")
        md = f"**{first}**" + ("\n" + rest if rest else "")
    return md


def stream_prefixes(text: str, steps: int = 24) -> list[str]:
    """Growing prefixes of ``text`` (at most ``steps``), the last one ``text`` itself.

    The extractive answer exists at once; streaming it in pieces lets the chat grow the way
    an LLM's answer will, through the same path.
    """
    pieces = _PIECE.findall(text)
    if "".join(pieces) != text or not pieces:
        return [text]
    size = max(1, -(-len(pieces) // steps))
    return ["".join(pieces[: i + size]) for i in range(0, len(pieces), size)]


def coverage_line(answer: Answer, ui_lang: str) -> str:
    """Which languages the answer's sources came from, and how many candidates each had."""
    cited = ", ".join(native_name(code) for code in answer.source_langs) or "—"
    cands = ", ".join(f"{code} {count}" for code, count in answer.coverage.items())
    t = phrases.t
    return (
        f"<small>{_esc(t('coverage', ui_lang))}: {_esc(t('cited', ui_lang))}: "
        f"<b>{_esc(cited)}</b> · {_esc(t('candidates', ui_lang))}: {_esc(cands)}</small>"
    )


def chat_message(answer: Answer, turn: int, ui_lang: str) -> str:
    """The assistant's finished message: the answer, then its language coverage."""
    body = answer_markdown(answer.answer, turn, answer.found)
    return f"{body}\n\n{coverage_line(answer, ui_lang)}"


# --- the sources panel ---------------------------------------------------------------


def _highlighted(c: Citation) -> str:
    """The passage, escaped, with its supporting sentence(s) in <mark>."""
    spans = sorted(
        (max(0, s.start - c.start), min(len(c.text), s.end - c.start)) for s in c.support
    )
    out, pos = [], 0
    for a, b in spans:
        if a < pos or a >= b:
            continue
        out.append(_esc(c.text[pos:a]) + "<mark>" + _esc(c.text[a:b]) + "</mark>")
        pos = b
    out.append(_esc(c.text[pos:]))
    return "".join(out)


def _parallels_html(items: Sequence[Parallel], ui_lang: str) -> str:
    if not items:
        return ""
    chars = _esc(phrases.t("chars", ui_lang))
    rows = "".join(
        f'<li>{lang_badge(p.lang)} <span lang="{_esc(p.lang)}">{_esc(p.text)}</span> '
        f'<span class="pq-meta">{_esc(p.title)} · {chars} {p.start}–{p.end}</span></li>'
        for p in items
    )
    summary = _esc(phrases.t("translations", ui_lang))
    return (
        f'<details class="pq-parallels" open><summary>{summary}</summary><ul>{rows}</ul></details>'
    )


def citation_html(c: Citation, turn: int, ui_lang: str, parallels: Sequence[Parallel]) -> str:
    """One numbered source: title, language, passage with highlight, range, translations."""
    t = phrases.t
    meta = f"{_esc(c.doc_id)} · {_esc(t('chars', ui_lang))} {c.start}–{c.end}"
    if c.support:
        meta += f" · {_esc(t('sentence', ui_lang))} {c.sentence_start}–{c.sentence_end}"
    return (
        f'<div class="pq-source" id="{source_id(turn, c.n)}" data-n="{c.n}">'
        f'<div class="pq-head"><span class="pq-n">[{c.n}]</span> '
        f'<span class="pq-title">{_esc(c.title)}</span> {lang_badge(c.lang)}</div>'
        f'<div class="pq-meta">{meta}</div>'
        f'<p class="pq-passage" lang="{_esc(c.lang)}">{_highlighted(c)}</p>'
        f"{_parallels_html(parallels, ui_lang)}</div>"
    )


def _coverage_badges(answer: Answer, ui_lang: str) -> str:
    items = []
    for code, count in answer.coverage.items():
        cls = "pq-cov pq-cov-cited" if code in answer.source_langs else "pq-cov"
        items.append(
            f'<span class="{cls}" title="{_esc(native_name(code))}">{_esc(code)} {count}</span>'
        )
    label = _esc(phrases.t("coverage", ui_lang))
    return f'<div class="pq-coverage">{label}: {" ".join(items)}</div>'


def turn_html(turn: int, item: Turn, ui_lang: str, latest: bool) -> str:
    """The sources of one answer, in a section that folds (only the latest is open)."""
    a = item.answer
    notice = ""
    if not a.found:
        notice = (
            f'<div class="pq-notfound">{_esc(phrases.t("not_found", ui_lang))} '
            f"{_esc(phrases.t('nearest', ui_lang))}</div>"
        )
    sources = "".join(
        citation_html(c, turn, ui_lang, item.parallels.get(c.n, ())) for c in a.citations
    )
    return (
        f'<details class="pq-turn" id="pq-turn-{turn}"{" open" if latest else ""}>'
        f'<summary lang="{_esc(a.question_lang)}">{_esc(a.question)}</summary>'
        f"{_coverage_badges(a, ui_lang)}{notice}{sources}</details>"
    )


def panel_html(turns: Sequence[Turn], ui_lang: str) -> str:
    """The whole sources panel: the newest answer first and open, older ones folded."""
    head = f"<h3>{_esc(phrases.t('sources', ui_lang))}</h3>"
    if not turns:
        return f'<div class="pq-panel">{head}<p class="pq-empty">{_esc(phrases.t("sources_empty", ui_lang))}</p></div>'  # noqa: E501
    last = len(turns) - 1
    body = "".join(turn_html(i, turns[i], ui_lang, i == last) for i in range(last, -1, -1))
    return f'<div class="pq-panel">{head}{body}</div>'


# --- the documents tab ---------------------------------------------------------------


def documents_table(docs: Sequence[DocRecord], ui_lang: str) -> dict[str, list]:
    """What is indexed: document, title, language, passages, when (a Dataframe value)."""
    t = phrases.t
    keys = ("col_document", "col_title", "col_language", "col_chunks", "col_indexed_at")
    rows = [
        [d.doc_id, d.title, d.lang, d.chunks, d.indexed_at.replace("T", " ")[:16]] for d in docs
    ]
    return {"headers": [t(k, ui_lang) for k in keys], "data": rows}


def upload_summary(
    counts: Mapping[str, int], problems: Sequence[tuple[str, str, str]], ui_lang: str
) -> str:
    """One line for what was indexed and one per file that was refused or not indexed.

    ``problems`` holds (phrase key, file name, reason) triples.
    """
    lines = [
        phrases.t(key, ui_lang, name=_md_escape(name), reason=_md_escape(reason))
        for key, name, reason in problems
    ]
    if counts:
        lines.insert(0, phrases.t("upload_done", ui_lang, **{k: str(v) for k, v in counts.items()}))
    return "  \n".join(lines)


# --- page-wide style and behaviour ---------------------------------------------------

# Local fonts only (no Google Fonts request): Noto covers Latin, Devanagari and Han.
FONTS = (
    "Noto Sans",
    "Noto Sans Devanagari",
    "Noto Sans CJK TC",
    "Noto Sans CJK SC",
    "system-ui",
    "sans-serif",
)

CSS = """
#pq-sources { max-height: 720px; overflow-y: auto; }
.pq-panel h3 { margin: 0 0 6px; }
.pq-empty { color: var(--body-text-color-subdued); }
.pq-turn { border-top: 1px solid var(--border-color-primary); padding: 6px 0; }
.pq-turn > summary { cursor: pointer; font-weight: 600; }
.pq-coverage { font-size: .85em; margin: 4px 0; }
.pq-cov { display: inline-block; padding: 0 6px; margin: 1px; border-radius: 999px;
  border: 1px solid var(--border-color-primary); }
.pq-cov-cited { background: var(--color-accent-soft); border-color: var(--color-accent);
  font-weight: 600; }
.pq-notfound { border-left: 4px solid #f59e0b; background: rgba(245, 158, 11, .12);
  padding: 6px 10px; margin: 6px 0; }
.pq-source { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 8px 10px; margin: 8px 0; scroll-margin: 16px; transition: background .3s; }
.pq-source.pq-active { outline: 2px solid var(--color-accent);
  background: var(--color-accent-soft); }
.pq-n { font-weight: 700; }
.pq-title { font-weight: 600; }
.pq-lang { display: inline-block; font-size: .75em; font-weight: 700; padding: 0 6px;
  border-radius: 999px; background: var(--color-accent); color: white;
  text-transform: uppercase; vertical-align: middle; }
.pq-meta { color: var(--body-text-color-subdued); font-size: .8em; }
.pq-passage { margin: 6px 0 2px; line-height: 1.6; }
.pq-passage mark { background: #fde68a; color: #111; padding: 0 1px; border-radius: 2px; }
.pq-parallels { font-size: .9em; margin-top: 4px; }
.pq-parallels ul { margin: 4px 0 0 0; padding-left: 1em; }
.pq-example { font-size: .85em !important; }
#pq-docs td, #pq-docs th { font-family: var(--font); }
"""

# One delegated listener for the whole page: a click on an [n] link in the chat opens that
# answer's section in the sources panel, scrolls the source into view and marks it.
CLICK_JS = """
() => {
  document.addEventListener("click", (ev) => {
    const a = ev.target.closest ? ev.target.closest("a[href*='#pq-src-']") : null;
    if (!a) return;
    ev.preventDefault();
    ev.stopPropagation();
    const el = document.getElementById(a.getAttribute("href").split("#")[1]);
    if (!el) return;
    const turn = el.closest("details");
    if (turn) turn.open = true;
    document.querySelectorAll(".pq-source.pq-active")
      .forEach((e) => e.classList.remove("pq-active"));
    el.classList.add("pq-active");
    el.scrollIntoView({ behavior: "smooth", block: "center" });
  }, true);
}
"""
