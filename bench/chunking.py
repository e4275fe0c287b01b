"""Chunking time of texts made to hurt (issue 17), with the real tokenizer, as
`polyqa index` chunks them (windows, chunk_tokens from the settings): one-letter lines,
random one-letter lines, random short lines, at 10^4, 10^5 and 10^6 lines. Linear
chunking shows as a constant time per line across the sizes.

    .venv/bin/python bench/chunking.py               # all kinds, 10k/100k/1M lines
    .venv/bin/python bench/chunking.py --lines 10000 --kinds same
"""

from __future__ import annotations

import argparse
import hashlib
import random
import string
import time
from collections.abc import Callable

from common import append_row, machine, stamp, write_result

from bot.settings import load_settings
from corpus.document import Document
from index.builder import _chunks_of
from index.convert import BUILTIN_MODEL
from index.embedder import SentenceTransformerEmbedder, default_cache_dir

WORDS = [
    "time",
    "year",
    "people",
    "way",
    "day",
    "man",
    "thing",
    "woman",
    "life",
    "child",
    "world",
    "school",
    "state",
]
KINDS: dict[str, Callable[[random.Random], str]] = {
    "same": lambda rng: "a",  # 'a\n' * n: 2 chars a line
    "letters": lambda rng: rng.choice(string.ascii_lowercase),
    "words": lambda rng: f"{rng.choice(WORDS)} {rng.randrange(100)}",
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--lines", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--kinds", nargs="+", default=list(KINDS), choices=list(KINDS))
    args = ap.parse_args()
    settings = load_settings()
    embedder = SentenceTransformerEmbedder(BUILTIN_MODEL, default_cache_dir())
    rows = []
    for kind in args.kinds:
        for n in args.lines:
            rng = random.Random(0)
            text = "".join(KINDS[kind](rng) + "\n" for _ in range(n))
            sha = hashlib.sha256(text.encode()).hexdigest()
            doc = Document("bench.txt", "/bench.txt", "bench", "en", text, sha)
            st = stamp()
            started = time.perf_counter()
            chunks = _chunks_of(doc, embedder, settings.chunk_tokens, settings.chunk_overlap)
            seconds = time.perf_counter() - started
            row = {"kind": kind, "lines": n, "chars": len(text), "chunks": len(chunks),
                   "seconds": round(seconds, 2), "us_per_line": round(seconds / n * 1e6, 1),
                   "stamp": st}  # fmt: skip
            rows.append(row)
            print(row)
            append_row("chunking", [st["date"], st["commit"], machine(st), kind, f"{n:,}",
                                    f"{len(text):,}", f"{len(chunks):,}", f"{seconds:.2f}",
                                    f"{row['us_per_line']}"])  # fmt: skip
    write_result("chunking", {"stamp": stamp(), "rows": rows})


if __name__ == "__main__":
    main()
