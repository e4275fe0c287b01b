"""The chat server under load: concurrent gradio_client clients asking over loopback.

Starts the real app (`bot.chat.app.build_app` + `bot.chat.app.launch`) on 127.0.0.1 and a free port,
with the real model and the default corpus indexed into a temporary data dir, then N
clients (one thread and one gradio_client.Client each) send M questions in total to
`/ask`, each client one question after another. Reports failures, answers that do not
match their question, throughput (answers per second of wall time) and client-side
latency (queue wait included) p50/p95; with the `--file-mb` option also the peak memory
of indexing a text file of that size with a stand-in embedder (in a child process).

    .venv/bin/python bench/load.py                   # 20 clients, 200 questions
    .venv/bin/python bench/load.py --clients 5 --questions 50 --file-mb 50
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

from common import REPO, append_row, fmt, machine, percentiles_ms, stamp, write_result

# The test's questions and client loop, so the bench measures what the test asserts on.
from tests.bot.chat.test_load import QUESTIONS, ask_all

logger = logging.getLogger("bench.load")

HOST = "127.0.0.1"  # loopback only: no other address is ever a target
LIMIT_S = 900.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def start_app(data_dir: Path) -> tuple[Any, str, float]:
    """The real app serving the default corpus; (app, url, seconds to index and start)."""
    from bot.chat import app as ui
    from bot.service import PolyqaService
    from bot.settings import load_settings

    started = time.perf_counter()
    service = PolyqaService(load_settings(data_dir=data_dir))
    service.retriever()
    app = ui.build_app(service)
    port = free_port()
    ui.launch(app, HOST, port, prevent_thread_lock=True, quiet=True)
    return app, f"http://{HOST}:{port}/", time.perf_counter() - started


def run_load(url: str, clients: int, total: int) -> dict[str, Any]:
    questions = [f"{QUESTIONS[i % len(QUESTIONS)]} ({i})" for i in range(total)]
    deadline = time.monotonic() + LIMIT_S
    pool = ThreadPoolExecutor(clients)
    started = time.perf_counter()
    futures = [pool.submit(ask_all, url, questions[i::clients], deadline) for i in range(clients)]
    done, pending = wait(futures, timeout=LIMIT_S + 30)
    wall = time.perf_counter() - started
    pool.shutdown(wait=False, cancel_futures=True)
    outcomes = [o for f in done for o in f.result()]
    failed = [str(r)[:200] for _, r, _ in outcomes if not isinstance(r, dict)]
    crossed = sum(1 for q, r, _ in outcomes if isinstance(r, dict) and r.get("question") != q)
    seconds = [s for _, r, s in outcomes if isinstance(r, dict)]
    return {
        "clients": clients,
        "questions": total,
        "answered": len(seconds),
        "failed": len(failed),
        "failures": failed[:5],
        "crossed": crossed,
        "lost": total - len(outcomes) + len(pending),
        "wall_s": round(wall, 2),
        "answers_per_s": round(len(seconds) / wall, 3),
        "latency_ms": percentiles_ms(seconds) if seconds else {},
        "found": sum(1 for _, r, _ in outcomes if isinstance(r, dict) and r.get("found")),
    }


def big_file_memory(size_mb: int) -> dict[str, Any]:
    """Peak memory indexing a ``size_mb`` text file (fake embedder), via the test's
    child script, so the number is the one the test asserts on."""
    import json
    import subprocess

    from tests.corpus.test_bad_input import HUGE_RUN

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "docs"
        folder.mkdir()
        done = subprocess.run(
            [sys.executable, "-c", HUGE_RUN, str(REPO), str(folder), str(size_mb << 20)],
            capture_output=True,
            text=True,
            timeout=1800,
            check=True,
        )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--file-mb", type=int, default=0, help="also index a file this big")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per HTTP request
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    st = stamp()
    with tempfile.TemporaryDirectory(prefix="polyqa-load-") as data_dir:
        app, url, startup = start_app(Path(data_dir))
        try:
            load = run_load(url, args.clients, args.questions)
        finally:
            app.close()
    memory = big_file_memory(args.file_mb) if args.file_mb else None
    write_result("load", {"stamp": st, "startup_s": round(startup, 1), "load": load,
                          "big_file": memory})  # fmt: skip
    lat = load["latency_ms"]
    append_row(
        "load",
        [
            st["date"], st["commit"], machine(st), load["clients"], load["questions"],
            load["answered"], load["failed"] + load["crossed"] + load["lost"],
            fmt(load["wall_s"], 1), fmt(load["answers_per_s"], 2),
            fmt(lat.get("p50", 0) / 1000, 2), fmt(lat.get("p95", 0) / 1000, 2),
            f"{memory['file_mb']:.0f} MB: {memory['peak_mb']:.0f} MB"
            f" (+{memory['peak_mb'] - memory['base_mb']:.0f})" if memory else "",
        ],
    )  # fmt: skip
    logger.info("load: %s", load)


if __name__ == "__main__":
    main()
