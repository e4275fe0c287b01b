"""The answer service: settings in, index loaded (or built), questions answered.

The CLI and the chat window are thin layers over this one object, so both behave the same.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from bot.answers import phrases
from bot.answers.composer import Answer, Composer, Evidence
from bot.answers.followup import (
    PASSAGE_SLACK,
    follow_up_evidence,
    stays_in_passage,
    still_answers,
)
from bot.answers.translations import Parallel, cited_translations
from bot.errors import LLMError, QuestionError
from bot.questions import clean_question
from bot.retrieval.conversation import (
    MAX_EARLIER,
    Earlier,
    FollowUp,
    TopicRetriever,
    follow_up,
    subject_of,
)
from bot.retrieval.retriever import Hit, Pool, Retriever
from bot.settings import Settings
from corpus.langid import detect_language
from corpus.reader import default_corpus_dir, read_documents
from index import store
from index.builder import IndexReport, Progress, params_for, update_index
from index.convert import BUILTIN_MODEL
from index.embedder import Embedder
from index.engines import make_index_embedder
from index.errors import CorruptIndexError, IndexMismatchError, ModelError
from index.faiss_index import FlatIPIndex
from index.fast_embedder import FastE5Embedder
from index.store import DocRecord, StoredIndex

if TYPE_CHECKING:
    from bot.answers.llm import LLMConfig

logger = logging.getLogger(__name__)

# How much the earlier turns must raise a follow-up's confidence (log-odds that the first
# sentence answers: e^1.5, about 4.5 times the odds) before its answer is taken over the
# question's own: a new subject asked after another is weakly matched alone too, and the
# old topic must not take its answer. Picked on roles-dev's 20 dialogs (bench/README.md).
HISTORY_MARGIN = 1.5


@dataclass(frozen=True)
class Exchange:
    """An earlier turn of a conversation: the question, and the answer given when the
    caller has it (without it, the question is answered again to know what was said)."""

    question: str
    answer: Answer | None = None


History = Sequence["str | Exchange"]


@dataclass(frozen=True)
class Resolved:
    """A question's evidence, and the follow-up plan when the earlier turns were used."""

    evidence: Evidence
    plan: FollowUp | None = None


