"""The question's focus: what it asks about the topic its candidate sentences share."""

from __future__ import annotations

import pytest

import bot.answers.focus as focus_module
from bot.answers.focus import focus_bonus, focus_of

PORT = [
    "The harbourmaster is the most senior official of the port.",
    "The harbourmaster keeps the register of every ship.",
    "Pilots guide the larger ships into the harbour.",
]


def test_the_word_most_candidates_share_is_left_out() -> None:
    focus = focus_of("To whom does the harbourmaster report?", PORT)
    assert focus is not None
    assert "harbourmaster" not in focus and "report" in focus and "whom" in focus


def test_a_question_sharing_no_word_with_most_candidates_has_no_focus() -> None:
    assert focus_of("Wem berichtet der Hafenmeister?", PORT) is None


def test_a_word_is_looked_for_only_in_candidates_of_its_script() -> None:
    """A Latin acronym inside Chinese sentences is shared; the Hindi sentence, which
    cannot contain it, does not dilute the share."""
    texts = ["港務局(IMO)負責港口安全。", "IMO每年發布報告。", "बंदरगाह बड़ा है।"]
    focus = focus_of("Who chairs the IMO?", texts)
    assert focus is not None and "IMO" not in focus and "chairs" in focus


def test_a_question_made_only_of_shared_words_has_no_focus() -> None:
    assert focus_of("harbourmaster?", PORT) is None


def test_a_focus_that_only_drops_function_words_changes_nothing(embedder) -> None:  # type: ignore[no-untyped-def]
    """Every sentence has "it" in it: "Who designed?" says what "Who designed it?" says
    (cosine >= FOCUS_SAME), and scoring it again would only count the question twice."""
    texts = ["It was designed in 1961.", "It shapes copper sheets.", "It works in two modes."]
    qvec = embedder.embed_queries(["Who designed it?"])[0]
    vecs = embedder.embed_passages(texts)
    embed = lambda text: embedder.embed_queries([text])[0]  # noqa: E731
    assert focus_of("Who designed it?", texts) is not None
    assert not focus_bonus("Who designed it?", qvec, texts, vecs, embed).any()


def test_the_answer_beats_the_sentence_that_only_names_the_topic(
    composer_over, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Every sentence names the harbourmaster; the question's vector is mostly that name,
    so without the focus the sentence that says most about the harbourmaster in general
    is quoted, and as found."""
    text = (
        "The harbourmaster is the most senior official of the port and is responsible for "
        "its management. The harbourmaster also keeps the register of every ship that "
        "enters the port. The harbourmaster makes sure that the radio channels of the port "
        "are properly maintained and staffed day and night. The harbourmaster reports to "
        "the city council once a year."
    )
    composer = composer_over({"en/port.txt": text})
    question = "To whom does the harbourmaster report?"
    answer = composer.answer(question)
    assert answer.found and "city council" in answer.sentences[0].text
    monkeypatch.setattr(focus_module, "FOCUS_WEIGHT", 0.0)
    unfocused = composer.answer(question)
    assert "city council" not in unfocused.sentences[0].text
