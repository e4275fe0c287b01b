"""Milvus behind ``VectorIndex``: the collection serves the search, polyqa keeps the policy.

``index_backend = "milvus"`` puts a generation's vectors in a Milvus collection:
``milvus_uri`` a file path is Milvus Lite (default: ``milvus.db`` in the index
directory), ``http://host:19530`` a server or cluster (token: ``$POLYQA_MILVUS_TOKEN``).

Rows of the collection::

    uid    int64 primary key: a hash of the vector, its language and its occurrence,
           so an unchanged chunk keeps its uid from one generation to the next
    lang   the document's language; each language is a partition of its own, so a
           per-language search scans that partition only (not a post-filter of its
           results). Explicit partitions, not a partition key: Milvus 2.3.5 (the
           server PyPI ships) routes upserts into a partition-key collection to the
           wrong partitions (a filter on the key then misses them); explicit
           partitions behave the same on Lite, 2.3 and later servers
    born   the generation that added the row
    died   the generation that removed it (ALIVE while it is in the live one)
    vec    the L2-normalised vector (inner product = cosine)

A generation ``S`` sees the rows with ``born <= S < died``. A write of generation ``S``
after ``P`` inserts only the rows it adds (``born = S``) and marks only the rows it drops
(``died = S``): documents added, changed and removed cost their own chunks, nothing else.
Until CURRENT names ``S``, readers of ``P`` still see exactly ``P``'s rows, so a run
killed at any point leaves the index answering as before; the next write removes what
the killed one left (rows born after ``P``, deaths after ``P``) and the rows no
generation on disk sees (dead by the one before ``P``). The generation number is the
switch: a manifest field, as the issue allows, no alias.

The generation directory keeps the row order (``milvus_rows.npy``: row i -> uid), the
rows' languages and a float32 copy of the vectors (memory-mapped): the store's rows are
what polyqa reads chunks by, and the rescoring reads candidates' vectors without a round
trip per query. The index parameters (model, dimension, chunker settings) are kept with
the collection (a one-row ``<collection>_manifest`` collection beside it) and checked on
load: another index's collection is refused.

Milvus Lite holds an flock on its file: one process at a time (the chat and a
``polyqa index`` run together need a server).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.ann.base import Rows, VectorIndex, appended_rows, as_rows, no_hits
from index.ann.milvus_names import META_SUFFIX, is_lite, partition
from index.errors import IndexMismatchError, MilvusUnavailableError

if TYPE_CHECKING:
    from index.ann.milvus_sparse import MilvusLexical

logger = logging.getLogger(__name__)

ROWS_FILE = "milvus_rows.npy"
LANGS_FILE = "milvus_langs.npy"
VECTORS_FILE = "milvus_vectors.npy"
BORN_FILE = "milvus_born.npy"
TOKEN_ENV = "POLYQA_MILVUS_TOKEN"
LITE_FILE = "milvus.db"
ALIVE = 2**62
# Rows per insert/upsert request: well under the server's 64 MB message limit at 384-d.
BATCH = 2_000
# Seconds to wait for a server before saying it is unreachable.
CONNECT_TIMEOUT = 10.0
# Longest ``uid in [...]`` list a search sends; a restriction wider than that is sent as
# its complement within the language (pools exclude a few documents, not most).
MAX_LIST = 20_000


@dataclass(frozen=True)
class MilvusConfig:
    """Where the collection lives: ``uri`` "" is Milvus Lite in the index directory."""

    uri: str = ""
    # FLAT: exact, the results FAISS's flat index gives (what polyqa's settings build);
    # HNSW for the bench's approximate runs (M, efConstruction; ef at search time).
    index_type: str = "FLAT"
    hnsw_m: int = 16
    hnsw_ef: int = 64

    def build_params(self) -> dict[str, Any]:
        return {"M": self.hnsw_m, "efConstruction": 200} if self.index_type == "HNSW" else {}

    def search_params(self, k: int) -> dict[str, Any]:
        params: dict[str, Any] = {"metric_type": "IP"}
        if self.index_type == "HNSW":
            params["params"] = {"ef": max(self.hnsw_ef, k)}
        return params


def _not_unimplemented(record: logging.LogRecord) -> bool:
    """Milvus Lite's in-process gRPC server logs an ERROR with a traceback each time
    pymilvus probes a method it lacks (AllocTimestamp, on every upsert); pymilvus falls
    back by itself, so the record says nothing to a user."""
    return "Method not implemented" not in record.getMessage()


_clients: dict[str, Any] = {}
_clients_lock = threading.Lock()


def client(uri: str) -> Any:
    """One client per uri per process (a Milvus Lite client starts its engine: seconds).

    MilvusUnavailableError, on one line, when the server cannot be reached or the Lite
    file cannot be opened, or when pymilvus is not installed.
    """
    with _clients_lock:
        if uri in _clients:
            return _clients[uri]
        try:
            from pymilvus import MilvusClient
        except ImportError as exc:
            raise MilvusUnavailableError(
                "index_backend milvus needs pymilvus: pip install 'polyqa[milvus]'"
            ) from exc
        if is_lite(uri):
            logging.getLogger("grpc._server").addFilter(_not_unimplemented)
        token = os.environ.get(TOKEN_ENV, "")
        try:
            made = MilvusClient(uri=uri, token=token, timeout=CONNECT_TIMEOUT)
        except Exception as exc:  # pymilvus raises MilvusException, grpc errors, OSError
            why = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
            where = f"Milvus Lite file {uri}" if is_lite(uri) else f"Milvus server {uri}"
            raise MilvusUnavailableError(
                f"{where}: unreachable ({why}); check milvus_uri / POLYQA_MILVUS_URI"
                + ("" if is_lite(uri) else f" and {TOKEN_ENV}")
            ) from exc
        _clients[uri] = made
        return made


def forget_client(uri: str) -> None:
    """Close and drop the cached client (tests stop their server between cases)."""
    with _clients_lock:
        made = _clients.pop(uri, None)
    if made is not None:
        try:
            made.close()
        except Exception:  # a dead server: nothing left to close
            logger.debug("closing the Milvus client of %s failed", uri)
    if is_lite(uri):
        try:
            from milvus_lite.server_manager import server_manager_instance
        except ImportError:
            return
        server_manager_instance.release_server(uri)  # and its lock on the file


# The components of a standalone server, each told to listen on loopback only.
_COMPONENTS = (
    "rootCoord",
    "proxy",
    "queryCoord",
    "queryNode",
    "indexNode",
    "dataCoord",
    "dataNode",
)


@contextmanager
def local_server(base_dir: Path, timeout: float = 120.0) -> Iterator[str]:
    """A standalone Milvus server (PyPI ``milvus``, 2.3.5) on 127.0.0.1 for the tests and
    the bench, its data in ``base_dir``; yields its uri and stops it on exit.

    RuntimeError (with the server's log file) when it does not start within ``timeout``.
    """
    from milvus import MilvusServer, MilvusServerConfig

    config = MilvusServerConfig(data_dir=str(base_dir))
    config.extra_configs.update({f"{c}.ip": "127.0.0.1" for c in _COMPONENTS})
    server = MilvusServer(config, wait_for_started=False)
    try:
        server.start()
        server.wait_started(timeout=int(timeout * 1000))
    except (OSError, RuntimeError, TimeoutError) as exc:
        server.stop()
        log = base_dir / "logs" / "milvus-stderr.log"
        raise RuntimeError(f"the Milvus server did not start ({exc}); see {log}") from exc
    uri = f"http://127.0.0.1:{server.listen_port}"
    try:
        yield uri
    finally:
        forget_client(uri)
        server.stop()


def collection_name(index_dir: Path) -> str:
    """One collection per index directory of one machine (two machines' default index
    paths are the same; names: letters, digits, underscores)."""
    where = f"{socket.gethostname()}:{index_dir.resolve()}"
    digest = hashlib.sha1(where.encode("utf-8")).hexdigest()[:16]
    return f"polyqa_{digest}"


def row_uids(vectors: np.ndarray, langs: list[str]) -> np.ndarray:
    """Content ids: the same vector in the same language keeps its uid across
    generations (the builder reuses an unchanged document's vectors byte for byte); the
    n-th copy of a repeated vector gets its own."""
    seen: Counter[bytes] = Counter()
    out = np.empty(len(vectors), dtype=np.int64)
    for i, (vec, lang) in enumerate(zip(vectors, langs, strict=True)):
        key = np.ascontiguousarray(vec, dtype=np.float32).tobytes() + lang.encode("utf-8")
        n = seen[key]
        seen[key] += 1
        digest = hashlib.blake2b(key + n.to_bytes(4, "little"), digest_size=8).digest()
        out[i] = int.from_bytes(digest, "little") & (2**63 - 1)
    return out


def _generation_number(gen_dir: Path) -> int:
    name = gen_dir.name.removeprefix(".").removesuffix(".partial")
    if not (name.startswith("g") and name[1:].isdigit()):
        raise ValueError(f"{gen_dir}: not a generation directory")
    return int(name[1:])


def _batches(n: int, size: int = BATCH) -> Iterator[slice]:
    for lo in range(0, n, size):
        yield slice(lo, min(n, lo + size))


def _ids_expr(ids: np.ndarray) -> str:
    return "[" + ",".join(str(int(u)) for u in ids) + "]"


class MilvusIndex(VectorIndex):
    """Rows of one polyqa generation in a Milvus collection (see the module docstring)."""

    kind = "milvus"
    main_file = ROWS_FILE

    def __init__(self, dim: int, config: MilvusConfig | None = None) -> None:
        self.dim = dim
        self.config = config or MilvusConfig()
        self.describe: dict[str, Any] = {}  # the index parameters, stored with the collection
        self._vecs = np.zeros((0, dim), dtype=np.float32)
        self._langs = np.zeros(0, dtype="<U16")
        self._uids = np.zeros(0, dtype=np.int64)
        self._born: np.ndarray | None = None  # per row, the generation that inserted it
        # Where the rows are served from once saved or loaded.
        self._uri = ""
        self._collection = ""
        self._stamp = 0
        self._after = 0  # the generation this one was written after (0: none)
        self._previous: MilvusIndex | None = None
        self._lang_rows: dict[str, np.ndarray] | None = None
        self._row_of: dict[int, int] | None = None

    # ------------------------------------------------------------------ building

    @classmethod
    def build(
        cls,
        vectors: np.ndarray,
        langs: list[str],
        config: MilvusConfig,
        previous: VectorIndex | None = None,
        describe: dict[str, Any] | None = None,
    ) -> MilvusIndex:
        """A new generation holding ``vectors``; written to Milvus by ``save``, as a
        difference from ``previous`` when that is a generation of the same collection."""
        out = cls(vectors.shape[1], config)
        out.describe = dict(describe or {})
        out.add(vectors, langs=langs)
        if isinstance(previous, MilvusIndex) and previous._collection:
            out._previous = previous
        return out

    @property
    def size(self) -> int:
        return len(self._uids)

    def add(
        self, vectors: np.ndarray, ids: np.ndarray | None = None, langs: list[str] | None = None
    ) -> None:
        """Append rows (ids are positions, as in the flat index); sent to Milvus by save."""
        vectors = appended_rows(vectors, ids, self.dim, self.size, "Milvus")
        langs = list(langs) if langs is not None else [""] * len(vectors)
        if len(langs) != len(vectors):
            raise ValueError(f"{len(langs)} languages for {len(vectors)} vectors")
        if any(len(lang) > 16 for lang in langs):
            raise ValueError("a language code longer than 16 characters")
        self._vecs = np.concatenate([np.asarray(self._vecs), vectors])
        self._langs = np.concatenate([self._langs, np.asarray(langs, dtype="<U16")])
        self._uids = row_uids(self._vecs, self._langs.tolist())
        self._lang_rows = self._row_of = None

    def remove(self, ids: Rows) -> int:
        """Remove rows; later rows move down (the store's rows stay dense)."""
        drop = np.unique(as_rows(ids))
        drop = drop[(drop >= 0) & (drop < self.size)]
        if drop.size:
            keep = np.ones(self.size, dtype=bool)
            keep[drop] = False
            self._vecs = np.asarray(self._vecs)[keep]
            self._langs = self._langs[keep]
            self._uids = row_uids(self._vecs, self._langs.tolist())
            self._lang_rows = self._row_of = None
        return int(drop.size)

    def vectors(self) -> np.ndarray:
        """All vectors in row order: the generation's memory-mapped copy once saved."""
        return self._vecs

    def reconstruct(self, rows: Rows) -> np.ndarray:
        return np.asarray(self._vecs[as_rows(rows)], dtype=np.float32)

    # ------------------------------------------------------------------ search

    def _rows_by_lang(self) -> dict[str, np.ndarray]:
        if self._lang_rows is None:
            order = np.argsort(self._langs, kind="stable")
            langs, starts = np.unique(self._langs[order], return_index=True)
            bounds = [*starts.tolist(), len(order)]
            self._lang_rows = {
                str(lang): np.sort(order[bounds[i] : bounds[i + 1]]) for i, lang in enumerate(langs)
            }
        return self._lang_rows

    def _row_map(self) -> dict[int, int]:
        if self._row_of is None:
            self._row_of = {int(u): i for i, u in enumerate(self._uids.tolist())}
        return self._row_of

    def _filter(self, allowed: Rows | None, lang: str | None) -> str | None:
        """The Milvus filter of a search: this generation's rows among ``allowed`` (the
        language is its partition); None when nothing can match."""
        parts = [f"born <= {self._stamp} and died > {self._stamp}"]
        scope = np.arange(self.size)
        if lang is not None:
            scope = self._rows_by_lang().get(lang, np.zeros(0, dtype=np.int64))
        if allowed is not None:
            allow = np.unique(as_rows(allowed))
            inside = allow[np.isin(allow, scope)]
            if inside.size == 0:
                return None
            if inside.size < scope.size:
                outside = np.setdiff1d(scope, inside, assume_unique=True)
                if inside.size <= outside.size:
                    parts.append(f"uid in {_ids_expr(self._uids[inside])}")
                else:
                    parts.append(f"not (uid in {_ids_expr(self._uids[outside])})")
                if min(inside.size, outside.size) > MAX_LIST:
                    logger.warning("a Milvus filter of %d ids", min(inside.size, outside.size))
        elif scope.size == 0:
            return None
        return " and ".join(parts)

    def search(
        self, queries: np.ndarray, k: int, allowed: Rows | None = None, lang: str | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, rows) per query, the restriction a Milvus filter (excluded rows
        are never scored; ``lang`` searches its partition only)."""
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        nq = queries.shape[0]
        expr = self._filter(allowed, lang) if self.size else None
        if expr is None:
            return no_hits(nq)
        k = max(1, min(k, self.size, 16_384))
        found = self._client().search(
            self._collection,
            data=queries.tolist(),
            filter=expr,
            limit=k,
            output_fields=[],
            search_params=self.config.search_params(k),
            anns_field="vec",
            partition_names=[partition(lang)] if lang is not None else None,
        )
        row_of = self._row_map()
        width = max((len(hits) for hits in found), default=0)
        scores = np.full((nq, width), -np.inf, dtype=np.float32)
        rows = np.full((nq, width), -1, dtype=np.int64)
        for q, hits in enumerate(found):
            # Ties in Milvus's order are broken by row, as FAISS's are: deterministic.
            ranked = sorted(
                ((float(h["distance"]), row_of[int(h.get("id", h.get("uid")))]) for h in hits),
                key=lambda sr: (-sr[0], sr[1]),
            )
            for j, (score, row) in enumerate(ranked):
                scores[q, j], rows[q, j] = score, row
        return scores, rows

    def _client(self) -> Any:
        return client(self._uri)

    def lexical_source(self, texts: Sequence[str], langs: Sequence[str]) -> MilvusLexical | None:
        """The lexical stage served by this generation's engine (index/ann/milvus_sparse.py),
        its sparse rows brought to these texts; None when the engine has no sparse vectors
        (the 2.3.5 server) or the index was never saved: the caller keeps its local one."""
        if not self._collection:
            return None
        from index.ann.milvus_sparse import MilvusLexical, sparse_supported

        milvus = self._client()
        if not sparse_supported(milvus, self._uri):
            logger.info(
                "Milvus %s: no sparse vectors on this server; lexical stays local", self._uri
            )
            return None
        return MilvusLexical(milvus, self._collection, texts, langs)

    # ------------------------------------------------------------------ writing

    def save(self, gen_dir: Path) -> dict[str, Any]:
        """Write this generation into the collection, then its files into ``gen_dir``.

        Nothing a reader of the live generation sees changes (see the module docstring):
        new rows are born at this generation, dropped ones die at it.
        """
        index_dir = gen_dir.parent
        stamp = _generation_number(gen_dir)
        given = self.config.uri
        if given and is_lite(given):
            given = str(Path(given).expanduser().resolve())
        uri = given or str(index_dir.resolve() / LITE_FILE)
        name = collection_name(index_dir)
        prev = self._previous
        if prev is not None and (prev._uri != uri or prev._collection != name):
            prev = None
        if prev is not None and prev._stamp >= stamp:
            raise ValueError(f"{gen_dir}: generation {stamp} is not after {prev._stamp}")
        milvus = client(uri)
        self._uri, self._collection = uri, name
        self._ensure_collection(milvus, prev)
        base = prev._stamp if prev is not None else 0
        self._undo_after(milvus, base, prev._after if prev is not None else 0)
        old = prev._uids if prev is not None else np.zeros(0, dtype=np.int64)
        born = np.flatnonzero(~np.isin(self._uids, old))
        dying = np.flatnonzero(~np.isin(old, self._uids)) if prev is not None else born[:0]
        for part in _batches(born.size):
            _write(milvus, name, self._records(born[part], stamp, ALIVE))
        if prev is not None:
            for part in _batches(dying.size):
                rows = dying[part]
                _write(milvus, name, prev._records(rows, prev._born_of(rows), stamp))
        milvus.flush(name)
        self._stamp, self._after = stamp, base
        logger.info(
            "Milvus %s: generation %d, %d rows added, %d removed, %d kept",
            name,
            stamp,
            born.size,
            dying.size,
            self.size - born.size,
        )
        np.save(gen_dir / ROWS_FILE, self._uids)
        np.save(gen_dir / LANGS_FILE, self._langs)
        np.save(gen_dir / VECTORS_FILE, np.asarray(self._vecs, dtype=np.float32))
        self._born = self._born_rows(prev, stamp)
        np.save(gen_dir / BORN_FILE, self._born)
        self._previous = None
        return {
            "kind": self.kind,
            "files": [ROWS_FILE, LANGS_FILE, VECTORS_FILE, BORN_FILE],
            "uri": given,  # "": Lite in the index directory
            "collection": name,
            "generation": stamp,
            "after": base,
            "index_type": self.config.index_type,
            "describe": self.describe,
        }

    def _born_rows(self, prev: MilvusIndex | None, stamp: int) -> np.ndarray:
        """Per row, the generation that inserted it (upserting a dying row keeps it)."""
        out = np.full(self.size, stamp, dtype=np.int64)
        if prev is not None and prev.size:
            prev_born = prev._born_of(np.arange(prev.size))
            where = {int(u): int(b) for u, b in zip(prev._uids, prev_born, strict=True)}
            for i, u in enumerate(self._uids.tolist()):
                if u in where:
                    out[i] = where[u]
        return out

    def _born_of(self, rows: np.ndarray) -> np.ndarray:
        if self._born is None:
            return np.full(len(rows), self._stamp, dtype=np.int64)
        return self._born[rows]

    def _records(self, rows: np.ndarray, born: int | np.ndarray, died: int) -> list[dict[str, Any]]:
        borns = np.broadcast_to(np.asarray(born, dtype=np.int64), rows.shape)
        return [
            {
                "uid": int(self._uids[r]),
                "lang": str(self._langs[r]),
                "born": int(b),
                "died": int(died),
                "vec": np.asarray(self._vecs[r], dtype=np.float32).tolist(),
            }
            for r, b in zip(rows.tolist(), borns.tolist(), strict=True)
        ]

    def _ensure_collection(self, milvus: Any, prev: MilvusIndex | None) -> None:
        """The collection, created when missing; recreated when a fresh build finds one
        of other parameters (its own index rebuilt with another model or chunker)."""
        name = self._collection
        if milvus.has_collection(name) and not milvus.has_collection(name + META_SUFFIX):
            milvus.drop_collection(name)  # created by a run killed before its manifest
        if milvus.has_collection(name):
            stored = _stored_manifest(milvus, name)
            dim = _collection_dim(milvus, name)
            if stored.get("describe") == self.describe and dim == self.dim:
                milvus.load_collection(name)
                return
            if prev is not None:
                raise IndexMismatchError(
                    f"Milvus collection {name} ({self._uri}) holds an index of other "
                    f"parameters ({_differences(stored.get('describe'), self.describe)}); "
                    "nothing was changed"
                )
            logger.warning("Milvus %s: built with other parameters; replacing it", name)
            milvus.drop_collection(name)
            milvus.drop_collection(name + META_SUFFIX)
        from pymilvus import DataType, MilvusClient

        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("uid", DataType.INT64, is_primary=True)
        schema.add_field("lang", DataType.VARCHAR, max_length=16)
        schema.add_field("born", DataType.INT64)
        schema.add_field("died", DataType.INT64)
        schema.add_field("vec", DataType.FLOAT_VECTOR, dim=self.dim)
        params = milvus.prepare_index_params()
        params.add_index(
            "vec",
            index_type=self.config.index_type,
            metric_type="IP",
            params=self.config.build_params(),
        )
        milvus.create_collection(name, schema=schema, index_params=params)
        _write_manifest(milvus, name, {"describe": self.describe})
        milvus.load_collection(name)

    def _undo_after(self, milvus: Any, base: int, oldest: int) -> None:
        """Remove what killed writes after generation ``base`` left, and the rows no
        generation on disk sees: rows born after ``base`` go, deaths after it are undone
        (the row is alive again), rows dead by ``oldest`` go (the generation before
        ``base``, which the store keeps for readers until this write switches)."""
        name = self._collection
        milvus.delete(name, filter=f"born > {base}")
        milvus.delete(name, filter=f"died <= {oldest}")
        undone = milvus.query(
            name,
            filter=f"died > {base} and died < {ALIVE}",
            output_fields=["uid", "lang", "born", "vec"],
        )
        if undone:
            logger.info("Milvus %s: undoing %d removals of an interrupted write", name, len(undone))
            for lo in range(0, len(undone), BATCH):
                records: list[dict[str, Any]] = [
                    {
                        "uid": int(r["uid"]),
                        "lang": r["lang"],
                        "born": int(r["born"]),
                        "died": ALIVE,
                        "vec": [float(x) for x in r["vec"]],
                    }
                    for r in undone[lo : lo + BATCH]
                ]
                _write(milvus, name, records)
        milvus.flush(name)

    # ------------------------------------------------------------------ loading

    @classmethod
    def load(cls, gen_dir: Path, manifest: dict[str, Any], dim: int) -> MilvusIndex:
        """Open the generation: its files, and its collection, checked against them.

        IndexMismatchError when the collection holds another index (other parameters,
        dimension), MilvusUnavailableError when it cannot be reached, ValueError when the
        collection or the files do not fit the manifest (the store calls it damage).
        """
        out = cls(
            dim, MilvusConfig(str(manifest.get("uri", "")), str(manifest.get("index_type", "FLAT")))
        )
        out.describe = dict(manifest.get("describe") or {})
        out._uids = np.load(gen_dir / ROWS_FILE, allow_pickle=False)
        out._langs = np.load(gen_dir / LANGS_FILE, allow_pickle=False)
        out._vecs = np.load(gen_dir / VECTORS_FILE, mmap_mode="r", allow_pickle=False)
        out._born = np.load(gen_dir / BORN_FILE, allow_pickle=False)
        n = len(out._uids)
        if out._vecs.ndim != 2 or out._vecs.shape[1] != dim:
            raise ValueError(f"vectors of shape {out._vecs.shape}, expected dimension {dim}")
        if not (len(out._langs) == len(out._vecs) == len(out._born) == n):
            raise ValueError("its files disagree on the number of rows")
        out._stamp = int(manifest["generation"])
        out._after = int(manifest.get("after", 0))
        out._uri = out.config.uri or str(gen_dir.parent.resolve() / LITE_FILE)
        out._collection = str(manifest["collection"])
        milvus = client(out._uri)
        if not milvus.has_collection(out._collection):
            raise ValueError(f"Milvus collection {out._collection} ({out._uri}) is missing")
        stored = _stored_manifest(milvus, out._collection)
        coll_dim = _collection_dim(milvus, out._collection)
        if stored.get("describe") != out.describe or coll_dim != dim:
            theirs = dict(stored.get("describe") or {}, dim=coll_dim)
            raise IndexMismatchError(
                f"Milvus collection {out._collection} ({out._uri}) holds another index "
                f"({_differences(theirs, dict(out.describe, dim=dim))}); rebuild it with "
                f"`polyqa index PATH... --index {gen_dir.parent}`"
            )
        milvus.load_collection(out._collection)
        expr = f"born <= {out._stamp} and died > {out._stamp}"
        counted = milvus.query(out._collection, filter=expr, output_fields=["count(*)"])
        held = int(counted[0]["count(*)"]) if counted else 0
        if held != n:
            raise ValueError(
                f"Milvus collection {out._collection} holds {held} rows of generation "
                f"{out._stamp}, the index has {n}"
            )
        return out


def _write(milvus: Any, name: str, records: list[dict[str, Any]]) -> None:
    """Upsert rows into their languages' partitions (created, and loaded, on first use)."""
    by_lang: dict[str, list[dict[str, Any]]] = {}
    for rec in records:
        by_lang.setdefault(str(rec["lang"]), []).append(rec)
    for lang, recs in sorted(by_lang.items()):
        part = partition(lang)
        if not milvus.has_partition(name, part):
            milvus.create_partition(name, part)
            milvus.load_collection(name)  # Lite loads whole collections only
        milvus.upsert(name, recs, partition_name=part)


def _stored_manifest(milvus: Any, name: str) -> dict[str, Any]:
    """The manifest kept with the collection, {} when there is none."""
    meta = name + META_SUFFIX
    if not milvus.has_collection(meta):
        return {}
    milvus.load_collection(meta)
    found = milvus.query(meta, filter='key == "manifest"', output_fields=["value"])
    try:
        data = json.loads(found[0]["value"]) if found else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _write_manifest(milvus: Any, name: str, manifest: dict[str, Any]) -> None:
    """Keep the manifest with the collection: a one-row collection beside it (Milvus Lite
    drops a collection's description, and Milvus 2.3 does not return its properties)."""
    from pymilvus import DataType, MilvusClient

    meta = name + META_SUFFIX
    if not milvus.has_collection(meta):
        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("key", DataType.VARCHAR, max_length=64, is_primary=True)
        schema.add_field("value", DataType.VARCHAR, max_length=65_535)
        schema.add_field("v", DataType.FLOAT_VECTOR, dim=2)
        params = milvus.prepare_index_params()
        params.add_index("v", index_type="FLAT", metric_type="L2")
        milvus.create_collection(meta, schema=schema, index_params=params)
    milvus.upsert(meta, [{"key": "manifest", "value": json.dumps(manifest), "v": [0.0, 0.0]}])
    milvus.flush(meta)


def _collection_dim(milvus: Any, name: str) -> int:
    for f in milvus.describe_collection(name).get("fields", []):
        if f.get("name") == "vec":
            return int((f.get("params") or {}).get("dim", 0))
    return 0


def _differences(theirs: Any, ours: dict[str, Any]) -> str:
    theirs = theirs if isinstance(theirs, dict) else {}
    diff = [
        f"{key} {theirs.get(key)!r}, this index {ours.get(key)!r}"
        for key in sorted(set(theirs) | set(ours))
        if theirs.get(key) != ours.get(key)
    ]
    return "; ".join(diff) or "no parameters recorded"
