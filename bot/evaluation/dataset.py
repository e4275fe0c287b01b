"""A `polyqa eval` dataset: ``docs/`` and ``questions.jsonl``, read and checked.

Every bad line is named by its number, so a broken question is fixed, not silently
dropped from the score.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.errors import DatasetError

if TYPE_CHECKING:
    pass


QUESTIONS_FILE = "questions.jsonl"
DOCS_DIR = "docs"
_SHOWN_PROBLEMS = 5


@dataclass(frozen=True)
class Question:
    """One line of questions.jsonl; ``docs`` are posix paths relative to the dataset."""

    line: int
    qid: str
    lang: str
    text: str
    docs: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    # Short gold answers for `--answers`, any of them right, in any language.
    answers: tuple[str, ...] = ()
    # False: the documents do not answer it; the right answer is "not found".
    answerable: bool = True


@dataclass(frozen=True)
class Dataset:
    root: Path
    questions: list[Question]

    @property
    def docs_dir(self) -> Path:
        return self.root / DOCS_DIR


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


def json_object(line: str) -> dict[str, Any]:
    """A JSONL line's object; ValueError says what is wrong with it."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"malformed JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def parse_question(line: str, lineno: int, root: Path) -> Question:
    """One question line; ValueError says what is wrong with it."""
    data = json_object(line)
    qid, lang, text = data.get("id"), data.get("lang"), data.get("question")
    if not isinstance(qid, str | int) or isinstance(qid, bool) or str(qid) == "":
        raise ValueError('"id" missing or not a string')
    for name, value in (("lang", lang), ("question", text)):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f'"{name}" missing or empty')
    docs = _string_list(data, "docs")
    evidence = tuple(e for e in _string_list(data, "evidence") if e.strip())
    answers = _answers(data)
    answerable = data.get("answerable", True)
    if not isinstance(answerable, bool):
        raise ValueError('"answerable" must be true or false')
    if not answerable and (docs or evidence or answers):
        raise ValueError('a question with "answerable": false has no gold to give')
    if answerable and not docs and not evidence:
        raise ValueError('no gold: give "docs" and/or "evidence" (or "answerable": false)')
    return Question(
        lineno,
        str(qid),
        str(lang).strip().lower(),
        str(text),
        tuple(_gold_path(root, d) for d in docs),
        evidence,
        answers,
        answerable,
    )


def _answers(data: dict[str, Any]) -> tuple[str, ...]:
    """ "answer" as one string or a list of them (the same fact in several languages)."""
    value = data.get("answer")
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise ValueError('"answer" must be a string or a list of strings')
    return tuple(dict.fromkeys(v.strip() for v in items if v.strip()))


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
