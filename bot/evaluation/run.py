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
import logging
import os
import re
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bot.errors import DatasetError
from bot.evaluation.dataset import QUESTIONS_FILE, Dataset, Question, load_dataset, sample_questions
from bot.evaluation.metrics import K, Ranked, SearchFn, aggregate, evaluate_search
from bot.retrieval.retriever import Pool, Retriever
from bot.settings import Settings
from corpus.document import Document
from corpus.reader import read_documents
from index.builder import IndexReport, update_index
from index.store import StoredIndex

if TYPE_CHECKING:
    from bot.service import PolyqaService

logger = logging.getLogger(__name__)


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
        index_embedder=base.index_embedder if isinstance(base, PolyqaService) else None,
    )
    _say(progress, f"reading {ds.docs_dir}")
    started = time.perf_counter()
    documents, skipped = read_documents([ds.docs_dir])
    _say(progress, f"indexing {len(documents)} documents into {index_dir}")
    stored, report = update_index(
        documents,
        index_dir,
        service.index_embedder,
        settings.chunk_tokens,
        settings.chunk_overlap,
        skipped=skipped,
        ann=settings.ann,  # the index engine and its thresholds, as `polyqa index` uses
        cache_dir=settings.cache_dir,
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
    dialogs: bool = False,
) -> dict[str, Any]:
    """Index DATASET/docs (cached), query every question, return the report as a dict.

    Retrieval is measured on the answerable questions (the others have no gold passage).
    With ``answers``, questions that carry gold answers, and the unanswerable ones, are
    also asked through the service and their extractive answers checked
    (bot/evaluation/answers.py); with ``dialogs``, DATASET/dialogs.jsonl's conversations
    are asked and their last turn scored (bot/evaluation/dialogs.py).
    """
    ds = load_dataset(dataset)
    questions = sample_questions(ds.questions, limit, seed)
    ev = build_eval_index(service_or_settings, ds, questions, progress)
    answerable = [q for q in questions if q.answerable]
    _say(progress, f"querying {len(answerable)} questions")
    search = retriever_search(ev.service.retriever())
    results = evaluate_search(answerable, search, ev.gold, ev.doc_lang, progress)
    settings = ev.service.settings
    extra = {}
    if answers:
        from bot.evaluation.answers import answer_metrics, evaluate_answers

        extra["answers"] = answer_metrics(evaluate_answers(questions, ev.service, progress))
    if dialogs:
        from bot.evaluation.dialogs import (
            DIALOGS_FILE,
            dialog_metrics,
            evaluate_dialogs,
            load_dialogs,
        )

        found = load_dialogs(ds.root / DIALOGS_FILE)
        _say(progress, f"asking {len(found)} dialogs")
        extra["dialogs"] = dialog_metrics(evaluate_dialogs(found, ev.service, progress))
    return {
        "dataset": str(ds.root),
        "questions": len(results),
        "unanswerable": len(questions) - len(answerable),
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
