"""polyqa's pipeline against two pipelines a user might build instead, on xquad-dev.

1. ``bm25``: BM25 alone (bm25s, its default tokenizer: lowercase, ``\\w\\w+`` words,
   English stop words) over polyqa's own chunks, so only the retriever differs.
2. ``fixed-1000``: the same embedding model over fixed 1000-character chunks with 200
   characters of overlap and no language handling (the common tutorial recipe).

All three are scored by the same functions of bot/evaluation/metrics.py, with the same gold and
the same protocol: xhit takes the question's language out *before* retrieval (BM25 is
rebuilt without those chunks, so not even its IDF sees them; the dense index scans
only the allowed rows). Document languages are polyqa's detected ones for all three.

The questions are embedded once, in batches, and shared by both dense pipelines, so the
latency column is the search alone (BM25: tokenizing + scoring); `polyqa eval` and
bench/speed.py time the embedding too.

    .venv/bin/python bench/compare.py [--limit N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from common import XQUAD, append_row, fmt, machine, stamp, write_result
from tqdm import tqdm

from bot.evaluation.dataset import load_dataset, sample_questions
from bot.evaluation.metrics import K, SearchFn, aggregate, evaluate_search
from bot.evaluation.run import build_eval_index, retriever_search
from bot.service import PolyqaService
from bot.settings import load_settings
from corpus.reader import read_documents
from index.embedder import Embedder
from index.faiss_index import FlatIPIndex

FIXED_SIZE, FIXED_OVERLAP = 1000, 200


def fixed_chunks(text: str, size: int = FIXED_SIZE, overlap: int = FIXED_OVERLAP) -> list[str]:
    """Character windows of ``size`` every ``size - overlap`` characters, last one short."""
    step = size - overlap
    starts = range(0, max(len(text) - overlap, 1), step)
    return [text[s : s + size] for s in starts if text[s : s + size].strip()]


def bm25_search(units: Sequence[tuple[str, str]], doc_lang: dict[str, str]) -> SearchFn:
    """One BM25 index per pool: the full corpus, and the corpus without each language."""
    import bm25s

    langs = sorted(set(doc_lang.values()))
    pools: dict[frozenset[str], tuple[Any, list[tuple[str, str]]]] = {}
    for excluded in [frozenset(), *(frozenset({lang}) for lang in langs)]:
        kept = [u for u in units if doc_lang[u[0]] not in excluded]
        retriever = bm25s.BM25()
        retriever.index(
            bm25s.tokenize([t for _, t in kept], show_progress=False), show_progress=False
        )
        pools[excluded] = (retriever, kept)

    def search(text: str, exclude: frozenset[str]) -> list[tuple[str, str]]:
        retriever, kept = pools[exclude if exclude in pools else frozenset()]
        tokens = bm25s.tokenize([text], return_ids=False, show_progress=False)
        if not tokens[0]:
            return []
        ids, scores = retriever.retrieve(tokens, k=min(K, len(kept)), show_progress=False)
        return [kept[i] for i, s in zip(ids[0], scores[0], strict=True) if s > 0]

    return search


def dense_search(
    units: Sequence[tuple[str, str]],
    doc_lang: dict[str, str],
    embedder: Embedder,
    vectors: dict[str, np.ndarray],
) -> SearchFn:
    """Flat inner-product index over the units, one ranked list; exclusion restricts the
    scan (a selector), as polyqa's does."""
    index = FlatIPIndex(embedder.dim)
    batch = 64
    for i in range(0, len(units), batch):
        index.add(embedder.embed_passages([t for _, t in units[i : i + batch]]))
    rows_by_lang: dict[str, list[int]] = {}
    for row, (doc_id, _) in enumerate(units):
        rows_by_lang.setdefault(doc_lang[doc_id], []).append(row)

    def search(text: str, exclude: frozenset[str]) -> list[tuple[str, str]]:
        allowed = None
        if exclude:
            allowed = [r for lang, rs in rows_by_lang.items() if lang not in exclude for r in rs]
        _, ids = index.search(vectors[text][None, :], K, allowed)
        return [units[i] for i in ids[0] if i >= 0]

    return search


