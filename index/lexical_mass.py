"""The IDF mass a language's lexical score is divided by: how much of the question a
passage could have matched in that language.

A lexical score is BM25 over the query's IDF mass, so a passage matching every term of
the question scores about 1 in any language, and one matching a rare term scores more
than one matching a common one. Terms the language's index has never seen count at the
highest IDF, since a same-language question whose words are absent from a passage did
ask for something it lacks.

Why foreign terms are discounted: a question in one script searched in the index of
another (a Turkish or English question against Chinese passages) can only ever match
the few tokens the two scripts share, acronyms, Latin names, numbers. Counting the
question's other words at full IDF there divides the one acronym that matches by words
Chinese text cannot hold, so a shared exact term weighs next to nothing across scripts.
A term unseen in an index and written in another script than most of that index's
vocabulary counts ``FOREIGN_WEIGHT`` times its IDF. Questions in the index's own script
are scored exactly as before (bench/README.md, issue 12: roles-dev hit@1 30 -> 31 of 45
at 0.15-0.25, misanswered unchanged; xquad-dev unchanged).

The local index (index/lexical.py) and the Milvus sparse one (index/ann/milvus_sparse.py)
both use this, so their scores stay equal.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

FOREIGN_WEIGHT = 0.2
UNKNOWN = "?"


def script(term: str) -> str:
    """The writing system of a term's first letter (the first word of its Unicode name:
    LATIN, CJK, DEVANAGARI, CYRILLIC...), UNKNOWN for a term without letters."""
    for ch in term:
        if ch.isascii():
            if ch.isalpha():
                return "LATIN"
            continue
        if ch.isalpha():
            return unicodedata.name(ch, UNKNOWN).split(" ")[0]
    return UNKNOWN


def main_script(vocabulary: Iterable[str]) -> str:
    """The script most of a vocabulary's terms are written in (ties by name, so the same
    vocabulary gives the same answer in any order)."""
    counts = Counter(script(term) for term in vocabulary)
    counts.pop(UNKNOWN, None)
    if not counts:
        return UNKNOWN
    return min(counts, key=lambda s: (-counts[s], s))


def query_mass(
    terms: Sequence[str], idf: Callable[[str], float], seen: Callable[[str], bool], home: str
) -> float:
    """The sum of the query terms' IDF in one language's index, a term unseen there and
    not in its ``home`` script at ``FOREIGN_WEIGHT`` (see the module docstring)."""
    mass = 0.0
    for term in terms:
        weight = 1.0
        if not seen(term) and home != UNKNOWN and script(term) not in (home, UNKNOWN):
            weight = FOREIGN_WEIGHT
        mass += weight * idf(term)
    return mass
