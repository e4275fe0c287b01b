"""`polyqa eval`: how well retrieval finds the answer, per language and across languages.

A dataset is a folder with ``docs/`` and ``questions.jsonl``. Every question goes through
the service's own retriever (what `polyqa search` runs), twice: once over everything, and
once with every document in the question's language taken out of the pool *before*
scoring (``xhit@k``: can the answer be found when it exists only in other languages).

The metric code is pure (ranked lists in, numbers out) so it is tested on hand-made
rankings, and bench/compare.py scores the reference pipelines with the very same code.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import random
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from tqdm import tqdm

from bot.retrieval import Pool, Retriever
from bot.settings import Settings
from corpus.document import Document
from corpus.errors import PolyqaError
from corpus.reader import read_documents
from index.builder import IndexReport, update_index
from index.store import StoredIndex

if TYPE_CHECKING:
    from bot.service import PolyqaService

logger = logging.getLogger(__name__)

K = 10  # every ranking is cut here: hit@10, mrr@10, the language matrix
HIT_KS = (1, 5, 10)
QUESTIONS_FILE = "questions.jsonl"
DOCS_DIR = "docs"
_SHOWN_PROBLEMS = 5

# One retrieved chunk as the metrics see it: (document id, chunk text).
Ranked = tuple[str, str]
# Search one question's text with these languages out of the pool; best first.
SearchFn = Callable[[str, frozenset[str]], list[Ranked]]


class DatasetError(PolyqaError):
    """The dataset folder or its questions file cannot be used as it is.

    Every bad line is named by its number, so a broken question is fixed, not silently
    dropped from the score.
    """

    def __init__(self, path: Path, problems: Sequence[str]) -> None:
        self.path = path
        self.problems = list(problems)
        shown = "; ".join(self.problems[:_SHOWN_PROBLEMS])
        more = len(self.problems) - _SHOWN_PROBLEMS
        super().__init__(f"{path}: {shown}" + (f"; and {more} more" if more > 0 else ""))


@dataclass(frozen=True)
class Question:
    """One line of questions.jsonl; ``docs`` are posix paths relative to the dataset."""

    line: int
    qid: str
    lang: str
    text: str
    docs: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    answer: str | None = None  # the short gold answer, for `--answers`


@dataclass(frozen=True)
class Dataset:
    root: Path
    questions: list[Question]

    @property
    def docs_dir(self) -> Path:
        return self.root / DOCS_DIR


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


# --------------------------------------------------------------------------- dataset


def load_dataset(path: Path) -> Dataset:
    """Read and check DATASET: docs/ must exist, every question must be usable."""
    root = Path(path).resolve()
    if not (root / DOCS_DIR).is_dir():
        raise DatasetError(
            root, [f"no {DOCS_DIR}/ folder (expected {DOCS_DIR}/ and {QUESTIONS_FILE})"]
        )
    qfile = root / QUESTIONS_FILE
    if not qfile.is_file():
        raise DatasetError(root, [f"no {QUESTIONS_FILE}"])
    return Dataset(root, load_questions(qfile, root))


def load_questions(qfile: Path, root: Path) -> list[Question]:
    """Parse questions.jsonl; collect every bad line, then raise them all at once."""
    questions: list[Question] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    with qfile.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                q = parse_question(line, lineno, root)
            except ValueError as exc:
                problems.append(f"line {lineno}: {exc}")
                continue
            if q.qid in seen:
                problems.append(f"line {lineno}: id {q.qid!r} already used on line {seen[q.qid]}")
                continue
            seen[q.qid] = lineno
            questions.append(q)
    if problems:
        raise DatasetError(qfile, problems)
    if not questions:
        raise DatasetError(qfile, ["no questions"])
    return questions


def parse_question(line: str, lineno: int, root: Path) -> Question:
    """One question line; ValueError says what is wrong with it."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"malformed JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    qid, lang, text = data.get("id"), data.get("lang"), data.get("question")
    if not isinstance(qid, str | int) or isinstance(qid, bool) or str(qid) == "":
        raise ValueError('"id" missing or not a string')
    for name, value in (("lang", lang), ("question", text)):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f'"{name}" missing or empty')
    docs = _string_list(data, "docs")
    evidence = tuple(e for e in _string_list(data, "evidence") if e.strip())
    if not docs and not evidence:
        raise ValueError('no gold: give "docs" and/or "evidence"')
    answer = data.get("answer")
    if answer is not None and not isinstance(answer, str):
        raise ValueError('"answer" must be a string')
    return Question(
        lineno,
        str(qid),
        str(lang).strip().lower(),
        str(text),
        tuple(_gold_path(root, d) for d in docs),
        evidence,
        answer.strip() or None if answer is not None else None,
    )


