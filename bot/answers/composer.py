"""Extractive answers: the best sentences of the retrieved passages, each cited to its span.

Why extractive: with no language model reachable, the only answer that cannot be made up
is one quoted from the documents. Sentences are scored against the question with the same
multilingual model that retrieves, so a Hindi question can pick a German sentence; where
the corpus holds the same fact in the question's language, that version is preferred.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from typing import Any

import numpy as np

from bot.answers import phrases
from bot.answers.confidence import (
    LONE_GAP,
    MIN_CONFIDENCE,
    NO_EVIDENCE,
    NO_QUANTITY,
    answerability,
)
from bot.answers.focus import focus_bonus
from bot.answers.quantity import asks_amount, asks_quantity, states_quantity
from bot.answers.support import CheckedSentence, check
from bot.retrieval.retriever import Hit, Pool, Retriever
from corpus.analysis import analyze, shared_terms
from corpus.langid import detect_language
from corpus.sentences import is_heading, sentences_in_context

logger = logging.getLogger(__name__)

NO_SPACE_LANGS = {"zh", "ja"}
# Sentences closer than this (cosine) say the same thing, typically in two languages.
SAME_FACT = 0.88
# Weight of shared rare words, in cosine units per nat of rarity.
OVERLAP_WEIGHT = 0.006
# An own-language sentence this close to the best (cosine) is preferred.
OWN_LANGUAGE_PREFERENCE = 0.02
# How far below the best sentence (cosine) another may join the answer.
SENTENCE_MARGIN = 0.02
# Weight of the passage's retrieval relevance (relative to the best hit's) in a sentence's
# score. Retrieval weighs the whole passage, its best sentence, shared words and its
# translations; a lone sentence's similarity is noisier. On a third of xquad-dev (590
# questions) the first answer sentence holds the gold answer 74.7% -> 75.8% of the time.
HIT_PRIOR = 0.25


@dataclass(frozen=True)
class Support:
    start: int
    end: int
    text: str
    score: float


@dataclass(frozen=True)
class Citation:
    """A numbered source: the passage (chunk) and the sentence(s) in it that support it."""

    n: int
    doc_id: str
    path: str
    title: str
    lang: str
    start: int
    end: int
    text: str
    sentence_start: int
    sentence_end: int
    support: tuple[Support, ...] = ()
    page: int | None = None  # for paged documents (PDF): the page of the sentence


@dataclass
class Answer:
    question: str
    question_lang: str
    answer: str
    found: bool
    confidence: float
    citations: list[Citation] = field(default_factory=list)
    coverage: dict[str, int] = field(default_factory=dict)
    source_langs: list[str] = field(default_factory=list)
    notice: str | None = None
    sentences: list[CheckedSentence] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["confidence"] = round(self.confidence, 4)
        return out


@dataclass(frozen=True)
class Evidence:
    """What retrieval found for a question, before any answer is written."""

    question: str
    qlang: str
    qvec: np.ndarray
    hits: list[Hit]
    confidence: float
    pool: Pool = field(default_factory=Pool)
    ranked: _Ranked | None = field(default=None, repr=False, compare=False)

    @property
    def found(self) -> bool:
        return bool(self.hits) and self.confidence >= MIN_CONFIDENCE


@dataclass(frozen=True)
class _Ranked:
    """The hits' sentences worth quoting, their vectors and how well each answers."""

    cands: list[_Sentence]
    vecs: np.ndarray
    scores: np.ndarray

    @property
    def gap(self) -> float:
        """How far the best sentence stands above the best one saying something else."""
        best = int(np.argmax(self.scores))
        # The cosine test alone, not ``_says_else``: a lead's neighbours in its own text
        # are not its competitors here (counting them: roles-dev answer@1 29 -> 24).
        other = (self.vecs @ self.vecs[best]) < SAME_FACT
        if not other.any():
            return LONE_GAP
        return float(self.scores[best] - self.scores[other].max())


