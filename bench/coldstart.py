"""Cold-process times: a fresh `polyqa` process per command, as a terminal or a script that
calls polyqa once per question sees it (bench/speed.py reports them; see bench/README.md).

Each command runs as ``python -c "from bot.cli import main; main()" ARGS`` from a
checkout's own directory, so another checkout (``--baseline DIR``, e.g. a worktree of an
older commit) is timed with the same interpreter and packages; the two are interleaved run
by run, so both see the same load. One unmeasured run first fills the page cache and
polyqa's caches, as any earlier use would have.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import IO, Any

QUESTION = "Was macht ein CTO?"
COMMANDS = {
    "search": ["search", "--k", "5", QUESTION],
    "ask": ["ask", QUESTION],
}
_MAIN = "import sys; from bot.cli import main; sys.argv[0] = 'polyqa'; main()"


def _popen(
    repo: Path, args: list[str], env: dict[str, str], stderr: IO[bytes]
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", _MAIN, *args],
        cwd=repo,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )


def _tail(stderr: IO[bytes]) -> str:
    stderr.seek(0)
    return stderr.read().decode(errors="replace").strip()[-500:]


def run_once(repo: Path, args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds of one whole process, and its peak RSS in MB."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = _popen(repo, args, env, err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"{repo}: polyqa {' '.join(args)} failed: {_tail(err)}")
    return wall, usage.ru_maxrss / 1024


def summary(walls: list[float], rss: list[float]) -> dict[str, Any]:
    return {
        "median_s": round(statistics.median(walls), 3),
        "min_s": round(min(walls), 3),
        "max_s": round(max(walls), 3),
        "runs_s": [round(w, 3) for w in walls],
        "peak_rss_mb": round(max(rss), 1),
    }


def cold_commands(
    repos: dict[str, Path], envs: dict[str, dict[str, str]], runs: int = 5
) -> list[dict[str, Any]]:
    """Median of ``runs`` fresh processes per command and checkout, interleaved; each
    checkout has its own environment (its own data dir: an older one may read another
    index format)."""
    out = []
    for name, args in COMMANDS.items():
        for label, repo in repos.items():
            run_once(repo, args, envs[label])  # page cache and polyqa's caches, as after any use
        walls: dict[str, list[float]] = {label: [] for label in repos}
        rss: dict[str, list[float]] = {label: [] for label in repos}
        loads = [os.getloadavg()[0]]
        for _ in range(runs):
            for label, repo in repos.items():
                w, r = run_once(repo, args, envs[label])
                walls[label].append(w)
                rss[label].append(r)
            loads.append(os.getloadavg()[0])
        for label in repos:
            out.append(
                {
                    "code": label,
                    "command": name,
                    **summary(walls[label], rss[label]),
                    "load_1m": [round(x, 2) for x in loads],
                }
            )
    return out


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def chat_once(repo: Path, env: dict[str, str], timeout: float = 600) -> dict[str, float]:
    """Seconds from starting `polyqa chat` to its page served and to a first answer."""
    from gradio_client import Client  # imported before the clock starts

    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = _popen(repo, ["chat", "--port", str(port)], env, err)
        try:
            page = _serving(proc, url, started, timeout, err) - started
            Client(url, verbose=False).predict(QUESTION, api_name="/ask")
            answer = time.perf_counter() - started
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return {"page_s": page, "answer_s": answer}


def _serving(
    proc: subprocess.Popen[bytes], url: str, started: float, timeout: float, err: IO[bytes]
) -> float:
    """When the page was first served (polled every 50 ms)."""
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"polyqa chat exited: {_tail(err)}")
        if time.perf_counter() - started > timeout:
            raise SystemExit(f"polyqa chat not serving after {timeout:.0f} s")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return time.perf_counter()
        except OSError:
            time.sleep(0.05)


def fresh_env(env: dict[str, str], tmp: Path, model_cache: Path) -> dict[str, str]:
    """A first start: empty data and cache dirs, but the model already converted."""
    cache = tmp / "cache"
    cache.mkdir(parents=True)
    (cache / "models").symlink_to(model_cache / "models")
    return {**env, "POLYQA_DATA_DIR": str(tmp / "data"), "POLYQA_CACHE_DIR": str(cache)}


def chat_starts(
    repos: dict[str, Path], envs: dict[str, dict[str, str]], model_cache: Path, runs: int
) -> list[dict[str, Any]]:
    """`polyqa chat` on an existing index, and on a first start (indexing the default
    corpus, what `make run` does the first time), interleaved by checkout."""
    out = []
    for case in ("existing index", "first start"):
        times: dict[str, list[dict[str, float]]] = {label: [] for label in repos}
        loads = [os.getloadavg()[0]]
        if case == "existing index":
            for label, repo in repos.items():
                chat_once(repo, envs[label])  # index built, caches filled
        for _ in range(runs):
            for label, repo in repos.items():
                if case == "first start":
                    with tempfile.TemporaryDirectory(prefix="polyqa-bench-") as tmp:
                        fresh = fresh_env(envs[label], Path(tmp), model_cache)
                        times[label].append(chat_once(repo, fresh))
                else:
                    times[label].append(chat_once(repo, envs[label]))
            loads.append(os.getloadavg()[0])
        for label in repos:
            pages = [t["page_s"] for t in times[label]]
            answers = [t["answer_s"] for t in times[label]]
            out.append(
                {
                    "code": label,
                    "command": f"chat, {case}",
                    "page_median_s": round(statistics.median(pages), 3),
                    "answer_median_s": round(statistics.median(answers), 3),
                    "answer_runs_s": [round(a, 3) for a in answers],
                    "load_1m": [round(x, 2) for x in loads],
                }
            )
    return out
