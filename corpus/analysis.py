"""Text to search terms, chosen per language, for the lexical (BM25) index.

Whitespace tokenisation fails most where users need keyword search most: Chinese has no
spaces, Hindi has several spellings of one word, Turkish capital I lowercases to a
dotless ı, German and Turkish glue endings to the words. Each language therefore gets
an analyser that produces terms both a passage and a question in that language reduce
to; an unknown language falls back to a script-aware default (words where the script has
spaces, character bigrams where it has none).

Every analyser shares the steps that make terms comparable *across* languages, because
numbers and names are what a question shares with a passage in another language: NFKC
(full-width digits and letters), every script's digits as ASCII digits, and digit groups
joined ("1,234", "1.234" and "१२३४" are all "1234").
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Collection
from functools import cache
from typing import Any

import bm25s.stopwords as bm25_stopwords
import Stemmer

logger = logging.getLogger(__name__)

Analyzer = Callable[[str], list[str]]

# Separators inside a number: "1,234", "1.234", "3.5", "1 234" (thin/no-break spaces).
_DIGIT_GROUP = re.compile(r"(?<=\d)[.,'\u00a0\u202f\u2009](?=\d)")
# A term: a run of letters, marks and digits (marks keep Devanagari vowel signs attached).
_WORD = re.compile(r"[^\W_]+(?:[\u0300-\u036f\u0900-\u0903\u093a-\u094f\u0962\u0963]+[^\W_]*)*")
# Scripts written without spaces between words: Han, kana, Thai, Lao, Khmer, Myanmar.
_SPACELESS = re.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    r"\uf900-\ufaff]+"
)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HAN_RUNS = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")
_APOSTROPHES = "'’ʼ"
_MIN_TERM = 2  # a single Latin letter is noise; a single Han character is not (see zh)

# Question words and particles: frequent in questions, absent from passages, so BM25's
# IDF would rate them as rare and informative.
_QUESTION_WORDS = {
    "en": "what which who whom whose when where why how many much does did do was were has",
    "de": "was wer wen wem wessen welche welcher welches welchen wann wo wohin woher warum "
    "wie viele viel wieso weshalb",
    "tr": "nedir nelerdir kaç hangisi hangileri kimdir kimlerdir nerede ne zaman neler "
    "midir mıdır mudur müdür",
    "hi": "क्या कौन कौनसा कौनसी किस किसे किसको किसने कब कहाँ कहां क्यों कैसे कितना कितने कितनी",
    "zh": "什么 什麼 哪个 哪些 哪里 哪 谁 何时 为什么 怎么 怎样 如何 多少 几 吗 呢",
}
_HINDI_STOPWORDS = (
    "का के की को से में पर है हैं था थे थी थीं और या एक यह वह ये वे इस उस इन उन ने भी तो ही "
    "कि जो हो होता होती होते हुआ हुए हुई गया गए गई कर करने किया किए लिए साथ द्वारा तक बाद "
    "जब तब नहीं अपने अपनी अपना"
)
_CHINESE_STOPWORDS = (
    "的 了 是 在 和 与 及 或 也 都 而 被 把 对 从 由 于 以 之 其 这 那 这个 那个 这些 那些 "
    "一个 有 为 中 上 下 个 等 着 过 就 并 将 又 还 所 该 他 她 它 他们 我们 年 月 日"
)


def _stopwords(lang: str) -> frozenset[str]:
    lists: dict[str, tuple[str, ...]] = {
        "en": bm25_stopwords.STOPWORDS_EN,
        "de": bm25_stopwords.STOPWORDS_GERMAN,
        "tr": bm25_stopwords.STOPWORDS_TURKISH,
        "hi": tuple(_HINDI_STOPWORDS.split()),
        "zh": tuple(_CHINESE_STOPWORDS.split()),
    }
    return frozenset((*lists.get(lang, ()), *_QUESTION_WORDS.get(lang, "").split()))


# --------------------------------------------------------------------------- shared steps


def normalize(text: str) -> str:
    """NFKC, ASCII digits, joined digit groups: what every analyser starts from."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(_ascii_digit(ch) for ch in text)
    return _DIGIT_GROUP.sub("", text)


def _ascii_digit(ch: str) -> str:
    if ch.isdigit() and not ch.isascii():
        value = unicodedata.digit(ch, -1)
        return str(value) if value >= 0 else ch
    return ch


def fold_case(text: str) -> str:
    """Case folding for every language but Turkish: İ is i (not i + combining dot)."""
    return text.replace("İ", "i").casefold()