class PolyqaService:
    """``embedder`` answers questions; ``index_embedder`` embeds documents. A given
    ``embedder`` does both unless an ``index_embedder`` is given too."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        index_embedder: Embedder | None = None,
    ) -> None:
        self.settings = settings
        self._embedder = embedder
        self._index_embedder = index_embedder
        self._lock = threading.RLock()
        self._retriever: Retriever | None = None

    @cached_property
    def embedder(self) -> Embedder:
        """The model on the query path: for the built-in model, index/fast_embedder.py
        (sentence-transformers' vectors and token counts, without loading torch)."""
        if self._embedder is not None:
            return self._embedder
        s = self.settings
        if s.engine == "auto" and s.model == BUILTIN_MODEL:
            try:
                return FastE5Embedder(s.cache_dir, bulk=lambda: self.index_embedder)
            except ModelError as exc:
                logger.warning("%s; using sentence-transformers", exc)
        return self.index_embedder

    @cached_property
    def index_embedder(self) -> Embedder:
        """The engine documents are embedded with (the ``embed_backend`` setting), loaded
        when needed: OpenVINO for the built-in model, sentence-transformers for any other."""
        if self._index_embedder is not None:
            return self._index_embedder
        if self._embedder is not None:
            return self._embedder
        s = self.settings
        return make_index_embedder(s.model, s.cache_dir, s.embed_backend)

    @property
    def index_dir(self) -> Path:
        return self.settings.active_index_dir

    def _params(self) -> store.IndexParams:
        s = self.settings
        return params_for(self.embedder, s.chunk_tokens, s.chunk_overlap)

    def retriever(self, progress: Progress | None = None) -> Retriever:
        """The loaded index; the default corpus is indexed on first use."""
        with self._lock:
            if self._retriever is None:
                stored = self._load_or_build(progress)
                self._retriever = Retriever.from_settings(
                    stored, self._query_embedder(stored), self.settings
                )
            return self._retriever

    def _query_embedder(self, stored: StoredIndex) -> Embedder:
        """What embeds the questions searched in ``stored`` (see ``uses_index_engine``)."""
        if self._embedder is None and uses_index_engine(stored, self.settings):
            return self.index_embedder
        return self.embedder

    def _load_or_build(self, progress: Progress | None) -> StoredIndex:
        if store.exists(self.index_dir):
            try:
                return store.load(self.index_dir, self._params())
            except (IndexMismatchError, CorruptIndexError) as exc:
                if not (self.settings.uses_default_corpus and self._holds_default_corpus()):
                    raise
                logger.warning("%s; rebuilding the default corpus's index", exc)
        elif not self.settings.uses_default_corpus:
            return store.load(self.index_dir)  # raises: no index here, and how to build one
        logger.info("indexing the default corpus into %s", self.index_dir)
        stored, _ = self._update([default_corpus_dir()], keep_missing=False, progress=progress)
        return stored

    def _holds_default_corpus(self) -> bool:
        """True also when the index is too damaged to tell: then only polyqa wrote it."""
        root = default_corpus_dir().resolve()
        try:
            docs = store.documents(self.index_dir)  # of any format: it may be an old one
        except CorruptIndexError:
            return True
        return all(Path(d.path).resolve().is_relative_to(root) for d in docs)

    def _update(
        self, paths: Sequence[Path], keep_missing: bool, progress: Progress | None
    ) -> tuple[StoredIndex, IndexReport]:
        s = self.settings
        docs, skipped = read_documents(list(paths), s.document_budget)
        stored, report = update_index(
            docs,
            self.index_dir,
            self.index_embedder,
            s.chunk_tokens,
            s.chunk_overlap,
            keep_missing=keep_missing,
            skipped=skipped,
            progress=progress,
            budget=s.document_budget,
            ann=s.ann,
            cache_dir=s.cache_dir,  # the lexical terms of chunks analysed before
        )
        return stored, report

    def index(
        self, paths: Sequence[Path], keep_missing: bool = False, progress: Progress | None = None
    ) -> IndexReport:
        """Make the index hold these documents (and, with keep_missing, the old ones too)."""
        stored, report = self._update(paths, keep_missing, progress)
        retriever = Retriever.from_settings(stored, self._query_embedder(stored), self.settings)
        with self._lock:  # questions wait for the swap only, not for the build
            current = self._retriever.stored.generation if self._retriever else ""
            if stored.generation >= current:  # two uploads may finish out of order
                self._retriever = retriever
        return report

    def documents(self) -> list[DocRecord]:
        return sorted(self.retriever().stored.documents.values(), key=lambda d: d.doc_id)

    def search(
        self,
        query: str,
        k: int | None = None,
        langs: Sequence[str] = (),
        history: History = (),
    ) -> list[Hit]:
        """The passages for ``query``; after earlier turns (``history``, oldest first),
        the follow-up's when they are used (see ``resolve``)."""
        pool = Pool(langs=frozenset(langs)) if langs else None
        k = k or self.settings.top_k
        if not history:
            return self.retriever().search(self._clean(query), k, pool)
        plan = self.resolve(query, langs, None, None, history).plan
        if plan is None:
            return self.retriever().search(self._clean(query), k, pool)
        topical = TopicRetriever(self.retriever(), plan.earlier.qvec, rows=plan.earlier.rows)
        return topical.search(plan.query, k, pool)

    def _clean(self, question: str) -> str:
        question = clean_question(question)  # cheap checks first: no model needed
        return clean_question(
            question,
            count_tokens=self.embedder.count_tokens,
            max_tokens=self.embedder.max_tokens,
        )

    def ask(
        self,
        question: str,
        langs: Sequence[str] = (),
        answer_lang: str | None = None,
        k: int | None = None,
        history: History = (),
    ) -> Answer:
        """The answer to ``question``, after the earlier turns of ``history`` if any."""
        final = None
        for item in self.ask_stream(question, langs, answer_lang, k, history):
            if isinstance(item, Answer):
                final = item
        assert final is not None
        return final

    def ask_stream(
        self,
        question: str,
        langs: Sequence[str] = (),
        answer_lang: str | None = None,
        k: int | None = None,
        history: History = (),
    ) -> Iterator[str | Answer]:
        """Pieces of the answer text as they are ready, then the whole Answer last.

        With earlier turns, the answer starts with a line saying so when they were used.
        """
        config = self.llm_config()
        if config is not None and history:
            resolved = self._condensed(question, langs, answer_lang, k, history, config)
        else:
            resolved = self.resolve(question, langs, answer_lang, k, history)
        evidence, note = resolved.evidence, self._note(resolved)
        if note:
            yield note + "\n"
        if config is not None and evidence.found:
            from bot.answers.generate import generate  # httpx: only with a language model

            for item in generate(self._composer(k), evidence, config):
                yield _noted(item, note, question) if isinstance(item, Answer) else item
            return
        answer = _noted(self.compose(evidence, k=k), note, question)
        yield from answer.answer.splitlines(keepends=True)[1 if note else 0 :]
        yield answer

    def resolve(
        self,
        question: str,
        langs: Sequence[str] = (),
        answer_lang: str | None = None,
        k: int | None = None,
        history: History = (),
    ) -> Resolved:
        """The question's evidence, read in the light of the earlier turns when it needs
        them: the follow-up is also searched with the earlier subject and topic
        (bot/retrieval/conversation.py), and that evidence is taken when it is found,
        leads with a sentence that still fits the follow-up's own words, and either
        raises the confidence by ``HISTORY_MARGIN`` at least or comes from the passage
        the earlier turn's evidence ranked first (bot/answers/followup.py ``still_answers``,
        ``stays_in_passage``). "Who designed it?" may be answered alone, about whatever
        was designed; after "What is the X?" the passage on X answers it far more
        clearly. A new subject is answered better alone than pulled to the old topic, so
        it gets the answer it gets without history. No history: today's path, unchanged."""
        earlier = self._earlier(history, langs, answer_lang, k) if history else []
        return self._resolve(question, earlier, langs, answer_lang, k)

    def _resolve(
        self,
        question: str,
        earlier: list[Earlier],
        langs: Sequence[str],
        answer_lang: str | None,
        k: int | None,
    ) -> Resolved:
        alone = self.evidence(question, langs, answer_lang, k)
        plan = follow_up(self._clean(question), earlier)
        if plan is None:
            return Resolved(alone)
        pool = Pool(langs=frozenset(langs)) if langs else None
        topical = TopicRetriever(self.retriever(), plan.earlier.qvec, rows=plan.earlier.rows)
        # Without the focus: the follow-up's query carries the earlier subject on purpose,
        # and the topic's passages all share it; the focus would leave it out and make the
        # reading look surer than the question alone (a switch of subject on roles-dev
        # went from -0.58 to 3.26 log-odds, past HISTORY_MARGIN, with a wrong answer).
        composer = self._composer(k, topical, focus=False)  # type: ignore[arg-type]
        candidate = follow_up_evidence(composer, plan, pool, answer_lang)
        surer = candidate.confidence >= alone.confidence + HISTORY_MARGIN
        if candidate.found and (
            (surer and still_answers(composer, candidate, alone))
            or (
                stays_in_passage(composer, candidate, plan)
                and still_answers(composer, candidate, alone, PASSAGE_SLACK)
            )
        ):
            return Resolved(candidate, plan)
        return Resolved(alone)

    def _earlier(
        self, history: History, langs: Sequence[str], answer_lang: str | None, k: int | None
    ) -> list[Earlier]:
        """The last turns of ``history``, each resolved in the light of those before it."""
        out: list[Earlier] = []
        for turn in list(history)[-MAX_EARLIER:]:
            exchange = turn if isinstance(turn, Exchange) else Exchange(str(turn))
            resolved = self._resolve(exchange.question, out, langs, answer_lang, k)
            answer = exchange.answer or self.compose(resolved.evidence, k=k)
            plan = resolved.plan
            subject = plan.subject if plan else subject_of(exchange.question, self.embedder)
            rows = tuple(h.row for h in resolved.evidence.hits[:1])
            out.append(
                Earlier(exchange.question, subject, resolved.evidence.qvec, _led(answer), rows)
            )
        return out

    def _condensed(
        self,
        question: str,
        langs: Sequence[str],
        answer_lang: str | None,
        k: int | None,
        history: History,
        config: LLMConfig,
    ) -> Resolved:
        """With a language model: the follow-up rewritten into a standalone question in
        the user's language first (bot/answers/llm.py ``condense``), then answered as one;
        if the model fails, the follow-up is read without it."""
        from bot.answers.llm import condense  # httpx: only with a language model

        turns = [t if isinstance(t, Exchange) else Exchange(str(t)) for t in history]
        turns = turns[-MAX_EARLIER:]
        qlang = answer_lang or detect_language(self._clean(question))
        pairs = [(t.question, t.answer.answer if t.answer else "") for t in turns]
        try:
            standalone = self._clean(
                condense(config, pairs, question, phrases.lang_name(qlang, "en"))
            )
        except (LLMError, QuestionError) as exc:
            logger.warning("%s; reading the follow-up without the language model", exc)
            return self.resolve(question, langs, answer_lang, k, history)
        evidence = self.evidence(standalone, langs, qlang, k)
        if " ".join(standalone.casefold().split()) == " ".join(question.casefold().split()):
            return Resolved(evidence)
        last = turns[-1].question
        earlier = Earlier(last, subject_of(last, self.embedder), evidence.qvec)
        return Resolved(evidence, FollowUp(question, standalone, earlier.subject, earlier))

    def _note(self, resolved: Resolved) -> str:
        """ "About “CTO”, following your previous question:" in the question's language."""
        if resolved.plan is None:
            return ""
        return phrases.t("follow_up", resolved.evidence.qlang, subject=resolved.plan.subject)

    def evidence(
        self,
        question: str,
        langs: Sequence[str] = (),
        answer_lang: str | None = None,
        k: int | None = None,
    ) -> Evidence:
        """What retrieval found for the question, and whether any of it stands out."""
        pool = Pool(langs=frozenset(langs)) if langs else None
        return self._composer(k).retrieve(self._clean(question), pool, answer_lang)

    def compose(self, evidence: Evidence, force: bool = False, k: int | None = None) -> Answer:
        """The extractive answer to ``evidence``; with ``force``, composed even below the
        not-found bar (evaluation measures what a lower bar would answer)."""
        return self._composer(k).compose(evidence, force=force)

    def _composer(
        self, k: int | None, retriever: Retriever | None = None, focus: bool = True
    ) -> Composer:
        retriever = retriever or self.retriever()
        return Composer(
            retriever,
            max_sentences=self.settings.answer_sentences,
            k=max(k or self.settings.top_k, 8),
            max_sources=k or self.settings.top_k,
            focus=focus,
        )

    def translations(self, answer: Answer) -> dict[int, list[Parallel]]:
        """Each citation's sentence as the other languages' documents say it (by number)."""
        return cited_translations(self.retriever(), answer)

    def llm_config(self) -> LLMConfig | None:
        s = self.settings
        if not (s.llm_base_url and s.llm_model):
            return None
        from bot.answers.llm import LLMConfig

        return LLMConfig(s.llm_base_url, s.llm_model, s.llm_api_key_env, s.llm_timeout)


def _led(answer: Answer) -> tuple[tuple[str, int], ...]:
    """The sentence a found answer led with, as (doc_id, start): what the user was told."""
    if not answer.found or not answer.citations or not answer.citations[0].support:
        return ()
    return ((answer.citations[0].doc_id, answer.citations[0].support[0].start),)


def _noted(answer: Answer, note: str, question: str) -> Answer:
    """The answer to the question as asked, led by the note when earlier turns were used."""
    if not note:
        return answer
    return replace(answer, question=question, answer=f"{note}\n{answer.answer}", notice=note)


def uses_index_engine(stored: StoredIndex, settings: Settings) -> bool:
    """Whether questions are embedded by the engine that embedded the documents (the
    ``embed_backend``, OpenVINO by default) rather than numpy.

    Only for the built-in model, an ONNX backend, and an approximate index (at least
    ``ann_min_chunks`` chunks): there a question took 20-23 ms in numpy against 9-12 ms
    in OpenVINO, most of a search at 10^6 chunks (bench/README.md, issue 15). Below that
    size numpy's vectors, which are sentence-transformers' own, so a small corpus's
    answers never move (OpenVINO's differ by cosine ~1e-5)."""
    return (
        settings.engine == "auto"
        and settings.model == BUILTIN_MODEL
        and settings.embed_backend in ("openvino", "onnx")
        and not isinstance(stored.index, FlatIPIndex)
        and len(stored.chunks) >= settings.ann_min_chunks
    )
