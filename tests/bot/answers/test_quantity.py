"""Quantity questions: asked how much or how many, the answer must state a number."""

from __future__ import annotations

import pytest

from bot.answers.quantity import asks_amount, asks_quantity, states_quantity

ASKS = [
    ("en", "How many ferries leave each morning?"),
    ("de", "Wie viel verdient eine Hafenmeisterin?"),
    ("de", "Wie hoch sind die Hafengebühren?"),
    ("es", "¿Cuántos barcos entran al día?"),
    ("fr", "Combien de navires entrent chaque jour ?"),
    ("tr", "Limana günde kaç gemi girer?"),
    ("ru", "Сколько судов заходит в порт?"),
    ("hi", "बंदरगाह में कितने जहाज आते हैं?"),
    ("zh", "每天有多少艘船進港？"),
    ("ja", "港には何人の職員がいますか？"),
    ("ko", "항구에 배가 몇 척 있습니까?"),
]
DOES_NOT_ASK = [
    ("en", "Who decides which ships may enter the port?"),
    ("en", "Why is the harbour closed in winter?"),
    ("de", "Wer entscheidet, welche Schiffe einlaufen dürfen?"),
    ("es", "¿Quién decide qué barcos entran?"),
    ("tr", "Limana hangi gemiler girebilir?"),
    ("zh", "誰決定哪些船可以進港？"),
    ("sw", "Meli ngapi zinaingia bandarini?"),  # no interrogatives for this language
]


@pytest.mark.parametrize(("lang", "question"), ASKS)
def test_a_question_asking_how_much_or_how_many_is_recognised(lang: str, question: str) -> None:
    assert asks_quantity(question, lang)


@pytest.mark.parametrize(("lang", "question"), DOES_NOT_ASK)
def test_other_questions_are_not_quantity_questions(lang: str, question: str) -> None:
    assert not asks_quantity(question, lang)


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("en", "The port has 14 tugboats."),
        ("en", "The port has four tugboats."),
        ("en", "Thousands of ships enter it every year."),
        ("de", "Der Hafen hat vier Schlepper."),
        ("tr", "Limanda dört römorkör var."),
        ("tr", "Gemilerin üçte biri kışın limanda kalır."),  # a number with a case ending
        ("hi", "बंदरगाह में ४ टगबोट हैं।"),  # Devanagari digits
        ("zh", "港口有四艘拖船。"),  # a CJK numeral
        ("ar", "يوجد في الميناء ٤ قاطرات."),  # Arabic-Indic digits
    ],
)
def test_a_number_in_any_script_or_words_is_a_quantity(lang: str, sentence: str) -> None:
    assert states_quantity(sentence, lang)


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("en", "The harbour master decides which ships may enter the port."),
        ("de", "Die Hafenmeisterin entscheidet, welche Schiffe einlaufen dürfen."),
        ("zh", "港務長決定哪些船可以進港。"),
    ],
)
def test_a_sentence_without_a_number_states_no_quantity(lang: str, sentence: str) -> None:
    assert not states_quantity(sentence, lang)


@pytest.mark.parametrize(
    ("lang", "question", "amount"),
    [
        ("en", "How much does a ferry ticket cost?", True),
        ("en", "How many ferries leave each morning?", False),
        ("de", "Wie hoch sind die Hafengebühren?", True),
        ("de", "Wie viele Schiffe laufen täglich ein?", False),
        ("tr", "Bilet ne kadar?", True),
        ("tr", "Limana günde kaç gemi girer?", False),
        ("ja", "切符はいくらですか？", True),
        ("fr", "Combien coûte un billet ?", False),  # one word for both: read as a count
    ],
)
def test_an_amount_is_told_from_a_count(lang: str, question: str, amount: bool) -> None:
    assert asks_quantity(question, lang)
    assert asks_amount(question, lang) is amount


