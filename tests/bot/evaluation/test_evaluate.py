"""`polyqa eval`: the metric functions on hand-made rankings, the dataset checks, and a
real run of the real model on a tiny dataset whose right answers are known."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.errors import DatasetError
from bot.evaluation.answers import AnswerResult, answer_metrics
from bot.evaluation.dataset import Question, load_dataset, sample_questions
from bot.evaluation.metrics import (
    QuestionResult,
    aggregate,
    evidence_match,
    first_relevant,
    language_matrix,
    rank_metrics,
    score_question,
)
from bot.evaluation.run import run_eval
from bot.retrieval.retriever import Pool
from bot.service import PolyqaService
from bot.settings import Settings

# --------------------------------------------------------------------------- tiny dataset

DOCS = {
    "docs/en/volcano.txt": (
        "Eyjafjallajökull is a volcano in the south of Iceland. In April 2010 it erupted "
        "and threw a huge cloud of ash into the sky. For six days most flights over "
        "northern Europe were cancelled, and millions of travellers were stranded at "
        "airports. Volcanologists measured the ash plume at nine kilometres in height."
    ),
    "docs/de/bienen.txt": (
        "Die Imkerei Sonnenwabe am Bodensee in Lindau ist ein kleiner Familienbetrieb. "
        "Sie hält genau siebenundvierzig Bienenvölker und erntet jedes Jahr etwa zwei "
        "Tonnen Honig. Im Frühling wandern die Bienen zu den blühenden Obstgärten, im "
        "Sommer stehen die Kästen am Waldrand. Die Imkerin verkauft den Honig auf dem "
        "Wochenmarkt und erklärt den Kindern, wie ein Bienenstaat funktioniert."
    ),
    "docs/zh/tea.txt": (
        "普洱茶（Pu'er）产于中国西南部的云南省（Yunnan）。茶农在海拔一千多米的山坡上种植大叶种茶树。"
        "采摘后的茶叶经过杀青、揉捻和晒干，再压制成茶饼。普洱茶可以存放很多年，"
        "存放越久，味道越醇厚。"
    ),
    "docs/hi/cricket.txt": (
        "क्रिकेट भारत का सबसे लोकप्रिय खेल है। एक टीम में ग्यारह खिलाड़ी होते हैं। "
        "बल्लेबाज़ गेंद को मारकर रन बनाता है और गेंदबाज़ उसे आउट करने की कोशिश करता है। "
        "भारत ने साल दो हज़ार ग्यारह में विश्व कप जीता था।"
    ),
    "docs/tr/vapur.txt": (
        "İstanbul vapurları her gün binlerce yolcuyu Avrupa yakasından Asya yakasına "
        "taşır. Kadıköy ile Karaköy arasındaki sefer yaklaşık yirmi dakika sürer. "
        "Yolcular yolculuk sırasında çay içer ve martılara simit atar. Vapurlar "
        "şehrin en eski ve en sevilen ulaşım araçlarından biridir."
    ),
}

QUESTIONS: list[dict[str, Any]] = [
    # Only gold is in the question's own language: found, but never cross-language.
    {
        "id": "en-volcano",
        "answer": "Eyjafjallajökull",
        "lang": "en",
        "docs": ["docs/en/volcano.txt"],
        "question": "Which volcano in Iceland erupted in 2010 and stopped flights in Europe?",
    },
    # The fact exists only in German: found in English and in Hindi, with or without
    # the question's language in the pool.
    {
        "id": "en-bees",
        "answer": "siebenundvierzig",
        "lang": "en",
        "docs": ["docs/de/bienen.txt"],
        "question": "How many bee colonies does the Sonnenwabe apiary in Lindau keep?",
    },
    {
        "id": "hi-bees",
        "answer": "siebenundvierzig",
        "lang": "hi",
        "docs": ["docs/de/bienen.txt"],
        "question": "लिंडाउ में सोनेनवाबे मधुमक्खी पालन केंद्र कितनी मधुमक्खी कॉलोनियाँ रखता है?",
    },
    {
        "id": "de-tea",
        "answer": "普洱茶",
        "lang": "de",
        "docs": ["docs/zh/tea.txt"],
        "question": "Welcher Tee wird in der Provinz Yunnan in China auf Berghängen angebaut?",
    },
    {
        "id": "zh-cricket",
        "answer": "ग्यारह",
        "lang": "zh",
        "docs": ["docs/hi/cricket.txt"],
        "question": "板球队有多少名球员？印度哪一年赢得了世界杯？",
    },
    # Evidence gold: a phrase of the Turkish text, asked in English.
    {
        "id": "en-ferry",
        "answer": ["yirmi dakika", "twenty minutes"],  # any of them, in any language
        "lang": "en",
        "evidence": ["Kadıköy ile Karaköy"],
        "question": "How long does the ferry from Kadikoy to Karakoy take in Istanbul?",
    },
    # Nothing in the five texts answers it: the right answer is "not found".
    {
        "id": "en-unanswerable",
        "answerable": False,
        "lang": "en",
        "question": "What is the best recipe for a chocolate birthday cake?",
    },
]


def write_dataset(
    root: Path, questions: list[dict[str, Any]] | None = None, extra_lines: Sequence[str] = ()
) -> Path:
    for rel, text in DOCS.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text + "\n", encoding="utf-8")
    lines = [json.dumps(q, ensure_ascii=False) for q in (questions or QUESTIONS)]
    (root / "questions.jsonl").write_text("\n".join([*lines, *extra_lines]) + "\n", "utf-8")
    return root


def settings_for(tmp_path: Path, cache_dir: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", cache_dir=cache_dir, index_dir=None)


@pytest.fixture(scope="module")
def real_run(
    tmp_path_factory: pytest.TempPathFactory, embedder: Any, model_cache_dir: Path
) -> tuple[dict[str, Any], PolyqaService, Path]:
    tmp = tmp_path_factory.mktemp("eval")
    dataset = write_dataset(tmp / "tiny")
    service = PolyqaService(settings_for(tmp, model_cache_dir), embedder=embedder)
    return run_eval(service, dataset, progress=False, answers=True), service, dataset


# --------------------------------------------------------------------------- real model


def test_tiny_dataset_overall_numbers(real_run: tuple[dict[str, Any], PolyqaService, Path]) -> None:
    report, _, _ = real_run
    assert report["questions"] == 6  # retrieval is measured on the answerable ones
    assert report["unanswerable"] == 1
    assert report["n"] == 6
    # Five texts on five unrelated topics: every question's answer ranks first.
    assert report["hit@1"] == report["hit@5"] == report["hit@10"] == report["mrr@10"] == 1.0
    # Only en-volcano loses its answer when its own language is out of the pool.
    assert report["xhit@1"] == report["xhit@10"] == report["xmrr@10"] == round(5 / 6, 4)
    assert report["index"]["documents"] == 5
    assert report["index"]["cached"] is False
    assert report["index"]["embedded_chunks"] == report["index"]["chunks"]
    assert report["lang_mismatches"] == []
    assert set(report["latency_ms"]) >= {"p50", "p95"}


def test_tiny_dataset_by_language(real_run: tuple[dict[str, Any], PolyqaService, Path]) -> None:
    by_lang = real_run[0]["by_lang"]
    assert sorted(by_lang) == ["de", "en", "hi", "zh"]
    assert by_lang["en"]["n"] == 3
    assert by_lang["en"]["hit@1"] == 1.0
    assert by_lang["en"]["xhit@1"] == round(2 / 3, 4)  # en-bees and en-ferry, not en-volcano
    for lang in ("de", "hi", "zh"):  # each asks about a document in another language
        assert by_lang[lang]["n"] == 1
        assert by_lang[lang]["hit@1"] == by_lang[lang]["xhit@1"] == 1.0


def test_tiny_dataset_answers(real_run: tuple[dict[str, Any], PolyqaService, Path]) -> None:
    answers = real_run[0]["answers"]
    assert (answers["n"], answers["unanswerable"]) == (6, 1)
    assert sorted(answers["by_lang"]) == ["de", "en", "hi", "zh"]
    # The tea, volcano and ferry facts are one sentence each, named in the question.
    de = answers["by_lang"]["de"]
    assert (de["n"], de["answer@1"], de["answer@any"], de["misanswered"]) == (1, 1.0, 1.0, 0.0)
    assert answers["answer@1"] >= 0.5
    assert answers["answer@1"] <= answers["answer@any"] <= answers["answered"]
    # An answer found either holds a gold answer or is misanswered.
    assert answers["misanswered"] == pytest.approx(answers["answered"] - answers["answer@any"])
    assert answers["refused"] == answers["by_lang"]["en"]["refused"] == 1.0  # the cake
    table = answers["thresholds"]
    assert table and table[0]["answered"] == 1.0  # the lowest bar answers everything
    assert [t["answered"] for t in table] == sorted((t["answered"] for t in table), reverse=True)
    assert table[-1]["answered"] > 0  # the highest bar is the best question's confidence


def test_answer_metrics_exact_values() -> None:
    results = [
        AnswerResult("a", "en", True, True, True, True, 5.0, True),
        AnswerResult("b", "en", True, True, False, True, 4.0, False),
        AnswerResult("c", "en", True, False, confidence=1.0, right_if_answered=True),
        AnswerResult("d", "de", True, True, False, False, 3.5, False),  # misanswered
        AnswerResult("u", "de", False, False, confidence=2.0),  # refused
        AnswerResult("v", "de", False, True, confidence=3.0),  # answered: wrong
    ]
    m = answer_metrics(results)
    assert (m["n"], m["unanswerable"]) == (4, 2)
    assert (m["answer@1"], m["answer@any"], m["answered"]) == (0.25, 0.5, 0.75)
    assert (m["misanswered"], m["refused"]) == (0.25, 0.5)
    en, de = m["by_lang"]["en"], m["by_lang"]["de"]
    assert (en["n"], en["answer@1"], en["answer@any"], en["answered"]) == (
        3,
        0.3333,
        0.6667,
        0.6667,
    )
    assert (de["n"], de["misanswered"], de["unanswerable"], de["refused"]) == (1, 1.0, 2, 0.5)
    bars = {t["threshold"]: (t["answered"], t["right"]) for t in m["thresholds"]}
    assert bars[1.0] == (1.0, round(2 / 6, 4))  # all six; a and c would be right
    assert bars[3.0] == (round(4 / 6, 4), 0.25)  # a, b, d, v: only a
    assert bars[4.5] == (round(1 / 6, 4), 1.0)
    assert bars[5.0] == (round(1 / 6, 4), 1.0)
    assert max(bars) == 5.0 and min(bars) == 1.0
    assert answer_metrics([])["answer@1"] == 0.0
    assert evidence_match("Sie hält genau  Siebenundvierzig Völker.", ["siebenundvierzig völker"])
    assert not evidence_match("Sie hält 47 Völker.", ["siebenundvierzig"])


def test_tiny_dataset_language_matrix(real_run: tuple[dict[str, Any], PolyqaService, Path]) -> None:
    # Evidence-only questions (en-ferry) have no gold document and are not in the matrix.
    assert real_run[0]["matrix"] == {
        "de": {"zh": 1.0},
        "en": {"de": 1.0, "en": 1.0},
        "hi": {"de": 1.0},
        "zh": {"hi": 1.0},
    }


def test_excluded_languages_never_reach_the_results(
    real_run: tuple[dict[str, Any], PolyqaService, Path],
) -> None:
    _, service, dataset = real_run
    eval_service = PolyqaService(
        service.settings.model_copy(update={"index_dir": Path(real_run[0]["index"]["dir"])}),
        embedder=service.embedder,
    )
    retriever = eval_service.retriever()
    doc_lang = {d.doc_id: d.lang for d in retriever.stored.documents.values()}
    assert sorted(set(doc_lang.values())) == ["de", "en", "hi", "tr", "zh"]
    for q in load_dataset(dataset).questions:
        hits = retriever.search(q.text, 10, Pool(exclude_langs=frozenset({q.lang})))
        assert hits, q.qid
        assert all(doc_lang[h.chunk.doc_id] != q.lang for h in hits), q.qid
        # The selector restricts the scan: every allowed chunk is still returned.
        allowed = [c for c in retriever.stored.chunks if doc_lang[c.doc_id] != q.lang]
        assert len(hits) == min(10, len(allowed))


def test_second_run_reuses_the_index(
    real_run: tuple[dict[str, Any], PolyqaService, Path],
) -> None:
    _, service, dataset = real_run
    again = run_eval(service, dataset, limit=2, progress=False)
    assert again["index"]["cached"] is True
    assert again["index"]["embedded_chunks"] == 0
    assert again["questions"] + again["unanswerable"] == 2  # a sample of the seven


def test_cli_json_and_plot(
    real_run: tuple[dict[str, Any], PolyqaService, Path], tmp_path: Path, model_cache_dir: Path
) -> None:
    _, service, dataset = real_run
    png = tmp_path / "matrix.png"
    env = {
        "POLYQA_DATA_DIR": str(service.settings.data_dir),
        "POLYQA_CACHE_DIR": str(model_cache_dir),
        "POLYQA_CONFIG": str(tmp_path / "none.toml"),
    }
    result = CliRunner().invoke(
        cli, ["eval", str(dataset), "--json", "--limit", "3", "--plot", str(png)], env=env
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)  # progress went to stderr: stdout is only the JSON
    for key in ("hit@1", "hit@5", "hit@10", "mrr@10", "xhit@10", "by_lang", "matrix"):
        assert key in report
    assert report["questions"] + report["unanswerable"] == 3
    assert set(report["latency_ms"]) >= {"p50", "p95"}
    assert "answers" not in report  # only with --answers: it asks every question again
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    args = ["eval", str(dataset), "--quiet", "--limit", "2", "--answers"]
    table = CliRunner().invoke(cli, args, env=env)
    assert table.exit_code == 0, table.output
    assert "hit@1" in table.stdout and "query latency" in table.stdout
    assert re.search(r"answers of \d answerable and \d unanswerable questions", table.stdout)
    assert "misanswered" in table.stdout and "confidence bar" in table.stdout


# --------------------------------------------------------------------------- dataset checks


def test_malformed_json_is_reported_with_its_line(tmp_path: Path) -> None:
    dataset = write_dataset(tmp_path, QUESTIONS[:2], ['{"id": "broken", "lang": "en",'])
    with pytest.raises(DatasetError, match=r"line 3: malformed JSON"):
        load_dataset(dataset)


def test_missing_gold_path_is_reported_with_its_line(tmp_path: Path) -> None:
    bad = {"id": "x", "lang": "en", "question": "?", "docs": ["docs/en/nope.txt"]}
    dataset = write_dataset(tmp_path, [*QUESTIONS[:3], bad])
    with pytest.raises(DatasetError, match=r"line 4: gold document 'docs/en/nope.txt' does not"):
        load_dataset(dataset)


def test_answer_that_is_not_a_string_is_reported(tmp_path: Path) -> None:
    bad = {**QUESTIONS[0], "id": "n", "answer": 308}
    dataset = write_dataset(tmp_path, [QUESTIONS[0], bad])
    with pytest.raises(DatasetError, match=r'line 2: "answer" must be a string or a list'):
        load_dataset(dataset)


def test_every_bad_line_is_named(tmp_path: Path) -> None:
    lines = [
        "[1, 2]",
        json.dumps({"id": "a", "lang": "en", "question": "q"}),
        json.dumps({"id": "b", "lang": "", "question": "q", "evidence": ["x"]}),
        json.dumps(QUESTIONS[0]),
    ]
    dataset = write_dataset(tmp_path, QUESTIONS[:1], lines)
    with pytest.raises(DatasetError) as err:
        load_dataset(dataset)
    assert err.value.problems == [
        "line 2: not a JSON object",
        'line 3: no gold: give "docs" and/or "evidence" (or "answerable": false)',
        'line 4: "lang" missing or empty',
        "line 5: id 'en-volcano' already used on line 1",
    ]


def test_unanswerable_questions_carry_no_gold(tmp_path: Path) -> None:
    bad = {"id": "u", "lang": "en", "question": "?", "answerable": False, "evidence": ["x"]}
    odd = {"id": "w", "lang": "en", "question": "?", "answerable": "no"}
    dataset = write_dataset(tmp_path, QUESTIONS[:1], [json.dumps(bad), json.dumps(odd)])
    with pytest.raises(DatasetError) as err:
        load_dataset(dataset)
    assert err.value.problems == [
        'line 2: a question with "answerable": false has no gold to give',
        'line 3: "answerable" must be true or false',
    ]


def test_answers_may_be_a_list_in_several_languages(tmp_path: Path) -> None:
    q = {
        **QUESTIONS[0],
        "answer": ["Eyjafjallajökull", " ", "Eyjafjallajökull", "エイヤフィヤトラヨークトル"],
    }
    ds = load_dataset(write_dataset(tmp_path, [q]))
    assert ds.questions[0].answers == ("Eyjafjallajökull", "エイヤフィヤトラヨークトル")


def test_gold_outside_docs_is_refused(tmp_path: Path) -> None:
    dataset = write_dataset(tmp_path)
    bad = {"id": "x", "lang": "en", "question": "?", "docs": ["questions.jsonl"]}
    (dataset / "questions.jsonl").write_text(json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"line 1: .* is not under docs/"):
        load_dataset(dataset)


def test_missing_docs_folder(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no docs/ folder"):
        load_dataset(tmp_path)


def test_folder_language_mismatch_is_reported(tmp_path: Path, fake_embedder: Any) -> None:
    dataset = write_dataset(tmp_path / "ds")
    (dataset / "docs/tr/misplaced.txt").write_text(DOCS["docs/de/bienen.txt"], encoding="utf-8")
    (dataset / "docs/new").mkdir()  # not a language's name: not checked
    (dataset / "docs/new/notes.txt").write_text(DOCS["docs/de/bienen.txt"] + " Ende.", "utf-8")
    service = PolyqaService(settings_for(tmp_path, tmp_path / "cache"), embedder=fake_embedder)
    report = run_eval(service, dataset, progress=False)
    assert report["lang_mismatches"] == [
        {"doc_id": "tr/misplaced.txt", "folder": "tr", "detected": "de"}
    ]


def test_gold_document_with_a_twin_maps_to_the_indexed_copy(
    tmp_path: Path, fake_embedder: Any
) -> None:
    dataset = write_dataset(tmp_path / "ds")
    (dataset / "docs/de/zz-copy.txt").write_text(DOCS["docs/de/bienen.txt"] + "\n", "utf-8")
    q = {"id": "copy", "lang": "en", "question": "bees", "docs": ["docs/de/zz-copy.txt"]}
    (dataset / "questions.jsonl").write_text(json.dumps(q) + "\n", encoding="utf-8")
    service = PolyqaService(settings_for(tmp_path, tmp_path / "cache"), embedder=fake_embedder)
    report = run_eval(service, dataset, progress=False)
    assert report["index"]["documents"] == 5  # the copy is indexed once, as de/bienen.txt
    assert report["hit@10"] == 1.0  # 5 one-chunk documents: everything is in the top 10


def test_sample_is_seeded_and_in_file_order() -> None:
    qs = [Question(i, f"q{i}", "en", "?", evidence=("x",)) for i in range(1, 51)]
    a, b = sample_questions(qs, 10, seed=3), sample_questions(qs, 10, seed=3)
    assert a == b and len(a) == 10
    assert [q.line for q in a] == sorted(q.line for q in a)
    assert sample_questions(qs, 10, seed=4) != a
    assert sample_questions(qs, None) == qs


# --------------------------------------------------------------------------- pure metrics


def test_first_relevant_by_doc_or_evidence() -> None:
    ranked = [("a", "nothing"), ("b", "The Answer is  here"), ("c", "x")]
    assert first_relevant(ranked, frozenset({"c"}), ()) == 3
    assert first_relevant(ranked, frozenset(), ("answer is here",)) == 2
    assert first_relevant(ranked, frozenset({"c"}), ("answer",)) == 2  # either kind of gold
    assert first_relevant(ranked, frozenset({"zz"}), ()) is None
    assert first_relevant(ranked, frozenset({"c"}), (), k=2) is None
    assert evidence_match("İstanbul\nvapuru", ["istanbul vapuru"]) is False  # İ casefolds to i̇
    assert evidence_match("Kadıköy  ile\nKaraköy", ["kadıköy ile karaköy"]) is True


def test_rank_metrics_exact_values() -> None:
    ranks = [1, 3, None, 10, 11]
    m = rank_metrics(ranks)
    assert m == {
        "hit@1": 1 / 5,
        "hit@5": 2 / 5,
        "hit@10": 3 / 5,
        "mrr@10": pytest.approx((1 + 1 / 3 + 1 / 10) / 5),
    }
    assert rank_metrics([], prefix="x") == {
        "xhit@1": 0.0,
        "xhit@5": 0.0,
        "xhit@10": 0.0,
        "xmrr@10": 0.0,
    }


def test_score_question_and_matrix() -> None:
    doc_lang = {"en/a": "en", "de/a": "de", "zh/a": "zh", "en/b": "en"}
    q = Question(1, "q", "en", "?", docs=("docs/en/a", "docs/de/a", "docs/zh/a"))
    gold = frozenset({"en/a", "de/a", "zh/a"})
    normal = [("en/b", "t"), ("de/a", "t"), ("en/a", "t")]
    excluded = [("zh/a", "t")]
    r = score_question(q, normal, excluded, gold, doc_lang, latency_ms=5.0)
    assert (r.rank, r.xrank) == (2, 1)
    assert r.gold_found == {"de": True, "en": True, "zh": False}
    other = QuestionResult("q2", "de", None, None, {"en": False, "de": True})
    assert language_matrix([r, other]) == {
        "de": {"de": 1.0, "en": 0.0},
        "en": {"de": 1.0, "en": 1.0, "zh": 0.0},
    }


def test_aggregate_overall_and_by_language() -> None:
    results = [
        QuestionResult("1", "en", 1, None, {}, 10.0),
        QuestionResult("2", "en", 2, 2, {}, 20.0),
        QuestionResult("3", "de", None, 4, {}, 30.0),
        QuestionResult("4", "de", 7, 1, {}, 40.0),
    ]
    report = aggregate(results)
    assert report["n"] == 4
    assert report["hit@1"] == 0.25
    assert report["hit@5"] == 0.5
    assert report["hit@10"] == 0.75
    assert report["mrr@10"] == round((1 + 1 / 2 + 1 / 7) / 4, 4)
    assert report["xhit@1"] == 0.25
    assert report["xhit@5"] == 0.75
    assert report["xmrr@10"] == round((1 / 2 + 1 / 4 + 1) / 4, 4)
    assert report["by_lang"]["en"] == {
        "n": 2,
        "hit@1": 0.5,
        "hit@5": 1.0,
        "hit@10": 1.0,
        "mrr@10": 0.75,
        "xhit@1": 0.0,
        "xhit@5": 0.5,
        "xhit@10": 0.5,
        "xmrr@10": 0.25,
    }
    assert report["by_lang"]["de"]["hit@10"] == 0.5
    assert report["latency_ms"]["p50"] == 25.0
    assert report["latency_ms"]["p95"] == pytest.approx(38.5)
