"""The lexical stage served by Milvus: polyqa's BM25 as sparse vectors in a collection.

Why: on a cluster the passages' lexical postings must live where the dense vectors do,
not in every chat process's memory; but the engine's analysers are not polyqa's (Milvus
Lite's ``standard`` analyser splits Hindi words apart, and it ignores per-language
analysers). So the terms are polyqa's own (corpus/analysis.py, the analysers
index/lexical.py's LexicalIndex uses), and so are the weights: each passage is stored as
a sparse vector of ``idf(t) * tf / (tf + k1 * (1 - b + b * dl / avgdl))`` -- bm25s's
Lucene BM25, term for term -- and a query is the sparse vector of its terms, each
weighted ``1 / mass`` (the query's IDF mass, index/lexical_mass.py, as
LexicalIndex normalises). The sparse inner product is then exactly LexicalIndex's
normalised score, and ``scores`` returns the same array LexicalIndex.scores does, so the
retrieval policy (bot/retrieval/retriever.py: per-language top ``depth``, the lexical
best, the fusion) is unchanged and stays polyqa's.

Rows of ``<collection>_lexical``::

    uid   int64 primary key: a hash of (language, its texts' fingerprint, position)
    lang  the chunk's language; its partition, as in the dense collection
    gen   the language's fingerprint (a hash of its texts in row order)
    pos   the chunk's position among its language's chunks
    sp    the sparse BM25 vector; keys hash (language, term), so a language's query
          vector can score its own language's passages only

BM25's statistics (N, avgdl, df) are per language, so a change in a language changes
every weight in it: a write rewrites the languages whose texts changed and keeps the
others' rows as they are. Readers filter on their languages' fingerprints, so a write
killed half way leaves readers of the old texts answering as before; the next write
removes its leftovers, and the rows of all but the current and the previous fingerprint
of each language (the store keeps one generation back for readers).

Only engines with sparse vectors serve it: Milvus Lite (3.x) and servers 2.4 and later.
The 2.3.5 server PyPI ships has none; there the lexical stage stays local (LexicalIndex).
A search asks for at most ``MAX_LIMIT`` hits per language (Milvus's top-k limit): rows
past that keep a lexical score of 0, which can only change the lexical term of a dense
candidate that matched too few of the query's terms to rank in the top 16,384.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from corpus.analysis import analyze
from index.ann.milvus_names import META_SUFFIX, is_lite, partition
from index.lexical_mass import main_script, query_mass
from index.lexical_postings import K1, B, lucene_idf

logger = logging.getLogger(__name__)

SUFFIX = "_lexical"
STATE_KEY = "lexical"
MAX_LIMIT = 16_384
BATCH = 2_000


def _hash(*parts: str | int, bits: int = 63) -> int:
    data = "\0".join(str(p) for p in parts).encode("utf-8")
    digest = hashlib.blake2b(data, digest_size=8).digest()
    return int.from_bytes(digest, "little") & ((1 << bits) - 1)


def term_key(lang: str, term: str) -> int:
    """A term's sparse dimension: below 2^32 - 1 (Milvus's range), salted by language."""
    return _hash(lang, term, bits=32) % (2**32 - 1)


@dataclass
class _Lang:
    lang: str
    rows: np.ndarray  # position -> store row
    terms: list[list[str]]
    df: Counter[str]
    fingerprint: int

    @property
    def n(self) -> int:
        return len(self.rows)

    def idf(self, term: str) -> float:
        """Lucene's BM25 IDF, as bm25s and LexicalIndex compute it."""
        return lucene_idf(self.n, self.df.get(term, 0))

    @cached_property
    def home_script(self) -> str:
        """The script most of this language's terms are written in, as LexicalIndex's."""
        return main_script(self.df)

    def vectors(self) -> list[dict[int, float]]:
        """Every passage's sparse BM25 vector (bm25s's Lucene weights, float32)."""
        avgdl = sum(len(t) for t in self.terms) / max(1, self.n)
        idf = {t: self.idf(t) for t in self.df}
        out: list[dict[int, float]] = []
        for terms in self.terms:
            dl = len(terms)
            vec: dict[int, float] = {}
            norm = K1 * ((1 - B) + B * dl / avgdl) if avgdl else K1
            for term, tf in Counter(terms).items():
                key = term_key(self.lang, term)
                vec[key] = vec.get(key, 0.0) + float(np.float32(idf[term] * tf / (norm + tf)))
            out.append(vec)
        return out

    def query(self, text: str) -> dict[int, float] | None:
        """The query's sparse vector in this language; None when no term is known."""
        terms = list(dict.fromkeys(analyze(text, self.lang)))
        known = [t for t in terms if t in self.df]
        if not known:
            return None
        mass = query_mass(terms, self.idf, lambda t: t in self.df, self.home_script)
        vec: dict[int, float] = {}
        for term in known:
            key = term_key(self.lang, term)
            vec[key] = vec.get(key, 0.0) + 1.0 / mass
        return vec


def sparse_supported(milvus: Any, uri: str) -> bool:
    """Whether the engine has sparse vectors: Milvus Lite, or a server of 2.4 or later."""
    if is_lite(uri):
        return True
    try:
        version = str(milvus.get_server_version()).lstrip("v")
        major, minor = (int(x) for x in version.split(".")[:2])
    except Exception:  # an unparsable version: take it as too old, stay local
        return False
    return (major, minor) >= (2, 4)


