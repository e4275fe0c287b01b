"""Optional written answers from an OpenAI-compatible model, checked like extractive ones.

The model only sees the numbered passages retrieval found; whatever it writes is then
held to the same rules as polyqa's own answers: citations that point to nothing are
removed and every sentence is checked against the passages it cites. If the endpoint
fails or times out, the user gets the extractive answer with a notice, never an error.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from bot.answers import phrases
from bot.answers.composer import Answer, Citation, Composer, Evidence, _coverage
from bot.answers.llm import LLMConfig, build_messages, stream_chat, strip_unknown_citations
from bot.answers.support import answer_sentences, check, cited_numbers
from bot.errors import LLMError

logger = logging.getLogger(__name__)


def passages_for(ev: Evidence, limit: int = 6) -> dict[int, Citation]:
    """The passages the model may cite, numbered as the user will see them."""
    return {
        i: Citation(i, h.chunk.doc_id, h.chunk.path, h.chunk.title, h.chunk.lang,
                    h.chunk.start, h.chunk.end, h.chunk.text, h.chunk.start, h.chunk.end)
        for i, h in enumerate(ev.hits[:limit], 1)
    }  # fmt: skip


def generate(composer: Composer, ev: Evidence, config: LLMConfig) -> Iterator[str | Answer]:
    """Stream the model's answer, then yield the checked Answer (or the extractive one)."""
    passages = passages_for(ev)
    messages = build_messages(
        ev.question,
        phrases.lang_name(ev.qlang, "en"),
        [(n, c.lang, c.text) for n, c in passages.items()],
    )
    pieces: list[str] = []
    try:
        for piece in stream_chat(config, messages):
            pieces.append(piece)
            yield piece
    except LLMError as exc:
        logger.warning("%s; falling back to the extractive answer", exc)
        fallback = composer.compose(ev)
        fallback.notice = phrases.t("llm_fallback", ev.qlang)
        yield fallback
        return
    yield checked_answer(composer, ev, "".join(pieces), passages)


def checked_answer(
    composer: Composer, ev: Evidence, raw: str, passages: dict[int, Citation]
) -> Answer:
    """Drop citations to nothing, flag sentences their sources do not support."""
    text = strip_unknown_citations(raw, set(passages))
    fixed = [phrases.t("not_found", ev.qlang)]
    checked = check(
        answer_sentences(text, fixed),
        {n: c.text for n, c in passages.items()},
        composer.retriever.embedder,
    )
    for s in checked:
        if not s.supported:
            text = text.replace(s.text, f"{s.text} {phrases.t('unsupported', ev.qlang)}", 1)
    used = sorted({n for n in cited_numbers(text) if n in passages})
    citations = [passages[n] for n in used]
    return Answer(
        ev.question, ev.qlang, text, bool(citations), ev.confidence, citations,
        _coverage(ev.hits), sorted({c.lang for c in citations}), sentences=checked,
    )  # fmt: skip