def embed_all(embedder: Embedder, texts: Sequence[str], batch: int = 64) -> dict[str, np.ndarray]:
    """Every question embedded once, in batches (both dense pipelines share them)."""
    unique = list(dict.fromkeys(texts))
    out: dict[str, np.ndarray] = {}
    for i in tqdm(range(0, len(unique), batch), desc="embedding questions", file=sys.stderr):
        part = unique[i : i + batch]
        out.update(zip(part, embedder.embed_queries(part), strict=True))
    return out


def pipeline_run(
    name: str,
    units: int,
    index_s: float,
    search: SearchFn,
    questions: Any,
    gold: dict[str, str],
    doc_lang: dict[str, str],
) -> dict[str, Any]:
    print(f"{name}: querying", file=sys.stderr, flush=True)
    results = evaluate_search(questions, search, gold, doc_lang)
    return {"pipeline": name, "chunks": units, "index_s": round(index_s, 2), **aggregate(results)}


def timed(make: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    return make(), time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=XQUAD)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    # Before torch loads: on a shared 2-core machine torch's spinning OpenMP threads make
    # a forward pass several times slower whenever another process wants the CPU.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    st = stamp()
    ds = load_dataset(args.dataset)
    questions = sample_questions(ds.questions, args.limit)
    ev = build_eval_index(PolyqaService(load_settings()), ds, questions)
    embedder = ev.service.embedder
    gold, doc_lang = ev.gold, ev.doc_lang
    vectors, embed_s = timed(lambda: embed_all(embedder, [q.text for q in questions]))

    ours = pipeline_run(
        "polyqa",
        len(ev.stored.chunks),
        ev.seconds,
        retriever_search(ev.service.retriever(), vectors),
        questions,
        gold,
        doc_lang,
    )
    chunks = [(c.doc_id, c.text) for c in ev.stored.chunks]
    search, index_s = timed(lambda: bm25_search(chunks, doc_lang))
    bm25 = pipeline_run("bm25", len(chunks), index_s, search, questions, gold, doc_lang)
    docs = [d for d in read_documents([ds.docs_dir])[0] if d.doc_id in ev.stored.documents]
    fixed_units = [(d.doc_id, t) for d in docs for t in fixed_chunks(d.text)]
    print(f"fixed-1000: embedding {len(fixed_units)} chunks", file=sys.stderr, flush=True)
    search, index_s = timed(lambda: dense_search(fixed_units, doc_lang, embedder, vectors))
    fixed = pipeline_run("fixed-1000", len(fixed_units), index_s, search, questions, gold, doc_lang)
    runs = [ours, bm25, fixed]
    write_result(
        "compare",
        {
            "stamp": st,
            "dataset": str(ds.root),
            "limit": args.limit,
            "query_embedding_ms": round(1000 * embed_s / len(vectors), 2),
            "cached_index": ev.summary(),
            "runs": runs,
        },
    )
    for r in runs:
        append_row(
            "compare",
            [
                st["date"],
                st["commit"],
                machine(st),
                ds.root.name,
                r["n"],
                r["pipeline"],
                r["chunks"],
                *(
                    fmt(r[key])
                    for key in (
                        "hit@1",
                        "hit@5",
                        "hit@10",
                        "mrr@10",
                        "xhit@1",
                        "xhit@10",
                        "xmrr@10",
                    )
                ),
                fmt(r["latency_ms"]["p50"], 2),
            ],
        )
    print_summary(runs)


def print_summary(runs: list[dict[str, Any]]) -> None:
    keys = ("hit@1", "hit@10", "mrr@10", "xhit@1", "xhit@10")
    print(f"{'pipeline':12}" + "".join(f"{k:>9}" for k in keys))
    for r in runs:
        print(f"{r['pipeline']:12}" + "".join(f"{r[k]:>9.3f}" for k in keys))
    for lang in runs[0]["by_lang"]:
        print(
            f"  {lang}: "
            + ", ".join(
                f"{r['pipeline']} hit@10 {r['by_lang'][lang]['hit@10']:.3f} "
                f"xhit@10 {r['by_lang'][lang]['xhit@10']:.3f}"
                for r in runs
            )
        )


if __name__ == "__main__":
    main()
