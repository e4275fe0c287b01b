"""The metrics of `polyqa eval`: pure functions, ranked lists in, numbers out.

Tested on hand-made rankings; bench/compare.py scores the reference pipelines with the
very same code.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from tqdm import tqdm

from bot.evaluation.dataset import Question

if TYPE_CHECKING:
    pass


K = 10  # every ranking is cut here: hit@10, mrr@10, the language matrix
HIT_KS = (1, 5, 10)

# One retrieved chunk as the metrics see it: (document id, chunk text).
Ranked = tuple[str, str]
# Search one question's text with these languages out of the pool; best first.
SearchFn = Callable[[str, frozenset[str]], list[Ranked]]


@dataclass(frozen=True)
class QuestionResult:
    """Where the first relevant chunk was (1-based, None = not in the top K)."""

    qid: str
    lang: str
    rank: int | None
    xrank: int | None
    # document language -> was a gold document in that language in the normal top K
    gold_found: Mapping[str, bool] = field(default_factory=dict)
    latency_ms: float = 0.0


# --------------------------------------------------------------------------- metrics


def evidence_match(text: str, evidence: Iterable[str]) -> bool:
    """Case- and spacing-insensitive containment: gold phrases are typed by hand."""
    norm = " ".join(text.casefold().split())
    return any(" ".join(e.casefold().split()) in norm for e in evidence)


def first_relevant(
    ranked: Sequence[Ranked], gold_ids: frozenset[str], evidence: Sequence[str], k: int = K
) -> int | None:
    """1-based rank of the first chunk from a gold document or containing gold evidence."""
    for rank, (doc_id, text) in enumerate(ranked[:k], 1):
        if doc_id in gold_ids or (evidence and evidence_match(text, evidence)):
            return rank
    return None


def rank_metrics(ranks: Sequence[int | None], prefix: str = "") -> dict[str, float]:
    """hit@1/5/10 and mrr@10 of first-relevant ranks (None = miss); 0.0 for no questions."""
    out: dict[str, float] = {}
    n = len(ranks)
    for k in HIT_KS:
        out[f"{prefix}hit@{k}"] = sum(r is not None and r <= k for r in ranks) / n if n else 0.0
    rr = [1.0 / r if r is not None and r <= K else 0.0 for r in ranks]
    out[f"{prefix}mrr@{K}"] = sum(rr) / n if n else 0.0
    return out


def score_question(
    q: Question,
    normal: Sequence[Ranked],
    excluded: Sequence[Ranked],
    gold_ids: frozenset[str],
    doc_lang: Mapping[str, str],
    latency_ms: float = 0.0,
) -> QuestionResult:
    """Score one question's two rankings; ``gold_ids`` are index doc ids of ``q.docs``."""
    top = {doc_id for doc_id, _ in normal[:K]}
    found: dict[str, bool] = {}
    for doc_id in sorted(gold_ids):
        lang = doc_lang.get(doc_id, "und")
        found[lang] = found.get(lang, False) or doc_id in top
    return QuestionResult(
        q.qid,
        q.lang,
        first_relevant(normal, gold_ids, q.evidence),
        first_relevant(excluded, gold_ids, q.evidence),
        found,
        latency_ms,
    )


def _metrics(results: Sequence[QuestionResult]) -> dict[str, float]:
    return {
        "n": len(results),
        **rank_metrics([r.rank for r in results]),
        **rank_metrics([r.xrank for r in results], prefix="x"),
    }


def language_matrix(results: Sequence[QuestionResult]) -> dict[str, dict[str, float]]:
    """question language -> document language -> share of questions whose gold document
    in that language is in the top K (only questions that have one count)."""
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for r in results:
        for doc_lang, hit in r.gold_found.items():
            cell = counts[r.lang][doc_lang]
            cell[0] += int(hit)
            cell[1] += 1
    return {
        q: {d: round(hit / n, 4) for d, (hit, n) in sorted(row.items())}
        for q, row in sorted(counts.items())
    }


def percentiles(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "mean": 0.0}
    arr = np.asarray(values, dtype=np.float64)
    return {
        "p50": round(float(np.percentile(arr, 50)), 2),
        "p95": round(float(np.percentile(arr, 95)), 2),
        "mean": round(float(arr.mean()), 2),
    }


def aggregate(results: Sequence[QuestionResult]) -> dict[str, Any]:
    """Overall metrics, the same per question language, the language matrix, latency."""
    by_lang: dict[str, list[QuestionResult]] = defaultdict(list)
    for r in results:
        by_lang[r.lang].append(r)
    overall = _metrics(results)
    return {
        **{k: round(v, 4) for k, v in overall.items()},
        "by_lang": {
            lang: {k: round(v, 4) for k, v in _metrics(rs).items()}
            for lang, rs in sorted(by_lang.items())
        },
        "matrix": language_matrix(results),
        "latency_ms": percentiles([r.latency_ms for r in results]),
    }


def evaluate_search(
    questions: Sequence[Question],
    search: SearchFn,
    gold_ids: Mapping[str, str],
    doc_lang: Mapping[str, str],
    progress: bool = True,
) -> list[QuestionResult]:
    """Run every question through ``search`` (normal pool timed, then own language out).

    ``gold_ids`` maps a gold path (relative to the dataset) to the pipeline's doc id.
    """
    results = []
    bar = tqdm(questions, desc="questions", unit="q", file=sys.stderr, disable=not progress)
    for q in bar:
        started = time.perf_counter()
        normal = search(q.text, frozenset())
        latency = (time.perf_counter() - started) * 1000
        excluded = search(q.text, frozenset({q.lang}))
        ids = frozenset(gold_ids[p] for p in q.docs if p in gold_ids)
        results.append(score_question(q, normal, excluded, ids, doc_lang, latency))
    return results