@dataclass(frozen=True)
class _Sentence:
    hit: Hit
    start: int  # absolute offsets in the source document
    end: int
    text: str
    lang: str
    context: str  # what is compared with the question: the sentence under its heading
    own: int  # where the sentence itself starts in its chunk's text (its vector's key)


def _candidate_sentences(hits: list[Hit]) -> list[_Sentence]:
    """Sentences of the hits, each once even where overlapping chunks repeat it.

    A sentence under a glossary term ("光合作用(Photosynthesis):" then "它在葉綠體中進
    行。") is compared with the question under its term, and quoted with it: alone, "it
    takes place in the chloroplasts" answers nothing.
    """
    seen: set[tuple[str, int]] = set()
    out = []
    for hit in hits:
        c = hit.chunk
        previous = (0, 0)  # the sentence before, for a definition quoted with its term
        for s, e, context in sentences_in_context(c.text):
            key = (c.doc_id, c.start + s)
            if key not in seen:
                seen.add(key)
                term = c.text[previous[0] : previous[1]]
                start = previous[0] if context != c.text[s:e] and term.endswith((":", "：")) else s
                out.append(
                    _Sentence(
                        hit, c.start + start, c.start + e, c.text[start:e], c.lang, context, s
                    )
                )
            previous = (s, e)
    return out


def _says_else(a: _Sentence, b: _Sentence, cosine: float) -> bool:
    """Whether two candidates are two things to quote rather than one fact twice. Two
    sentences of one document are never the same fact told twice (overlapping chunks give
    one sentence once, by its offsets); the model rates sentences on one topic in one text
    as close as a sentence and its translation (cosine >= SAME_FACT), which cut a
    definition from the sentence after it."""
    if a.hit.chunk.doc_id == b.hit.chunk.doc_id:
        return a.start != b.start
    return cosine < SAME_FACT


def _informative(text: str) -> bool:
    """Headings and fragments make poor answers however similar they are."""
    letters = sum(ch.isalpha() for ch in text)
    cjk = sum("\u3400" <= ch <= "\u9fff" for ch in text)
    return cjk >= 12 or (letters >= 30 and len(text.split()) >= 6)


def _worth_quoting(s: _Sentence) -> bool:
    """Informative alone, or a short definition under its term (not a heading itself);
    never a question: a text's own (often rhetorical) questions share the asker's words
    and shape more than any statement does, and answer nothing."""
    if _asks(s.text):
        return False
    return _informative(s.text) or (_informative(s.context) and not is_heading(s.text))


def _asks(text: str) -> bool:
    """A question, by its closing mark (Latin, CJK, Arabic and Persian)."""
    return text.rstrip().rstrip("\"'”’»)）」』").endswith(("?", "？", "؟"))


def _overlap_bonus(question: str, cands: list[_Sentence]) -> np.ndarray:
    """Shared rare terms: the small model's similarity alone misses "berichtet" in "An wen
    berichtet der CTO?". Terms come from the lexical index's own analysis of each
    sentence's language (stems, jieba words, Turkish prefixes, folded Devanagari), so
    "berichtet" and "berichten" match; weighted by rarity among the candidates.
    On xquad-dev (1770 questions, in thirds), against 4+-letter words and Han pairs:
    answer@1 0.749 -> 0.758, answer@any 0.784 -> 0.790."""
    asked: dict[str, set[str]] = {}
    sets = []
    for s in cands:
        if s.lang not in asked:
            asked[s.lang] = set(analyze(question, s.lang))
        sets.append(shared_terms(s.context, s.lang, asked[s.lang]))
    df: dict[str, int] = {}
    for terms in sets:
        for term in terms:
            df[term] = df.get(term, 0) + 1
    n = len(cands)
    bonus = np.array([sum(np.log(1 + n / df[t]) for t in terms) for terms in sets], float)
    # Centred per language: only a question's own language can share its words, and
    # that must not lift its sentences above another language's answer.
    langs = np.array([s.lang for s in cands])
    for lang in set(langs.tolist()):
        mine = langs == lang
        bonus[mine] -= bonus[mine].mean()
    return bonus * OVERLAP_WEIGHT


