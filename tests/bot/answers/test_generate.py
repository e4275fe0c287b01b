"""Generated answers through a local OpenAI-compatible server: checked, cited, or replaced
by the extractive answer when the endpoint fails."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bot.answers import phrases
from bot.answers.composer import Answer
from bot.service import PolyqaService
from bot.settings import load_settings
from index.embedder import SentenceTransformerEmbedder
from tests.bot.answers.conftest import service_over

# The documents answered from, written here: a German text and its English translation.
DOCS = {
    "de_hafen.txt": "Die Hafenmeisterin leitet den Hafen der Stadt. Sie entscheidet, welche "
    "Schiffe einlaufen dürfen. Die Hafenmeisterin untersteht unmittelbar dem "
    "Hafendirektor. Bei Winterstürmen kann sie den Hafen für mehrere Tage schließen.",
    "en_harbour.txt": "The harbour master runs the town's port. She decides which ships may "
    "enter. The harbour master answers directly to the port director. In winter "
    "storms she can close the harbour for several days.",
}
STANDALONE = "Wem untersteht die Hafenmeisterin?"


class Endpoint:
    """Answers like a model would: it reads the numbered passages it was sent."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.requests: list[dict[str, Any]] = []

    def reply(self, body: dict[str, Any]) -> str:
        user = body["messages"][-1]["content"]
        if "Last question:" in user:  # the condense prompt: the follow-up made standalone
            return STANDALONE
        numbers = re.findall(r"^\[(\d+)\]", user, flags=re.M)
        reports = next(
            (n for n in numbers if re.search(rf"^\[{n}\][^\n]*untersteht", user, re.M)), "1"
        )
        return (
            f"Die Hafenmeisterin untersteht unmittelbar dem Hafendirektor [{reports}]. "
            f"Sie ist eine berühmte Sängerin aus Brasilien [{reports}]. "
            "Sie leitet außerdem die Kantine [42]."
        )


def _handler(endpoint: Endpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            endpoint.requests.append(body)
            if endpoint.mode == "500":
                self.send_response(500)
                self.end_headers()
                self.wfile.write(b"overloaded")
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for word in endpoint.reply(body).split(" "):
                delta = {"choices": [{"delta": {"content": word + " "}}]}
                self.wfile.write(f"data: {json.dumps(delta)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")

    return Handler


@pytest.fixture
def endpoint() -> Iterator[tuple[Endpoint, str]]:
    state = Endpoint()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def harbour_service(
    tmp_path_factory: pytest.TempPathFactory,
    embedder: SentenceTransformerEmbedder,
    model_cache_dir: Path,
) -> PolyqaService:
    """The extractive service (no model endpoint) over DOCS, indexed once."""
    return service_over(tmp_path_factory.mktemp("generate"), DOCS, embedder, model_cache_dir)


@pytest.fixture
def service(harbour_service, endpoint) -> PolyqaService:  # type: ignore[no-untyped-def]
    s = harbour_service.settings
    settings = load_settings(
        data_dir=s.data_dir, cache_dir=s.cache_dir, llm_base_url=endpoint[1],
        llm_model="local-model", llm_timeout=5,
    )  # fmt: skip
    return PolyqaService(settings, embedder=harbour_service.embedder)


QUESTION = "Wem untersteht die Hafenmeisterin?"
FOLLOW_UP = "Und wem untersteht sie?"
EARLIER = "Was macht eine Hafenmeisterin?"


def test_generated_answer_is_streamed_checked_and_cited(service, endpoint) -> None:  # type: ignore[no-untyped-def]
    items = list(service.ask_stream(QUESTION))
    pieces, answer = items[:-1], items[-1]
    assert isinstance(answer, Answer) and len(pieces) > 5
    request = endpoint[0].requests[0]
    assert request["model"] == "local-model" and request["stream"] is True
    assert "German" in request["messages"][0]["content"]
    assert "[42]" not in answer.answer  # a citation pointing to nothing is removed
    assert answer.found and answer.citations
    assert {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)} == {
        c.n for c in answer.citations
    }
    supported = {s.text.split("[")[0].strip(): s.supported for s in answer.sentences}
    assert supported["Die Hafenmeisterin untersteht unmittelbar dem Hafendirektor"]
    assert not supported["Sie ist eine berühmte Sängerin aus Brasilien"]
    assert phrases.t("unsupported", "de") in answer.answer


def test_endpoint_failure_falls_back_to_the_extractive_answer(  # type: ignore[no-untyped-def]
    service, endpoint, harbour_service
) -> None:
    endpoint[0].mode = "500"
    answer = service.ask(QUESTION)
    assert endpoint[0].requests, "the endpoint was tried"
    assert answer.notice == phrases.t("llm_fallback", "de")
    assert answer.found
    assert answer.answer == harbour_service.ask(QUESTION).answer
    assert all(s.supported for s in answer.sentences)


def test_unanswerable_question_is_not_sent_to_the_model(service, endpoint) -> None:  # type: ignore[no-untyped-def]
    answer = service.ask("Was ist der Siedepunkt von Wasser?")
    assert not answer.found
    assert endpoint[0].requests == []


def test_a_follow_up_is_condensed_into_a_standalone_question_first(  # type: ignore[no-untyped-def]
    service, endpoint
) -> None:
    answer = service.ask(FOLLOW_UP, history=[EARLIER])
    condense, generate = endpoint[0].requests
    prompt = condense["messages"][-1]["content"]
    assert f"User: {EARLIER}" in prompt and f"Last question: {FOLLOW_UP}" in prompt
    assert "in German" in condense["messages"][0]["content"]
    assert f"Question: {STANDALONE}" in generate["messages"][-1]["content"]
    assert answer.question == FOLLOW_UP and answer.found
    assert answer.answer.splitlines()[0] == answer.notice
    assert answer.notice == phrases.t("follow_up", "de", subject="Hafenmeisterin")
    assert "untersteht unmittelbar dem Hafendirektor" in answer.answer


def test_without_history_nothing_is_condensed(service, endpoint) -> None:  # type: ignore[no-untyped-def]
    service.ask(QUESTION)
    assert len(endpoint[0].requests) == 1
    assert "Last question:" not in endpoint[0].requests[0]["messages"][-1]["content"]


def test_a_failing_endpoint_still_answers_the_follow_up(  # type: ignore[no-untyped-def]
    service, endpoint
) -> None:
    endpoint[0].mode = "500"
    answer = service.ask(FOLLOW_UP, history=[EARLIER])
    assert answer.question == FOLLOW_UP
    assert answer.answer.strip()
