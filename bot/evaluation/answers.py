"""`polyqa eval --answers`: does the answer a user reads hold the gold answer?

Retrieval metrics say whether the right passage was found; a user reads the extractive
answer, i.e. the sentences the composer picked from the passages. Each question that
carries gold answers (``"answer": "308"`` or a list: the same fact in several languages,
any of them right) or is marked ``"answerable": false`` is asked through the service
exactly as `polyqa ask` asks it, and:

- ``answer@1``: the first (best) sentence of the answer contains a gold answer;
- ``answer@any``: any sentence shown (up to ``answer_sentences``) contains one;
- ``misanswered``: answered as found, yet no gold answer anywhere in it: the worst
  outcome, a wrong answer presented as right;
- ``refused``: of the unanswerable questions, the share answered "not found";
- ``answered``: of the answerable ones, the share not answered "not found".

The first four are fractions of the answerable questions, ``refused`` of the
unanswerable ones. ``thresholds`` is the trade-off behind the not-found bar: for each
confidence bar, the share of all questions it would answer and the share of those
answers that would be right (an unanswerable question answered is wrong), so the bar is
picked from a measurement. Containment is case- and spacing-insensitive: the ``evidence``
check of bot/evaluation/metrics.py.
"""

from __future__ import annotations

import math
import sys
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from bot.errors import QuestionError
from bot.evaluation.metrics import evidence_match

if TYPE_CHECKING:
    from bot.answers.composer import Answer
    from bot.evaluation.dataset import Question
    from bot.service import PolyqaService

# Rows of the threshold table: bars this far apart, at most this many.
THRESHOLD_STEP = 0.5
MAX_THRESHOLDS = 40


@dataclass(frozen=True)
class AnswerResult:
    """One question asked. ``first``/``anywhere`` are judged on the answer composed even
    below the bar (``right_if_answered``), then counted only when it was ``answered``."""

    qid: str
    lang: str
    answerable: bool
    answered: bool
    first: bool = False
    anywhere: bool = False
    confidence: float = -math.inf
    right_if_answered: bool = False


def evaluate_answers(
    questions: Sequence[Question], service: PolyqaService, progress: bool = True
) -> list[AnswerResult]:
    """Ask every question that has gold answers or is unanswerable; skip the others."""
    asked = [q for q in questions if q.answers or not q.answerable]
    bar = tqdm(asked, desc="answers", unit="q", file=sys.stderr, disable=not progress)
    return [_ask(q, service) for q in bar]


def _ask(q: Question, service: PolyqaService) -> AnswerResult:
    try:
        evidence = service.evidence(q.text)
    except QuestionError:
        return AnswerResult(q.qid, q.lang, q.answerable, False)
    forced = service.compose(evidence, force=True)
    first, anywhere = _holds(forced, q.answers)
    return AnswerResult(
        q.qid,
        q.lang,
        q.answerable,
        evidence.found,
        first and evidence.found,
        anywhere and evidence.found,
        evidence.confidence,
        q.answerable and first,
    )


def _holds(answer: Answer, gold: Sequence[str]) -> tuple[bool, bool]:
    """Does the first sentence, and does any sentence, contain a gold answer?"""
    sentences = [s.text for s in answer.sentences]
    first = bool(sentences) and evidence_match(sentences[0], gold)
    return first, first or any(evidence_match(s, gold) for s in sentences)


def answer_metrics(results: Sequence[AnswerResult]) -> dict[str, Any]:
    """Overall, per question language, and the threshold table; 0.0 for no questions."""
    by_lang: Mapping[str, list[AnswerResult]] = defaultdict(list)
    for r in results:
        by_lang[r.lang].append(r)
    return {
        **_rates(results),
        "by_lang": {k: _rates(v) for k, v in sorted(by_lang.items())},
        "thresholds": threshold_table(results),
    }


def _rates(results: Sequence[AnswerResult]) -> dict[str, Any]:
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]

    def share(count: int, n: int) -> float:
        return round(count / n, 4) if n else 0.0

    n = len(answerable)
    return {
        "n": n,
        "unanswerable": len(unanswerable),
        "answer@1": share(sum(r.first for r in answerable), n),
        "answer@any": share(sum(r.anywhere for r in answerable), n),
        "misanswered": share(sum(r.answered and not r.anywhere for r in answerable), n),
        "answered": share(sum(r.answered for r in answerable), n),
        "refused": share(sum(not r.answered for r in unanswerable), len(unanswerable)),
    }


def threshold_table(results: Sequence[AnswerResult]) -> list[dict[str, float]]:
    """For each bar: the share of questions answered, and the share of those right."""
    scored = [r for r in results if math.isfinite(r.confidence)]
    if not scored:
        return []
    low = math.floor(min(r.confidence for r in scored) / THRESHOLD_STEP)
    high = math.floor(max(r.confidence for r in scored) / THRESHOLD_STEP)
    stride = max(1, math.ceil((high - low + 1) / MAX_THRESHOLDS))
    rows = []
    for step in range(low, high + 1, stride):
        bar = step * THRESHOLD_STEP
        passed = [r for r in scored if r.confidence >= bar]
        right = sum(r.right_if_answered for r in passed)
        rows.append(
            {
                "threshold": round(bar, 2),
                "answered": round(len(passed) / len(results), 4),
                "right": round(right / len(passed), 4) if passed else 0.0,
            }
        )
    return rows
