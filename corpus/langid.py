"""Which language a text is in, from a whole document down to a five-word question.

langdetect is good on paragraphs and unreliable on short questions (seeded, it calls a
Traditional Chinese question Korean and "CTO nedir?" Welsh). So the script decides where
it can, and for Latin script langdetect's probabilities are combined with cheap evidence
(language-specific letters, very frequent function words) that counts most when the text
is short.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from functools import lru_cache

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

from corpus.ngram_profiles import lazy_factory

UNDETERMINED = "und"

# Scripts written by one language we can name without asking langdetect.
_SINGLE_SCRIPT = {
    "HIRAGANA": "ja",
    "KATAKANA": "ja",
    "HANGUL": "ko",
    "CJK": "zh",
    "GREEK": "el",
    "THAI": "th",
    "HEBREW": "he",
    "BENGALI": "bn",
    "GUJARATI": "gu",
    "GURMUKHI": "pa",
    "TAMIL": "ta",
    "TELUGU": "te",
    "KANNADA": "kn",
    "MALAYALAM": "ml",
}

# Scripts shared by several languages: the languages langdetect may choose among, the
# first being the default when it cannot tell.
_SHARED_SCRIPT = {
    "DEVANAGARI": ("hi", "mr", "ne"),
    "CYRILLIC": ("ru", "uk", "bg", "mk"),
    "ARABIC": ("ar", "fa", "ur"),
    "LATIN": (
        "en", "de", "fr", "es", "it", "pt", "nl", "tr", "af", "ca", "cs", "cy", "da", "et",
        "fi", "hr", "hu", "id", "lt", "lv", "no", "pl", "ro", "sk", "sl", "so", "sq", "sv",
        "sw", "tl", "vi",
    ),
}  # fmt: skip

_SCRIPTS = (*_SINGLE_SCRIPT, *_SHARED_SCRIPT)

# Marathi and Nepali share Devanagari with Hindi; only a long text langdetect is very sure
# of is called one of them.
_DEVANAGARI_MIN_LETTERS = 200
_DEVANAGARI_MIN_PROB = 0.9

_LETTERS = {
    "ş": "tr", "ğ": "tr", "ı": "tr", "İ": "tr",
    "ß": "de", "ä": "de sv fi", "ö": "de tr sv fi hu", "ü": "de tr hu",
    "ñ": "es", "¿": "es", "¡": "es", "á": "es pt hu cs", "í": "es pt hu cs",
    "ó": "es pt pl hu",
    "ç": "pt fr tr", "ã": "pt", "õ": "pt",
    "è": "fr it", "ê": "fr pt", "à": "fr it pt", "œ": "fr", "ë": "fr nl", "û": "fr",
    "ì": "it", "ò": "it",
    "ą": "pl", "ń": "pl", "ę": "pl", "ł": "pl", "ś": "pl", "ż": "pl", "ź": "pl",
    "ř": "cs", "ě": "cs", "ů": "cs", "ă": "ro", "ș": "ro", "ț": "ro", "ő": "hu", "ű": "hu",
    "å": "sv da no", "ø": "da no", "đ": "vi hr", "ư": "vi", "ơ": "vi",
    "і": "uk", "ї": "uk", "є": "uk", "ґ": "uk", "ё": "ru", "ы": "ru", "э": "ru",
    "ѓ": "mk", "ќ": "mk", "ѕ": "mk", "љ": "mk", "њ": "mk", "џ": "mk", "ј": "mk",
    "پ": "fa ur", "چ": "fa ur", "ژ": "fa", "گ": "fa ur", "ے": "ur", "ٹ": "ur", "ڈ": "ur",
    "ڑ": "ur", "ں": "ur",
}  # fmt: skip

_WORDS = {
    "en": "the and of to in is are was what who how which why does do did for with that this "
    "an be it not a where when can has have there they from by at or were will would",
    "de": "was wer wie welche welcher welches welchem welchen warum wann wo wieso weshalb ist "
    "sind war wurde der die das und nicht ein eine einen einem macht mit für von zu den dem "
    "des auch oder wird im es er sie hat viele",
    "tr": "nedir nelerdir neydi nasıl ne neden niçin kim kimdir kimdi hangi nerede peki mı mi "
    "mu mü midir mıdır ve bir bu şu için ile ki olan çok daha",
    "es": "qué cómo quién cuál cuáles dónde cuándo por para es el la los las un una y de "
    "del hace que en con se son",
    "fr": "qu est ce quel quelle quels quelles comment pourquoi combien quoi où qui le la "
    "les et un une des du de fait dans pour avec sont",
    "it": "che cosa chi come perché quale quali quanti quanto dove quando il lo gli la le è "
    "e un una di del della per con sono fa",
    "pt": "o os a as que quem como qual quais porque por é um uma de do da dos das faz em "
    "não para com são",
    "nl": "wat wie hoe welke waarom is de het een en van niet doet zijn met voor dat",
    "sv": "vad vem vilken vilket vilka hur varför när är och att ett som på för med av det "
    "inte gör har till om",
    "pl": "jak jaki jaka jakie co kto czy ile gdzie kiedy dlaczego jest są się na nie od za "
    "przez oraz że",
    "id": "apa siapa bagaimana mengapa kapan berapa yang dan dari untuk dengan ini itu "
    "adalah tidak atau",
    "ru": "что как какой какая какие кто где когда сколько почему это и",
    "uk": "що як який яка яке які хто де коли скільки чому це та",
    "vi": "gì ai đâu nào sao bao nhiêu là và của có không những các được cho người này "
    "khi làm thế tại vì với một",
    "da": "hvad hvem hvordan hvorfor hvornår hvilken hvilket hvilke hvor er og af til på "
    "med ikke det den en et som har gør blev",
    "no": "hva hvem hvordan hvorfor når hvilken hvilket hvilke hvor er og av til på med "
    "ikke det den en et som har gjør ble",
    "fi": "mikä mitä mitkä kuka ketkä miten miksi milloin missä mistä mihin paljonko montako on ja "
    "ei se että tai kanssa",
    "hu": "mi mit mik ki kik hogyan miért hol mikor melyik mennyi hány az és egy van nem is "
    "hogy csinál a",
    "ro": "ce cine cum care unde când este sunt și în cu pe pentru nu din fost",
    "cs": "co kdo jak jaký jaká jaké proč kde kdy kolik je jsou se na od pro že",
}
# Vietnamese tone marks sit on letters no other Latin-script language uses (U+1EA0-1EF9).
_LETTERS.update({chr(c): "vi" for c in range(0x1EA0, 0x1EFA)})

_WORD_LANGS: dict[str, list[str]] = {}
for _lang, _words in _WORDS.items():
    for _word in _words.split():
        _WORD_LANGS.setdefault(_word, []).append(_lang)

_TOKEN = re.compile(r"[^\W\d_]+")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# Latin capitals only; \b would miss "API" in "是API" (是 is a word character too).
_ACRONYM = re.compile(r"(?<![A-Za-z])[A-Z][A-Z0-9]+s?(?![A-Za-z])")

# Evidence weighs 1/(1 + (letters/_EVIDENCE_LETTERS)^2): ~0.95 for a question,
# ~0.5 for a sentence, near 0 for a paragraph, where langdetect is reliable.
_EVIDENCE_LETTERS = 60.0

# Japanese prose is about a third kana or more; Chinese quoting a kana word has far less.
_KANA_SHARE = 10

# Scripts written in characters or syllables, not letters: in a text mixing them with an
# alphabet, words are compared, not letters ("Kestrel Press是谁设计的？" is Chinese: its
# two Latin words have more letters than it has characters). A Chinese or Japanese word
# is about this many characters (a Korean syllable block counts as one character).
_WIDE = frozenset({"CJK", "HIRAGANA", "KATAKANA", "HANGUL"})
_CHARS_PER_WORD = 1.7

# "CTO?" is no language; "WAS MACHT EIN CTO?" is German in capitals.
_MIN_SHOUTED_WORDS = 3

# langdetect reads at most 10,000 characters; scripts are counted over as many.
_MAX_CHARS = 10_000

# A language expected for a text (its document's) is taken without asking langdetect when
# the text's function words say it clearly: this many, and this many times more than any
# other language's. langdetect costs milliseconds a call, which on a long document's
# every chunk was most of the time spent chunking it.
_CONFIRM_WORDS = 8.0
_CONFIRM_RATIO = 4.0


@lru_cache(maxsize=1)
def _factory() -> DetectorFactory:
    """Our own seeded factory: the same text always gets the same answer. Its profiles
    are read lazily (corpus/ngram_profiles.py): a third of a cold search was spent
    preparing langdetect's table for every n-gram of 55 languages."""
    factory = lazy_factory(PROFILES_DIRECTORY)
    factory.set_seed(0)
    return factory


