"""Embedding on a Ray cluster: the same model, the same vectors, many workers.

``RayEmbedder`` has the ``Embedder`` interface, so the builder takes it where it takes the
in-process ``SentenceTransformerEmbedder``. What differs is where passages are embedded:
a Ray Data pipeline (``map_batches`` over a pool of actors, each holding the same
sentence-transformers model, loaded from polyqa's cache dir as index/embedder.py loads it)
instead of this process.

One Ray Data run has a fixed cost (actors start, each loads the model: seconds), so the
builder's many small ``embed_passages`` calls must not each be one. The builder first
hands every text it is about to embed to ``prefetch`` (the chunks' texts and their
sentences' texts, see index/builder.py): that is one run over all of them, whose vectors
are kept here by text; ``embed_passages`` then answers from them. A text that was not
prefetched still goes to the cluster, in a run of its own.

Token counts (the chunker's) and queries are this process's: the driver keeps a local
copy of the model for them, so a count is never a round trip.

``ray`` is imported only here and only when a ``RayEmbedder`` is made: the query path
never loads it (tests/bot/cli/test_fast_path.py).
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.embedder import SentenceTransformerEmbedder
from index.errors import ClusterError

logger = logging.getLogger(__name__)

# The `--ray` value that means "start a local cluster for this run".
LOCAL = "local"
# CPUs of the local cluster (one actor each).
LOCAL_CPUS = 2
# Texts per map_batches call: one model call per batch on an actor (the in-process path
# embeds 64 chunks a call too).
BATCH = 64
# Seconds to wait for a TCP connection to a cluster's address before saying it is not
# there (ray.init itself retries for a minute or more).
CONNECT_TIMEOUT = 5.0


class _EmbedActor:
    """One Ray Data actor: the in-process embedder, loaded once, fed batches of texts."""

    def __init__(self, model: str, cache_dir: str, threads: int) -> None:
        import torch

        torch.set_num_threads(max(1, threads))  # its share of the node, not all cores
        self._embedder = SentenceTransformerEmbedder(model, Path(cache_dir))

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        texts = [str(t) for t in batch["text"]]
        return {"i": batch["i"], "vector": self._embedder.embed_passages(texts)}


class RayEmbedder:
    """The built-in (or any sentence-transformers) model, passages embedded on Ray.

    ``address``: ``"local"`` starts a local cluster of ``LOCAL_CPUS`` CPUs for this
    process (stopped by ``close``); anything else is handed to ``ray.init(address=...)``
    (``auto``, ``host:6379``, ``ray://host:10001``). When this process is already
    connected to a cluster (a test's, a notebook's), that one is used and left running.
    """

    def __init__(
        self,
        name: str,
        cache_dir: Path,
        address: str = LOCAL,
        actors: int = LOCAL_CPUS,
        batch_size: int = BATCH,
    ) -> None:
        self.address = address
        self.actors = actors
        self.batch_size = batch_size
        self.cache_dir = cache_dir
        self._ray = _import_ray()
        self._started = _connect(self._ray, address)
        self._local = SentenceTransformerEmbedder(name, cache_dir)
        self.name = self._local.name
        self.dim = self._local.dim
        self.max_tokens = self._local.max_tokens
        self._vectors: dict[str, np.ndarray] = {}
        self.runs = 0  # Ray Data runs made (one per prefetch or miss)
        self.embedded = 0  # texts embedded on the cluster

    # --- the Embedder interface -------------------------------------------------------

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        self.prefetch(texts)
        return np.stack([self._vectors[t] for t in texts])

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._local.embed_queries(texts)

    def count_tokens(self, text: str) -> int:
        return self._local.count_tokens(text)

    def count_tokens_many(self, texts: Sequence[str]) -> list[int]:
        return self._local.count_tokens_many(texts)

    # --- the cluster --------------------------------------------------------------------

    def prefetch(self, texts: Iterable[str]) -> None:
        """Embed on the cluster, in one Ray Data run, every text not embedded yet; the
        builder calls it with all it is about to embed."""
        todo = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if not todo:
            return
        vectors = self._run(todo)
        self._vectors.update(zip(todo, vectors, strict=True))

    def _run(self, texts: list[str]) -> np.ndarray:
        """The texts' vectors, in their order, from one Ray Data pipeline.

        Texts go out sorted by length (a batch of like lengths pads little: the in-process
        encoder sorts within a call for the same reason), each with its row number, and
        come back put in order by it, so the result never depends on which actor finished
        first; the batches themselves are fixed by that order and ``batch_size``, so two
        runs embed the same batches (the same vectors, bit for bit)."""
        ray = self._ray
        started = time.perf_counter()
        order = sorted(range(len(texts)), key=lambda i: (len(texts[i]), i))
        rows = [{"i": i, "text": texts[i]} for i in order]
        ctx = ray.data.DataContext.get_current()
        ctx.execution_options.preserve_order = True
        ctx.enable_progress_bars = False
        # Enough blocks that every actor has work, few enough that each holds many batches.
        wanted = max(self.actors, -(-len(rows) // self.batch_size))
        blocks = max(1, min(len(rows), wanted, 16 * self.actors))
        ds = ray.data.from_items(rows, override_num_blocks=blocks)
        ds = ds.map_batches(
            _EmbedActor,
            fn_constructor_kwargs={
                "model": self.name,
                "cache_dir": str(self.cache_dir),
                "threads": 1,
            },
            batch_size=self.batch_size,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=self.actors),
            num_cpus=1,
        )
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        got = 0
        for batch in ds.iter_batches(batch_size=None, batch_format="numpy"):
            out[np.asarray(batch["i"], dtype=np.int64)] = np.asarray(batch["vector"], np.float32)
            got += len(batch["i"])
        if got != len(texts):
            raise ClusterError(
                f"Ray cluster {self.address}: {got} vectors came back for {len(texts)} texts"
            )
        self.runs += 1
        self.embedded += len(texts)
        logger.info(
            "embedded %d texts on Ray (%s, %d actors) in %.1fs",
            len(texts),
            self.address,
            self.actors,
            time.perf_counter() - started,
        )
        return out

    def close(self) -> None:
        """Stop the local cluster this embedder started (a cluster it joined keeps running)."""
        if self._started and self._ray.is_initialized():
            self._ray.shutdown()
        self._started = False

    def __enter__(self) -> RayEmbedder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _import_ray() -> Any:
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise ClusterError(
            f"embedding on Ray needs Ray Data, which is not installed ({exc.name or exc}): "
            "install polyqa[ray]"
        ) from exc
    return ray


def _connect(ray: Any, address: str) -> bool:
    """Connect this process to the cluster; True when it started a local one (to stop)."""
    if address != LOCAL:
        _reachable(address)
    if ray.is_initialized():
        logger.info("using the Ray cluster this process is connected to already")
        return False
    if address == LOCAL:
        ray.init(num_cpus=LOCAL_CPUS, include_dashboard=False, log_to_driver=False)
        _quiet_ray()
        return True
    try:
        ray.init(address=address, log_to_driver=False)
    except (ConnectionError, RuntimeError, TimeoutError, ValueError) as exc:
        raise ClusterError(
            f"Ray cluster {address!r} cannot be reached ({_first_line(exc)}); "
            "give its address as host:port (the head's GCS port, 6379) or ray://host:10001"
        ) from exc
    _quiet_ray()
    return False


def _quiet_ray() -> None:
    """Ray's own lines (cluster start, execution plans, its settings) are not polyqa's
    report: shown with -vv only; errors still come through as exceptions."""
    if logger.getEffectiveLevel() > logging.DEBUG:
        for name in ("ray", "ray.data"):
            logging.getLogger(name).setLevel(logging.ERROR)


def _reachable(address: str) -> None:
    """Fail in seconds, with the reason, when nothing listens at ``host:port`` (ray.init
    would retry for a minute before saying much less)."""
    if address == "auto":
        return
    hostport = address.removeprefix("ray://")
    host, sep, port = hostport.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise ClusterError(
            f"Ray cluster address {address!r} is not host:port (e.g. 10.0.0.5:6379, "
            "ray://10.0.0.5:10001, auto, or no address for a local cluster)"
        )
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT):
            pass
    except OSError as exc:
        raise ClusterError(
            f"Ray cluster {address!r} cannot be reached ({exc.strerror or exc}); "
            "is its head node running, and is the port open?"
        ) from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
