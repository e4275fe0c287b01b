"""Search latency and memory at 10^4, 10^5 and 10^6 chunks.

Random unit vectors of the model's dimension (384) stand in for chunks; latency is one
query at a time, k=10, through polyqa's own ``Retriever`` (FlatIPIndex, what polyqa
uses at every size), unrestricted and with one language of five taken out of the pool
(the path `--lang` and xhit take). At 10^6 an HNSW index (faiss.IndexHNSWFlat, M=32,
inner product) is measured too, with its recall@10 against the exact search. Random
vectors are the worst case for HNSW recall; real embeddings cluster and do better.

Every size runs in a child process, so the RSS reported is that size's alone.

    .venv/bin/python bench/scale.py                 # 1e4, 1e5, 1e6 (+ HNSW at 1e6)
    .venv/bin/python bench/scale.py --sizes 10000   # one size
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from typing import Any

import numpy as np
from common import (
    append_row,
    current_rss_mb,
    fmt,
    machine,
    peak_rss_mb,
    percentiles_ms,
    stamp,
    write_result,
)

DIM = 384
LANGS = ("en", "de", "tr", "hi", "zh")
N_QUERIES = 200
# polyqa's language-balanced search loops over every chunk in Python (5 pools): at 10^6
# chunks a query takes seconds, so fewer timed queries there.
MAX_POLICY_QUERIES = {10_000: 200, 100_000: 50, 1_000_000: 10}
HNSW_M = 32
HNSW_SIZES = (1_000_000,)


def random_unit(n: int, seed: int, block: int = 100_000) -> np.ndarray:
    """Unit vectors, generated in blocks so float64 temporaries stay small."""
    rng = np.random.default_rng(seed)
    out = np.empty((n, DIM), dtype=np.float32)
    for i in range(0, n, block):
        part = rng.standard_normal((min(block, n - i), DIM), dtype=np.float32)
        out[i : i + len(part)] = part / np.linalg.norm(part, axis=1, keepdims=True)
    return out


def _time(fn: Any, queries: np.ndarray) -> dict[str, float]:
    for q in queries[:5]:
        fn(q)
    times = []
    for q in queries:
        t0 = time.perf_counter()
        fn(q)
        times.append(time.perf_counter() - t0)
    return percentiles_ms(times)


def _retriever(n: int, vectors: np.ndarray) -> Any:
    """polyqa's Retriever over n synthetic chunks (1000 documents, five languages)."""
    from bot.retrieval.retriever import Retriever
    from corpus.document import Chunk
    from index.store import DocRecord, IndexParams, StoredIndex

    docs = [f"d{i:04d}" for i in range(1000)]
    stored = StoredIndex(IndexParams("random", DIM, 256, 1))
    stored.documents = {
        d: DocRecord(d, d, d, LANGS[i % len(LANGS)], "", 0, "") for i, d in enumerate(docs)
    }
    stored.chunks = [Chunk(f"c{i}", docs[i % 1000], "", "", "", 0, 0, "") for i in range(n)]
    stored.index.add(vectors)
    try:  # the dense path: random vectors have no text for BM25, sentences or translations
        from bot.retrieval.retriever import RetrievalConfig

        config = RetrievalConfig(mode="dense", rerank=False, parallel=False)
        return Retriever(stored, None, config)  # type: ignore[arg-type]
    except ImportError:
        return Retriever(stored, None)  # type: ignore[arg-type]


