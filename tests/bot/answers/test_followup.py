"""A follow-up's evidence (bot/answers/followup.py) over a text made in the test."""

from __future__ import annotations

import pytest

from bot.answers.confidence import GAP_WEIGHT, MIN_CONFIDENCE
from bot.answers.followup import follow_up_evidence
from bot.retrieval.conversation import Earlier, FollowUp
from tests.index.test_parallel import EN


def test_marking_down_what_was_said_keeps_the_quantity_check(composer_over) -> None:  # type: ignore[no-untyped-def]
    """ "How many?" of a text that states no number is not found; marking down the
    sentence the user was just shown moves the confidence by the gap it changes only,
    so the quantity check's penalty is not lost on the way."""
    composer = composer_over({"en/harbour.txt": EN})
    question = "How many ships does the harbour master let in?"
    plain = composer.retrieve(question)
    assert plain.ranked is not None and plain.confidence < MIN_CONFIDENCE
    lead = plain.ranked.cands[int(plain.ranked.scores.argmax())]
    earlier = Earlier(
        "Who decides which ships may enter?", "harbour master", plain.qvec,
        said=((lead.hit.chunk.doc_id, lead.start),),
    )  # fmt: skip
    plan = FollowUp(question, question, "harbour master", earlier)
    ev = follow_up_evidence(composer, plan, None, None)
    assert ev.ranked is not None and ev.ranked.gap != plain.ranked.gap  # it was marked down
    moved = GAP_WEIGHT * (ev.ranked.gap - plain.ranked.gap)
    assert ev.confidence == pytest.approx(plain.confidence + moved)
    assert not ev.found


# A port's harbourmaster described in English, and a glossary of port terms in Chinese
# that names him nowhere: a term asked in English is matched weakly across the scripts.
HARBOUR = {
    "harbour.txt": (
        "The harbourmaster of Varnholt\n\nThe harbourmaster is responsible for the safety of "
        "every ship in the port. He decides which ships may enter the harbour at night. The "
        "harbourmaster also keeps the register of all moorings. He works with the pilots, who "
        "guide large ships through the narrow channel. Every year the harbourmaster reports to "
        "the city council."
    ),
    "glossary.txt": (
        "港口術語表\n\n潮位計:\n\n潮位計是壹種測量海水高度變化的儀器,安裝在碼頭的墻上。\n\n"
        "浮標:\n\n浮標是漂浮在水面上的標志,用來指示航道的邊界和危險的淺灘。\n\n"
        "錨地:\n\n錨地是船舶在進港之前等待和拋錨的水域。\n\n"
        "引航員:\n\n引航員是熟悉本地水域的船員,負責引導大型船舶安全進出港口。"
    ),
}


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory, embedder, model_cache_dir):  # type: ignore[no-untyped-def]
    """``indexed(texts)``: the service over ``texts`` (HARBOUR, PORT), indexed once."""
    from tests.bot.answers.conftest import service_over

    built: dict[int, object] = {}

    def make(texts: dict[str, str]):  # type: ignore[no-untyped-def]
        if id(texts) not in built:
            root = tmp_path_factory.mktemp("followup")
            built[id(texts)] = service_over(root, texts, embedder, model_cache_dir)
        return built[id(texts)]

    return make


@pytest.fixture
def harbour(indexed):  # type: ignore[no-untyped-def]
    return indexed(HARBOUR)


@pytest.fixture
def port(indexed):  # type: ignore[no-untyped-def]
    return indexed(PORT)


@pytest.mark.parametrize("question", ["What is a buoy?", "What is an anchorage?"])
def test_a_new_subject_is_not_answered_with_the_old_one(harbour, question: str) -> None:  # type: ignore[no-untyped-def]
    """Read with "harbourmaster" added, the term's question finds the harbourmaster's
    moorings at a confidence above the bar and the history margin; its lead does not fit
    the question's own words, so the question gets what it gets alone."""
    history = ["What does the harbourmaster do?"]
    alone = harbour.ask(question)
    assert harbour.resolve(question, history=history).plan is None
    after = harbour.ask(question, history=history)
    assert after.answer == alone.answer and after.notice is None
    assert "moorings" not in after.answer


def test_a_follow_up_that_answers_itself_still_uses_the_earlier_turn(harbour) -> None:  # type: ignore[no-untyped-def]
    history = ["What does the harbourmaster do?"]
    resolved = harbour.resolve("Who does he report to?", history=history)
    assert resolved.plan is not None and resolved.evidence.found
    answer = harbour.compose(resolved.evidence)
    assert "city council" in answer.sentences[0].text


# The same port in English only: a term list whose entries go on after their definition.
PORT = {
    "harbour.txt": (
        "The harbour of Varnholt\n\nThe harbourmaster is responsible for the safety of every "
        "ship in the port. He decides which ships may enter the harbour at night. Every year "
        "the harbourmaster reports to the city council.\n\nThe harbour board\n\nThe goal of the "
        "harbour board is to keep the port profitable for the city. Its members meet every "
        "month in the old customs house."
    ),
    "terms.txt": (
        "Port terms\n\nTide gauge:\n\nA tide gauge is an instrument that measures the height of "
        "the sea, fixed to the wall of a quay.\n\nPilot station:\n\nA pilot station is the "
        "office that sends pilots to guide large ships into the port. Its goal is to prevent "
        "accidents in the narrow channel."
    ),
}


def test_a_follow_up_answered_from_the_passage_just_read_says_so(port) -> None:  # type: ignore[no-untyped-def]
    """The question alone finds the same sentence, nearly as surely: answered from the
    passage the earlier turn was answered from, it is a follow-up, and the answer says it
    used the earlier turn (the confidence alone would not have raised it by the margin)."""
    question, history = "What does it try to prevent?", ["What is a pilot station?"]
    resolved = port.resolve(question, history=history)
    assert resolved.plan is not None
    answer = port.ask(question, history=history)
    assert answer.notice is not None and answer.answer.startswith(answer.notice)
    assert "prevent accidents" in answer.sentences[0].text
