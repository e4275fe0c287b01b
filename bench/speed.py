"""Speed of polyqa's own pipeline on the default corpus and on xquad-dev.

Warm, per corpus, in a fresh child process (so peak memory is that corpus's alone): model
load time, indexing time and throughput from an empty index, search latency one query
at a time after a warm-up (embedding + search, what `polyqa search` does), peak RSS and
the index's size on disk.

Cold (bench/coldstart.py): whole `polyqa search` and `polyqa ask` processes on the
default corpus, median of 5, and `polyqa chat` to a first answer, on an existing index
and on a first start; ``--baseline DIR`` times another checkout beside this one.

    .venv/bin/python bench/speed.py            # both corpora, warm and cold
    .venv/bin/python bench/speed.py --queries 100
    .venv/bin/python bench/speed.py --no-warm --baseline /work/wt-baseline --chat-runs 3
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from coldstart import chat_starts, cold_commands
from common import (
    REPO,
    XQUAD,
    append_row,
    dir_size_mb,
    fmt,
    machine,
    peak_rss_mb,
    percentiles_ms,
    stamp,
    write_result,
)

# Questions about the default corpus, in its five languages (one query at a time).
DEFAULT_QUERIES = [
    "What does a CTO do?",
    "Who does the CIO report to?",
    "Was macht ein CTO?",
    "Welche Aufsichtsbehörden muss ein CTO kennen?",
    "Veri madenciliği nedir?",
    "CTO ile CIO arasındaki fark nedir?",
    "सीआईओ का काम क्या है?",
    "सीटीओ की भूमिका क्या है?",
    "首席信息官负责什么？",
    "客户关系管理是什么？",
]


def _queries(corpus: str, n: int) -> list[str]:
    if corpus == "default":
        return [DEFAULT_QUERIES[i % len(DEFAULT_QUERIES)] for i in range(n)]
    lines = (XQUAD / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    picked = random.Random(0).sample(lines, min(n, len(lines)))
    return [json.loads(line)["question"] for line in picked]


def measure(corpus: str, n_queries: int) -> dict[str, Any]:
    """Runs in a child process: everything from model load to the last query."""
    from bot.retrieval.retriever import Retriever
    from bot.settings import load_settings
    from corpus.chunker import chunk_document
    from corpus.reader import default_corpus_dir, read_documents
    from index.builder import update_index
    from index.embedder import SentenceTransformerEmbedder

    settings = load_settings()
    started = time.perf_counter()
    embedder = SentenceTransformerEmbedder(settings.model, settings.cache_dir)
    load_s = time.perf_counter() - started
    started = time.perf_counter()  # first passes set up kernels: not indexing throughput
    embedder.embed_passages(["warm-up passage"] * 2)
    embedder.embed_queries(["warm-up query"])
    warmup_s = time.perf_counter() - started
    docs_dir = default_corpus_dir() if corpus == "default" else XQUAD / "docs"
    with tempfile.TemporaryDirectory(prefix="polyqa-bench-") as tmp:
        index_dir = Path(tmp) / "index"
        started = time.perf_counter()
        docs, _ = read_documents([docs_dir])
        read_s = time.perf_counter() - started
        started = time.perf_counter()
        budget = min(settings.chunk_tokens, embedder.max_tokens)
        for doc in docs:  # chunking alone (update_index below chunks again, then embeds)
            chunk_document(doc, embedder.count_tokens, budget, settings.chunk_overlap)
        chunk_s = time.perf_counter() - started
        stored, report = update_index(
            docs, index_dir, embedder, settings.chunk_tokens, settings.chunk_overlap
        )
        size_mb = dir_size_mb(index_dir)
    retriever = Retriever(stored, embedder)
    queries = _queries(corpus, n_queries)
    for q in queries[:5]:  # warm-up: first calls allocate and tune
        retriever.search(q, settings.top_k)
    times = []
    for q in queries:
        t0 = time.perf_counter()
        retriever.search(q, settings.top_k)
        times.append(time.perf_counter() - t0)
    return {
        "corpus": corpus,
        "documents": len(stored.documents),
        "chunks": len(stored.chunks),
        "model_load_s": round(load_s, 2),
        "warmup_s": round(warmup_s, 2),
        "read_s": round(read_s, 2),
        "chunk_s": round(chunk_s, 2),
        "index_s": round(report.seconds, 2),
        "chunks_per_s": round(len(stored.chunks) / report.seconds, 2),
        "queries": len(queries),
        "search_ms": percentiles_ms(times),
        "peak_rss_mb": peak_rss_mb(),
        "index_mb": size_mb,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=200, help="timed queries per corpus")
    parser.add_argument("--corpus", choices=["default", "xquad-dev"], action="append")
    parser.add_argument("--no-warm", action="store_true", help="only the cold-process times")
    parser.add_argument("--cold-runs", type=int, default=5, help="processes per command (0: none)")
    parser.add_argument("--chat-runs", type=int, default=0, help="chat starts per case (0: none)")
    parser.add_argument(
        "--baseline", type=Path, default=None, help="another checkout to time beside this one"
    )
    args = parser.parse_args()
    st = stamp()
    runs = [] if args.no_warm else warm(args.corpus or ["default", "xquad-dev"], args.queries)
    cold = cold_and_chat(args.cold_runs, args.chat_runs, args.baseline)
    write_result("speed", {"stamp": st, "runs": runs, "cold": cold})
    for r in runs:
        append_row("speed", _warm_row(st, r))
    for c in cold:
        append_row("cold", _cold_row(st, c))


def warm(corpora: list[str], n_queries: int) -> list[dict[str, Any]]:
    runs = []
    ctx = mp.get_context("spawn")
    for corpus in corpora:
        print(f"measuring {corpus} ...", file=sys.stderr, flush=True)
        with ctx.Pool(1) as pool:
            runs.append(pool.apply(measure, (corpus, n_queries)))
        print(json.dumps(runs[-1]), file=sys.stderr)
    return runs


def cold_and_chat(cold_runs: int, chat_runs: int, baseline: Path | None) -> list[dict[str, Any]]:
    """Whole processes on the default corpus, each checkout in a data dir of its own."""
    from bot.settings import load_settings

    repos = {"this": REPO}
    if baseline is not None:
        repos = {f"baseline {_short_commit(baseline)}": baseline.resolve(), "this": REPO}
    out: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="polyqa-bench-") as tmp:
        envs = {
            label: {**os.environ, "POLYQA_DATA_DIR": str(Path(tmp) / str(i))}
            for i, label in enumerate(repos)
        }
        if cold_runs:
            print("cold processes ...", file=sys.stderr, flush=True)
            out += cold_commands(repos, envs, cold_runs)
        if chat_runs:
            print("chat starts ...", file=sys.stderr, flush=True)
            out += chat_starts(repos, envs, load_settings().cache_dir, chat_runs)
    for row in out:
        print(json.dumps(row), file=sys.stderr)
    return out


def _short_commit(repo: Path) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return done.stdout.strip() or repo.name


def _warm_row(st: dict[str, Any], r: dict[str, Any]) -> list[Any]:
    return [
        st["date"],
        st["commit"],
        machine(st),
        r["corpus"],
        r["documents"],
        r["chunks"],
        fmt(r["model_load_s"], 2),
        f"{fmt(r['index_s'], 1)} ({fmt(r['chunk_s'], 1)})",
        fmt(r["chunks_per_s"], 1),
        fmt(r["search_ms"]["p50"], 1),
        fmt(r["search_ms"]["p95"], 1),
        fmt(r["peak_rss_mb"], 0),
        fmt(r["index_mb"], 2),
    ]


def _cold_row(st: dict[str, Any], c: dict[str, Any]) -> list[Any]:
    loads = "–".join(f"{x:.1f}" for x in (min(c["load_1m"]), max(c["load_1m"])))
    if "median_s" in c:
        seconds = f"{fmt(c['median_s'], 2)} ({fmt(c['min_s'], 2)}–{fmt(c['max_s'], 2)})"
        return [st["date"], st["commit"], c["code"], c["command"], seconds, "",
                fmt(c["peak_rss_mb"], 0), loads]  # fmt: skip
    answers = c["answer_runs_s"]
    seconds = f"{fmt(c['answer_median_s'], 2)} ({fmt(min(answers), 2)}–{fmt(max(answers), 2)})"
    return [st["date"], st["commit"], c["code"], c["command"], seconds,
            fmt(c["page_median_s"], 2), "", loads]  # fmt: skip


if __name__ == "__main__":
    main()
