"""What a question asks about its topic: the question without the words its candidates share.

"To whom does the harbourmaster report?" against a text in which every sentence names
the harbourmaster: the small model's vector of a short question is mostly its topic, so
the sentence that says most about the harbourmaster in general ("The harbourmaster is the
most senior official of the port…") beats the one that answers ("The harbourmaster
reports to the city council once a year."). The words of the question that most
candidate sentences contain (the topic, and function words) cannot tell the candidates
apart; the question without them ("To whom does report?") says what is asked about the
topic, and the composer adds how close each sentence comes to it to its score, when it
differs in meaning from the question (``FOCUS_SAME``).

Made of the question and the candidates only, so it holds in any language and for
documents polyqa has never seen: no stop-word lists, no entity lists. A word is looked
for in the candidates written, at least in part, in its script (a Latin acronym in a
Chinese sentence counts; a Hindi word is not expected in an English sentence).
bench/README.md has what it bought (roles-dev and xquad-dev).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from bot.retrieval.conversation import words
from index.lexical_mass import UNKNOWN, script

# A question word is the candidates' common topic when at least this share of the
# candidate sentences in its script contain it.
FOCUS_SHARE = 0.4
# Times each sentence's cosine to the focus (below the best such cosine) added to its
# score. roles-dev: first sentence right 26 -> 31 of 45 (0.5: 29, 1: 31, 3: 30), answered
# and right 25 -> 29, misanswered 1 -> 0; xquad-dev (1770) answer@1 0.739 -> 0.742.
FOCUS_WEIGHT = 1.5
# A focus this close to the question (cosine) says what the question says: only function
# words were left out ("Who designed it?" -> "Who designed?", 0.98-1.0; leaving out the
# topic moves it to 0.86-0.97 on roles-dev). Its weight would only count the question
# twice, outweighing what else ranks the sentences (a follow-up's earlier answer not
# repeated, the passage's rank).
FOCUS_SAME = 0.98
# Shorter words are not looked for (a letter is in every sentence).
MIN_CHARS = 2


def focus_of(question: str, texts: Sequence[str]) -> str | None:
    """The question without the words most of ``texts`` (the candidate sentences) share,
    or None when it has none of them, or nothing else."""
    scripts = [{script(ch) for ch in text if ch.isalpha()} for text in texts]
    folded = [text.casefold() for text in texts]
    shared = []
    for start, end in words(question):
        word = question[start:end].casefold()
        written = script(word)
        if len(word) < MIN_CHARS or written == UNKNOWN:
            continue
        mine = [text for text, has in zip(folded, scripts, strict=True) if written in has]
        if mine and sum(word in text for text in mine) >= FOCUS_SHARE * len(mine):
            shared.append((start, end))
    if not shared:
        return None
    rest = question
    for start, end in reversed(shared):
        rest = rest[:start] + " " + rest[end:]
    rest = " ".join(rest.split())
    return rest if any(ch.isalnum() for ch in rest) else None


def focus_bonus(
    question: str,
    qvec: np.ndarray,
    texts: Sequence[str],
    vecs: np.ndarray,
    embed: Callable[[str], np.ndarray],
) -> np.ndarray:
    """What each candidate (``texts``, their ``vecs``) gains for coming close to the
    question's focus (``embed`` makes a query vector): 0 for the closest, negative for
    the others; all 0 when the question has no focus that differs from it."""
    none = np.zeros(len(texts))
    focus = focus_of(question, texts)
    if focus is None:
        return none
    fvec = embed(focus)
    if float(fvec @ qvec) >= FOCUS_SAME:
        return none
    near = vecs @ fvec
    return np.asarray(FOCUS_WEIGHT * (near - near.max()))
