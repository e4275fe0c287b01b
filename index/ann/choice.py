"""Which engine a generation gets, and opening the one its manifest names."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.ann.base import VectorIndex
from index.ann.flat import FlatIPIndex
from index.ann.ivf import LanguageIVFIndex
from index.ann.milvus import MilvusConfig, MilvusIndex

# Rows of one language from which its search is approximate. Below it a scan costs a few
# milliseconds (10^5 x 384 floats is ~5 ms on this machine) and stays exact; the default
# corpus and the eval sets are far below it, so their results do not change.
ANN_MIN_CHUNKS = 50_000
# Share of a language's IVF lists probed per query: recall@10 >= 0.97 of exact on e5
# embeddings of real text (bench/scale.py, bench/README.md issue 15).
ANN_PROBE = 0.35

ENGINES: dict[str, type[VectorIndex]] = {
    FlatIPIndex.kind: FlatIPIndex,
    LanguageIVFIndex.kind: LanguageIVFIndex,
    MilvusIndex.kind: MilvusIndex,
}


@dataclass(frozen=True)
class AnnConfig:
    """When and how an index is approximate, and which engine holds it (bot/settings.py:
    ``ann_min_chunks``, ``ann_probe``, ``index_backend``, ``milvus_uri``)."""

    min_chunks: int = ANN_MIN_CHUNKS
    probe: float = ANN_PROBE
    backend: str = "faiss"  # or "milvus" (index/ann/milvus.py)
    milvus_uri: str = ""  # "": Milvus Lite in the index directory


def choose(
    vectors: np.ndarray,
    langs: list[str],
    config: AnnConfig | None = None,
    previous: VectorIndex | None = None,
    describe: dict[str, Any] | None = None,
) -> VectorIndex:
    """The index of a new generation holding ``vectors`` (row i in ``langs[i]``): exact
    and whole when no language reaches ``min_chunks``, per language otherwise; in Milvus
    when the backend says so (``describe``: the index parameters stored with it)."""
    config = config or AnnConfig()
    if config.backend == "milvus":
        milvus = MilvusConfig(config.milvus_uri)
        return MilvusIndex.build(vectors, langs, milvus, previous, describe)
    dim = vectors.shape[1]
    counts = Counter(langs)
    if not counts or max(counts.values()) < config.min_chunks:
        flat = FlatIPIndex(dim)
        flat.add(vectors)
        return flat
    prev = previous if isinstance(previous, LanguageIVFIndex) else None
    return LanguageIVFIndex.build(vectors, langs, config.min_chunks, config.probe, prev)


def open_index(gen_dir: Path, manifest: dict[str, Any] | None, dim: int) -> VectorIndex:
    """The index a generation's manifest names (none: flat, as every index before it);
    ValueError for an engine this polyqa does not know or files that do not fit."""
    manifest = manifest or {"kind": FlatIPIndex.kind, "files": [FlatIPIndex.main_file]}
    engine = ENGINES.get(str(manifest.get("kind")))
    if engine is None:
        raise ValueError(
            f"vector index of kind {manifest.get('kind')!r}, this polyqa reads "
            f"{', '.join(sorted(ENGINES))}"
        )
    return engine.load(gen_dir, manifest, dim)


def manifest_files(manifest: dict[str, Any] | None) -> list[str]:
    if not manifest:
        return [FlatIPIndex.main_file]
    files = manifest.get("files")
    return [str(f) for f in files] if isinstance(files, list) else []