class Composer:
    def __init__(
        self,
        retriever: Retriever,
        max_sentences: int = 3,
        k: int = 8,
        max_sources: int = 5,
        focus: bool = True,
    ) -> None:
        """``focus``: sentences also scored against the question's focus
        (bot/answers/focus.py); off for a follow-up read with the earlier subject."""
        self.retriever = retriever
        self.max_sentences = max_sentences
        self.k = k
        self.max_sources = max_sources
        self.focus = focus

    def retrieve(
        self, question: str, pool: Pool | None = None, answer_lang: str | None = None
    ) -> Evidence:
        """Candidates for the answer, and whether any of them stands out."""
        qlang = answer_lang or detect_language(question)
        qvec = self.retriever.embed_query(question, qlang)
        hits = self.retriever.search(question, self.k, pool, query_vec=qvec, lang=qlang)
        if not hits:
            return Evidence(question, qlang, qvec, hits, NO_EVIDENCE, pool or Pool())
        ranked = self._rank(question, qvec, hits, qlang)
        best = max(hits, key=lambda h: h.relevance)  # hits[0] may rank on its own standing
        conf = answerability(ranked.gap, self._background_free(best, qlang))
        if asks_quantity(question, qlang):
            amount = asks_amount(question, qlang)
            # The lead must state it: the confidence is that the first sentence answers
            # ("two roles" quoted third does not say how old anyone is).
            lead = [ranked.cands[i] for i in self._pick(ranked, qlang)[:1]]
            if not any(states_quantity(s.text, s.lang, amount) for s in lead):
                conf += NO_QUANTITY
        return Evidence(question, qlang, qvec, hits, conf, pool or Pool(), ranked)

    def _background_free(self, hit: Hit, qlang: str) -> float:
        """The hit's relevance less its language's background for questions in ``qlang``
        (twice, as the chunk's and its best sentence's cosines each carry it): what the
        answerability was fitted on, whether or not retrieval took it off itself."""
        if self.retriever.config.debias:
            return hit.relevance
        offsets = self.retriever.calibrator.language_offsets(qlang)
        return hit.relevance - 2.0 * offsets.get(hit.chunk.lang, 0.0)

    def answer(
        self, question: str, pool: Pool | None = None, answer_lang: str | None = None
    ) -> Answer:
        return self.compose(self.retrieve(question, pool, answer_lang))

    def compose(self, ev: Evidence, force: bool = False) -> Answer:
        """The extractive answer: best sentences, cited, checked against their sources.
        Below the not-found bar it says so, unless ``force`` (then ``found`` still tells
        whether the bar was passed)."""
        coverage = _coverage(ev.hits)
        if not ev.hits or not (ev.found or force):
            return self._not_found(ev, coverage)
        chosen = self._choose(ev, ev.qlang)
        text, citations, claims = _compose(chosen, ev.qlang)
        citations = self._with_pages(citations)
        checked = check(claims, {c.n: c.text for c in citations}, self.retriever.embedder)
        langs = sorted({c.lang for c in citations})
        return Answer(
            ev.question, ev.qlang, text, ev.found, ev.confidence, citations, coverage, langs,
            sentences=checked,
        )  # fmt: skip

    def _rank(self, question: str, qvec: np.ndarray, hits: list[Hit], qlang: str) -> _Ranked:
        cands = [s for s in _candidate_sentences(hits) if _worth_quoting(s)]
        if not cands:
            cands = _candidate_sentences(hits[:1])
        vecs = self._vectors(cands)
        return _Ranked(cands, vecs, self._scores(question, qvec, cands, vecs, qlang))

    def _choose(self, ev: Evidence, qlang: str) -> list[_Sentence]:
        ranked = ev.ranked or self._rank(ev.question, ev.qvec, ev.hits, qlang)
        chosen: dict[tuple[str, int], _Sentence] = {}
        for i in self._pick(ranked, qlang):  # two sentences may have one translation
            s = self._in_own_language(
                ranked.cands[i], ranked.vecs[i], ranked.cands, ranked.vecs, ev
            )
            chosen.setdefault((s.hit.chunk.doc_id, s.start), s)
        return self._in_text_order(list(chosen.values()))

    def _in_text_order(self, chosen: list[_Sentence]) -> list[_Sentence]:
        """A term's definition quoted before what follows it. The sentence under a glossary
        term ("X:" then "a process that ...") defines it, and the text goes on to what more
        X does; the model may rate that next sentence a shade higher, as it shares X's
        name, and lead the answer with it. When both are quoted, the definition leads.
        Not any earlier sentence of the paragraph: on xquad-dev's one-paragraph documents
        putting an adjacent earlier sentence first cost 4 first sentences of 300."""
        lead = chosen[0]
        definition = next((s for s in chosen[1:] if self._defines_before(s, lead)), None)
        if definition is None:
            return chosen
        return [definition, *(s for s in chosen if s is not definition)]

    def _defines_before(self, s: _Sentence, lead: _Sentence) -> bool:
        """``s`` is quoted with its term (see ``_candidate_sentences``), right before
        ``lead`` in the same text."""
        doc_id = lead.hit.chunk.doc_id
        with_term = s.start < s.hit.chunk.start + s.own
        if not with_term or s.hit.chunk.doc_id != doc_id or s.end > lead.start:
            return False
        between = self.retriever.document_text(doc_id, s.end, lead.start)
        return between is not None and not between.strip()

    def lead_fit(self, ev: Evidence, qvec: np.ndarray) -> float:
        """How close the sentence ``ev``'s answer leads with comes to ``qvec``: its cosine
        less its language's background for questions in ``ev.qlang`` (-inf without
        candidates). Compares two readings of one question on the question's own vector."""
        i = self._lead(ev)
        if i is None or ev.ranked is None:
            return float("-inf")
        r = ev.ranked
        return float(self._debiased(qvec, r.cands[i : i + 1], r.vecs[i : i + 1], ev.qlang)[0])

    def lead_row(self, ev: Evidence) -> int | None:
        """The passage (index row) the sentence ``ev``'s answer leads with is quoted from."""
        i = self._lead(ev)
        return None if i is None or ev.ranked is None else ev.ranked.cands[i].hit.row

    def _lead(self, ev: Evidence) -> int | None:
        if ev.ranked is None or not ev.ranked.cands:
            return None
        return self._pick(ev.ranked, ev.qlang)[0]

    def _pick(self, ranked: _Ranked, qlang: str) -> list[int]:
        """The candidates the answer quotes, best first: within the margin of the best
        (of the question's language when it is nearly as good), each saying something
        the others do not, from at most ``max_sources`` passages."""
        cands, vecs, scores = ranked.cands, ranked.vecs, ranked.scores
        order = [int(i) for i in np.argsort(-scores, kind="stable")]
        own = [i for i in order if cands[i].lang == qlang]
        if own and scores[own[0]] >= scores[order[0]] - OWN_LANGUAGE_PREFERENCE:
            order = own  # the corpus answers in the question's language: answer from it
        best = scores[order[0]]
        picked: list[int] = []
        for i in order:
            if len(picked) == self.max_sentences or scores[i] < best - SENTENCE_MARGIN:
                break
            rows = {cands[j].hit.row for j in picked} | {cands[i].hit.row}
            if len(rows) > self.max_sources:
                continue
            if all(_says_else(cands[i], cands[j], float(vecs[i] @ vecs[j])) for j in picked):
                picked.append(i)
        return picked

    def _vectors(self, cands: list[_Sentence]) -> np.ndarray:
        """The candidates' vectors: the retriever's sentence vectors (embedded as
        ``sentences_in_context`` gives them, like ``context``), the model for any missing.
        Embedding every candidate was four fifths of an answer's time."""
        cached = self.retriever.sentences
        vecs: list[np.ndarray | None] = [
            cached.vector_of(s.hit.row, s.own) if cached is not None else None for s in cands
        ]
        missing = [i for i, v in enumerate(vecs) if v is None]
        if missing:
            fresh = self.retriever.embedder.embed_passages([cands[i].context for i in missing])
            for i, vec in zip(missing, fresh, strict=True):
                vecs[i] = vec
        stacked = np.stack([np.asarray(v, dtype=np.float32) for v in vecs])
        return self.retriever.neutral_passages(stacked, [s.lang for s in cands])

    def _scores(
        self,
        question: str,
        qvec: np.ndarray,
        cands: list[_Sentence],
        vecs: np.ndarray,
        qlang: str,
    ) -> np.ndarray:
        """How well each sentence answers: its similarity to the question, debiased, plus
        shared rare words, plus how far its passage ranked (see HIT_PRIOR), plus how
        close it comes to what the question asks about its topic (bot/answers/focus.py)."""
        scores = self._debiased(qvec, cands, vecs, qlang) + _overlap_bonus(question, cands)
        relevance = np.array([s.hit.relevance for s in cands])
        scores = scores + HIT_PRIOR * (relevance - relevance.max())
        if not self.focus:
            return np.asarray(scores)
        embed = partial(self.retriever.embed_query, lang=qlang)
        texts = [s.text for s in cands]
        return np.asarray(scores + focus_bonus(question, qvec, texts, vecs, embed))

    def _debiased(
        self, qvec: np.ndarray, cands: list[_Sentence], vecs: np.ndarray, qlang: str
    ) -> np.ndarray:
        """Each candidate's cosine to ``qvec`` less its language's background for
        questions in ``qlang``: the model's preference for the question's own language
        is removed, so a German sentence that answers beats a Turkish one that only
        shares the topic."""
        offsets = self.retriever.calibrator.language_offsets(qlang)
        bias = np.array([offsets.get(s.lang, 0.0) for s in cands])
        return np.asarray(vecs @ qvec - bias)

    def _in_own_language(
        self,
        sent: _Sentence,
        vec: np.ndarray,
        cands: list[_Sentence],
        vecs: np.ndarray,
        ev: Evidence,
    ) -> _Sentence:
        """The same fact in the question's language, when the corpus has it: the
        sentence's aligned translation (index/parallel.py), else the candidate closest to
        it (cosine >= SAME_FACT) in a translation of its document; with translation links
        off, in any document."""
        if sent.lang == ev.qlang:
            return sent
        linked = self.retriever.config.parallel
        if linked and (found := self._translated(sent, ev)) is not None:
            return found
        if linked:  # the hit's passages in the question's language, folded into it
            cands = self._folded(sent.hit, ev.qlang)
            vecs = self._vectors(cands) if cands else vecs[:0]
        same = [i for i, c in enumerate(cands) if c.lang == ev.qlang]
        if same:
            sims = vecs[same] @ vec
            j = int(np.argmax(sims))
            if sims[j] >= SAME_FACT:
                return cands[same[j]]
        return sent

    def _folded(self, hit: Hit, lang: str) -> list[_Sentence]:
        """Sentences of the hit's translations in ``lang``, as hits of their own."""
        store = self.retriever.stored.chunks
        rows = [r for r in hit.translations if store[r].lang == lang]
        hits = [
            replace(hit, row=r, chunk=store[r], translations=(), translation_chunks=())
            for r in rows
        ]
        return [s for s in _candidate_sentences(hits) if _worth_quoting(s)]

    def _translated(self, sent: _Sentence, ev: Evidence) -> _Sentence | None:
        """``sent`` as its linked translation in the question's language says it, if the
        pool searched holds that document."""
        chunk, qlang = sent.hit.chunk, ev.qlang
        found = [
            t
            for start in dict.fromkeys((sent.start, chunk.start + sent.own))
            for t in self.retriever.links.translations(chunk.doc_id, start)
            if t.lang == qlang
        ]
        if (
            not found
            or len({t.doc_id for t in found}) > 1
            or not ev.pool.admits(found[0].doc_id, qlang)
        ):
            return None
        lo, hi = min(t.start for t in found), max(t.end for t in found)
        row = self.retriever.row_holding(found[0].doc_id, lo, hi)
        if row is None:
            return None
        target = self.retriever.stored.chunks[row]
        text = target.text[lo - target.start : hi - target.start]
        score = float(self.retriever.vectors_of([row])[0] @ ev.qvec)
        hit = replace(
            sent.hit, score=score, row=row, chunk=target, translations=(), translation_chunks=()
        )
        return _Sentence(hit, lo, hi, text, qlang, text, lo - target.start)

    def _with_pages(self, citations: list[Citation]) -> list[Citation]:
        docs = self.retriever.stored.documents
        return [
            replace(c, page=docs[c.doc_id].page_at(c.sentence_start)) if c.doc_id in docs else c
            for c in citations
        ]

    def _not_found(self, ev: Evidence, coverage: dict[str, int]) -> Answer:
        question, qlang, conf = ev.question, ev.qlang, ev.confidence
        nearest = ev.hits[: min(3, self.max_sources)]
        citations = self._with_pages([_citation(i + 1, h, ()) for i, h in enumerate(nearest)])
        lines = [phrases.t("not_found", qlang), phrases.t("nearest", qlang)]
        lines += [f"[{c.n}] ({c.lang}) {_snippet(c.text)}" for c in citations]
        langs = sorted({c.lang for c in citations})
        return Answer(question, qlang, "\n".join(lines), False, conf, citations, coverage, langs)