def flat(n: int) -> dict[str, Any]:
    from bot.retrieval.retriever import Pool

    vectors = random_unit(n, seed=1)
    queries = random_unit(N_QUERIES, seed=2)
    t0 = time.perf_counter()
    retriever = _retriever(n, vectors)
    build_s = time.perf_counter() - t0
    del vectors
    index = retriever.stored.index
    few = queries[: MAX_POLICY_QUERIES.get(n, 10)]
    pool = Pool(exclude_langs=frozenset({"en"}))
    return {
        "chunks": n,
        "index": "flat (IndexFlatIP)",
        "build_s": round(build_s, 2),
        "faiss_ms": _time(lambda q: index.search(q[None, :], 10), queries),
        "search_ms": _time(lambda q: retriever.search("", 10, None, query_vec=q), few),
        "pool_search_ms": _time(lambda q: retriever.search("", 10, pool, query_vec=q), few),
        "timed_policy_queries": len(few),
        "recall@10": 1.0,
        "rss_mb": current_rss_mb(),
        "peak_rss_mb": peak_rss_mb(),
    }


def hnsw(n: int) -> dict[str, Any]:
    import faiss

    vectors = random_unit(n, seed=1)
    queries = random_unit(N_QUERIES, seed=2)
    index = faiss.IndexHNSWFlat(DIM, HNSW_M, faiss.METRIC_INNER_PRODUCT)
    t0 = time.perf_counter()
    index.add(vectors)
    build_s = time.perf_counter() - t0
    exact = faiss.IndexFlatIP(DIM)
    exact.add(vectors)
    _, truth = exact.search(queries, 10)
    del exact, vectors
    out: dict[str, Any] = {"chunks": n, "index": f"HNSW (M={HNSW_M})", "build_s": round(build_s, 1)}
    for ef in (16, 128):
        index.hnsw.efSearch = ef
        _, found = index.search(queries, 10)
        recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth, strict=True)])
        out[f"ef{ef}"] = {
            "search_ms": _time(lambda q: index.search(q[None, :], 10), queries),
            "recall@10": round(float(recall), 3),
        }
    out["rss_mb"] = current_rss_mb()
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def child(kind: str, n: int) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter and read its JSON from stdout."""
    print(f"{kind} {n} ...", file=sys.stderr, flush=True)
    env = {**os.environ, "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "PASSIVE")}
    proc = subprocess.run(
        [sys.executable, __file__, "--one", kind, str(n)],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(proc.stdout)
    print(json.dumps(result), file=sys.stderr, flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--one", nargs=2, metavar=("KIND", "N"), help=argparse.SUPPRESS)
    parser.add_argument("--no-hnsw", action="store_true")
    args = parser.parse_args()
    if args.one:
        kind, n = args.one[0], int(args.one[1])
        print(json.dumps(flat(n) if kind == "flat" else hnsw(n)))
        return
    st = stamp()
    runs = [child("flat", n) for n in args.sizes]
    if not args.no_hnsw:
        runs += [child("hnsw", n) for n in args.sizes if n in HNSW_SIZES]
    write_result("scale", {"stamp": st, "dim": DIM, "queries": N_QUERIES, "runs": runs})
    for r in runs:
        append_row("scale", _row(st, r))


def _pair(ms: dict[str, float]) -> str:
    return f"{fmt(ms['p50'], 2)} / {fmt(ms['p95'], 2)}"


def _row(st: dict[str, Any], r: dict[str, Any]) -> list[str]:
    head = [st["date"], st["commit"], machine(st), f"{r['chunks']:,}", r["index"]]
    head.append(fmt(r["build_s"], 2))
    rss = f"{fmt(r['rss_mb'], 0)} ({fmt(r['peak_rss_mb'], 0)})"
    if "ef16" in r:
        e16, e128 = r["ef16"], r["ef128"]
        faiss_ms = f"ef16 {_pair(e16['search_ms'])}; ef128 {_pair(e128['search_ms'])}"
        recall = f"{e16['recall@10']} / {e128['recall@10']}"
        return [*head, faiss_ms, "-", "-", recall, rss, "no"]
    return [
        *head,
        _pair(r["faiss_ms"]),
        _pair(r["search_ms"]),
        _pair(r["pool_search_ms"]),
        "1.0",
        rss,
        "yes",
    ]


if __name__ == "__main__":
    main()
