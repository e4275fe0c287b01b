"""Questions that ask for a quantity, and whether a sentence states one.

"How many notaries work in the town?" asked of a text on a notary's duties finds
sentences on the topic that fit the question well; the model's similarity cannot tell
that none of them says how many. A question asking "how much / how many / how old" is
answered by a sentence stating a number (digits in any script, CJK numerals, or a number
word of the sentence's language); when none of the sentences that would be quoted
states one, the documents do not answer it, and polyqa says so instead of quoting the
topic.

The interrogatives are a short closed class in each language (one to four forms), kept
here for the languages polyqa has phrases for; a question in another language is never
treated as a quantity question. Number words come from ``num2words`` (a library that
spells numbers in 50 languages), so every language it spells is covered without a
hand-made list (Chinese and Japanese numerals are characters, found as such); a sentence
in a language it does not spell (Hindi) counts as stating a quantity, so the check never
refuses an answer it cannot read.
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
# A word this long also matches as the start of a longer one ("thousands", "vierzig");
# in languages that add case endings to numbers ("üçte", "dokuzu") every number word does.
_PREFIX_CHARS = 4
_SUFFIXING = {"tr", "fi", "hu", "az"}
_WORD = re.compile(r"\w+")


def asks_quantity(question: str, lang: str) -> bool:
    """Does ``question`` (in ``lang``) ask how much, how many or how old?"""
    text = question.casefold()
    if lang in _ASKS_SUBSTRINGS:
        return any(s in text for s in _ASKS_SUBSTRINGS[lang])
    pattern = _ASKS_WORDS.get(lang)
    return bool(pattern) and re.search(rf"(?<!\w)(?:{pattern})(?!\w)", text) is not None


def states_quantity(sentence: str, lang: str) -> bool:
    """Does ``sentence`` (in ``lang``) state a number: a digit or numeral of any script,
    or a number word of its language? True for a language without number words."""
    if any(unicodedata.numeric(ch, None) is not None for ch in sentence):
        return True
    words = _number_words(lang)
    if words is None:
        return True
    shortest = 1 if lang in _SUFFIXING else _PREFIX_CHARS
    for token in _WORD.findall(sentence.casefold()):
        if token in words or any(len(w) >= shortest and token.startswith(w) for w in words):
            return True
    return False


@cache
def _number_words(lang: str) -> frozenset[str] | None:
    """The words spelling ``_SPELLED`` in ``lang`` (each word of a multi-word number),
    or None when num2words does not spell that language."""
    from num2words import CONVERTER_CLASSES, num2words

    if lang in _NUMERAL_WORDS:
        return frozenset()
    if lang not in CONVERTER_CLASSES:
        return None
    words: set[str] = set()
    for n in _SPELLED:
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
