"""The same 10^5-chunk search through FAISS and through Milvus (Lite and the real server),
side by side in one run: p50/p95 of one query, k=10, and recall@10 against exact search.

Every engine is polyqa's own ``VectorIndex`` (index/ann/): FAISS exact (``flat``), FAISS
per-language IVF-SQ8 (``ivf``, probe 0.35, what a generation past ``ann_min_chunks``
gets), and ``MilvusIndex`` on Milvus Lite (the embedded Python engine) and on the real
standalone server (PyPI ``milvus`` 2.3.5, started here on loopback), FLAT and HNSW
(M=16, ef=64). A query searches its own language, as the retriever does (one call per
language of the pool): Milvus scans that language's partition only.

Vectors: random unit vectors of the model's dimension (384) in five languages; queries
are stored vectors plus noise (cosine ~0.7 to their source), so each has a true nearest
neighbour, as a question with an answer in the corpus does. Random vectors are the worst
case for approximate recall (real embeddings cluster). Queries are timed round robin
across the engines (query i on every engine before query i+1), so a load change on this
shared machine hits every engine alike.

    .venv/bin/python bench/milvus.py                  # 10^5 chunks, 200 queries
    .venv/bin/python bench/milvus.py --n 20000 --no-server
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import numpy as np
from common import append_row, current_rss_mb, fmt, machine, percentiles_ms, stamp, write_result

from index.ann.base import VectorIndex
from index.ann.flat import FlatIPIndex
from index.ann.ivf import LanguageIVFIndex
from index.ann.milvus import MilvusConfig, MilvusIndex, forget_client, local_server

# This file is bench/milvus.py: the ``milvus`` package (the server, imported by
# index.ann.milvus.local_server) must not resolve to it once ``common`` is imported.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

DIM = 384
LANGS = ("en", "de", "tr", "hi", "zh")
K = 10


def random_unit(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = rng.standard_normal((n, DIM), dtype=np.float32)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def _queries(vectors: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Stored vectors plus noise, and the rows they came from."""
    rng = np.random.default_rng(2)
    rows = rng.choice(len(vectors), n, replace=False)
    noise = rng.standard_normal((n, DIM), dtype=np.float32)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    q = vectors[rows] + noise
    return q / np.linalg.norm(q, axis=1, keepdims=True), rows


def _milvus(
    vectors: np.ndarray, langs: list[str], config: MilvusConfig, root: Path
) -> tuple[MilvusIndex, float]:
    index_dir = root / f"index-{len(list(root.iterdir()))}"
    (index_dir / "g000001").mkdir(parents=True)
    t0 = time.perf_counter()
    index = MilvusIndex.build(vectors, langs, config, None, {"bench": "milvus"})
    index.save(index_dir / "g000001")
    _wait_indexed(index)
    return index, time.perf_counter() - t0


def _wait_indexed(index: MilvusIndex, timeout: float = 600.0) -> None:
    """Until the server's index covers every row (it builds on sealed segments, in the
    background; a search meanwhile scans the rest exactly)."""
    client = index._client()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = client.describe_index(index._collection, "vec") or {}
        total, done = info.get("total_rows"), info.get("indexed_rows")
        if total is None or done is None or done >= total:
            return
        time.sleep(1.0)
    print(f"warning: {index._collection}: index still building", file=sys.stderr)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--no-server", action="store_true", help="skip the real Milvus server")
    ap.add_argument("--no-readme", action="store_true", help="do not append to bench/README")
    args = ap.parse_args()

    st = stamp()
    vectors = random_unit(args.n, seed=1)
    langs = [LANGS[i % len(LANGS)] for i in range(args.n)]
    lang_arr = np.asarray(langs)
    queries, source = _queries(vectors, args.queries)
    qlangs = [langs[int(r)] for r in source]
    by_lang = {lang: np.flatnonzero(lang_arr == lang) for lang in LANGS}

    engines: dict[str, VectorIndex] = {}
    build_s: dict[str, float] = {}
    root = Path(tempfile.mkdtemp(prefix="polyqa-bench-milvus-"))
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, root, True)
        t0 = time.perf_counter()
        flat = FlatIPIndex(DIM)
        flat.add(vectors)
        engines["faiss flat"], build_s["faiss flat"] = flat, time.perf_counter() - t0
        t0 = time.perf_counter()
        engines["faiss ivf-sq8"] = LanguageIVFIndex.build(vectors, langs, 1, 0.35)
        build_s["faiss ivf-sq8"] = time.perf_counter() - t0
        for kind in ("FLAT", "HNSW"):
            name = f"milvus lite {kind.lower()}"
            engines[name], build_s[name] = _milvus(vectors, langs, MilvusConfig("", kind), root)
        server_start = None
        if not args.no_server:
            t0 = time.perf_counter()
            uri = stack.enter_context(local_server(root / "server"))
            server_start = time.perf_counter() - t0
            for kind in ("FLAT", "HNSW"):
                name = f"milvus server {kind.lower()}"
                config = MilvusConfig(uri, kind)
                engines[name], build_s[name] = _milvus(vectors, langs, config, root)

        truth = [
            set(flat.search(q[None, :], K, by_lang[lang], lang)[1][0].tolist())
            for q, lang in zip(queries, qlangs, strict=True)
        ]
        times: dict[str, list[float]] = {name: [] for name in engines}
        found: dict[str, int] = dict.fromkeys(engines, 0)
        for q, lang, want in zip(queries, qlangs, truth, strict=True):
            for name, index in engines.items():
                t0 = time.perf_counter()
                _, ids = index.search(q[None, :], K, by_lang[lang], lang)
                times[name].append(time.perf_counter() - t0)
                found[name] += len(want & set(ids[0].tolist()))
        results: dict[str, Any] = {}
        for name in engines:
            ms = percentiles_ms(times[name][5:])  # the first few warm caches up
            results[name] = {
                **ms,
                "recall@10": round(found[name] / (K * len(queries)), 4),
                "build_s": round(build_s[name], 2),
            }
        for name in engines:
            if isinstance(engines[name], MilvusIndex):
                forget_client(engines[name]._uri)
    data = {
        "stamp": st,
        "load_avg_1m_end": round(os.getloadavg()[0], 2),
        "chunks": args.n,
        "queries": args.queries,
        "k": K,
        "languages": list(LANGS),
        "server_start_s": round(server_start, 1) if server_start is not None else None,
        "rss_mb": current_rss_mb(),
        "engines": results,
    }
    write_result("milvus", data)
    for name, r in results.items():
        print(
            f"{name:22s} p50 {fmt(r['p50'], 2)} ms  p95 {fmt(r['p95'], 2)} ms  "
            f"recall@10 {r['recall@10']}  build {r['build_s']} s"
        )
    if not args.no_readme:
        for name, r in results.items():
            append_row(
                "milvus",
                [
                    st["date"],
                    machine(st),
                    f"{args.n:,}",
                    name,
                    fmt(r["p50"], 2),
                    fmt(r["p95"], 2),
                    r["recall@10"],
                    r["build_s"],
                ],
            )


if __name__ == "__main__":
    main()
