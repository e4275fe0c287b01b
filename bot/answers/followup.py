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
# How much less (cosine, less the language's background) the follow-up reading's lead
# sentence may fit the follow-up's own words than the lead of the question read alone,
# when the reading is surer by the history margin. Measured (bench/README.md): right
# follow-ups from -0.021 up (two more at -0.033), answers of the old topic to a new
# subject, and wrong follow-ups, from -0.030 down. A close call, made for the wrong ones.
LEAD_SLACK = 0.025
# The same, when the reading is taken for staying in the passage the earlier turn found
# (no confidence margin vouches for it): at least as good a fit.
PASSAGE_SLACK = 0.0


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


def still_answers(
    composer: Composer, reading: Evidence, alone: Evidence, slack: float = LEAD_SLACK
) -> bool:
    """Whether the follow-up reading's answer still answers the follow-up's own words.

    The earlier subject decides *which* thing the follow-up is about; it must not put
    the earlier question in the follow-up's place. "What is a tide gauge?" after "What
    does the harbourmaster do?", when the gauge's entry is in another script and weakly
    matched alone, is read with "harbourmaster" added and finds a sentence on the
    harbourmaster's duties at a higher confidence: a new subject answered with the old
    one. So that reading is taken only when its lead fits the follow-up alone (its own
    vector) nearly as well as the lead of the question read alone does
    (``slack``)."""
    fit = composer.lead_fit(reading, alone.qvec)
    return fit >= composer.lead_fit(alone, alone.qvec) - slack


def stays_in_passage(composer: Composer, reading: Evidence, plan: FollowUp) -> bool:
    """Whether the follow-up reading's answer comes from the passage the earlier turn's
    evidence ranked first: the conversation goes on in the passage the user has just
    read ("What is its goal?" after a glossary entry is answered from that entry). A
    question that passage answers at least as well as anything else answers its own
    words (``still_answers`` with ``PASSAGE_SLACK``) is taken as a follow-up even when
    the question alone is answered at a higher confidence (from a sentence that only
    shares a word with it)."""
    return composer.lead_row(reading) in plan.earlier.rows
