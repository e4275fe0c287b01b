"""`polyqa eval --answers`: does the answer a user reads hold the gold answer?

Retrieval metrics say whether the right passage was found; a user reads the extractive
answer, i.e. the sentences the composer picked from the passages. When a question in
questions.jsonl carries its short gold answer (``"answer": "308"``), each question is
asked through the service exactly as `polyqa ask` does, and:

- ``answer@1``: the first (best) sentence of the answer contains the gold answer;
- ``answer@any``: any sentence shown (up to ``answer_sentences``) contains it;
- ``answered``: the service answered at all (did not say "not found").

Containment is case- and spacing-insensitive: the ``evidence`` check of bot/evaluation/metrics.py.
A gold answer is written in one language, so these figures mean most where the
question's language has the answer passage (XQuAD: every language has it).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from bot.errors import QuestionError
from bot.evaluation.metrics import evidence_match

if TYPE_CHECKING:
    from bot.evaluation.dataset import Question
    from bot.service import PolyqaService


@dataclass(frozen=True)
class AnswerResult:
    qid: str
    lang: str
    first: bool
    anywhere: bool
    answered: bool


def evaluate_answers(
    questions: Sequence[Question], service: PolyqaService, progress: bool = True
) -> list[AnswerResult]:
    """Ask every question that has a gold answer; questions without one are skipped."""
    asked = [q for q in questions if q.answer]
    results = []
    bar = tqdm(asked, desc="answers", unit="q", file=sys.stderr, disable=not progress)
    for q in bar:
        assert q.answer is not None
        try:
            answer = service.ask(q.text)
        except QuestionError:
            results.append(AnswerResult(q.qid, q.lang, False, False, False))
            continue
        sentences = [s.text for s in answer.sentences] if answer.found else []
        first = bool(sentences) and evidence_match(sentences[0], [q.answer])
        anywhere = any(evidence_match(s, [q.answer]) for s in sentences)
        results.append(AnswerResult(q.qid, q.lang, first, anywhere, answer.found))
    return results


def answer_metrics(results: Sequence[AnswerResult]) -> dict[str, Any]:
    """Overall and per question language; 0.0 for no questions."""

    def rates(rs: Sequence[AnswerResult]) -> dict[str, float]:
        n = len(rs)
        return {
            "n": n,
            "answer@1": round(sum(r.first for r in rs) / n, 4) if n else 0.0,
            "answer@any": round(sum(r.anywhere for r in rs) / n, 4) if n else 0.0,
            "answered": round(sum(r.answered for r in rs) / n, 4) if n else 0.0,
        }

    by_lang: Mapping[str, list[AnswerResult]] = defaultdict(list)
    for r in results:
        by_lang[r.lang].append(r)
    return {**rates(results), "by_lang": {k: rates(v) for k, v in sorted(by_lang.items())}}
