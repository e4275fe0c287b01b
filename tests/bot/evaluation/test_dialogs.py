"""`polyqa eval --dialogs` on a dataset made here: the follow-up and the switch scored
apart, with the real model; bad lines named with their number."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.errors import DatasetError
from bot.evaluation.dialogs import DialogResult, dialog_metrics, load_dialogs
from bot.evaluation.run import run_eval
from bot.service import PolyqaService
from bot.settings import Settings

DOCS = {
    "docs/kestrel.txt": "The Kestrel press\n\nThe Kestrel press is a hydraulic machine that "
    "shapes copper sheets for roofs. It was designed in 1961 by the engineer Ilse Morrow in "
    "a small workshop near the harbour.",
    "docs/orrin.txt": "The Orrin kiln\n\nThe Orrin kiln is a tall furnace that fires clay "
    "tiles for floors. It was designed in 1974 by the engineer Tomas Grell after a fire "
    "destroyed the old kiln.",
    "docs/hafen.txt": "Der Hafen von Varnholt\n\nDer Hafen von Varnholt liegt an der Mündung "
    "des Flusses Emmer und wurde im Jahr 1820 angelegt. Jedes Jahr legen dort etwa "
    "dreihundert Schiffe an.",
}
QUESTIONS = [{"id": "q1", "lang": "en", "question": "Who designed the Orrin kiln?",
              "evidence": ["Tomas Grell"]}]  # fmt: skip
DIALOGS = [
    {"id": "f1", "lang": "en", "turns": ["What is the Orrin kiln?", "Who designed it?"],
     "evidence": ["Tomas Grell"]},
    {"id": "s1", "lang": "de", "switch": True,
     "turns": ["What is the Kestrel press?", "Wann wurde der Hafen von Varnholt angelegt?"],
     "evidence": ["1820 angelegt"]},
]  # fmt: skip


def _write(root: Path, dialogs: list[str]) -> Path:
    for rel, text in DOCS.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text + "\n", encoding="utf-8")
    (root / "questions.jsonl").write_text(
        "\n".join(json.dumps(q) for q in QUESTIONS) + "\n", encoding="utf-8"
    )
    (root / "dialogs.jsonl").write_text("\n".join(dialogs) + "\n", encoding="utf-8")
    return root


def test_dialogs_are_scored_on_their_last_turn(
    tmp_path: Path, embedder: Any, model_cache_dir: Path
) -> None:
    dataset = _write(tmp_path / "set", [json.dumps(d, ensure_ascii=False) for d in DIALOGS])
    settings = Settings(data_dir=tmp_path / "data", cache_dir=model_cache_dir, index_dir=None)
    service = PolyqaService(settings, embedder=embedder)
    report = run_eval(service, dataset, progress=False, dialogs=True)
    d = report["dialogs"]
    assert {k: d[k] for k in ("n", "hit@1", "hit@5", "answer@1")} == {
        "n": 1, "hit@1": 1.0, "hit@5": 1.0, "answer@1": 1.0,
    }  # fmt: skip
    assert d["switch"] == {"n": 1, "hit@1": 1.0, "hit@5": 1.0, "answer@1": 1.0,
                           "same_as_alone": 1.0}  # fmt: skip
    assert report["questions"] == 1  # the questions are still measured


def test_dialog_metrics_count_follow_ups_and_switches_apart() -> None:
    results = [
        DialogResult("a", False, 1, True, False),
        DialogResult("b", False, 4, False, True),
        DialogResult("c", False, None, False, True),
        DialogResult("s", True, 2, True, True),
    ]
    m = dialog_metrics(results)
    assert (m["n"], m["hit@1"], m["hit@5"], m["answer@1"]) == (3, 0.3333, 0.6667, 0.3333)
    assert m["switch"] == {"n": 1, "hit@1": 0.0, "hit@5": 1.0, "answer@1": 1.0,
                           "same_as_alone": 1.0}  # fmt: skip
    assert m["failed"] == ["b", "c"]


@pytest.mark.parametrize(
    ("line", "problem"),
    [("{not json", "malformed JSON"),
     ('{"id": "x", "lang": "en", "turns": ["only one"], "evidence": ["a"]}', "at least two"),
     ('{"id": "x", "lang": "en", "turns": ["a?", "b?"]}', '"evidence"'),
     ('{"id": "x", "lang": "en", "turns": ["a?", "b?"], "evidence": ["e"], "switch": "yes"}',
      '"switch"')],
)  # fmt: skip
def test_bad_dialog_lines_are_named(tmp_path: Path, line: str, problem: str) -> None:
    good = json.dumps(DIALOGS[0])
    path = _write(tmp_path, [good, line]) / "dialogs.jsonl"
    with pytest.raises(DatasetError, match=rf"dialogs.jsonl: line 2: .*{problem}"):
        load_dialogs(path)


def test_a_missing_dialogs_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"no dialogs\.jsonl"):
        load_dialogs(tmp_path / "dialogs.jsonl")
