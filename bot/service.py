"""The answer service: settings in, index loaded (or built), questions answered.

The CLI and the chat window are thin layers over this one object, so both behave the same.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from bot.answers.composer import Answer, Composer, Evidence
from bot.answers.translations import Parallel, cited_translations
from bot.questions import clean_question
from bot.retrieval.retriever import Hit, Pool, Retriever
from bot.settings import Settings
from corpus.reader import default_corpus_dir, read_documents
from index import store
from index.builder import IndexReport, Progress, params_for, update_index
from index.convert import BUILTIN_MODEL
from index.embedder import Embedder, SentenceTransformerEmbedder
from index.errors import CorruptIndexError, IndexMismatchError, ModelError
from index.fast_embedder import FastE5Embedder
from index.store import DocRecord, StoredIndex

if TYPE_CHECKING:
    from bot.answers.llm import LLMConfig

logger = logging.getLogger(__name__)


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
        """The model documents are embedded with: sentence-transformers, loaded when needed."""
        if self._index_embedder is not None:
            return self._index_embedder
        if self._embedder is not None:
            return self._embedder
        return SentenceTransformerEmbedder(self.settings.model, self.settings.cache_dir)

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
                self._retriever = Retriever.from_settings(
                    self._load_or_build(progress), self.embedder, self.settings
                )
            return self._retriever

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
        )
        return stored, report

    def index(
        self, paths: Sequence[Path], keep_missing: bool = False, progress: Progress | None = None
    ) -> IndexReport:
        """Make the index hold these documents (and, with keep_missing, the old ones too)."""
        stored, report = self._update(paths, keep_missing, progress)
        retriever = Retriever.from_settings(stored, self.embedder, self.settings)
        with self._lock:  # questions wait for the swap only, not for the build
            current = self._retriever.stored.generation if self._retriever else ""
            if stored.generation >= current:  # two uploads may finish out of order
                self._retriever = retriever
        return report

    def documents(self) -> list[DocRecord]:
        return sorted(self.retriever().stored.documents.values(), key=lambda d: d.doc_id)

    def search(self, query: str, k: int | None = None, langs: Sequence[str] = ()) -> list[Hit]:
        pool = Pool(langs=frozenset(langs)) if langs else None
        return self.retriever().search(self._clean(query), k or self.settings.top_k, pool)

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
    ) -> Answer:
        final = None
        for item in self.ask_stream(question, langs, answer_lang, k):
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
    ) -> Iterator[str | Answer]:
        """Pieces of the answer text as they are ready, then the whole Answer last."""
        evidence = self.evidence(question, langs, answer_lang, k)
        config = self.llm_config()
        if config is not None and evidence.found:
            from bot.answers.generate import generate  # httpx: only with a language model

            yield from generate(self._composer(k), evidence, config)
            return
        answer = self.compose(evidence, k=k)
        yield from answer.answer.splitlines(keepends=True)
        yield answer

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

    def _composer(self, k: int | None) -> Composer:
        retriever = self.retriever()
        return Composer(
            retriever,
            max_sentences=self.settings.answer_sentences,
            k=max(k or self.settings.top_k, 8),
            max_sources=k or self.settings.top_k,
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