def _flat(text: str) -> str:
    """One line: a term and its definition are quoted together across their line break."""
    return " ".join(text.split())


def _snippet(text: str, limit: int = 120) -> str:
    text = _flat(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _coverage(hits: list[Hit]) -> dict[str, int]:
    out: dict[str, int] = {}
    for h in hits:  # a hit's translations were candidates from their languages too
        for c in (h.chunk, *h.translation_chunks):
            out[c.lang] = out.get(c.lang, 0) + 1
    return dict(sorted(out.items()))


def _citation(n: int, hit: Hit, support: tuple[Support, ...]) -> Citation:
    c = hit.chunk
    first = support[0] if support else Support(c.start, c.end, c.text, hit.score)
    return Citation(
        n, c.doc_id, c.path, c.title, c.lang, c.start, c.end, c.text,
        first.start, first.end, support,
    )  # fmt: skip


def _compose(chosen: list[_Sentence], qlang: str) -> tuple[str, list[Citation], list[str]]:
    """Own-language sentences and quotes from other languages, each with [n]; the block
    holding the best sentence comes first (``chosen`` is in order of merit)."""
    numbers: dict[int, int] = {}
    support: dict[int, list[Support]] = {}
    for s in chosen:
        numbers.setdefault(s.hit.row, len(numbers) + 1)
        support.setdefault(s.hit.row, []).append(Support(s.start, s.end, s.text, s.hit.score))
    own = [s for s in chosen if s.lang == qlang]
    other = [s for s in chosen if s.lang != qlang]
    joiner = "" if qlang in NO_SPACE_LANGS else " "
    own_block = [joiner.join(f"{_flat(s.text)} [{numbers[s.hit.row]}]" for s in own)] if own else []
    other_block = []
    if other:
        langs = sorted({s.lang for s in other})
        other_block.append(
            phrases.t("found_in_other", qlang, langs=phrases.lang_list(langs, qlang))
        )
        other_block.extend(f"“{_flat(s.text)}” [{numbers[s.hit.row]}]" for s in other)
    best_is_own = bool(own) and chosen[0].lang == qlang
    parts = own_block + other_block if best_is_own else other_block + own_block
    hits = {s.hit.row: s.hit for s in chosen}
    citations = [
        _citation(n, hits[row], tuple(support[row]))
        for row, n in sorted(numbers.items(), key=lambda kv: kv[1])
    ]
    claims = [f"{_flat(s.text)} [{numbers[s.hit.row]}]" for s in chosen]
    return "\n".join(parts), citations, claims
