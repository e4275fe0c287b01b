"""The Gradio chat window: a thin layer over the answer service.

Chat with streamed answers and a per-session history, a sources panel beside it (click an
``[n]`` to bring its source into view), filters, uploads indexed incrementally, the
interface in the user's language, and the same app callable through ``gradio_client``.
Rendering lives in ``bot.chat.render``; Gradio is imported inside the functions so the CLI
(and its tests) do not pay for it.
"""

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bot.answers import phrases
from bot.answers.composer import Answer
from bot.chat.render import (
    CLICK_JS,
    CSS,
    FONTS,
    UI_LANGS,
    Turn,
    answer_markdown,
    chat_message,
    documents_table,
    native_name,
    panel_html,
    stream_prefixes,
    ui_lang_from_header,
    upload_summary,
    user_markdown,
)
from bot.chat.uploads import MAX_UPLOAD_BYTES, discard_temporary, store_upload
from bot.service import Exchange, PolyqaService
from corpus.errors import DocumentError, PolyqaError, display_path
from corpus.reader import SUPPORTED_SUFFIXES

logger = logging.getLogger(__name__)

EXAMPLES = [
    "CTO ile CIO aynı işi mi yapar?",
    "सीआईओ की मुख्य जिम्मेदारी क्या है?",
    "What is the CIO responsible for?",
    "Wer entscheidet, welche Produkte ein Unternehmen nicht mehr anbieten sollte?",
    "什麼是首席創新官？",
]
AUTO = "auto"
# A streamed piece (a whole line of the extractive answer) is shown in up to this many
# steps, this long apart: long enough to see the answer grow, short in total.
PIECE_STEPS = 8
STREAM_DELAY = 0.03
UPLOADS_AT_ONCE = 4
# --- uploads -------------------------------------------------------------------------


def save_uploads(
    files: Sequence[str], uploads: Path, temp_root: Path | None = None
) -> tuple[list[Path], list[tuple[str, str, str]]]:
    """Store Gradio's temporary files in ``uploads`` (bot.chat.uploads: safe names only, types
    polyqa reads, size limit); the stored paths, and (phrase, name, reason) per refusal.

    Each temporary file is removed once stored or refused (those under ``temp_root``,
    by default Gradio's upload folder): left there, refused uploads filled the disk.
    """
    root = temp_root if temp_root is not None else _gradio_upload_folder()
    saved: list[Path] = []
    refused: list[tuple[str, str, str]] = []
    for tmp in files:
        name = Path(tmp).name
        try:
            saved.append(store_upload(uploads, name, Path(tmp)))
        except DocumentError as exc:
            refused.append(("upload_refused", name, exc.problem))
        except PolyqaError as exc:
            refused.append(("upload_refused", name, str(exc).split(": ", 1)[-1]))
        finally:
            discard_temporary(Path(tmp), root)
    return saved, refused


def _gradio_upload_folder() -> Path:
    from gradio.utils import get_upload_folder

    return Path(get_upload_folder())


def index_uploads(
    service: PolyqaService, files: Sequence[str], ui_lang: str, progress: Any = None
) -> str:
    """Save and index uploaded files next to what is indexed; the message to show.

    Files that cannot be read are named with the reason and removed again; the rest are
    indexed (only new or changed ones are embedded).
    """
    uploads = service.settings.data_dir / "uploads"
    saved, problems = save_uploads(files, uploads)
    counts: dict[str, int] = {}
    if saved:

        def report_progress(done: int, total: int) -> None:
            if progress is not None:
                progress((done, total), desc=phrases.t("indexing", ui_lang), unit="chunks")

        try:
            report = service.index(saved, keep_missing=True, progress=report_progress)
        except PolyqaError as exc:
            reason = str(exc).replace(f"{uploads.resolve()}/", "").replace(f"{uploads}/", "")
            problems.append(("upload_skipped", ", ".join(p.name for p in saved), reason))
            _remove(saved)
        else:
            for path, reason in report.skipped:
                problems.append(("upload_skipped", Path(path).name, reason))
            _remove([Path(path) for path, _ in report.skipped])
            counts = {
                "added": len(report.added),
                "changed": len(report.changed),
                "unchanged": len(report.unchanged),
                "chunks": report.chunks,
            }
    logger.info(
        "upload of %d file(s): %s; problems: %s",
        len(files),
        counts,
        [(key, display_path(name), reason) for key, name, reason in problems],
    )
    return upload_summary(counts, problems, ui_lang)


