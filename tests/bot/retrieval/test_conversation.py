"""Follow-ups on small documents made here, with the real model and index: the subject
carried over, the passage of the earlier topic found, a new subject left alone, and no
history giving exactly today's answer."""

from __future__ import annotations

import pytest

from bot.answers import phrases
from bot.retrieval.conversation import TopicRetriever, subject_of, words
from bot.service import Exchange, PolyqaService
from bot.settings import load_settings
from index.embedder import SentenceTransformerEmbedder

# Two made-up machines described alike, so "Who designed it?" alone cannot tell them apart,
# and a German text on another subject.
DOCS = {
    "kestrel.txt": (
        "The Kestrel press\n\n"
        "The Kestrel press is a hydraulic machine that shapes copper sheets for roofs. "
        "It was designed in 1961 by the engineer Ilse Morrow in a small workshop near the "
        "harbour. The press works in two modes. Its second mode cuts the copper sheets into "
        "narrow strips for gutters.\n"
    ),
    "orrin.txt": (
        "The Orrin kiln\n\n"
        "The Orrin kiln is a tall furnace that fires clay tiles for floors. It was designed "
        "in 1974 by the engineer Tomas Grell after a fire destroyed the old kiln. The kiln "
        "works in two modes. Its second mode glazes the fired tiles with a coat of wood ash.\n"
    ),
    "hafen.txt": (
        "Der Hafen von Varnholt\n\n"
        "Der Hafen von Varnholt liegt an der Mündung des Flusses Emmer und wurde im Jahr "
        "1820 angelegt. Jedes Jahr legen dort etwa dreihundert Schiffe an, die vor allem "
        "Holz und Getreide bringen. Der Leuchtturm am Hafen ist seit 1952 außer Betrieb.\n"
    ),
}


@pytest.fixture(scope="module")
def service(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> PolyqaService:
    root = tmp_path_factory.mktemp("conversation")
    docs = root / "docs"
    docs.mkdir()
    for name, text in DOCS.items():
        (docs / name).write_text(text, encoding="utf-8")
    settings = load_settings(data_dir=root / "data", index_dir=root / "index")
    svc = PolyqaService(settings, embedder=embedder)
    svc.index([docs])
    return svc


def _first(answer_text: str, note: bool) -> str:
    lines = answer_text.splitlines()
    return lines[1] if note else lines[0]


def test_words_are_cut_in_every_script() -> None:
    text = "What is the «Kestrel-press»? 凱斯特爾壓機是什麼？ केस्ट्रेल प्रेस क्या है?"
    found = [text[s:e] for s, e in words(text)]
    assert found[:4] == ["What", "is", "the", "Kestrel-press"]
    assert "क्या" in found and "केस्ट्रेल" in found  # vowel signs stay inside their word
    assert all(len(w) < 6 for w in found if "\u4e00" <= w[0] <= "\u9fff")  # Han cut into words
    assert not any(c in w for w in found for c in "«»?？")


def test_the_subject_is_what_the_question_is_about(embedder: SentenceTransformerEmbedder) -> None:
    assert "Orrin" in subject_of("What is the Orrin kiln?", embedder)
    assert "Kestrel" in subject_of("Was ist die Kestrel-Presse?", embedder)
    assert subject_of("Kestrel", embedder) == "Kestrel"


@pytest.mark.parametrize(
    ("earlier", "engineer", "other"),
    [("What is the Kestrel press?", "Ilse Morrow", "Tomas Grell"),
     ("What is the Orrin kiln?", "Tomas Grell", "Ilse Morrow")],
)  # fmt: skip
def test_a_pronoun_is_read_as_the_earlier_subject(
    service: PolyqaService, earlier: str, engineer: str, other: str
) -> None:
    answer = service.ask("Who designed it?", history=[earlier])
    assert answer.found
    first = _first(answer.answer, note=True)
    assert engineer in first and other not in first
    note = answer.answer.splitlines()[0]
    assert note == answer.notice
    assert note.startswith(phrases.t("follow_up", "en", subject="X").split("“")[0])
    assert ("Kestrel" if "Kestrel" in earlier else "Orrin") in note
    assert answer.question == "Who designed it?"


def test_the_second_of_two_is_not_the_first_again(service: PolyqaService) -> None:
    answer = service.ask("And what does its second mode do?", history=["What is the Orrin kiln?"])
    assert "glazes" in _first(answer.answer, note=True)


def test_search_after_earlier_turns_puts_their_topic_first(service: PolyqaService) -> None:
    hits = service.search("Who designed it?", k=3, history=["What is the Orrin kiln?"])
    assert hits[0].chunk.doc_id == "orrin.txt"
    assert [h.rank for h in hits] == [1, 2, 3]


def test_a_new_subject_gets_the_answer_it_gets_alone(service: PolyqaService) -> None:
    question = "Wann wurde der Hafen von Varnholt angelegt?"
    alone = service.ask(question)
    after = service.ask(question, history=["What is the Kestrel press?"])
    assert alone.found and "1820" in alone.answer
    assert after.answer == alone.answer and after.notice is None
    hits = service.search(question, k=3, history=["What is the Kestrel press?"])
    assert [h.row for h in hits] == [h.row for h in service.search(question, k=3)]


def test_no_history_is_todays_path(service: PolyqaService) -> None:
    question = "Who designed it?"
    evidence = service.evidence(question)
    assert service.resolve(question).plan is None
    assert service.resolve(question).evidence.confidence == evidence.confidence
    assert service.ask(question).answer == service.compose(evidence).answer


def test_earlier_answers_given_are_used_as_given(service: PolyqaService) -> None:
    first = service.ask("What is the Orrin kiln?")
    streamed = list(
        service.ask_stream("Who designed it?", history=[Exchange(first.question, first)])
    )
    final = streamed[-1]
    assert "".join(p for p in streamed[:-1] if isinstance(p, str)) == final.answer  # type: ignore[union-attr]
    assert "Tomas Grell" in final.answer  # type: ignore[union-attr]


def test_the_earlier_answers_passage_orders_the_follow_up_without_raising_it(
    service: PolyqaService,
) -> None:
    """The passage the earlier turn was answered from leads the follow-up's candidates,
    even where the earlier question's vector points elsewhere; the relevances (what the
    confidence, and so the choice to use the history, is made of) stay as they were."""
    retriever = service.retriever()
    kiln = service.search("What is the Orrin kiln?", k=1)[0].row
    topic = service.evidence("Wann wurde der Hafen von Varnholt angelegt?").qvec
    plain = TopicRetriever(retriever, topic).search("Who designed it?", k=3)
    anchored = TopicRetriever(retriever, topic, rows=[kiln]).search("Who designed it?", k=3)
    assert plain[0].row != kiln
    assert anchored[0].row == kiln
    assert sorted(h.relevance for h in anchored) == sorted(h.relevance for h in plain)
