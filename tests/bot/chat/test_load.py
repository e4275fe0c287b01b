"""The chat server under load, and under bad questions, over HTTP on loopback only.

20 gradio_client clients, each in its own thread, send 200 questions in total to the
`/ask` endpoint of the real app (tests/bot/conftest.py: real model, default corpus). No
request may fail or come back with another question's answer, and the run is bounded
in time. Throughput and p95 latency are printed (bench/load.py records them).
"""

from __future__ import annotations

import logging
import statistics
import time
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

import numpy as np
import pytest

gradio_client = pytest.importorskip("gradio_client")

logger = logging.getLogger(__name__)

CLIENTS = 20
TOTAL = 200
LIMIT_S = 300.0
QUESTIONS = [
    "What does a CTO do?",
    "Who does the CIO report to?",
    "Was macht ein CTO?",
    "Wer entscheidet, welche Produkte ein Unternehmen nicht mehr anbieten sollte?",
    "CTO ve CIO arasındaki fark nedir?",
    "Veri madenciliği nedir?",
    "首席技術官需要熟悉哪些監管機構？",
    "首席信息官的職責是什麼？",
    "ग्राहक संबंध प्रबंधन में कॉल प्रबंधन क्या है?",
    "सीटीओ क्या करता है?",
]

Outcome = tuple[str, Any, float]  # question, answer dict or the exception, seconds


def ask_all(url: str, questions: list[str], deadline: float) -> list[Outcome]:
    """One client asking its questions one after another, as a person would."""
    client = gradio_client.Client(url, verbose=False)
    out: list[Outcome] = []
    for question in questions:
        started = time.perf_counter()
        try:
            job = client.submit(question, api_name="/ask")
            result: Any = job.result(timeout=max(deadline - time.monotonic(), 1.0))
        except Exception as exc:  # recorded: the test reports every failure, not the first
            result = exc
        out.append((question, result, time.perf_counter() - started))
    return out


def run_load(url: str, clients: int, total: int, limit_s: float) -> tuple[list[Outcome], float]:
    """All outcomes and the wall time; questions are numbered so each is unique and a
    crossed answer would show."""
    questions = [f"{QUESTIONS[i % len(QUESTIONS)]} ({i})" for i in range(total)]
    deadline = time.monotonic() + limit_s
    pool = ThreadPoolExecutor(clients, thread_name_prefix="load-client")
    started = time.perf_counter()
    futures = [pool.submit(ask_all, url, questions[i::clients], deadline) for i in range(clients)]
    done, pending = wait(futures, timeout=limit_s + 30)
    wall = time.perf_counter() - started
    pool.shutdown(wait=False, cancel_futures=True)
    if pending:
        pytest.fail(f"{len(pending)} of {clients} clients still busy after {limit_s:.0f} s")
    return [o for f in done for o in f.result()], wall


@pytest.mark.slow
def test_twenty_clients_two_hundred_questions(ui_app: Any) -> None:
    outcomes, wall = run_load(ui_app.url, CLIENTS, TOTAL, LIMIT_S)
    failures = [(q, r) for q, r, _ in outcomes if not isinstance(r, dict)]
    assert not failures, f"{len(failures)} failed, first: {failures[0]}"
    assert len(outcomes) == TOTAL
    assert sorted(r["question"] for _, r, _ in outcomes) == sorted(q for q, _, _ in outcomes)
    for question, result, _ in outcomes:
        assert result["question"] == question and result["answer"].strip()
    seconds = [s for _, _, s in outcomes]
    p95 = float(np.percentile(seconds, 95))
    print(
        f"\nload: {TOTAL} questions, {CLIENTS} clients in {wall:.1f} s: "
        f"{TOTAL / wall:.2f} answers/s, latency p50 {statistics.median(seconds):.2f} s, "
        f"p95 {p95:.2f} s"
    )
    assert wall < LIMIT_S


@pytest.mark.parametrize(
    "question",
    [
        "Was macht ein CTO? " * 5_300,  # 100,700 characters
        "",
        "   \n\t ",
        "What\x00 does\x07 the \x1b[2JCIO\u202e do?",
    ],
    ids=["100k-chars", "empty", "blank", "control-chars"],
)
def test_bad_questions_do_not_break_the_server(ui_app: Any, question: str) -> None:
    """Each gets an answer or a clear error, and the next question is answered."""
    client = gradio_client.Client(ui_app.url, verbose=False)
    try:
        result = client.predict(question, api_name="/ask")
    except Exception as exc:  # gradio_client raises the server's error message
        assert str(exc).strip(), "an error must say what is wrong"
    else:
        assert isinstance(result, dict) and "answer" in result
    after = client.predict("Was macht ein CTO?", api_name="/ask")
    assert after["found"] is True
