"""Questions that ask for a quantity, and whether a sentence states one.

"How many notaries work in the town?" asked of a text on a notary's duties finds
sentences on the topic that fit the question well; the model's similarity cannot tell
that none of them says how many. A question asking "how much / how many / how old" is
answered by a sentence stating a number (digits in any script, CJK numerals, or a number
word of the sentence's language); when the sentence the answer would lead with states
none, the documents do not answer it, and polyqa says so instead of quoting the topic
(a number in a later quoted sentence, "these are two different roles" under "how old is
…?", is no answer: the confidence is that the first sentence answers).

The interrogatives are a short closed class in each language (one to four forms), kept
here for the languages polyqa has phrases for; a question in another language is never
treated as a quantity question. Number words come from ``num2words`` (a library that
spells numbers in 50 languages), so every language it spells is covered without a
hand-made list (Chinese and Japanese numerals are characters, found as such); a sentence
in a language it does not spell (Hindi) counts as stating a quantity, so the check never
refuses an answer it cannot read.

Two kinds of quantity are asked for. A count ("how many positions") is often spelled
("two positions"); an amount ("how much does it cost", "wie hoch sind die Gebühren") is a
measurement, written in figures or with a large unit ("3,000", "two million"), and a
small spelled number in a sentence on the topic ("these are two different roles") is a
count, not the amount asked. So where a language has an interrogative that asks for an
amount only, a sentence answers it only with a digit, or a numeral or number word of at
least a hundred. The numeral one (一, 壹) is never taken as a number, as the word
"one" is not: in Chinese and Japanese it is as often the article ("一種", "a kind").
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# How a question asks for a number, by language: whole words (a regex alternation, on
# the casefolded question), or for the languages written without spaces, substrings.
_ASKS_WORDS: dict[str, str] = {
    "en": r"how (?:much|many|old)",
    "de": r"wie ?viele?|wie hoch|wie alt",
    "fr": r"combien",
    "es": r"cu[aá]nt[oa]s?",
    "pt": r"quant[oa]s?",
    "it": r"quant[oiae]",
    "nl": r"hoeveel|hoe oud",
    "sv": r"hur (?:mycket|många|gammal)",
    "pl": r"ile|ilu",
    "ru": r"сколько",
    "uk": r"скільки",
    "tr": r"ka[çc]|ne kadar",
    "ar": r"كم|بكم",
    "fa": r"چند|چقدر",
    "hi": r"कितन[ाेी]",
    "id": r"berapa",
    "vi": r"bao nhiêu|mấy",
}
# The interrogatives among those that ask for an amount only (not a count): a sentence
# answers them with a figure or a large unit. Where one form asks both ("combien",
# "сколько", "多少"), the question is taken as a count, the lenient reading.
_AMOUNT_WORDS: dict[str, str] = {
    "en": r"how much",
    "de": r"wie ?viel|wie hoch",
    "es": r"cu[aá]nt[oa]",
    "pt": r"quant[oa]",
    "it": r"quant[oa]",
    "sv": r"hur mycket",
    "tr": r"ne kadar",
    "fa": r"چقدر",
}
_AMOUNT_SUBSTRINGS: dict[str, tuple[str, ...]] = {
    "ja": ("いくら",),
    "ko": ("얼마",),
}
_ASKS_SUBSTRINGS: dict[str, tuple[str, ...]] = {
    "zh": ("多少", "幾個", "几个", "幾歲", "几岁", "多大年紀"),
    "ja": ("いくら", "何人", "何歳", "いくつ", "どのくらい", "どれくらい", "何個"),
    "ko": ("얼마", "몇"),
}
# Languages whose number words are numerals (一, 二, 百), which the character check finds.
_NUMERAL_WORDS = {"zh", "ja"}
# The numbers whose words are looked for: 2-20, the tens, and the large units. Zero
# and one are left out: "one" and "ein" are as often pronouns and articles.
_SPELLED = (*range(2, 21), *range(30, 100, 10), 100, 1000, 10**6, 10**9)
_LARGE = 100  # the least number an amount's word or numeral states
# A word this long also matches as the start of a longer one ("thousands", "vierzig");
# in languages that add case endings to numbers ("üçte", "dokuzu") every number word does.
_PREFIX_CHARS = 4
_SUFFIXING = {"tr", "fi", "hu", "az"}
_WORD = re.compile(r"\w+")


def asks_quantity(question: str, lang: str) -> bool:
    """Does ``question`` (in ``lang``) ask how much, how many or how old?"""
    return _asks(question.casefold(), lang, _ASKS_WORDS, _ASKS_SUBSTRINGS)


def asks_amount(question: str, lang: str) -> bool:
    """Does ``question`` ask for an amount only ("how much", "wie hoch"), not a count?"""
    return _asks(question.casefold(), lang, _AMOUNT_WORDS, _AMOUNT_SUBSTRINGS)


def _asks(
    text: str, lang: str, words: dict[str, str], substrings: dict[str, tuple[str, ...]]
) -> bool:
    if lang in substrings:
        return any(s in text for s in substrings[lang])
    pattern = words.get(lang)
    return bool(pattern) and re.search(rf"(?<!\w)(?:{pattern})(?!\w)", text) is not None


def states_quantity(sentence: str, lang: str, amount: bool = False) -> bool:
    """Does ``sentence`` (in ``lang``) state a number: a digit or numeral of any script,
    or a number word of its language? True for a language without number words. With
    ``amount``, only a digit, or a numeral or word of at least a hundred, counts."""
    least = _LARGE if amount else 2
    for ch in sentence:
        if unicodedata.decimal(ch, None) is not None:
            return True
        value = unicodedata.numeric(ch, None)  # CJK numerals, fractions, Roman numerals
        if value is not None and (value >= least or value < 1):
            return True
    words = _number_words(lang, least)
    if words is None:
        return True
    shortest = 1 if lang in _SUFFIXING else _PREFIX_CHARS
    for token in _WORD.findall(sentence.casefold()):
        if token in words or any(len(w) >= shortest and token.startswith(w) for w in words):
            return True
    return False


@cache
def _number_words(lang: str, least: int = 2) -> frozenset[str] | None:
    """The words spelling ``_SPELLED`` from ``least`` up in ``lang`` (the last word of a
    multi-word number), or None when num2words does not spell that language."""
    from num2words import CONVERTER_CLASSES, num2words

    if lang in _NUMERAL_WORDS:
        return frozenset()
    if lang not in CONVERTER_CLASSES:
        return None
    words: set[str] = set()
    for n in (n for n in _SPELLED if n >= least):
        try:
            spelled = num2words(n, lang=lang)
        except (NotImplementedError, OverflowError, KeyError):
            continue
        # The last word of a multi-word number is its unit ("one hundred", "eine
        # Million"); the words before it are often also articles ("one", "eine").
        tokens = _WORD.findall(spelled.casefold())
        if tokens and len(tokens[-1]) > 1:
            words.add(tokens[-1])
    return frozenset(words) or None
