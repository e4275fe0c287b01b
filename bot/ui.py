"""The Gradio chat window: a thin layer that only calls the answer service.

Gradio is imported inside the functions so the CLI (and its tests) do not pay for it.
"""

from __future__ import annotations

import html
import logging
from typing import Any

from bot.answer import Answer
from bot.service import PolyqaService

logger = logging.getLogger(__name__)

EXAMPLES = [
    "CTO ve CIO arasındaki fark nedir?",
    "ग्राहक संबंध प्रबंधन में कॉल प्रबंधन क्या है?",
    "What is the CIO responsible for?",
    "Wer entscheidet, welche Produkte ein Unternehmen nicht mehr anbieten sollte?",
    "首席技術官需要熟悉哪些監管機構？",
]


def sources_html(answer: Answer) -> str:
    """Numbered sources with the supporting sentence highlighted inside its passage."""
    parts = []
    for c in answer.citations:
        text = c.text
        a, b = c.sentence_start - c.start, c.sentence_end - c.start
        body = (
            html.escape(text[:a])
            + "<mark>"
            + html.escape(text[a:b])
            + "</mark>"
            + html.escape(text[b:])
        )
        parts.append(
            f'<div class="source" id="source-{c.n}"><b>[{c.n}]</b> {html.escape(c.title)} '
            f'<span class="lang">{c.lang}</span> <small>{html.escape(c.doc_id)} '
            f"{c.start}–{c.end}</small><p>{body}</p></div>"
        )
    return "\n".join(parts)


def build_app(service: PolyqaService) -> Any:
    import gradio as gr

    def respond(message: str, history: list[dict[str, Any]]) -> tuple[Any, ...]:
        history = list(history or [])
        if not message or not message.strip():
            return "", history, ""
        answer = service.ask(message)
        history += [
            {"role": "user", "content": message},
            {"role": "assistant", "content": answer.answer},
        ]
        return "", history, sources_html(answer)

    def ask_api(question: str) -> dict[str, Any]:
        return service.ask(question).to_dict()

    with gr.Blocks(title="polyqa") as app:
        gr.Markdown("## polyqa")
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="polyqa", height=520)
                box = gr.Textbox(placeholder="Ask a question in any language", show_label=False)
                gr.Examples(EXAMPLES, inputs=box)
            with gr.Column(scale=2):
                sources = gr.HTML(label="Sources")
        box.submit(respond, [box, chatbot], [box, chatbot, sources], api_name="chat")
        gr.api(ask_api, api_name="ask")
    return app


def serve(service: PolyqaService) -> None:
    app = build_app(service)
    s = service.settings
    logger.info("serving on http://%s:%s", s.host, s.port)
    app.queue().launch(server_name=s.host, server_port=s.port, show_error=True)