def _langdetect(text: str, allowed: tuple[str, ...]) -> dict[str, float]:
    """langdetect's probability for every allowed language; empty if it finds no feature."""
    factory = _factory()
    detector = factory.create()
    detector.set_prior_map({lang: 1.0 for lang in allowed if lang in factory.langlist})
    detector.append(text)
    try:
        detector.get_probabilities()
    except LangDetectException:
        return {}
    # All probabilities, not only those over langdetect's 0.1 reporting threshold.
    probs = dict(zip(detector.langlist, detector.langprob, strict=True))
    return {lang: p for lang, p in probs.items() if lang in allowed and p > 0}


@lru_cache(maxsize=4096)
def _script(ch: str) -> str | None:
    name = unicodedata.name(ch, "")
    return next((s for s in _SCRIPTS if s in name), None)


def _script_counts(text: str) -> Counter[str]:
    """Letters per script; ASCII letters are counted in one pass of a regex (they are
    Latin), only the others one by one (a per-character loop was a chunk's main cost)."""
    counts: Counter[str] = Counter()
    ascii_letters = len(_ASCII_LETTER.findall(text))
    if ascii_letters:
        counts["LATIN"] = ascii_letters
    for ch in _NON_ASCII.findall(text):
        if unicodedata.category(ch)[0] in "LM":
            script = _script(ch)
            if script is not None:
                counts[script] += 1
    return counts


