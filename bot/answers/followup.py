"""A follow-up's evidence: searched with the earlier subject, without repeating the answer.

bot/retrieval/conversation.py finds what the follow-up is about; here its evidence is
gathered as any question's is (bot/answers/composer.py), with one change: the sentence
the earlier answer led with is marked down by ``REPEAT_PENALTY`` (cosine units), with
its translations, so "Und die zweite Methode davon?" is answered with the second
method, not with the sentence about the first the user has just read. The confidence
then moves by what the re-scored sentences change of the gap, on the same scale as any
question's.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from bot.answers.composer import Composer, Evidence
from bot.answers.confidence import GAP_WEIGHT
from bot.retrieval.conversation import FollowUp
from bot.retrieval.retriever import Pool, Retriever
from corpus.langid import detect_language

# What repeating the sentence the user has just been shown costs a candidate.
REPEAT_PENALTY = 0.1


def follow_up_evidence(
    composer: Composer, plan: FollowUp, pool: Pool | None, answer_lang: str | None
) -> Evidence:
    """The evidence for ``plan.query``, in the follow-up's language, as asked."""
    lang = answer_lang or detect_language(plan.question)
    ev = composer.retrieve(plan.query, pool, lang)
    ev = replace(ev, question=plan.question)
    said = _said(composer.retriever, plan.earlier.said)
    if ev.ranked is None or not said:
        return ev
    penalty = np.array(
        [REPEAT_PENALTY if (s.hit.chunk.doc_id, s.start) in said else 0.0 for s in ev.ranked.cands]
    )
    if not penalty.any():
        return ev
    ranked = replace(ev.ranked, scores=ev.ranked.scores - penalty)
    # Only the gap moves; the rest of the confidence (the passage's relevance, the
    # quantity check) is what retrieval found.
    confidence = ev.confidence + GAP_WEIGHT * (ranked.gap - ev.ranked.gap)
    return replace(ev, ranked=ranked, confidence=confidence)


def _said(retriever: Retriever, said: tuple[tuple[str, int], ...]) -> set[tuple[str, int]]:
    """The sentences already said, and their linked translations, as (doc_id, start)."""
    out = set(said)
    for doc_id, start in said:
        out.update((t.doc_id, t.start) for t in retriever.links.translations(doc_id, start))
    return out