@pytest.mark.parametrize(
    ("lang", "sentence", "amount"),
    [
        ("en", "A ticket costs 12 euros.", True),
        ("en", "The new quay cost two million euros.", True),
        ("en", "The port has two ticket offices.", False),  # a count, not an amount
        ("de", "Es gibt zwei Arten von Gebühren.", False),
        ("zh", "船票三百元。", True),  # a CJK numeral of a hundred
        ("zh", "港口有兩個售票處。", False),
    ],
)
def test_an_amount_needs_a_figure_or_a_large_unit(lang: str, sentence: str, amount: bool) -> None:
    assert states_quantity(sentence, lang)
    assert states_quantity(sentence, lang, amount=True) is amount


def test_the_numeral_one_is_an_article_not_a_number() -> None:
    """一 and 壹 are read like "one" and "ein": as often "a" as a count."""
    assert not states_quantity("這是一種新型的港口管理方式。", "zh")
    assert not states_quantity("這是壹種新型的港口管理方式。", "zh")
    assert states_quantity("港口有1個售票處。", "zh")  # the digit one is a figure


def test_a_language_without_number_words_is_never_refused() -> None:
    """Hindi number words are not known (num2words does not spell Hindi): a Hindi
    sentence is taken to state a quantity rather than refused unread."""
    assert states_quantity("बंदरगाह में चार टगबोट हैं।", "hi")


def test_a_quantity_the_text_does_not_state_is_not_found(composer_over) -> None:  # type: ignore[no-untyped-def]
    """Every sentence is on the topic of ferries; only one states how many: asked how
    many ferries there are it is quoted, asked how much a ticket costs nothing is."""
    text = (
        "The island is served by ferries from the mainland port. "
        "Three ferries cross the strait every morning in summer. "
        "Tickets are sold at the harbour office and on board the ferry. "
        "The crossing is cancelled when the wind is too strong for the ships."
    )
    composer = composer_over({"en/ferry.txt": text})
    counted = composer.answer("How many ferries cross the strait every morning?")
    assert counted.found and "Three ferries" in counted.answer
    priced = composer.answer("How much is a ferry ticket?")
    assert not priced.found
    assert priced.citations  # the nearest passages, to check for oneself


def test_a_count_on_the_topic_does_not_answer_how_much(composer_over) -> None:  # type: ignore[no-untyped-def]
    """The text counts the kinds of ticket but prices none: asked how many kinds it
    answers; asked how much a ticket costs, the sentence it would quote ("two kinds") is
    a count, not a price, and it says not found."""
    text = (
        "The island is served by ferries from the mainland port. "
        "Ferry tickets come in two kinds, single and return tickets. "
        "Tickets are sold at the harbour office and on board the ferry."
    )
    composer = composer_over({"en/tickets.txt": text})
    counted = composer.answer("How many kinds of ferry tickets are there?")
    assert counted.found and "two kinds" in counted.answer
    priced = composer.answer("How much does a ferry ticket cost?")
    assert not priced.found


def test_the_number_must_be_in_the_sentence_the_answer_leads_with(composer_over) -> None:  # type: ignore[no-untyped-def]
    """The keeper's age is nowhere in the text; a sentence about the keeper leads, and a
    number further down the quoted sentences ("two lamps") does not answer how old he
    is: the confidence is the lead's, so the lead must state it."""
    text = (
        "The lighthouse keeper looks after the lighthouse on the northern cape. "
        "The lighthouse keeper lives in the cottage beside the lighthouse. "
        "The keeper of the lighthouse tends its two lamps and keeps the log. "
        "Ships passing the cape are counted by the keeper."
    )
    composer = composer_over({"en/lighthouse.txt": text})
    ev = composer.retrieve("How old is the lighthouse keeper?")
    quoted = [ev.ranked.cands[i].text for i in composer._pick(ev.ranked, "en")]
    assert "two lamps" not in quoted[0] and any("two lamps" in s for s in quoted[1:])
    assert not composer.compose(ev).found
