"""langdetect's language profiles, turned into probabilities only for the n-grams asked.

``DetectorFactory.load_profile`` turns every n-gram of its 55 profiles (87,598 of them)
into a list of 55 probabilities before the first text is detected: 0.4-0.6 s, a third of
a cold ``polyqa search``, which detects one question of a few dozen n-grams. Here the
profiles are read as they are (0.16 s of JSON) and an n-gram's list is computed the first
time a text has it, by the same arithmetic as ``DetectorFactory.add_profile``, in the
same language order (the directory's listing order, as langdetect reads it); so the
detector sees the same numbers and gives the same answers.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

from langdetect.detector_factory import DetectorFactory
from langdetect.lang_detect_exception import ErrorCode, LangDetectException

# langdetect's n-grams are 1 to 3 characters; longer keys in a profile get zeros.
_MAX_GRAM = 3


class _Profile:
    __slots__ = ("freq", "n_words")

    def __init__(self, freq: dict[str, int], n_words: list[int]) -> None:
        self.freq = freq
        self.n_words = n_words


class LazyProbabilities(Mapping[str, list[float]]):
    """n-gram -> one probability per language, made on first lookup and kept."""

    def __init__(self, profiles: list[_Profile]) -> None:
        self._profiles = profiles
        self._known: set[str] = set().union(*(p.freq for p in profiles))
        self._made: dict[str, list[float]] = {}

    def __contains__(self, word: object) -> bool:
        return word in self._known

    def __getitem__(self, word: str) -> list[float]:
        made = self._made.get(word)
        if made is None:
            if word not in self._known:
                raise KeyError(word)
            made = self._made[word] = self._row(word)
        return made

    def _row(self, word: str) -> list[float]:
        length = len(word)
        if not 1 <= length <= _MAX_GRAM:
            return [0.0] * len(self._profiles)
        return [
            1.0 * p.freq[word] / p.n_words[length - 1] if word in p.freq else 0.0
            for p in self._profiles
        ]

    def __iter__(self) -> Iterator[str]:
        return iter(self._known)

    def __len__(self) -> int:
        return len(self._known)


def lazy_factory(directory: str | Path) -> DetectorFactory:
    """A DetectorFactory over ``directory``'s profiles whose n-gram table is lazy."""
    factory = DetectorFactory()
    profiles: list[_Profile] = []
    for name in os.listdir(directory):  # langdetect's order: the listing's
        path = Path(directory, name)
        if name.startswith(".") or not path.is_file():
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            lang, freq, n_words = data["name"], data["freq"], data["n_words"]
        except (OSError, ValueError, KeyError) as exc:
            raise LangDetectException(
                ErrorCode.FormatError, f"Profile format error in {path}: {exc}"
            ) from exc
        if lang in factory.langlist:
            raise LangDetectException(ErrorCode.DuplicateLangError, f"{path}: duplicate {lang}")
        factory.langlist.append(lang)
        profiles.append(_Profile(freq, n_words))
    factory.word_lang_prob_map = LazyProbabilities(profiles)
    return factory