def _string_list(data: dict[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f'"{key}" must be a list of strings')
    return tuple(value)


def _gold_path(root: Path, rel: str) -> str:
    """The gold path in canonical form (posix, relative to root); it must be a document."""
    full = (root / rel).resolve()
    if not full.is_file():
        raise ValueError(f"gold document {rel!r} does not exist")
    if not full.is_relative_to(root / DOCS_DIR):
        raise ValueError(f"gold document {rel!r} is not under {DOCS_DIR}/")
    return full.relative_to(root).as_posix()


def sample_questions(
    questions: Sequence[Question], limit: int | None, seed: int = 0
) -> list[Question]:
    """A seeded sample (same N, same questions every run), kept in file order."""
    if limit is None or limit >= len(questions):
        return list(questions)
    picked = random.Random(seed).sample(range(len(questions)), max(limit, 0))
    return [questions[i] for i in sorted(picked)]


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


# --------------------------------------------------------------------------- documents


def eval_index_dir(settings: Settings, dataset: Path) -> Path:
    """One cached index per dataset folder; update_index re-embeds only what changed."""
    digest = hashlib.sha256(str(Path(dataset).resolve()).encode()).hexdigest()[:12]
    return settings.data_dir / "indexes" / f"eval-{digest}"


def gold_doc_ids(
    dataset: Dataset, documents: Sequence[Document], stored: StoredIndex
) -> dict[str, str]:
    """Gold path (relative to DATASET) -> index doc id.

    Matched by resolved file path, then by content hash: the index keeps one copy of
    identical files, so a gold file may be indexed under its twin's id.
    """
    by_sha = {rec.sha256: rec.doc_id for rec in stored.documents.values()}
    out: dict[str, str] = {}
    for doc in documents:
        doc_id = by_sha.get(doc.sha256)
        if doc_id is None:
            continue
        for candidate in (Path(doc.path), dataset.docs_dir / doc.doc_id):
            full = candidate.resolve()
            if full.is_relative_to(dataset.root):
                out[full.relative_to(dataset.root).as_posix()] = doc_id
    return out


def check_gold_indexed(
    dataset: Dataset,
    questions: Sequence[Question],
    gold: Mapping[str, str],
    skipped: Sequence[tuple[str, str]],
) -> None:
    """A gold document the reader refused would silently turn into misses: name it."""
    reasons = {
        Path(p).resolve().relative_to(dataset.root).as_posix(): why
        for p, why in skipped
        if Path(p).resolve().is_relative_to(dataset.root)
    }
    problems = [
        f"line {q.line}: gold document {p!r} was not indexed ({reasons.get(p, 'not read')})"
        for q in questions
        for p in q.docs
        if p not in gold
    ]
    if problems:
        raise DatasetError(dataset.root / QUESTIONS_FILE, problems)


def folder_language_mismatches(dataset: Dataset, stored: StoredIndex) -> list[dict[str, str]]:
    """Documents in a language-named folder (docs/de/...) detected as another language.

    xhit takes out documents by *detected* language; a misdetected document would stay
    in the pool and make the question look answerable cross-language. A folder counts as
    a language folder when its name is a language polyqa detects (``zh-cn`` as ``zh``).
    """
    known = _language_codes() | {rec.lang for rec in stored.documents.values()}
    out = []
    for rec in sorted(stored.documents.values(), key=lambda r: r.doc_id):
        parts = Path(rec.doc_id).parts
        folder = parts[0].lower() if len(parts) > 1 else ""
        base = re.split(r"[-_]", folder)[0]
        if base in known and base != rec.lang:
            out.append({"doc_id": rec.doc_id, "folder": parts[0], "detected": rec.lang})
    return out


def _language_codes() -> set[str]:
    from langdetect.detector_factory import PROFILES_DIRECTORY

    return {re.split(r"[-_]", name)[0] for name in os.listdir(PROFILES_DIRECTORY)}


# --------------------------------------------------------------------------- the run


@dataclass
class EvalIndex:
    """DATASET/docs indexed with the current settings, and the service that searches it."""

    service: PolyqaService
    stored: StoredIndex
    report: IndexReport
    seconds: float
    gold: dict[str, str]  # gold path (relative to DATASET) -> index doc id
    doc_lang: dict[str, str]  # index doc id -> detected language
    mismatches: list[dict[str, str]]

    def summary(self) -> dict[str, Any]:
        return _index_summary(self.report, self.seconds, self.stored, self.service.index_dir)


def build_eval_index(
    service_or_settings: PolyqaService | Settings,
    ds: Dataset,
    questions: Sequence[Question],
    progress: bool = True,
) -> EvalIndex:
    """Index (or update the cached index of) DATASET/docs; check every gold doc is in it."""
    from bot.service import PolyqaService

    base = service_or_settings
    settings = base.settings if isinstance(base, PolyqaService) else base
    index_dir = eval_index_dir(settings, ds.root)
    service = PolyqaService(
        settings.model_copy(update={"index_dir": index_dir}),
        embedder=base.embedder if isinstance(base, PolyqaService) else None,
    )
    _say(progress, f"reading {ds.docs_dir}")
    started = time.perf_counter()
    documents, skipped = read_documents([ds.docs_dir])
    _say(progress, f"indexing {len(documents)} documents into {index_dir}")
    stored, report = update_index(
        documents,
        index_dir,
        service.embedder,
        settings.chunk_tokens,
        settings.chunk_overlap,
        skipped=skipped,
    )
    seconds = time.perf_counter() - started
    gold = gold_doc_ids(ds, documents, stored)
    check_gold_indexed(ds, questions, gold, report.skipped)
    mismatches = folder_language_mismatches(ds, stored)
    if mismatches:
        logger.warning(
            "%d documents detected in another language than their folder, e.g. %s",
            len(mismatches),
            mismatches[0],
        )
    doc_lang = {d.doc_id: d.lang for d in service.retriever().stored.documents.values()}
    return EvalIndex(service, stored, report, seconds, gold, doc_lang, mismatches)


def run_eval(
    service_or_settings: PolyqaService | Settings,
    dataset: Path,
    limit: int | None = None,
    progress: bool = True,
    seed: int = 0,
    answers: bool = False,
) -> dict[str, Any]:
    """Index DATASET/docs (cached), query every question, return the report as a dict.

    With ``answers``, questions that carry a gold "answer" are also asked through the
    service and their extractive answers checked (bot/evaluate_answers.py).
    """
    ds = load_dataset(dataset)
    questions = sample_questions(ds.questions, limit, seed)
    ev = build_eval_index(service_or_settings, ds, questions, progress)
    _say(progress, f"querying {len(questions)} questions")
    search = retriever_search(ev.service.retriever())
    results = evaluate_search(questions, search, ev.gold, ev.doc_lang, progress)
    settings = ev.service.settings
    extra = {}
    if answers:
        from bot.evaluate_answers import answer_metrics, evaluate_answers

        extra["answers"] = answer_metrics(evaluate_answers(questions, ev.service, progress))
    return {
        "dataset": str(ds.root),
        "questions": len(results),
        "limit": limit,
        **aggregate(results),
        "index": ev.summary(),
        "lang_mismatches": ev.mismatches,
        "settings": {
            "model": settings.model,
            "chunk_tokens": settings.chunk_tokens,
            "chunk_overlap": settings.chunk_overlap,
            "retriever": _retriever_config(ev.service.retriever()),
        },
        **extra,
    }


def _retriever_config(retriever: Retriever) -> Any:
    """What the search that was measured actually ran with (the service's retriever)."""
    config = getattr(retriever, "config", None)
    if config is not None and dataclasses.is_dataclass(config) and not isinstance(config, type):
        return dataclasses.asdict(config)
    return type(retriever).__name__


def retriever_search(
    retriever: Retriever, vectors: Mapping[str, np.ndarray] | None = None
) -> SearchFn:
    """The service's retriever as a SearchFn.

    Without ``vectors`` each question is embedded when first searched (so its latency
    counts the embedding, as in `polyqa search`) and the vector is reused for its xhit
    search; with them (a batch embedded beforehand) only the search is done.
    """
    last: dict[str, np.ndarray] = {}

    def search(text: str, exclude_langs: frozenset[str]) -> list[Ranked]:
        if vectors is not None:
            vec = vectors[text]
        else:
            if text not in last:
                last.clear()
                last[text] = retriever.embed_query(text)
            vec = last[text]
        pool = Pool(exclude_langs=exclude_langs) if exclude_langs else None
        hits = retriever.search(text, K, pool, query_vec=vec)
        return [(h.chunk.doc_id, h.chunk.text) for h in hits]

    return search


def _index_summary(
    report: IndexReport, seconds: float, stored: StoredIndex, index_dir: Path
) -> dict[str, Any]:
    return {
        "seconds": round(seconds, 2),
        "cached": report.embedded_chunks == 0 and not report.removed,
        "documents": len(stored.documents),
        "chunks": len(stored.chunks),
        "embedded_chunks": report.embedded_chunks,
        "skipped": len(report.skipped),
        "dir": str(index_dir),
    }


def _say(enabled: bool, message: str) -> None:
    if enabled:
        print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- output

_COLUMNS = ("hit@1", "hit@5", "hit@10", "mrr@10", "xhit@1", "xhit@10", "xmrr@10")


def format_report(report: Mapping[str, Any]) -> str:
    """The readable table: overall and per language, then the matrix, then timings."""
    head = f"{'':8}{'n':>6}" + "".join(f"{c:>9}" for c in _COLUMNS)
    rows = [head, _row("all", report)]
    rows += [_row(lang, m) for lang, m in report["by_lang"].items()]
    out = ["\n".join(rows), "", _format_matrix(report["matrix"])]
    idx, lat = report["index"], report["latency_ms"]
    cached = "cached" if idx["cached"] else f"{idx['embedded_chunks']} chunks embedded"
    out.append(
        f"index: {idx['documents']} documents, {idx['chunks']} chunks, "
        f"{idx['seconds']:.1f}s ({cached})\n"
        f"query latency: p50 {lat['p50']:.1f} ms, p95 {lat['p95']:.1f} ms"
    )
    if "answers" in report:
        out.append(_format_answers(report["answers"]))
    if report.get("lang_mismatches"):
        out.append(
            f"warning: {len(report['lang_mismatches'])} documents detected in another "
            "language than their folder (xhit is unreliable for them)"
        )
    return "\n".join(out)


def _format_answers(a: Mapping[str, Any]) -> str:
    lines = [f"answers (first sentence / any sentence / answered) of {a['n']} questions:"]
    for label, m in [("all", a), *a["by_lang"].items()]:
        lines.append(
            f"{label:8}{int(m['n']):>6}{m['answer@1']:>9.3f}{m['answer@any']:>9.3f}"
            f"{m['answered']:>9.3f}"
        )
    return "\n".join(lines)


def _row(label: str, m: Mapping[str, Any]) -> str:
    return f"{label:8}{int(m['n']):>6}" + "".join(f"{m[c]:>9.3f}" for c in _COLUMNS)


def _format_matrix(matrix: Mapping[str, Mapping[str, float]]) -> str:
    if not matrix:
        return "(no questions with gold documents: no language matrix)"
    cols = sorted({d for row in matrix.values() for d in row})
    lines = [
        f"gold document in top {K}: question language (rows) x document language",
        "        " + "".join(f"{c:>7}" for c in cols),
    ]
    for q, row in matrix.items():
        cells = "".join(f"{row[c]:>7.2f}" if c in row else f"{'-':>7}" for c in cols)
        lines.append(f"{q:8}{cells}")
    return "\n".join(lines)


def plot_matrix(matrix: Mapping[str, Mapping[str, float]], path: Path, title: str = "") -> None:
    """The language matrix as a heatmap PNG (matplotlib is imported only here)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = list(matrix)
    cols = sorted({d for row in matrix.values() for d in row})
    data = np.array([[matrix[q].get(d, np.nan) for d in cols] for q in rows], dtype=float)
    fig, ax = plt.subplots(figsize=(1.2 + 0.9 * len(cols), 1.0 + 0.7 * len(rows)))
    image = ax.imshow(data, vmin=0.0, vmax=1.0, cmap="viridis")
    ax.set_xticks(range(len(cols)), cols)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel("document language")
    ax.set_ylabel("question language")
    ax.set_title(title or f"gold document in top {K}")
    for i in range(len(rows)):
        for j in range(len(cols)):
            if not np.isnan(data[i, j]):
                color = "black" if data[i, j] > 0.6 else "white"
                ax.text(j, i, f"{data[i, j]:.2f}", ha="center", va="center", color=color)
    fig.colorbar(image, ax=ax)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