class MilvusLexical:
    """LexicalIndex's ``scores`` served by a Milvus collection of sparse BM25 vectors."""

    def __init__(
        self, milvus: Any, collection: str, texts: Sequence[str], langs: Sequence[str]
    ) -> None:
        started = time.perf_counter()
        self._milvus = milvus
        self._name = collection + SUFFIX
        self._state_name = collection
        self.size = len(texts)
        by_lang: dict[str, list[int]] = {}
        for row, lang in enumerate(langs):
            by_lang.setdefault(lang, []).append(row)
        self._langs: dict[str, _Lang] = {}
        for lang, rows in sorted(by_lang.items()):
            terms = [analyze(texts[r], lang) for r in rows]
            df: Counter[str] = Counter()
            for t in terms:
                df.update(set(t))
            fp = _hash(lang, *(texts[r] for r in rows))
            self._langs[lang] = _Lang(lang, np.asarray(rows, dtype=np.int64), terms, df, fp)
        self.written = self._sync()
        self.build_seconds = time.perf_counter() - started
        logger.info(
            "Milvus lexical %s: %d chunks in %d languages (%d rewritten), ready in %.2fs",
            self._name,
            self.size,
            len(self._langs),
            len(self.written),
            self.build_seconds,
        )

    @property
    def languages(self) -> list[str]:
        return list(self._langs)

    def terms(self, text: str, lang: str) -> list[str]:
        return analyze(text, lang)

    # ------------------------------------------------------------------ writing

    def _sync(self) -> list[str]:
        """Bring the collection to these texts: rewrite the languages whose fingerprint
        it does not hold (see the module docstring); the languages rewritten."""
        milvus, name = self._milvus, self._name
        self._ensure(milvus)
        state = self._state()
        written = []
        for lang, index in self._langs.items():
            now = state.get(lang, {})
            if now.get("current") == index.fingerprint:
                continue
            part = partition(lang)
            if not milvus.has_partition(name, part):
                milvus.create_partition(name, part)
                milvus.load_collection(name)
            keep = [index.fingerprint] + ([now["current"]] if "current" in now else [])
            # Leftovers of a killed write of this fingerprint, and fingerprints no reader uses.
            milvus.delete(name, filter=f'lang == "{lang}" and gen == {index.fingerprint}')
            vecs = index.vectors()
            records = [
                {
                    "uid": _hash(lang, index.fingerprint, pos),
                    "lang": lang,
                    "gen": index.fingerprint,
                    "pos": pos,
                    "sp": vec,
                }
                for pos, vec in enumerate(vecs)
                if vec
            ]
            for lo in range(0, len(records), BATCH):
                milvus.insert(name, records[lo : lo + BATCH], partition_name=part)
            milvus.flush(name)
            state[lang] = {"current": index.fingerprint, "previous": now.get("current")}
            self._save_state(state)
            milvus.delete(
                name, filter=f'lang == "{lang}" and not (gen in [{",".join(map(str, keep))}])'
            )
            written.append(lang)
        if written:
            milvus.flush(name)
        return written

    def _ensure(self, milvus: Any) -> None:
        name = self._name
        if milvus.has_collection(name):
            milvus.load_collection(name)
            return
        from pymilvus import DataType, MilvusClient

        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("uid", DataType.INT64, is_primary=True)
        schema.add_field("lang", DataType.VARCHAR, max_length=16)
        schema.add_field("gen", DataType.INT64)
        schema.add_field("pos", DataType.INT64)
        schema.add_field("sp", DataType.SPARSE_FLOAT_VECTOR)
        params = milvus.prepare_index_params()
        params.add_index("sp", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
        milvus.create_collection(name, schema=schema, index_params=params)
        milvus.load_collection(name)

    def _state(self) -> dict[str, dict[str, Any]]:
        """Per language, the fingerprint whose rows are complete (kept with the dense
        collection's manifest)."""
        meta = self._state_name + META_SUFFIX
        if not self._milvus.has_collection(meta):
            return {}
        found = self._milvus.query(meta, filter=f'key == "{STATE_KEY}"', output_fields=["value"])
        try:
            data = json.loads(found[0]["value"]) if found else {}
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def _save_state(self, state: dict[str, dict[str, Any]]) -> None:
        meta = self._state_name + META_SUFFIX
        value = json.dumps(state)
        self._milvus.upsert(meta, [{"key": STATE_KEY, "value": value, "v": [0.0, 0.0]}])
        self._milvus.flush(meta)

    # ------------------------------------------------------------------ search

    def scores(self, query: str) -> np.ndarray:
        """The normalised BM25 score of every store row (0 where it shares no term): the
        array LexicalIndex.scores returns, from one Milvus search (one query vector per
        language; its keys reach its own language's rows only)."""
        out = np.zeros(self.size, dtype=np.float32)
        asked = [(index, index.query(query)) for index in self._langs.values()]
        asked = [(index, vec) for index, vec in asked if vec is not None]
        if not asked:
            return out
        expr = " or ".join(
            f'(lang == "{index.lang}" and gen == {index.fingerprint})' for index, _ in asked
        )
        limit = max(1, min(MAX_LIMIT, max(index.n for index, _ in asked)))
        found = self._milvus.search(
            self._name,
            data=[vec for _, vec in asked],
            anns_field="sp",
            filter=expr,
            limit=limit,
            output_fields=["lang", "pos"],
            search_params={"metric_type": "IP", "params": {"drop_ratio_search": 0.0}},
        )
        for (index, _), hits in zip(asked, found, strict=True):
            for hit in hits:
                entity = hit.get("entity", hit)
                if entity.get("lang") != index.lang:
                    continue  # a key collision across languages: not this query's row
                score = float(hit["distance"])
                if score > 0:
                    out[index.rows[int(entity["pos"])]] = score
        return out