def _evidence(text: str) -> dict[str, float]:
    """Per language: its special letters and function words, shared ones split."""
    scores: dict[str, float] = defaultdict(float)
    for ch in _NON_ASCII.findall(text):  # every special letter is beyond ASCII
        langs = _LETTERS.get(ch) or _LETTERS.get(ch.lower())
        if langs:
            for lang in langs.split():
                scores[lang] += 1 / len(langs.split())
    for token in _TOKEN.findall(text):
        word = token.lower().replace("i\u0307", "i")  # İ lowers to i + dot
        langs_of_word = _WORD_LANGS.get(word, [])
        weight = 0.5 if len(word) == 1 else 1.0  # "a", "o", "e": frequent but ambiguous
        for lang in langs_of_word:
            scores[lang] += weight / len(langs_of_word)
    return scores


def _combine(probs: dict[str, float], evidence: dict[str, float], letters: int) -> dict[str, float]:
    """Mix langdetect with the evidence, trusting the evidence more the shorter the text."""
    if not evidence:
        return probs
    weight = 1 / (1 + (letters / _EVIDENCE_LETTERS) ** 2) if probs else 1.0
    top = max(evidence.values())
    scores = {lang: (1 - weight) * p for lang, p in probs.items()}
    for lang, value in evidence.items():
        scores[lang] = scores.get(lang, 0.0) + weight * value / top
    return scores


def _shared(script: str, text: str, letters: int, likely: str | None) -> dict[str, float]:
    """Languages of a script several share; a short text without evidence gets the default."""
    langs = _SHARED_SCRIPT[script]
    evidence = {k: v for k, v in _evidence(text).items() if k in langs}
    if likely in langs and (_confirms(evidence, likely) or not evidence):
        # Clearly the expected language, or no sign of any (a list, a log, a table of
        # numbers): langdetect only guesses there, slowly (it never converges on them).
        return {likely: 1.0}
    if script != "LATIN" and not evidence:
        evidence[langs[0]] = 1.0
    return _combine(_langdetect(text, langs), evidence, letters)


