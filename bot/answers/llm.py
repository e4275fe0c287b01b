"""Optional generation through any OpenAI-compatible chat endpoint (Ollama, llama.cpp
server, vLLM, a hosted API).

Why optional: polyqa answers extractively without it; a model only rewrites the retrieved
passages into the asker's language. So the prompt pins the model to the numbered
passages, and ``strip_unknown_citations`` drops any citation it invents. Every failure
becomes one ``LLMError`` line naming the endpoint, so the caller can fall back to the
extractive answer instead of hanging or crashing.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from bot.errors import LLMError

logger = logging.getLogger(__name__)

# Enough of an error body to show the server's reason, short enough for one line.
_BODY_EXCERPT = 200
_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
# Of each earlier answer, this much is shown to the condense prompt.
_CONDENSE_ANSWER_CHARS = 400
# Quotation marks of every script, which models like to put around a rewritten question.
_QUOTES = "\"'“”„‟«»‹›「」『』‘’‚"


@dataclass(frozen=True)
class LLMConfig:
    """Where and how to generate. The API key is never stored here: only the name of the
    environment variable holding it, read at call time."""

    base_url: str
    model: str
    api_key_env: str = "POLYQA_LLM_API_KEY"
    timeout_s: float = 60.0
    temperature: float = 0.0
    max_tokens: int = 512


_SYSTEM_PROMPT = """\
You answer a question using ONLY the numbered passages the user gives you.
Rules:
- Use only what the passages state; add no outside knowledge.
- Write the whole answer in {lang}, whatever the language of the passages.
- Put the passage number in square brackets, like [{example}], after every sentence that \
uses that passage; for several passages write [1][2].
- Cite only these numbers: {numbers}.
- If the passages do not contain the answer, say so in one sentence in {lang} and cite \
nothing."""


def build_messages(
    question: str, question_lang_name: str, passages: Sequence[tuple[int, str, str]]
) -> list[dict[str, str]]:
    """Chat messages for one question; ``passages`` are (n, lang_code, text).

    The answer language is named in the system prompt because models otherwise drift
    into the language of the passages they quote.
    """
    numbers = ", ".join(str(n) for n, _, _ in passages) or "none (there are no passages)"
    example = passages[0][0] if passages else 1
    system = _SYSTEM_PROMPT.format(lang=question_lang_name, numbers=numbers, example=example)
    listed = "\n\n".join(f"[{n}] ({lang}) {text.strip()}" for n, lang, text in passages)
    user = f"Passages:\n\n{listed or '(none)'}\n\nQuestion: {question.strip()}"
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


_CONDENSE_PROMPT = """\
You rewrite the last question of a conversation so that it can be understood without \
the conversation.
Rules:
- Replace every pronoun and every omitted subject with what it refers to in the earlier \
turns; keep everything else the question asks.
- If the question already stands on its own (a new subject), repeat it unchanged.
- Write it in {lang}.
- Reply with the question only: no explanation, no quotes, no answer."""


def build_condense_messages(
    turns: Sequence[tuple[str, str]], question: str, question_lang_name: str
) -> list[dict[str, str]]:
    """Messages asking for ``question`` as a standalone question; ``turns`` are the
    earlier (question, answer) pairs, oldest first (an answer may be empty)."""
    lines = []
    for asked, answered in turns:
        lines.append(f"User: {asked.strip()}")
        if answered.strip():
            lines.append(f"Assistant: {' '.join(answered.split())[:_CONDENSE_ANSWER_CHARS]}")
    system = _CONDENSE_PROMPT.format(lang=question_lang_name)
    user = "Conversation:\n" + "\n".join(lines) + f"\n\nLast question: {question.strip()}"
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def condense(
    config: LLMConfig, turns: Sequence[tuple[str, str]], question: str, question_lang_name: str
) -> str:
    """The follow-up as a standalone question in the user's language (one line: a model
    that explains itself anyway is cut at its first line break)."""
    text = complete(config, build_condense_messages(turns, question, question_lang_name))
    lines = [line.strip().strip(_QUOTES).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise LLMError(config.base_url, "empty reply to the condense prompt")
    return lines[0]


def stream_chat(config: LLMConfig, messages: list[dict[str, str]]) -> Iterator[str]:
    """Yield the answer's text pieces as the server streams them.

    ``timeout_s`` bounds the connect and every single read, so a server that stalls
    mid-answer ends in ``LLMError`` rather than a hung interface.
    """
    url = config.base_url.rstrip("/") + "/chat/completions"
    headers = {"Accept": "text/event-stream"}
    key = os.environ.get(config.api_key_env, "").strip()
    if key:
        headers["Authorization"] = f"Bearer {key}"
    body = {
        "model": config.model,
        "messages": messages,
        "stream": True,
        "temperature": config.temperature,
        "max_tokens": config.max_tokens,
    }
    logger.debug("POST %s model=%s messages=%d", url, config.model, len(messages))
    try:
        host = urlsplit(url).hostname or ""
    except ValueError as exc:
        raise LLMError(url, f"invalid URL: {exc}") from exc
    try:
        # A proxy from the environment cannot reach this machine's own server.
        with (
            httpx.Client(
                timeout=httpx.Timeout(config.timeout_s), trust_env=host not in _LOOPBACK_HOSTS
            ) as client,
            client.stream("POST", url, json=body, headers=headers) as response,
        ):
            if response.status_code >= 400:
                raise LLMError(url, f"HTTP {response.status_code}: {_excerpt(response)}")
            if response.headers.get("content-type", "").startswith("application/json"):
                # Some servers ignore "stream": true and send one whole completion.
                response.read()
                yield _message_content(url, _parse_json(url, response.text))
                return
            yield from _sse_pieces(url, response)
    except httpx.TimeoutException as exc:
        raise LLMError(url, f"timed out after {config.timeout_s:g} s ({_kind(exc)})") from exc
    except httpx.ConnectError as exc:
        raise LLMError(url, f"cannot connect ({exc or 'connection refused'})") from exc
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise LLMError(url, f"{_kind(exc)}: {exc}") from exc


def complete(config: LLMConfig, messages: list[dict[str, str]]) -> str:
    """The whole answer at once, for callers that do not display it as it arrives."""
    return "".join(stream_chat(config, messages))


_MARKER = re.compile(r"\[\s*\d{1,3}(?:\s*[,;]\s*\d{1,3})*\s*\]")
_DROPPED = "\x00"
_GAP = re.compile(r"[ \t]*\x00(?:[ \t]*\x00)*[ \t]*")
_CLOSES = tuple(".,;:!?)\n")


def strip_unknown_citations(text: str, valid: set[int]) -> str:
    """Remove citation markers whose number is not in ``valid``, keeping the rest.

    Models sometimes cite passage numbers they were never given; such a marker would
    point the reader at nothing. ``[1, 7]`` becomes ``[1]``, ``[1][7]`` becomes ``[1]``;
    the space a dropped marker leaves before punctuation or beside another space goes too.
    """

    def keep(match: re.Match[str]) -> str:
        numbers = [int(n) for n in re.findall(r"\d+", match.group(0))]
        kept = [n for n in numbers if n in valid]
        if len(kept) == len(numbers):
            return match.group(0)
        return f"[{', '.join(map(str, kept))}]" if kept else _DROPPED

    marked = _MARKER.sub(keep, text.replace(_DROPPED, ""))
    return _GAP.sub(lambda gap: _close_gap(marked, gap), marked)


def _close_gap(text: str, gap: re.Match[str]) -> str:
    """What replaces dropped markers and the blanks around them: one space between words,
    nothing at a line's edge or before punctuation."""
    before, after = text[: gap.start()], text[gap.end() :]
    if not before or before.endswith("\n") or not after or after.startswith(_CLOSES):
        return ""
    return " " if gap.group(0).strip(_DROPPED) else ""


