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
