"""`polyqa eval DATASET --dialogs`: follow-up questions, scored on the last turn.

``DATASET/dialogs.jsonl`` holds one conversation a line: ``{"id", "lang", "turns":
[first, ..., last], "evidence": [...]}``, the evidence being the gold of the last turn
(a retrieved chunk, or the answer's first sentence, containing one of the phrases).
Dialogs marked ``"switch": true`` change the subject: their last question stands alone
and must be answered as it is without the earlier turns; they are reported apart, with
``same_as_alone``, the share answered exactly as the question alone is.

Every dialog goes through the service as a user's conversation would: the earlier turns
are given as history (their answers computed by the service, as the chat has them).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from bot.errors import DatasetError, QuestionError
from bot.evaluation.dataset import json_object
from bot.evaluation.metrics import K, evidence_match, first_relevant

if TYPE_CHECKING:
    from bot.service import PolyqaService

DIALOGS_FILE = "dialogs.jsonl"


@dataclass(frozen=True)
class Dialog:
    line: int
    did: str
    lang: str
    turns: tuple[str, ...]
    evidence: tuple[str, ...]
    switch: bool = False


@dataclass(frozen=True)
class DialogResult:
    did: str
    switch: bool
    rank: int | None  # of the first chunk holding the evidence, None = not in the top K
    first: bool  # the answer was found and its first sentence holds the evidence
    same_as_alone: bool  # the answer is the one the last question gets alone


def load_dialogs(path: Path) -> list[Dialog]:
    """Parse dialogs.jsonl; every bad line is named, all at once."""
    if not path.is_file():
        raise DatasetError(path, [f"no {DIALOGS_FILE} (needed by --dialogs)"])
    dialogs, problems, seen = [], [], set()
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                dialog = _parse(line, lineno)
            except ValueError as exc:
                problems.append(f"line {lineno}: {exc}")
                continue
            if dialog.did in seen:
                problems.append(f"line {lineno}: id {dialog.did!r} used twice")
            seen.add(dialog.did)
            dialogs.append(dialog)
    if not dialogs and not problems:
        problems.append("no dialogs")
    if problems:
        raise DatasetError(path, problems)
    return dialogs


def _parse(line: str, lineno: int) -> Dialog:
    data = json_object(line)
    turns, evidence = data.get("turns"), data.get("evidence")
    if (
        not isinstance(turns, list)
        or len(turns) < 2
        or not all(isinstance(t, str) and t.strip() for t in turns)
    ):
        raise ValueError('"turns" must list at least two questions')
    if (
        not isinstance(evidence, list)
        or not evidence
        or not all(isinstance(e, str) and e.strip() for e in evidence)
    ):
        raise ValueError('"evidence" must list the phrases of the last turn\'s gold')
    switch = data.get("switch", False)
    if not isinstance(switch, bool):
        raise ValueError('"switch" must be true or false')
    lang = data.get("lang")
    if not isinstance(lang, str) or not lang.strip():
        raise ValueError('"lang" missing or empty')
    return Dialog(lineno, str(data.get("id", lineno)), lang, tuple(turns), tuple(evidence), switch)


def evaluate_dialogs(
    dialogs: Sequence[Dialog], service: PolyqaService, progress: bool = True
) -> list[DialogResult]:
    bar = tqdm(dialogs, desc="dialogs", unit="d", file=sys.stderr, disable=not progress)
    return [_score(d, service) for d in bar]


def _score(d: Dialog, service: PolyqaService) -> DialogResult:
    history, last = list(d.turns[:-1]), d.turns[-1]
    try:
        hits = service.search(last, K, history=history)
        resolved = service.resolve(last, history=history)
    except QuestionError:
        return DialogResult(d.did, d.switch, None, False, False)
    ranked = [(h.chunk.doc_id, h.chunk.text) for h in hits]
    rank = first_relevant(ranked, frozenset(), d.evidence)
    evidence = resolved.evidence
    forced = service.compose(evidence, force=True)
    sentences = [s.text for s in forced.sentences]
    first = evidence.found and bool(sentences) and evidence_match(sentences[0], d.evidence)
    alone = service.ask(last)
    said = service.ask(last, history=history)
    return DialogResult(d.did, d.switch, rank, first, said.answer == alone.answer)


def dialog_metrics(results: Sequence[DialogResult]) -> dict[str, Any]:
    """hit@1, hit@5, answer@1 and n of the follow-ups, and the same under ``switch``."""
    follow = [r for r in results if not r.switch]
    switch = [r for r in results if r.switch]
    return {
        **_rates(follow),
        "switch": {
            **_rates(switch),
            "same_as_alone": _share(sum(r.same_as_alone for r in switch), len(switch)),
        },
        "failed": [r.did for r in follow if not r.first],
    }


def _rates(results: Sequence[DialogResult]) -> dict[str, Any]:
    n = len(results)
    return {
        "n": n,
        "hit@1": _share(sum(r.rank is not None and r.rank <= 1 for r in results), n),
        "hit@5": _share(sum(r.rank is not None and r.rank <= 5 for r in results), n),
        "answer@1": _share(sum(r.first for r in results), n),
    }


def _share(count: int, n: int) -> float:
    return round(count / n, 4) if n else 0.0
