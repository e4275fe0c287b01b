"""bot.answers.llm against a real local HTTP server speaking the OpenAI streaming protocol."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bot.answers.llm import (
    LLMConfig,
    build_condense_messages,
    build_messages,
    complete,
    condense,
    stream_chat,
    strip_unknown_citations,
)
from bot.errors import LLMError

PIECES = ["Der CTO ", "leitet die ", "Technik [1].", " Quelle fehlt [7]."]
ANSWER = "".join(PIECES)
TIMEOUT = 0.5
# How long a "slow" or "stalled" server waits: well past TIMEOUT, released at teardown.
STALL = 3.0
PASSAGES = [
    (1, "de", "Der CTO leitet die Technikabteilung."),
    (2, "en", "The office is in Berlin."),
]


@dataclass
class FakeServer:
    """What the fake endpoint does (``mode``) and what it was sent."""

    base_url: str
    mode: str = "ok"
    requests: list[dict[str, Any]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


def _chunk(content: str) -> bytes:
    body = {"choices": [{"index": 0, "delta": {"content": content}}]}
    return f"data: {json.dumps(body)}\n\n".encode()


def _make_handler(state: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            state.requests.append(
                {
                    "path": self.path,
                    "authorization": self.headers.get("Authorization"),
                    "json": json.loads(self.rfile.read(length)),
                }
            )
            # The client hanging up (as it should on a timeout) is no server error.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._respond()

        def _start(self, status: int = 200, ctype: str = "text/event-stream") -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.end_headers()

        def _respond(self) -> None:
            mode = state.mode
            if mode == "500":
                self._start(500, "application/json")
                self.wfile.write(b'{"error": {"message": "model   not\n loaded"}}')
            elif mode == "slow":
                state.release.wait(STALL)
                self._start()
                self.wfile.write(_chunk("late") + b"data: [DONE]\n\n")
            elif mode == "stall":
                self._start()
                self.wfile.write(_chunk("Der CTO "))
                state.release.wait(STALL)
                self.wfile.write(b"data: [DONE]\n\n")
            elif mode == "garbage":
                self._start()
                self.wfile.write(_chunk("Der ") + b"data: {not json at all\n\n")
            elif mode == "condense":  # a model that explains itself after the question
                self._start(200, "application/json")
                content = "„Wer hat die Kestrel-Presse entworfen?“\nIch habe „sie“ ersetzt."
                body = {"choices": [{"message": {"role": "assistant", "content": content}}]}
                self.wfile.write(json.dumps(body).encode())
            elif mode == "json":
                self._start(200, "application/json")
                body = {"choices": [{"message": {"role": "assistant", "content": ANSWER}}]}
                self.wfile.write(json.dumps(body).encode())
            else:
                self._start()
                self.wfile.write(b": keep-alive\n\n")
                for piece in PIECES:
                    self.wfile.write(_chunk(piece))
                    time.sleep(0.01)
                # A usage-only chunk, as some servers send before [DONE].
                self.wfile.write(b'data: {"choices": [], "usage": {"total_tokens": 9}}\n\n')
                self.wfile.write(b"data: [DONE]\n\n")

    return Handler


@pytest.fixture
def server() -> Iterator[FakeServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    state = FakeServer(base_url=f"http://127.0.0.1:{httpd.server_address[1]}/v1")
    httpd.RequestHandlerClass = _make_handler(state)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    state.release.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


def _config(base_url: str) -> LLMConfig:
    return LLMConfig(base_url=base_url, model="qwen2.5:3b", timeout_s=TIMEOUT)


def _messages() -> list[dict[str, str]]:
    return build_messages("Wer leitet die Technik?", "German", PASSAGES)


# --- prompt -----------------------------------------------------------------------------


def test_build_messages_pins_language_numbers_and_passages() -> None:
    system, user = build_messages("Teknolojiyi kim yönetiyor?", "Turkish", PASSAGES)
    assert system["role"] == "system"
    assert user["role"] == "user"
    assert "ONLY" in system["content"]
    assert "in Turkish" in system["content"]
    assert "1, 2" in system["content"]
    assert "cite nothing" in system["content"]
    assert "[1] (de) Der CTO leitet die Technikabteilung." in user["content"]
    assert "[2] (en) The office is in Berlin." in user["content"]
    assert user["content"].rstrip().endswith("Teknolojiyi kim yönetiyor?")


# --- streaming --------------------------------------------------------------------------


def test_stream_yields_pieces_in_order_and_sends_the_request(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POLYQA_LLM_API_KEY", raising=False)
    messages = _messages()
    pieces = list(stream_chat(_config(server.base_url), messages))

    assert pieces == PIECES
    (request,) = server.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["authorization"] is None
    sent = request["json"]
    assert sent["model"] == "qwen2.5:3b"
    assert sent["stream"] is True
    assert sent["temperature"] == 0.0
    assert sent["max_tokens"] == 512
    assert sent["messages"] == messages
    assert "in German" in sent["messages"][0]["content"]
    assert "[1] (de) Der CTO" in sent["messages"][1]["content"]


def test_complete_joins_the_stream_and_handles_trailing_slash(server: FakeServer) -> None:
    assert complete(_config(server.base_url + "/"), _messages()) == ANSWER
    assert server.requests[0]["path"] == "/v1/chat/completions"


def test_api_key_comes_from_the_environment(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_LLM_KEY", "sk-test-123")
    config = LLMConfig(base_url=server.base_url, model="m", api_key_env="MY_LLM_KEY")
    complete(config, _messages())
    assert server.requests[0]["authorization"] == "Bearer sk-test-123"


def test_non_streaming_json_answer_is_accepted(server: FakeServer) -> None:
    server.mode = "json"
    assert complete(_config(server.base_url), _messages()) == ANSWER


# --- failures ---------------------------------------------------------------------------


def test_http_error_names_endpoint_status_and_body(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POLYQA_LLM_API_KEY", "sk-secret")
    server.mode = "500"
    with pytest.raises(LLMError) as info:
        complete(_config(server.base_url), _messages())
    message = str(info.value)
    assert server.base_url in message
    assert "HTTP 500" in message
    assert "model not loaded" in message
    assert "\n" not in message
    assert "sk-secret" not in message


@pytest.mark.parametrize("mode", ["slow", "stall"])
def test_timeouts_end_in_llm_error(server: FakeServer, mode: str) -> None:
    server.mode = mode
    started = time.monotonic()
    with pytest.raises(LLMError) as info:
        complete(_config(server.base_url), _messages())
    assert time.monotonic() - started < STALL - 1
    assert server.base_url in str(info.value)
    assert "timed out" in str(info.value)


def test_stall_after_first_piece_still_yields_it(server: FakeServer) -> None:
    server.mode = "stall"
    stream = stream_chat(_config(server.base_url), _messages())
    assert next(stream) == "Der CTO "
    with pytest.raises(LLMError, match="timed out"):
        next(stream)


def test_garbage_stream_is_malformed(server: FakeServer) -> None:
    server.mode = "garbage"
    with pytest.raises(LLMError) as info:
        complete(_config(server.base_url), _messages())
    assert server.base_url in str(info.value)
    assert "malformed stream" in str(info.value)


def test_connection_refused_fails_fast() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}/v1"
    started = time.monotonic()
    with pytest.raises(LLMError) as info:
        complete(LLMConfig(base_url=base_url, model="m", timeout_s=5.0), _messages())
    assert time.monotonic() - started < 2
    assert base_url in str(info.value)
    assert "cannot connect" in str(info.value)


# --- citations --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "valid", "expected"),
    [
        (ANSWER, {1}, "Der CTO leitet die Technik [1]. Quelle fehlt."),
        ("A fact [1, 7].", {1}, "A fact [1]."),
        ("A fact [1,2].", {1, 2}, "A fact [1,2]."),
        ("A fact [1][7].", {1}, "A fact [1]."),
        ("A fact [7][1].", {1}, "A fact [1]."),
        ("A fact [1] [7].", {1}, "A fact [1]."),
        ("A fact [7] [1].", {1}, "A fact [1]."),
        ("A fact [7] and more.", {1}, "A fact and more."),
        ("[7] Starts here.\nNext [9] line [2].", {2}, "Starts here.\nNext line [2]."),
        ("No markers here.  Keep  spacing.", {1}, "No markers here.  Keep  spacing."),
        ("Twelve [12].", {1, 2}, "Twelve."),
        ("Year [2024] and link [a](b).", {1}, "Year [2024] and link [a](b)."),
        ("", {1}, ""),
    ],
)
def test_strip_unknown_citations(text: str, valid: set[int], expected: str) -> None:
    assert strip_unknown_citations(text, valid) == expected


# --- condensing a follow-up -----------------------------------------------------------

TURNS = [("Was ist die Kestrel-Presse?", "Eine hydraulische Maschine [1]."), ("Und wo?", "")]


def test_condense_prompt_holds_the_turns_the_language_and_the_question() -> None:
    system, user = build_condense_messages(TURNS, "Wer hat sie entworfen?", "German")
    assert "in German" in system["content"] and "unchanged" in system["content"]
    text = user["content"]
    assert text.index("User: Was ist die Kestrel-Presse?") < text.index("Assistant: Eine")
    assert "User: Und wo?" in text and text.count("Assistant:") == 1  # no empty answer
    assert text.rstrip().endswith("Last question: Wer hat sie entworfen?")


def test_condense_returns_the_first_line_without_quotes(server: FakeServer) -> None:
    server.mode = "condense"
    result = condense(_config(server.base_url), TURNS, "Wer hat sie entworfen?", "German")
    assert result == "Wer hat die Kestrel-Presse entworfen?"
    sent = server.requests[0]["json"]
    assert "Wer hat sie entworfen?" in sent["messages"][-1]["content"]


def test_condense_failure_is_an_llm_error(server: FakeServer) -> None:
    server.mode = "500"
    with pytest.raises(LLMError, match="HTTP 500"):
        condense(_config(server.base_url), TURNS, "Wer hat sie entworfen?", "German")