def turkish_lower(text: str) -> str:
    """Turkish lower-casing: I is ı and İ is i, which str.lower() gets wrong."""
    return text.replace("I", "ı").replace("İ", "i").lower()


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _bigrams(run: str) -> list[str]:
    """Overlapping character pairs: the standard unsegmented index for spaceless scripts."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def _keep(term: str, stop: frozenset[str]) -> bool:
    if term in stop:
        return False
    if term.isdigit():
        return True  # whatever their length: "308" is the rare term
    return len(term) >= _MIN_TERM or bool(_HAN.match(term))


# --------------------------------------------------------------------------- languages


class _StemmingAnalyzer:
    """Words, folded, stop words out, stemmed (Snowball, when the language has one), then
    ``finish``ed; runs of a spaceless script inside the text become character bigrams."""

    def __init__(
        self,
        lang: str,
        algorithm: str | None,
        lower: Callable[[str], str] = fold_case,
        finish: Callable[[str], str] = lambda term: term,
    ) -> None:
        self.lang = lang
        self._stemmer = Stemmer.Stemmer(algorithm) if algorithm else None
        self._lower = lower
        self._finish = finish
        self._stop = _stopwords(lang)

    def __call__(self, text: str) -> list[str]:
        terms: list[str] = []
        for piece in _spaceless_split(self._lower(normalize(text))):
            if _SPACELESS.fullmatch(piece):
                terms.extend(_bigrams(piece))
                continue
            words = [w for w in _words(piece) if w not in self._stop]
            if self._stemmer is not None:
                words = self._stemmer.stemWords(words)
            terms.extend(self._finish(w) for w in words)
        return [t for t in terms if _keep(t, self._stop)]


def _spaceless_split(text: str) -> list[str]:
    """The text cut into runs of spaceless script and the rest, in order."""
    out, pos = [], 0
    for m in _SPACELESS.finditer(text):
        if m.start() > pos:
            out.append(text[pos : m.start()])
        out.append(m.group())
        pos = m.end()
    if pos < len(text):
        out.append(text[pos:])
    return out


# Turkish stems are its first five letters in most words: fixed-prefix truncation at 5
# matches lemmatisers on Turkish retrieval (Can et al., "Information retrieval on Turkish
# texts", JASIST 2008) and beat Snowball's Turkish stemmer here (xquad-dev BM25 hit@1 tr
# 0.91 vs 0.87).
TURKISH_PREFIX = 5


def turkish_prefix(term: str) -> str:
    return term if term.isdigit() else term[:TURKISH_PREFIX]


class _TurkishAnalyzer(_StemmingAnalyzer):
    """Turkish writes suffixes of proper names after an apostrophe: "Allen'ın", "2015'te".

    The suffix is dropped before tokenising so the name (or number) stays one term, the
    same term an English or German passage has for it.
    """

    _SUFFIX = re.compile(rf"(?<=\w)[{_APOSTROPHES}]\w+")

    def __call__(self, text: str) -> list[str]:
        return super().__call__(self._SUFFIX.sub("", text))


# Hindi spelling variation (after L. Larkey et al., "Hindi CLIR in Thirty Days", 2003, as
# in Lucene's HindiNormalizer): nukta, candrabindu/anusvara, chandra vowels, vowel length
# and the virama vary between writers of the same word; folding them makes one term.
_DEVANAGARI_FOLD = str.maketrans(
    {
        "\u0901": "\u0902",  # candrabindu -> anusvara
        "\u093c": None,  # nukta
        "\u200c": None,  # ZWNJ
        "\u200d": None,  # ZWJ
        "\u094d": None,  # virama
        "\u0945": "\u0947", "\u0946": "\u0947",  # chandra/short e -> e
        "\u0949": "\u094b", "\u094a": "\u094b",  # chandra/short o -> o
        "\u090d": "\u090f", "\u090e": "\u090f",  # independent chandra/short e -> e
        "\u0911": "\u0913", "\u0912": "\u0913",  # independent chandra/short o -> o
        "\u0972": "\u0905",  # candra a -> a
        "\u0906": "\u0905", "\u0908": "\u0907", "\u090a": "\u0909",  # long -> short
        "\u0960": "\u090b", "\u0961": "\u090c", "\u0910": "\u090f", "\u0914": "\u0913",
        "\u0940": "\u093f", "\u0942": "\u0941", "\u0944": "\u0943", "\u0963": "\u0962",
        "\u0948": "\u0947", "\u094c": "\u094b",
    }
)  # fmt: skip


def devanagari_canonical(text: str) -> str:
    """One spelling for the same letters: nukta forms decomposed and the nukta dropped
    (क़ -> क), candrabindu as anusvara (हँ -> हं), no joiners. Applied before stemming."""
    text = unicodedata.normalize("NFD", text)
    text = text.replace("\u093c", "").replace("\u0901", "\u0902")
    text = text.replace("\u200c", "").replace("\u200d", "")
    return unicodedata.normalize("NFC", text)


def devanagari_fold(term: str) -> str:
    """The full Larkey/Lucene folding (vowel length, virama, chandra forms), after stemming:
    applied before, it would hide the suffixes the Snowball stemmer looks for."""
    return devanagari_canonical(term).translate(_DEVANAGARI_FOLD)


class _HindiAnalyzer(_StemmingAnalyzer):
    def __call__(self, text: str) -> list[str]:
        return super().__call__(devanagari_canonical(text))


class _ChineseAnalyzer:
    """Chinese: Traditional characters converted to Simplified, then jieba's word
    segmentation in search mode (a long word and the words inside it, so 数据挖掘 also
    matches 数据). Text in other scripts (Latin names, numbers, a Hindi question searched
    against Chinese passages) is cut into words as everywhere else, never dropped: the
    query's IDF mass counts every term it has (index/lexical.py)."""

    def __init__(self) -> None:
        self._stop = _stopwords("zh")

    def __call__(self, text: str, segment_han: bool = True) -> list[str]:
        """The terms; without ``segment_han`` only those outside Han runs (no dictionary
        needed: see ``shared_terms``)."""
        text = to_simplified(fold_case(normalize(text)))
        terms: list[str] = []
        for piece in _HAN_RUNS.split(text):
            if not piece:
                continue
            if _HAN.match(piece):
                if segment_han:
                    terms.extend(t for t in _jieba().cut_for_search(piece) if t.strip())
            else:
                terms.extend(_words(piece))
        return [t for t in terms if _keep(t, self._stop)]