def _confirms(evidence: dict[str, float], lang: str) -> bool:
    """The function words name ``lang`` beyond doubt (see _CONFIRM_WORDS)."""
    mine = evidence.get(lang, 0.0)
    others = max((v for k, v in evidence.items() if k != lang), default=0.0)
    return mine >= _CONFIRM_WORDS and mine >= _CONFIRM_RATIO * others


def _devanagari(text: str, letters: int) -> dict[str, float]:
    if letters < _DEVANAGARI_MIN_LETTERS:
        return {"hi": 1.0}  # what langdetect's answer would come to below this length
    probs = _langdetect(text, _SHARED_SCRIPT["DEVANAGARI"])
    best = max(probs, key=probs.__getitem__, default="hi")
    sure = probs.get(best, 0.0) >= _DEVANAGARI_MIN_PROB
    if best != "hi" and not (letters >= _DEVANAGARI_MIN_LETTERS and sure):
        return {"hi": 1.0}
    return probs or {"hi": 1.0}


def _normalised(scores: dict[str, float]) -> list[tuple[str, float]]:
    total = sum(scores.values())
    if total <= 0:
        return [(UNDETERMINED, 1.0)]
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(lang, value / total) for lang, value in ranked if value / total >= 0.001]


def _dominant_script(counts: Counter[str], text: str) -> tuple[str, int]:
    """Kanji belong to Japanese and hanja to Korean when enough kana or hangul is around;
    then the script most of the words are written in (see ``_WIDE``)."""
    han = counts.pop("CJK", 0)
    kana = counts.pop("HIRAGANA", 0) + counts.pop("KATAKANA", 0)
    hangul = counts.pop("HANGUL", 0)
    if kana and kana * _KANA_SHARE >= han:
        counts["HIRAGANA"] = kana + han  # read as Japanese
    elif hangul and hangul >= han:
        counts["HANGUL"] = hangul + han
    elif han:
        counts["CJK"] = han
    if len(counts) == 1 or not _WIDE.intersection(counts):
        return counts.most_common(1)[0]
    words = {s: counts[s] / _CHARS_PER_WORD for s in counts if s in _WIDE}
    words.update(_letter_runs(text))
    script = max(counts, key=lambda s: (words.get(s, 0.0), s in _WIDE, s))
    return script, counts[script]


def _letter_runs(text: str) -> Counter[str]:
    """Words of the alphabetic scripts: runs of letters of one script."""
    runs: Counter[str] = Counter()
    previous = None
    for ch in text:
        script = None
        if ch.isalpha():
            script = "LATIN" if ch.isascii() else _script(ch)
        if script is not None and script != previous and script not in _WIDE:
            runs[script] += 1
        previous = script
    return runs


def detect_with_scores(text: str, likely: str | None = None) -> list[tuple[str, float]]:
    """Candidate ISO 639-1 codes with scores summing to about 1, best first.

    All-caps acronyms (CTO, CRM) are ignored: they are the same in every language and
    would otherwise make "什麼是API？" look half English. ``likely`` is a language the
    caller expects (a chunk's document's): confirmed by function words alone when they
    leave no doubt, so langdetect runs only where the text may be in another language.
    """
    text = text[:_MAX_CHARS]
    plain = _ACRONYM.sub(" ", text)
    counts = _script_counts(plain)
    if not counts and len(_ACRONYM.findall(text)) >= _MIN_SHOUTED_WORDS:
        plain = text.lower()  # written in capitals, not a bare acronym
        counts = _script_counts(plain)
    if not counts:
        return [(UNDETERMINED, 1.0)]
    script, letters = _dominant_script(counts, plain)
    if script in _SINGLE_SCRIPT:
        return [(_SINGLE_SCRIPT[script], 1.0)]
    if script == "DEVANAGARI":
        return _normalised(_devanagari(plain, letters))
    return _normalised(_shared(script, plain, letters, likely))


def detect_language(text: str, likely: str | None = None) -> str:
    """ISO 639-1 code of the text's language, or 'und' when it has no letters."""
    return detect_with_scores(text, likely)[0][0]
