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
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from common import (
    append_row,
    current_rss_mb,
    fmt,
    machine,
    peak_rss_mb,
    percentiles_ms,
    rss_parts_mb,
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
N_REAL_QUERIES = 300
N_PIPELINE_QUERIES = 50
# Real texts embedded for --pipeline (bench/realtext.py caches them); larger sizes join
# two of them per chunk (realtext.extend).
MAX_REAL_TEXTS = 100_000
REAL_CACHE = Path(os.environ.get("POLYQA_BENCH_CACHE", "/tmp/polyqa-bench-cache"))


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


def _retriever(n: int, vectors: np.ndarray, ann: bool = False) -> Any:
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
    if ann:  # per-language IVF-SQ8 (index/ann/), as a generation past ann_min_chunks gets
        from index.ann import AnnConfig, choose

        langs = [LANGS[(i % 1000) % len(LANGS)] for i in range(n)]
        stored.vectors = choose(vectors, langs, AnnConfig(min_chunks=1))
    else:
        stored.index.add(vectors)
    try:  # the dense path: random vectors have no text for BM25, sentences or translations
        from bot.retrieval.retriever import RetrievalConfig

        config = RetrievalConfig(mode="dense", rerank=False, parallel=False, debias=0.0)
        return Retriever(stored, None, config)  # type: ignore[arg-type]
    except ImportError:
        return Retriever(stored, None)  # type: ignore[arg-type]


def ivf(n: int) -> dict[str, Any]:
    """The dense path over per-language IVF-SQ8 (latency and memory; random vectors say
    nothing of its recall, ``--real`` measures that)."""
    return flat(n, ann=True)


def flat(n: int, ann: bool = False) -> dict[str, Any]:
    from bot.retrieval.retriever import Pool

    vectors = random_unit(n, seed=1)
    queries = random_unit(N_QUERIES, seed=2)
    t0 = time.perf_counter()
    retriever = _retriever(n, vectors, ann)
    build_s = time.perf_counter() - t0
    del vectors
    index = retriever.stored.index
    few = queries[: MAX_POLICY_QUERIES.get(n, 10)]
    pool = Pool(exclude_langs=frozenset({"en"}))
    return {
        "chunks": n,
        "index": "IVF-SQ8 per language, probe 0.35" if ann else "flat (IndexFlatIP)",
        "build_s": round(build_s, 2),
        "faiss_ms": _time(lambda q: index.search(q[None, :], 10), queries),
        "search_ms": _time(lambda q: retriever.search("", 10, None, query_vec=q), few),
        "pool_search_ms": _time(lambda q: retriever.search("", 10, pool, query_vec=q), few),
        "timed_policy_queries": len(few),
        "recall@10": "-" if ann else 1.0,
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


def real(n: int) -> dict[str, Any]:
    """Recall@10 of the approximate engines against exact search, per language, on e5
    embeddings of real text (bench/realtext.py); questions are other texts of the same
    sources embedded as queries, searched in every language as the retriever does."""
    import faiss
    import realtext

    from index.ann.ivf import LanguageIVFIndex
    from index.embedder import default_cache_dir
    from index.fast_embedder import FastE5Embedder

    texts, langs, vectors = realtext.load(n, REAL_CACHE)
    pairs = realtext.gather()
    taken = set(texts)
    rng = np.random.default_rng(7)
    others = [pairs[i][1] for i in rng.permutation(len(pairs)).tolist() if pairs[i][1] not in taken]
    queries = FastE5Embedder(default_cache_dir()).embed_queries(others[:N_REAL_QUERIES])
    lang_arr = np.asarray(langs)
    counts = {lang: int((lang_arr == lang).sum()) for lang in sorted(set(langs))}
    exact: dict[str, Any] = {}
    truth: dict[str, np.ndarray] = {}
    for lang in counts:
        rows = np.flatnonzero(lang_arr == lang)
        flat_index = faiss.IndexFlatIP(DIM)
        flat_index.add(vectors[rows])
        _, ids = flat_index.search(queries, 10)
        truth[lang] = rows[ids]
        exact[lang] = flat_index

    def recall(found: dict[str, np.ndarray]) -> float:
        hits = total = 0
        for lang, t in truth.items():
            for a, b in zip(found[lang], t, strict=True):
                want = set(b[b >= 0].tolist())
                hits += len(want & set(a.tolist()))
                total += len(want)
        return round(hits / max(total, 1), 4)

    out: dict[str, Any] = {
        "chunks": len(texts),
        "index": "real e5",
        "langs": counts,
        "queries": len(queries),
    }
    t0 = time.perf_counter()
    ivf = LanguageIVFIndex.build(vectors, langs, 1, 0.1)
    out["ivf_build_s"] = round(time.perf_counter() - t0, 2)
    out["ivf_lists"] = ivf.languages
    for probe in (0.02, 0.05, 0.1, 0.2, 0.35):
        ivf.probe = probe
        found = {lang: ivf.search(queries, 10, lang=lang)[1] for lang in counts}
        one = lambda q: [ivf.search(q[None, :], 10, lang=lang) for lang in counts]  # noqa: E731
        out[f"ivf_probe{probe}"] = {
            "recall@10": recall(found),
            "five_langs_ms": _time(one, queries[:100]),
        }
    t0 = time.perf_counter()
    hnsws = {}
    for lang in counts:
        h = faiss.IndexHNSWFlat(DIM, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        h.add(vectors[lang_arr == lang])
        hnsws[lang] = h
    out["hnsw_build_s"] = round(time.perf_counter() - t0, 2)
    for ef in (32, 64, 128):
        found = {}
        for lang, h in hnsws.items():
            h.hnsw.efSearch = ef
            _, ids = h.search(queries, 10)
            rows = np.flatnonzero(lang_arr == lang)
            found[lang] = np.where(ids >= 0, rows[np.maximum(ids, 0)], -1)
        one = lambda q: [h.search(q[None, :], 10) for h in hnsws.values()]  # noqa: E731
        out[f"hnsw_ef{ef}"] = {
            "recall@10": recall(found),
            "five_langs_ms": _time(one, queries[:100]),
        }
    one = lambda q: [f.search(q[None, :], 10) for f in exact.values()]  # noqa: E731
    out["flat_five_langs_ms"] = _time(one, queries[:100])
    out["rss_mb"] = current_rss_mb()
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def pipeline(n: int) -> dict[str, Any]:
    """``Retriever.search`` with every stage (dense, BM25, sentence rescoring, translation
    links, calibration) over n real-text chunks (bench/realtext.py; each text is one
    chunk of one sentence, ten chunks a document), flat or per-language IVF-SQ8 as
    ``PIPELINE_ANN_MIN`` says; a cProfile of the searches says which stage costs."""
    import cProfile
    import io
    import pstats

    import realtext

    from bot.retrieval.retriever import Retriever
    from corpus.document import Chunk
    from index.ann import AnnConfig, choose
    from index.embedder import default_cache_dir
    from index.fast_embedder import FastE5Embedder
    from index.sentences import SentenceVectors
    from index.store import DocRecord, IndexParams, StoredIndex

    ann_min = int(os.environ.get("PIPELINE_ANN_MIN", "50000"))
    real_n = min(n, MAX_REAL_TEXTS)
    texts, langs, vectors = realtext.load(real_n, REAL_CACHE)
    texts, langs, vectors, sources = realtext.extend(texts, langs, vectors, n)
    if sources:
        _join_terms(texts, langs, real_n, sources, REAL_CACHE / "retriever")
    embedder = FastE5Embedder(default_cache_dir())
    stored = StoredIndex(IndexParams(embedder.name, DIM, 128, 1))
    docs = [f"d{i // 10:06d}-{langs[i]}" for i in range(len(texts))]
    per_doc = Counter(docs)
    stored.documents = {
        d: DocRecord(d, d, d, d.rsplit("-", 1)[1], "", per_doc[d], "") for d in per_doc
    }
    stored.chunks = [
        Chunk(f"c{i}", docs[i], docs[i], docs[i], langs[i], 0, len(t), t)
        for i, t in enumerate(texts)
    ]
    t0 = time.perf_counter()
    stored.vectors = choose(vectors, langs, AnnConfig(min_chunks=ann_min))
    index_s = time.perf_counter() - t0
    ptr = np.arange(len(texts) + 1, dtype=np.int64)
    spans = np.array([[0, len(t)] for t in texts], dtype=np.int32)
    stored.derived[SentenceVectors.kind] = SentenceVectors(ptr, spans, vectors.astype(np.float16))
    del vectors
    t0 = time.perf_counter()
    retriever = Retriever(stored, embedder, cache_dir=REAL_CACHE / "retriever")
    t1 = time.perf_counter()
    retriever.calibrator  # noqa: B018  (built on first use: part of loading)
    build_s = time.perf_counter() - t0
    parts_s = {
        "lexical": round(getattr(retriever.lexical, "build_seconds", 0.0), 2),
        "links": round(getattr(retriever.links, "build_seconds", 0.0), 2),
        "init_total": round(t1 - t0, 2),
        "calibrator": round(time.perf_counter() - t1, 2),
    }
    questions = pipeline_questions(texts)
    for q in questions[:3]:
        retriever.search(q, 10)
    times = []
    prof = cProfile.Profile()
    for q in questions:
        t1 = time.perf_counter()
        prof.enable()
        retriever.search(q, 10)
        prof.disable()
        times.append(time.perf_counter() - t1)
    out_s = io.StringIO()
    pstats.Stats(prof, stream=out_s).sort_stats("cumulative").print_stats(18)
    top = [
        line.strip()
        for line in out_s.getvalue().splitlines()
        if "retriever.py" in line
        or "lexical.py" in line
        or "sentences.py" in line
        or "faiss" in line
        or "embed" in line
    ]
    stats = pstats.Stats(prof)
    stage_ms: dict[str, float] = {}
    for (path, _, name), row in stats.stats.items():  # type: ignore[attr-defined]
        label = STAGES.get((Path(path).name, name))
        if label:
            stage_ms[label] = round(stage_ms.get(label, 0.0) + row[3] * 1000 / len(times), 2)
    result = {
        "chunks": len(texts),
        "load_1min": round(os.getloadavg()[0], 2),
        "build_parts_s": parts_s,
        "stage_ms": dict(sorted(stage_ms.items())),
        "index": type(stored.index).__name__
        + (f" ({stored.index.languages})" if hasattr(stored.index, "languages") else ""),
        "ann_min_chunks": ann_min,
        "vector_index_s": round(index_s, 2),
        "retriever_build_s": round(build_s, 1),
        "search_ms": percentiles_ms(times),
        "queries": len(times),
        "profile": top[:14],
        "rss_mb": current_rss_mb(),
        "peak_rss_mb": peak_rss_mb(),
    }
    where = os.environ.get("PIPELINE_STORE")
    if where:  # the generation as `polyqa index` would write it, loaded by a fresh process
        from index import store
        from index.lexical import LexicalIndex
        from index.lexical_table import LexicalTable
        from index.parallel import LinkTable

        link_min = retriever.config.link_ann_min
        stored.derived[LinkTable.kind] = LinkTable.from_links(
            retriever.links, stored.chunks, link_min
        )
        if isinstance(retriever.lexical, LexicalIndex):  # as the builder stores it
            stored.derived[LexicalTable.kind] = LexicalTable.of(retriever.lexical)
        del retriever, prof, stats
        t0 = time.perf_counter()
        store.save(stored, Path(where))
        result["save_s"] = round(time.perf_counter() - t0, 1)
        del stored
        result["loaded"] = child("load", n, questions=questions)
    return result


def pipeline_questions(texts: list[str]) -> list[str]:
    """The searches of --pipeline: real texts that are not among the indexed ones."""
    import realtext

    pairs = realtext.gather()
    taken = set(texts)
    rng = np.random.default_rng(11)
    return [
        pairs[i][1] for i in rng.permutation(len(pairs))[:400].tolist() if pairs[i][1] not in taken
    ][:N_PIPELINE_QUERIES]


def reload(n: int) -> dict[str, Any]:
    """The generation an earlier --pipeline N saved in PIPELINE_STORE, loaded and searched
    by a fresh process with the same questions: load and latency again, without the build."""
    import realtext

    real_n = min(n, MAX_REAL_TEXTS)
    texts, langs, vectors = realtext.load(real_n, REAL_CACHE)
    texts, _, _, _ = realtext.extend(texts, langs, vectors, n)
    return child("load", n, questions=pipeline_questions(texts))


def load(n: int, questions: list[str]) -> dict[str, Any]:
    """Open the generation --pipeline saved (PIPELINE_STORE) as the service does, and
    search it: load seconds by part, resident memory, latency."""
    from bot.retrieval.retriever import Retriever
    from bot.service import uses_index_engine
    from bot.settings import load_settings
    from index import store
    from index.embedder import default_cache_dir
    from index.engines import make_index_embedder
    from index.fast_embedder import FastE5Embedder

    # Both query engines loaded (and warmed) first: the model's load is not the index's.
    settings = load_settings()
    engines = {
        "numpy": FastE5Embedder(default_cache_dir()),
        settings.embed_backend: make_index_embedder(
            settings.model, default_cache_dir(), settings.embed_backend
        ),
    }
    for engine in engines.values():
        engine.embed_queries(["warm up"])
    base_rss = current_rss_mb()
    base_parts = rss_parts_mb()
    t0 = time.perf_counter()
    stored = store.load(Path(os.environ["PIPELINE_STORE"]))
    t1 = time.perf_counter()
    query_engine = settings.embed_backend if uses_index_engine(stored, settings) else "numpy"
    embedder = engines[query_engine]  # as the service chooses
    retriever = Retriever(stored, embedder, cache_dir=REAL_CACHE / "retriever")
    t_init = time.perf_counter()
    retriever.calibrator  # noqa: B018
    t2 = time.perf_counter()
    for q in questions[:3]:
        retriever.search(q, 10)
    times = []
    for q in questions:
        t = time.perf_counter()
        retriever.search(q, 10)
        times.append(time.perf_counter() - t)
    return {
        "chunks": len(stored.chunks),
        "damaged": sorted(stored.damaged),
        "query_engine": query_engine,
        "store_load_s": round(t1 - t0, 2),
        "retriever_s": round(t2 - t1, 2),
        "lexical_s": round(getattr(retriever.lexical, "build_seconds", 0.0), 2),
        "lexical_stored": "lexical" in stored.derived,
        "calibrator_s": round(t2 - t_init, 2),
        "load_s": round(t2 - t0, 2),
        "search_ms": percentiles_ms(times),
        "rss_mb": current_rss_mb(),
        "index_rss_mb": round(current_rss_mb() - base_rss, 1),
        # of which the process's own memory, and pages of the generation's mapped files
        "index_rss_parts_mb": {k: round(v - base_parts[k], 1) for k, v in rss_parts_mb().items()},
        "peak_rss_mb": peak_rss_mb(),
        "load_1min": round(os.getloadavg()[0], 2),
    }


# (file, function) -> stage: the cumulative time of each, per query, in --pipeline's
# "stage_ms" (a function a stage calls is inside its stage's time).
STAGES = {
    ("retriever.py", "search"): "total",
    ("retriever.py", "embed_query"): "embed",
    ("retriever.py", "_dense_top"): "dense",
    ("retriever.py", "_lexical_scores"): "lexical",
    ("retriever.py", "_evidence"): "evidence",
    ("sentences.py", "best"): "sentences",
    ("retriever.py", "vectors_of"): "rescore_vectors",
    ("retriever.py", "_debias"): "debias",
    ("retriever.py", "_with_consensus"): "consensus",
    ("retriever.py", "_balanced_hits"): "balance",
    ("retriever.py", "_allowed_mask"): "pool",
}


def _join_terms(
    texts: list[str],
    langs: list[str],
    real_n: int,
    sources: list[tuple[int, int]],
    cache: Path,
) -> None:
    """Put the lexical terms of the joined chunks (realtext.extend) in the retriever's
    term cache, as the two texts' terms one after the other: analysing 10^6 texts would
    take a quarter of an hour, and it is the retriever's load, not the analyser, that is
    measured."""
    from corpus.analysis import analyze
    from index.lexical_cache import TermCache, term_key

    terms = TermCache(cache)
    known = terms.load()
    fresh = 0
    for i in range(real_n):
        key = term_key(langs[i], texts[i])
        if key not in known:
            known[key] = analyze(texts[i], langs[i])
            fresh += 1
    for i, (a, b) in enumerate(sources, real_n):
        key = term_key(langs[i], texts[i])
        if key not in known:
            known[key] = known[term_key(langs[a], texts[a])] + known[term_key(langs[b], texts[b])]
            fresh += 1
    if fresh:
        terms.save(known)


def child(
    kind: str, n: int, tree: Path | None = None, questions: list[str] | None = None
) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter and read its JSON from stdout; with
    ``tree``, that checkout's bench and polyqa code instead of this one's (a before/after
    pair in one run, on the same machine state)."""
    print(f"{kind} {n} {tree or ''}...", file=sys.stderr, flush=True)
    env = {**os.environ, "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "PASSIVE")}
    script = __file__
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
        script = str(tree / "bench" / "scale.py")
    if questions is not None:
        env["PIPELINE_QUESTIONS"] = json.dumps(questions)
    proc = subprocess.run(
        [sys.executable, script, "--one", kind, str(n)],
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
    parser.add_argument("--kinds", nargs="+", default=["flat", "ivf"], choices=["flat", "ivf"])
    parser.add_argument(
        "--real", type=int, metavar="N", help="recall on N real-text embeddings (bench/realtext.py)"
    )
    parser.add_argument(
        "--pipeline", type=int, metavar="N", help="Retriever.search, every stage, N real chunks"
    )
    parser.add_argument("--json", action="store_true", help="print a JSON summary line")
    parser.add_argument(
        "--reload",
        type=int,
        metavar="N",
        help="load and search the generation --pipeline N saved in PIPELINE_STORE again",
    )
    parser.add_argument(
        "--against",
        type=Path,
        metavar="TREE",
        help="--pipeline: run TREE's code (a checkout of an earlier commit) first, then this",
    )
    args = parser.parse_args()
    if args.one:
        kind, n = args.one[0], int(args.one[1])
        if kind == "load":
            print(json.dumps(load(n, json.loads(os.environ["PIPELINE_QUESTIONS"]))))
            return
        print(
            json.dumps(
                {"flat": flat, "ivf": ivf, "hnsw": hnsw, "real": real, "pipeline": pipeline}[kind](
                    n
                )
            )
        )
        return
    if args.reload:
        result = reload(args.reload)
        write_result("scale-reload", {"stamp": stamp(), "dim": DIM, "run": result})
        if args.json:
            print(json.dumps(result))
        return
    for kind, n in (("pipeline", args.pipeline), ("real", args.real)):
        if n:
            before = child(kind, n, args.against) if args.against and kind == "pipeline" else None
            result = child(kind, n)
            if before is not None:
                result = {"before": before, "after": result}
            write_result(f"scale-{kind}", {"stamp": stamp(), "dim": DIM, "run": result})
            if args.json:
                print(json.dumps(result))
            return
    st = stamp()
    runs = [child(kind, n) for n in args.sizes for kind in args.kinds]
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
        str(r["recall@10"]),
        rss,
        "yes",
    ]


if __name__ == "__main__":
    main()
