"""Every fixed phrase of answers and of the UI, one table per language (a module each).

Each module here, named by its language code, holds ``PHRASES`` (the same keys as
``en.py``, placeholders kept), ``NAMES`` (every language polyqa speaks, written in the form
that module's ``found_in_other`` phrase needs around ``{langs}``) and how that language
joins a list of names: ``CONJUNCTION`` between the last two, and optionally
``SEPARATOR`` (", " unless said), ``SERIAL`` (before the last of three or more, where it
differs from a pair) and ``CONJUNCTION_BEFORE`` (a conjunction that changes with the next
word, Spanish "y" before "e inglés").

A language without a table falls back to English. Keys are shared by the answer composer,
the CLI and the chat window, so a language is added here (a module and its code in
``LANGUAGES``) and nowhere else; tests/bot/answers/test_phrases.py checks every table.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import ModuleType

FALLBACK = "en"

# Every language with a table, in the order the chat window lists them.
LANGUAGES = (
    "en", "tr", "hi", "de", "zh", "es", "fr", "ru", "ar", "ja",
    "ko", "pt", "it", "nl", "pl", "uk", "vi", "id", "fa", "sv",
)  # fmt: skip


@dataclass(frozen=True)
class Table:
    """One language: its phrases, the names of languages in it, and how it lists them."""

    phrases: dict[str, str]
    names: dict[str, str]
    conjunction: str
    separator: str = ", "
    serial: str = ""
    conjunction_before: dict[str, str] = field(default_factory=dict)

    def join(self, codes: list[str]) -> str:
        """ "German and Chinese", "Almanca ve Çince", "ドイツ語と中国語", ..."""
        names = [self.names.get(c, c) for c in codes]
        if len(names) <= 1:
            return "".join(names)
        last = self.serial if len(names) > 2 and self.serial else self.conjunction
        last = self.conjunction_before.get(codes[-1], last)
        return self.separator.join(names[:-1]) + last + names[-1]


def _table(module: ModuleType) -> Table:
    return Table(
        phrases=module.PHRASES,
        names=module.NAMES,
        conjunction=module.CONJUNCTION,
        separator=getattr(module, "SEPARATOR", ", "),
        serial=getattr(module, "SERIAL", ""),
        conjunction_before=getattr(module, "CONJUNCTION_BEFORE", {}),
    )


TABLES: dict[str, Table] = {
    code: _table(importlib.import_module(f"{__name__}.{code}")) for code in LANGUAGES
}
PHRASES: dict[str, dict[str, str]] = {code: table.phrases for code, table in TABLES.items()}
# Language names as written in each answer language, in the form its phrases need.
LANG_NAMES: dict[str, dict[str, str]] = {code: table.names for code, table in TABLES.items()}
CONJUNCTION: dict[str, str] = {code: table.conjunction for code, table in TABLES.items()}


def phrase_lang(lang: str) -> str:
    """The language whose phrases are used for ``lang`` (English when there is no table)."""
    return lang if lang in TABLES else FALLBACK


def t(key: str, lang: str, **values: str) -> str:
    """The phrase ``key`` in ``lang`` (or English), with ``{placeholders}`` filled."""
    text = PHRASES[phrase_lang(lang)][key]
    return text.format(**values) if values else text


def lang_name(code: str, in_lang: str) -> str:
    """The name of language ``code`` in ``in_lang`` (the code itself when it has none)."""
    return LANG_NAMES[phrase_lang(in_lang)].get(code, code)


def lang_list(codes: list[str], in_lang: str) -> str:
    """ "German and Chinese", "Almanca ve Çince", ... in the answer's language."""
    return TABLES[phrase_lang(in_lang)].join(codes)