@cache
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def release_dictionaries() -> None:
    """Drop jieba's word dictionary (~60 MB in memory) after a batch of analysis; the
    next Chinese text loads it again from jieba's cache file (~0.5 s).

    Why: the builder analyses every chunk for the lexical table (index/builder.py), and
    the dictionary then sat on top of the whole index being written: `polyqa index` of
    one 50 MB Chinese text broke its memory bound by about that much. A process that
    goes on answering questions loads it at its next Chinese question.
    """
    if _jieba.cache_info().currsize:
        tokenizer = _jieba().dt
        tokenizer.FREQ, tokenizer.total, tokenizer.initialized = {}, 0, False
        _jieba.cache_clear()


@cache
def _opencc() -> Any:
    from opencc import OpenCC

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional Chinese to Simplified (OpenCC's phrase tables), a no-op on Simplified:
    both forms of a word become one term, and jieba's dictionary is Simplified."""
    converted: str = _opencc().convert(text)
    return converted


# Snowball stemmers for languages whose words are separated by spaces.
_SNOWBALL = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german",
    "el": "greek", "en": "english", "es": "spanish", "et": "estonian", "eu": "basque",
    "fi": "finnish", "fr": "french", "ga": "irish", "hu": "hungarian", "hy": "armenian",
    "id": "indonesian", "it": "italian", "lt": "lithuanian", "ne": "nepali", "nl": "dutch",
    "no": "norwegian", "fa": "persian", "pl": "polish", "pt": "portuguese", "ro": "romanian",
    "ru": "russian", "sr": "serbian", "sv": "swedish", "ta": "tamil",
}  # fmt: skip


@cache
def analyzer_for(lang: str) -> Analyzer:
    """The analyser for a language code; unknown codes get the script-aware default."""
    if lang == "zh":
        return _ChineseAnalyzer()
    if lang == "tr":
        return _TurkishAnalyzer("tr", None, lower=turkish_lower, finish=turkish_prefix)
    if lang == "hi":
        return _HindiAnalyzer("hi", "hindi", finish=devanagari_fold)
    if lang in {"mr"}:
        return _HindiAnalyzer(lang, None, finish=devanagari_fold)
    return _StemmingAnalyzer(lang, _SNOWBALL.get(lang))


def analyze(text: str, lang: str) -> list[str]:
    """Search terms of a text in a language, in order (repeats kept: BM25 counts them)."""
    return analyzer_for(lang)(text)


def shared_terms(text: str, lang: str, asked: Collection[str]) -> set[str]:
    """The terms of ``text`` that are among ``asked`` (a question's terms in ``lang``).

    Han runs are segmented only when an asked term has Han in it: every word jieba cuts
    from a run is made of Han characters, so with none asked none can be shared, and
    jieba's dictionary takes a second to load, a third of a cold `polyqa ask` whose
    question (in German, say) meets Chinese passages."""
    analyzer = analyzer_for(lang)
    if isinstance(analyzer, _ChineseAnalyzer) and not any(_HAN.search(t) for t in asked):
        terms = analyzer(text, segment_han=False)
    else:
        terms = analyzer(text)
    return set(terms).intersection(asked)