def _remove(paths: Sequence[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


# --- the app -------------------------------------------------------------------------


def _answer_lang_choices(ui_lang: str) -> list[tuple[str, str]]:
    return [(phrases.t("auto", ui_lang), AUTO)] + [(native_name(c), c) for c in UI_LANGS]


def _doc_lang_choices(service: PolyqaService) -> list[tuple[str, str]]:
    langs = sorted({d.lang for d in service.documents()})
    return [(f"{native_name(c)} ({c})", c) for c in langs]


Update = tuple[str, list[dict[str, Any]], str, list[Turn]]


def chat_stream(
    service: PolyqaService,
    message: str,
    history: list[dict[str, Any]],
    turns: list[Turn],
    answer_lang: str,
    doc_langs: Sequence[str],
    k: float,
    ui_lang: str,
) -> Iterator[Update]:
    """One chat turn as (textbox, history, sources panel, turns) updates.

    The answer grows as ``service.ask_stream`` hands out pieces (an LLM's tokens, or the
    extractive answer's lines, cut smaller here so they visibly grow). Then its sources'
    translations are looked up, and the last update shows the sources and the answer's
    language coverage (which marks it finished). The session's earlier turns go with
    the question, so a follow-up is read in their light ("New chat" empties them).
    """
    history, turns = list(history or []), list(turns or [])
    question = (message or "").strip()
    if not question:
        yield "", history, panel_html(turns, ui_lang), turns
        return
    history += [
        {"role": "user", "content": user_markdown(question)},
        {"role": "assistant", "content": "…"},
    ]
    panel = panel_html(turns, ui_lang)
    yield "", history, panel, turns
    stream = service.ask_stream(
        question,
        langs=list(doc_langs or ()),
        answer_lang=None if answer_lang in (None, "", AUTO) else answer_lang,
        k=int(k) if k else None,
        history=[Exchange(t.answer.question, t.answer) for t in turns],
    )
    turn, shown, answer = len(turns), "", None
    try:
        for item in stream:
            if isinstance(item, Answer):
                answer = item
                break
            for prefix in _paced(item):
                text = answer_markdown(shown + prefix, turn)
                history[-1] = {"role": "assistant", "content": text}
                yield "", history, panel, turns
            shown += item
    except PolyqaError as exc:
        logger.info("question refused: %s", exc)  # the user's mistake: no traceback
        history[-1] = {"role": "assistant", "content": f"**{user_markdown(str(exc))}**"}
        yield "", history, panel, turns
        return
    if answer is None:
        return
    turns.append(Turn(answer, service.translations(answer)))
    history[-1] = {"role": "assistant", "content": chat_message(answer, turn, ui_lang)}
    yield "", history, panel_html(turns, ui_lang), turns


def _paced(piece: str) -> Iterator[str]:
    """Growing prefixes of one streamed piece, paced so a long piece is seen to grow."""
    prefixes = stream_prefixes(piece, steps=PIECE_STEPS)
    for i, prefix in enumerate(prefixes):
        yield prefix
        if i < len(prefixes) - 1:
            time.sleep(STREAM_DELAY)


def build_app(service: PolyqaService) -> Any:
    """The Blocks app; launch it with ``launch`` (theme, fonts, CSS and JS go there)."""
    import gradio as gr

    lang0 = phrases.FALLBACK
    t = phrases.t
    with gr.Blocks(title="polyqa", analytics_enabled=False) as app:
        ui: dict[str, Any] = {"turns": gr.State([])}
        with gr.Row(equal_height=True):
            gr.Markdown("## polyqa", elem_id="pq-title")
            ui["ui_lang"] = gr.Dropdown(
                [(native_name(c), c) for c in UI_LANGS],
                value=lang0,
                label=t("ui_language", lang0),
                elem_id="pq-ui-lang",
                scale=0,
                min_width=200,
            )
        with gr.Tabs():
            ui["chat_tab"] = gr.Tab(t("chat", lang0), id="chat", elem_id="pq-tab-chat")
            with ui["chat_tab"], gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    ui |= _chat_column(gr, service, lang0)
                with gr.Column(scale=2):
                    ui["sources"] = gr.HTML(panel_html([], lang0), elem_id="pq-sources")
            ui["docs_tab"] = gr.Tab(t("documents", lang0), id="docs", elem_id="pq-tab-docs")
            with ui["docs_tab"]:
                ui |= _documents_tab(gr, service, lang0)
        _wire_chat(gr, service, ui)
        _wire_documents(gr, service, ui)
        _wire_language(gr, app, service, ui)
        _register_api(gr, service)
    return app


def _welcome(lang: str) -> str:
    """What the empty chat shows: how to start, in the interface language."""
    return f"### {phrases.t('ask', lang)}\n\n{phrases.t('sources_empty', lang)}"


def _chat_column(gr: Any, service: PolyqaService, lang: str) -> dict[str, Any]:
    t = phrases.t
    c: dict[str, Any] = {}
    c["chatbot"] = gr.Chatbot(
        placeholder=_welcome(lang),
        elem_id="pq-chat",
        height=500,
        show_label=False,
        latex_delimiters=[],
        feedback_options=None,
        buttons=["copy"],
    )
    with gr.Row(equal_height=True):
        c["box"] = gr.Textbox(
            placeholder=t("ask", lang), show_label=False, scale=5, elem_id="pq-question"
        )
        c["send"] = gr.Button(t("send", lang), variant="primary", scale=1, elem_id="pq-send")
    c["examples_label"] = gr.Markdown(f"**{t('examples', lang)}**")
    with gr.Row():
        c["examples"] = [gr.Button(q, size="sm", elem_classes=["pq-example"]) for q in EXAMPLES]
    with gr.Accordion(t("filters", lang), open=True) as c["filters"]:
        with gr.Row():
            c["answer_lang"] = gr.Dropdown(
                _answer_lang_choices(lang), value=AUTO, label=t("answer_language", lang),
                elem_id="pq-answer-lang",
            )  # fmt: skip
            c["k"] = gr.Slider(
                1, 20, value=service.settings.top_k, step=1, label=t("n_sources", lang),
                elem_id="pq-k",
            )  # fmt: skip
        c["doc_langs"] = gr.CheckboxGroup(
            _doc_lang_choices(service), value=[], label=t("search_languages", lang),
            info=t("all_when_none", lang), elem_id="pq-doc-langs",
        )  # fmt: skip
    c["clear"] = gr.Button(t("new_chat", lang), size="sm", elem_id="pq-new-chat")
    return c


def _types_hint(lang: str) -> str:
    return phrases.t("upload_types", lang, types=", ".join(SUPPORTED_SUFFIXES))


def _documents_tab(gr: Any, service: PolyqaService, lang: str) -> dict[str, Any]:
    t = phrases.t
    d: dict[str, Any] = {}
    # No file_types filter: Gradio would refuse a whole batch for one odd file, where
    # index_uploads indexes the rest and names the odd one with its reason.
    d["files"] = gr.File(
        file_count="multiple", type="filepath", label=t("upload", lang), elem_id="pq-upload"
    )
    d["types"] = gr.Markdown(_types_hint(lang), elem_id="pq-upload-types")
    d["status"] = gr.Markdown(elem_id="pq-upload-status")
    d["table"] = gr.Dataframe(
        value=documents_table(service.documents(), lang),
        label=t("indexed", lang),
        interactive=False,
        wrap=True,
        elem_id="pq-docs",
    )
    return d


def _wire_chat(gr: Any, service: PolyqaService, ui: dict[str, Any]) -> None:
    """Questions (typed, sent or clicked examples) stream into the session's chat."""

    def respond(
        message: str,
        history: list[dict[str, Any]],
        state: list[Turn],
        answer_lang: str,
        doc_langs: list[str],
        k: float,
        lang: str,
    ) -> Iterator[tuple[Any, ...]]:
        yield from chat_stream(service, message, history, state, answer_lang, doc_langs, k, lang)

    rest = [ui["chatbot"], ui["turns"], ui["answer_lang"], ui["doc_langs"], ui["k"], ui["ui_lang"]]
    # A question sent while an answer is still streaming is asked right after it.
    common = {
        "outputs": [ui["box"], ui["chatbot"], ui["sources"], ui["turns"]],
        "concurrency_limit": 4,
        "concurrency_id": "chat",
        "trigger_mode": "always_last",
    }
    ui["box"].submit(respond, [ui["box"], *rest], api_name="chat", **common)
    ui["send"].click(respond, [ui["box"], *rest], api_visibility="private", **common)
    for button in ui["examples"]:
        button.click(respond, [button, *rest], api_visibility="private", **common)
    ui["clear"].click(
        lambda lang: ([], [], panel_html([], lang)),
        [ui["ui_lang"]],
        [ui["chatbot"], ui["turns"], ui["sources"]],
        api_visibility="private",
    )


def _wire_documents(gr: Any, service: PolyqaService, ui: dict[str, Any]) -> None:
    """Uploads are saved, indexed with a progress bar, and listed (also as POST /upload)."""
    tracker = gr.Progress()  # Gradio finds the progress bar by this default value

    def upload(files: list[str] | None, lang: str, progress: Any = tracker) -> tuple:
        message = index_uploads(service, files or [], lang, progress) if files else ""
        table = documents_table(service.documents(), lang)
        return message, table, gr.update(choices=_doc_lang_choices(service)), None

    # Several uploads at a time: each is bounded by the document budgets, and indexing
    # holds the index's write lock only to write the result, so a long one does not keep
    # another user's short one waiting.
    ui["files"].upload(
        upload,
        [ui["files"], ui["ui_lang"]],
        [ui["status"], ui["table"], ui["doc_langs"], ui["files"]],
        api_name="upload",
        concurrency_limit=UPLOADS_AT_ONCE,
        concurrency_id="upload",
    )


def _wire_language(gr: Any, app: Any, service: PolyqaService, ui: dict[str, Any]) -> None:
    """The page starts in the browser's language (Accept-Language) and follows the menu."""
    ui["ui_lang"].change(
        lambda lang, state: _relabel(gr, service, lang, state),
        [ui["ui_lang"], ui["turns"]],
        [ui[key] for key in _RELABELLED],
        api_visibility="private",
    )

    def on_load(request: gr.Request) -> tuple:
        lang = ui_lang_from_header(request.headers.get("accept-language") if request else None)
        choices = gr.update(choices=_doc_lang_choices(service))
        return lang, choices, documents_table(service.documents(), lang)

    outputs = [ui["ui_lang"], ui["doc_langs"], ui["table"]]
    app.load(on_load, None, outputs, api_visibility="private")


# The components whose text _relabel sets, in its order.
_RELABELLED = (
    "ui_lang",
    "chat_tab",
    "docs_tab",
    "sources",
    "table",
    "files",
    "types",
    "chatbot",
    "box",
    "send",
    "examples_label",
    "filters",
    "answer_lang",
    "doc_langs",
    "k",
    "clear",
)


def _relabel(gr: Any, service: PolyqaService, lang: str, state: list[Turn]) -> list[Any]:
    """Every fixed text of the page in ``lang``, in the order of ``_RELABELLED``."""
    t = phrases.t
    return [
        gr.update(label=t("ui_language", lang)),
        gr.update(label=t("chat", lang)),
        gr.update(label=t("documents", lang)),
        panel_html(state or [], lang),
        gr.update(value=documents_table(service.documents(), lang), label=t("indexed", lang)),
        gr.update(label=t("upload", lang)),
        _types_hint(lang),
        gr.update(placeholder=_welcome(lang)),
        gr.update(placeholder=t("ask", lang)),
        gr.update(value=t("send", lang)),
        f"**{t('examples', lang)}**",
        gr.update(label=t("filters", lang)),
        gr.update(label=t("answer_language", lang), choices=_answer_lang_choices(lang)),
        gr.update(label=t("search_languages", lang), info=t("all_when_none", lang)),
        gr.update(label=t("n_sources", lang)),
        gr.update(value=t("new_chat", lang)),
    ]


def _register_api(gr: Any, service: PolyqaService) -> None:
    """Plain endpoints for scripts (gradio_client): JSON in, JSON out."""

    def ask(
        question: str,
        langs: list[str] | None = None,
        answer_lang: str | None = None,
        k: int | None = None,
        history: list[str] | None = None,
    ) -> dict[str, Any]:
        """Answer a question: the answer, its citations, coverage (Answer.to_dict).
        ``history``: the conversation's earlier questions, oldest first."""
        lang = None if answer_lang in (None, "", AUTO) else answer_lang
        earlier = [str(q) for q in history or []]
        try:
            answer = service.ask(
                question, langs=langs or (), answer_lang=lang, k=k, history=earlier
            )
        except PolyqaError as exc:  # a refused question is the caller's, not a server error
            logger.info("question refused: %s", exc)
            raise gr.Error(str(exc), print_exception=False) from exc
        return _api_json(answer.to_dict())

    def documents() -> list[dict[str, Any]]:
        """What is indexed: doc_id, source_path, title, lang, sha256, chunks, indexed_at."""
        return [_api_json(asdict(d)) for d in service.documents()]

    gr.api(ask, api_name="ask")
    gr.api(documents, api_name="documents")


def _api_json(value: Any) -> Any:
    """``value`` with every "path" key named "source_path".

    gradio_client takes any dict with a "path" string in a result for a file to download
    (its legacy check, used with Gradio 6's protocol) and fails on a document's path.
    """
    if isinstance(value, dict):
        return {("source_path" if k == "path" else k): _api_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_api_json(v) for v in value]
    return value


def launch(app: Any, host: str, port: int, **kwargs: Any) -> Any:
    """Start the server with polyqa's look: local Noto fonts, panel CSS, click handler."""
    import gradio as gr

    theme = gr.themes.Soft(font=list(FONTS), font_mono=["Noto Sans Mono", "monospace"])
    return app.queue(default_concurrency_limit=1).launch(
        server_name=host,
        server_port=port,
        show_error=True,
        theme=theme,
        css=CSS,
        js=CLICK_JS,
        max_file_size=f"{MAX_UPLOAD_BYTES >> 20}mb",
        **kwargs,
    )


def serve(service: PolyqaService) -> None:
    app = build_app(service)
    s = service.settings
    logger.info("serving on http://%s:%s", s.host, s.port)
    launch(app, s.host, s.port)
