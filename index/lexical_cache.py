"""The lexical index's terms of each chunk, kept between processes.

Why: analysing a chunk takes ~1 ms, and Chinese chunks need jieba's dictionary, which
takes 0.5 s to load (several seconds on a busy machine). The builder analyses every chunk
of the index for its lexical table (index/lexical_table.py) at each run, the unchanged
ones too; with their terms cached (the settings' cache dir) only new chunks are
analysed. A reader whose generation has no usable table builds the index in memory from
the same cache. The cache holds every chunk's terms as strings, so a run that uses it
holds them all (index runs without a cache dir keep none).

One JSON file per version of the analysers (a hash of corpus/analysis.py and the
versions of the libraries it calls), mapping a key of (language, text) to the terms;
written whole to a temporary file and renamed, so a reader never sees half a file; a
damaged file is a warning and is rebuilt. The right home for these terms is the index
generation (beside the sentence vectors, as derived data); until then the cache stands in.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from functools import cache
from importlib import metadata
from pathlib import Path

logger = logging.getLogger(__name__)

# The libraries whose output the terms depend on (corpus/analysis.py calls them).
_ANALYSIS_LIBRARIES = ("jieba", "PyStemmer", "opencc-python-reimplemented", "bm25s")


@cache
def analysis_version() -> str:
    """Changes whenever the analysers could give other terms for the same text."""
    import corpus.analysis

    h = hashlib.sha256(Path(corpus.analysis.__file__).read_bytes())
    for name in _ANALYSIS_LIBRARIES:
        try:
            h.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=none".encode())
    return h.hexdigest()[:16]


def term_key(lang: str, text: str) -> str:
    return hashlib.sha256(f"{lang}\0{text}".encode()).hexdigest()[:32]


class TermCache:
    """(language, text) -> the analyser's terms, in a file of the cache dir."""

    def __init__(self, cache_dir: Path) -> None:
        self.path = cache_dir / "lexical-terms" / f"{analysis_version()}.json"

    def load(self) -> dict[str, list[str]]:
        if not self.path.is_file():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not all(
                isinstance(v, list) and all(isinstance(t, str) for t in v) for v in data.values()
            ):
                raise ValueError("not a map of texts to terms")
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            logger.warning("%s: unreadable lexical term cache (%s); rebuilding it", self.path, exc)
            return {}
        return data

    def save(self, terms: dict[str, list[str]]) -> None:
        tmp = self.path.with_name(f".{self.path.stem}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(terms, ensure_ascii=False, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:
            logger.warning("%s: cannot cache the lexical terms (%s)", self.path, exc)
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