def _sse_pieces(url: str, response: httpx.Response) -> Iterator[str]:
    """Content pieces from a server-sent events stream, until ``data: [DONE]``."""
    for line in response.iter_lines():
        if not line.startswith("data:"):
            continue  # blank separators, ": keep-alive" comments, event:/id: fields
        data = line[len("data:") :].strip()
        if data == "[DONE]":
            return
        piece = _delta_content(url, _parse_json(url, data))
        if piece:
            yield piece
    logger.debug("%s: stream ended without [DONE]", url)


def _parse_json(url: str, data: str) -> dict[str, Any]:
    try:
        obj = json.loads(data)
    except ValueError as exc:
        raise LLMError(url, f"malformed stream: not JSON: {_one_line(data)!r}") from exc
    if not isinstance(obj, dict):
        raise LLMError(url, f"malformed stream: expected an object: {_one_line(data)!r}")
    if "error" in obj:
        error = obj["error"]
        message = error.get("message", error) if isinstance(error, dict) else error
        raise LLMError(url, f"server error: {_one_line(str(message))}")
    return obj


def _delta_content(url: str, chunk: dict[str, Any]) -> str | None:
    try:
        choices = chunk["choices"]
        if choices == []:
            return None  # e.g. a final usage-only chunk
        content = choices[0]["delta"].get("content")
    except (KeyError, IndexError, TypeError, AttributeError) as exc:
        raise LLMError(url, f"malformed stream: no choices[0].delta in {chunk!r:.100}") from exc
    if content is not None and not isinstance(content, str):
        raise LLMError(url, f"malformed stream: delta content is {type(content).__name__}")
    return content


def _message_content(url: str, completion: dict[str, Any]) -> str:
    try:
        content = completion["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise LLMError(
            url, f"malformed response: no choices[0].message in {completion!r:.100}"
        ) from exc
    return content if isinstance(content, str) else ""


def _excerpt(response: httpx.Response) -> str:
    """The start of an error body, read no further than needed (it may be huge)."""
    raw = b""
    for block in response.iter_bytes():
        raw += block
        if len(raw) >= 4 * _BODY_EXCERPT:
            break
    return _one_line(raw.decode("utf-8", errors="replace")) or "(empty body)"


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _BODY_EXCERPT else flat[: _BODY_EXCERPT - 1] + "…"


def _kind(exc: Exception) -> str:
    """'ReadTimeout' -> 'read timeout': the error's class name as words."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", type(exc).__name__).lower()
