"""Approximate search: one FAISS index per language, IVF with 8-bit scalar quantisation
for the languages with at least ``min_chunks`` rows, exact (flat) for the others.

Why this engine (bench/README.md, issue 15; measured on e5 embeddings of real text):

- **Per language**, because polyqa searches each language of the pool on its own
  (bot/retrieval/retriever.py): a filtered search over one shared approximate index loses
  recall when the filter keeps a fifth of the rows; one index per language needs no
  filter on the common path.
- **IVF**, because it keeps deletes possible (``remove_ids``), which re-indexing needs,
  and its recall is set at search time by ``nprobe``; HNSW has neither.
- **SQ8**, because 384 bytes a vector (a quarter of float32) keeps 10^6 chunks in ~400 MB,
  and its cosines differ from exact ones by ~1e-3, below what ranking notices.

The exact vectors are kept beside it as float16 in ``vectors.npy`` (memory-mapped, row =
store row): candidates are rescored by them, the next generation is built from them
(training reuses the previous generation's centroids while a language has not doubled),
and ``vectors()`` returns that map, so no float32 copy is ever held.
"""

from __future__ import annotations

import logging
import math
import time
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from index.ann.base import Rows, VectorIndex, as_rows, no_hits

logger = logging.getLogger(__name__)

TABLE = "vectors.npy"
DTYPE = np.float16
# Vectors per list aimed at, and the bounds of the list count.
LIST_SIZE = 4
MIN_LISTS, MAX_LISTS = 1, 4096
# Training points per list (FAISS warns below 39).
TRAIN_PER_LIST = 64
# A language retrains when it holds this many times the rows it was trained on.
RETRAIN_GROWTH = 2.0


def n_lists(n: int) -> int:
    """About LIST_SIZE * sqrt(n) lists: the usual IVF rule; never more lists than vectors
    (below 16 the rule asks for more, which k-means cannot train: a threshold set that
    low by ``ann_min_chunks`` failed to index)."""
    rule = round(LIST_SIZE * math.sqrt(max(n, 1)))
    return int(min(MAX_LISTS, max(n, 1), max(MIN_LISTS, rule)))


class LanguageIVFIndex(VectorIndex):
    """Rows in per-language FAISS indexes; ``nprobe`` is a fraction of each one's lists."""

    kind = "ivf-sq8"
    main_file = TABLE

    def __init__(self, dim: int, min_chunks: int, probe: float) -> None:
        self.dim = dim
        self.min_chunks = min_chunks
        self.probe = probe
        self._subs: dict[str, faiss.Index] = {}
        self._trained_on: dict[str, int] = {}
        self._rows: dict[str, np.ndarray] = {}  # sorted rows of each language
        self._table: np.ndarray = np.zeros((0, dim), dtype=DTYPE)
        self._lang_of = np.zeros(0, dtype=np.int16)  # code into _names, -1 absent
        self._names: list[str] = []

    # ------------------------------------------------------------------ building

    @classmethod
    def build(
        cls,
        vectors: np.ndarray,
        langs: list[str],
        min_chunks: int,
        probe: float,
        previous: LanguageIVFIndex | None = None,
    ) -> LanguageIVFIndex:
        """An index of ``vectors`` (row i in ``langs[i]``), trained here or reusing the
        centroids ``previous`` learnt for a language that has not grown past
        RETRAIN_GROWTH times its training set."""
        out = cls(vectors.shape[1], min_chunks, probe)
        out._add(vectors, np.arange(len(vectors), dtype=np.int64), langs, previous)
        return out

    def _new_sub(
        self, lang: str, vectors: np.ndarray, previous: LanguageIVFIndex | None
    ) -> faiss.Index:
        """The empty index a language's rows go into: trained IVF-SQ8 (or the centroids
        ``previous`` learnt for it, see ``build``), or flat."""
        if len(vectors) < self.min_chunks:
            return faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))
        if previous is not None and lang in previous._subs:
            old = previous._subs[lang]
            trained = previous._trained_on.get(lang, 0)
            if isinstance(old, faiss.IndexIVF) and len(vectors) <= RETRAIN_GROWTH * trained:
                sub = faiss.clone_index(old)
                sub.reset()
                self._trained_on[lang] = trained
                return sub
        nlist = n_lists(len(vectors))
        quantizer = faiss.IndexFlatIP(self.dim)
        sub = faiss.IndexIVFScalarQuantizer(
            quantizer, self.dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        rng = np.random.default_rng(0)
        take = min(len(vectors), TRAIN_PER_LIST * nlist)
        sample = vectors[np.sort(rng.choice(len(vectors), take, replace=False))]
        started = time.perf_counter()
        sub.cp.seed = 0
        sub.train(np.ascontiguousarray(sample, dtype=np.float32))
        self._trained_on[lang] = len(vectors)
        logger.info(
            "%s: trained %d lists on %d of %d vectors in %.1fs",
            lang,
            nlist,
            take,
            len(vectors),
            time.perf_counter() - started,
        )
        return sub

    def add(
        self, vectors: np.ndarray, ids: np.ndarray | None = None, langs: list[str] | None = None
    ) -> None:
        self._add(vectors, ids, langs, None)

    def _add(
        self,
        vectors: np.ndarray,
        ids: np.ndarray | None,
        langs: list[str] | None,
        previous: LanguageIVFIndex | None,
    ) -> None:
        vectors = np.asarray(vectors)
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise ValueError(f"vectors of shape {vectors.shape} do not fit dimension {self.dim}")
        if langs is None or len(langs) != len(vectors):
            raise ValueError("a per-language index needs one language per vector")
        start = len(self._table)
        ids = np.arange(start, start + len(vectors)) if ids is None else as_rows(ids)
        if len(ids) != len(vectors) or (ids.size and ids.min() < 0):
            raise ValueError("one non-negative id per vector")
        if np.isin(ids, self.present()).any():
            raise ValueError("rows already present: remove them first")
        top = int(ids.max()) + 1 if ids.size else 0
        if top > len(self._table):
            grown = np.zeros((top, self.dim), dtype=DTYPE)
            grown[: len(self._table)] = self._table
            self._table = grown
            codes = np.full(top, -1, dtype=np.int16)
            codes[: len(self._lang_of)] = self._lang_of
            self._lang_of = codes
        elif not self._table.flags.writeable:
            self._table = np.array(self._table)
        self._table[ids] = vectors.astype(DTYPE)
        lang_arr = np.asarray(langs, dtype=object)
        for lang in sorted(set(langs)):
            mine = np.flatnonzero(lang_arr == lang)
            block = np.ascontiguousarray(vectors[mine], dtype=np.float32)
            if lang not in self._subs:
                self._names.append(lang)
                self._subs[lang] = self._new_sub(lang, block, previous)
                self._rows[lang] = np.zeros(0, dtype=np.int64)
            self._subs[lang].add_with_ids(block, ids[mine])
            self._rows[lang] = np.union1d(self._rows[lang], ids[mine])
            self._lang_of[ids[mine]] = self._names.index(lang)

    def remove(self, ids: Rows) -> int:
        drop = np.unique(as_rows(ids))
        drop = drop[(drop >= 0) & (drop < len(self._lang_of))]
        drop = drop[self._lang_of[drop] >= 0]
        for code in np.unique(self._lang_of[drop]).tolist():
            lang = self._names[code]
            mine = drop[self._lang_of[drop] == code]
            self._subs[lang].remove_ids(faiss.IDSelectorBatch(mine))
            self._rows[lang] = np.setdiff1d(self._rows[lang], mine)
        self._lang_of[drop] = -1
        return int(drop.size)

    # ------------------------------------------------------------------ reading

    @property
    def size(self) -> int:
        return int(sum(sub.ntotal for sub in self._subs.values()))

    @property
    def languages(self) -> dict[str, str]:
        """Each language's engine: "ivf-sq8 (nlist)" or "flat"."""
        return {
            lang: f"ivf-sq8 ({sub.nlist} lists)" if isinstance(sub, faiss.IndexIVF) else "flat"
            for lang, sub in sorted(self._subs.items())
        }

    def present(self) -> np.ndarray:
        return np.flatnonzero(self._lang_of >= 0)

    def vectors(self) -> np.ndarray:
        """The float16 table (row = store row), a memory map once saved and loaded."""
        return self._table

    def reconstruct(self, rows: Rows) -> np.ndarray:
        return np.asarray(self._table[as_rows(rows)], dtype=np.float32)

    def _params(self, sub: faiss.Index, sel: Any) -> Any:
        if isinstance(sub, faiss.IndexIVF):
            nprobe = max(1, min(sub.nlist, math.ceil(self.probe * sub.nlist)))
            return faiss.SearchParametersIVF(sel=sel, nprobe=nprobe)  # type: ignore[call-arg]
        return faiss.SearchParameters(sel=sel) if sel is not None else None  # type: ignore[call-arg]

    def search(
        self, queries: np.ndarray, k: int, allowed: Rows | None = None, lang: str | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each language's top k (the one asked, or every one), merged by score. A
        restriction that keeps a language whole costs nothing; a partial one is a
        selector inside that language's scan."""
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        nq = queries.shape[0]
        allow = None if allowed is None else as_rows(allowed)
        if allow is not None and lang is None and allow.size:
            codes = np.unique(self._lang_of[allow[(allow >= 0) & (allow < len(self._lang_of))]])
            langs = [self._names[c] for c in codes.tolist() if c >= 0]
        else:
            langs = [lang] if lang is not None else sorted(self._subs)
        parts_s, parts_i = [], []
        for name in langs:
            sub = self._subs.get(name)
            if sub is None or sub.ntotal == 0:
                continue
            sel = None
            if allow is not None:
                rows = self._rows[name]
                if not (allow.size == rows.size and np.array_equal(allow, rows)):
                    mine = np.intersect1d(allow, rows, assume_unique=False)
                    if mine.size == 0:
                        continue
                    sel = faiss.IDSelectorBatch(mine)
            kk = max(1, min(k, int(sub.ntotal)))
            params = self._params(sub, sel)
            if isinstance(sub, faiss.IndexIVF):
                # One question (the chat, the CLI): its probed lists are split over the
                # cores, else one core scans them all (10^6 chunks, 5 languages: 22 -> 15
                # ms); a batch is split by query, as faiss does by default.
                sub.parallel_mode = 1 if nq == 1 else 0
            s, i = sub.search(queries, kk, params=params) if params else sub.search(queries, kk)
            parts_s.append(s)
            parts_i.append(i)
        if not parts_s:
            return no_hits(nq)
        scores, ids = np.concatenate(parts_s, axis=1), np.concatenate(parts_i, axis=1)
        scores = np.where(ids < 0, -np.inf, scores)
        order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        scores, ids = np.take_along_axis(scores, order, 1), np.take_along_axis(ids, order, 1)
        keep = int((ids >= 0).sum(axis=1).max()) if ids.size else 0
        return scores[:, :keep].astype(np.float32), ids[:, :keep]

    # ------------------------------------------------------------------ files

    def save(self, gen_dir: Path) -> dict[str, Any]:
        from index.derived import write_array

        write_array(gen_dir / TABLE, [self._table], self._table.shape, DTYPE)
        files, langs = [TABLE], {}
        for n, (lang, sub) in enumerate(sorted(self._subs.items())):
            name = f"ann-{n:02d}.faiss"
            faiss.write_index(sub, str(gen_dir / name))
            files.append(name)
            langs[lang] = {
                "file": name,
                "rows": int(sub.ntotal),
                "trained_on": self._trained_on.get(lang, 0),
            }
        return {
            "kind": self.kind,
            "files": files,
            "rows": len(self._table),
            "min_chunks": self.min_chunks,
            "probe": self.probe,
            "langs": langs,
        }

    @classmethod
    def load(cls, gen_dir: Path, manifest: dict[str, Any], dim: int) -> LanguageIVFIndex:
        from index.derived import DerivedDataError, open_array

        try:
            n = int(manifest["rows"])
            out = cls(dim, int(manifest["min_chunks"]), float(manifest["probe"]))
            langs = dict(manifest["langs"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"incomplete manifest ({exc.__class__.__name__}: {exc})") from exc
        try:
            out._table = open_array(gen_dir / TABLE, (n, dim), DTYPE)
        except DerivedDataError as exc:
            raise ValueError(f"{TABLE} {exc.problem}") from exc
        out._lang_of = np.full(n, -1, dtype=np.int16)
        for lang, meta in sorted(langs.items()):
            sub = faiss.read_index(str(gen_dir / meta["file"]))
            if sub.d != dim or sub.ntotal != int(meta["rows"]):
                raise ValueError(
                    f"{meta['file']}: {sub.ntotal} vectors of dimension {sub.d}, "
                    f"the manifest says {meta['rows']} of {dim}"
                )
            ids = _stored_ids(sub)
            if ids.size and (ids.min() < 0 or ids.max() >= n):
                raise ValueError(f"{meta['file']}: rows outside 0..{n - 1}")
            out._names.append(lang)
            out._subs[lang] = sub
            out._rows[lang] = np.sort(ids)
            out._lang_of[ids] = len(out._names) - 1
            out._trained_on[lang] = int(meta.get("trained_on", 0))
        return out


def _stored_ids(sub: faiss.Index) -> np.ndarray:
    """The ids a loaded per-language index holds (its rows), read from its lists."""
    if isinstance(sub, faiss.IndexIDMap):
        return faiss.vector_to_array(sub.id_map).astype(np.int64)
    ivf = faiss.extract_index_ivf(sub)
    lists = ivf.invlists
    assert lists is not None
    parts = []
    for i in range(ivf.nlist):
        size = lists.list_size(i)
        if size:
            parts.append(faiss.rev_swig_ptr(lists.get_ids(i), size).copy())
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)
