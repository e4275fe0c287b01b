"""Real text in five languages for bench/scale.py, and its e5 embeddings (cached).

Random vectors say nothing about how an approximate index behaves on embeddings, which
cluster by topic and language. This gathers sentences of real text available offline:

- the default corpus's seeds (../shared/seeds) and xquad-dev's documents, split in
  sentences;
- the message catalogs Debian packages install (/usr/share/locale/*/LC_MESSAGES/*.mo):
  the English ``msgid`` and the German, Turkish, Hindi and Chinese ``msgstr``;
- English documentation under /usr/share/doc (README, *.txt), split in sentences.

Texts are deduplicated, kept between ``MIN_CHARS`` and ``MAX_CHARS``, and ordered
deterministically. Embedding them (the index's default engine, OpenVINO, ``passage:``
prompt) takes minutes on two cores, so vectors are cached in ``--cache`` by text count.

    .venv/bin/python bench/realtext.py --n 60000     # embed and cache
"""

from __future__ import annotations

import argparse
import gettext
import gzip
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np
from common import REPO, XQUAD

from corpus.langid import detect_language
from corpus.sentences import split_sentences

SEEDS = REPO.parent / "shared" / "seeds"
LOCALES = {"de": ("de",), "tr": ("tr",), "hi": ("hi",), "zh": ("zh_CN", "zh_TW")}
MIN_CHARS = {"zh": 6}
DEFAULT_MIN = 16
MAX_CHARS = 400


def _keep(text: str, lang: str) -> bool:
    text = text.strip()
    return MIN_CHARS.get(lang, DEFAULT_MIN) <= len(text) <= MAX_CHARS


def _sentences(text: str) -> list[str]:
    return [text[a:b].strip() for a, b in split_sentences(text)]


def _catalog(path: Path) -> dict[str, str]:
    try:
        with path.open("rb") as fh:
            cat = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    out = {}
    for key, value in cat.items():
        msgid = key[0] if isinstance(key, tuple) else key
        if isinstance(msgid, str) and isinstance(value, str) and msgid and value:
            out[msgid] = value
    return out


def gather() -> list[tuple[str, str]]:
    """(lang, text) pairs, deduplicated, in a fixed order."""
    found: list[tuple[str, str]] = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        found += [(detect_language(text), s) for s in _sentences(text)]
    for lang_dir in sorted((XQUAD / "docs").iterdir()):
        for path in sorted(lang_dir.iterdir()):
            found += [(lang_dir.name, s) for s in _sentences(path.read_text(encoding="utf-8"))]
    for lang, dirs in LOCALES.items():
        for d in dirs:
            for mo in sorted(Path("/usr/share/locale", d, "LC_MESSAGES").glob("*.mo")):
                for msgid, msgstr in sorted(_catalog(mo).items()):
                    found.append(("en", msgid))
                    found.append((lang, msgstr))
    for path in sorted(Path("/usr/share/doc").rglob("*")):
        name = path.name.lower()
        if not path.is_file() or not (name.startswith("readme") or name.endswith(".txt")):
            continue
        try:
            raw = path.read_bytes()
            if name.endswith(".gz"):
                raw = gzip.decompress(raw)
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile):
            continue
        found += [("en", s) for s in _sentences(" ".join(text.split()))]
    seen: set[str] = set()
    out = []
    for lang, text in found:
        text = " ".join(text.replace("_", "").replace("&", "").split())
        if text not in seen and _keep(text, lang):
            seen.add(text)
            out.append((lang, text))
    return out


def load(n: int, cache: Path) -> tuple[list[str], list[str], np.ndarray]:
    """The first ``n`` texts of ``gather()`` (shuffled with a fixed seed), their
    languages and their passage vectors (float32, unit)."""
    pairs_all = pairs = gather()
    order = np.random.default_rng(0).permutation(len(pairs))[:n]
    pairs = [pairs[i] for i in sorted(order.tolist())]
    langs, texts = [p[0] for p in pairs], [p[1] for p in pairs]
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:12]
    path = cache / f"realtext-{len(texts)}-{digest}.npy"
    if path.is_file():
        return texts, langs, np.load(path)
    known = _known_vectors(pairs_all, cache)
    todo = [t for t in texts if t not in known]
    if not todo:
        return texts, langs, np.stack([known[t] for t in texts]).astype(np.float32)
    from index.convert import BUILTIN_MODEL
    from index.embedder import default_cache_dir
    from index.engines import make_index_embedder

    # The index's default engine (OpenVINO, 2.4x torch here, cosine to it >= 0.99998).
    embedder = make_index_embedder(BUILTIN_MODEL, default_cache_dir(), "openvino", 32)
    t0 = time.perf_counter()
    blocks = []
    for i in range(0, len(todo), 2048):
        blocks.append(embedder.embed_passages(todo[i : i + 2048]))
        print(
            f"embedded {i + len(blocks[-1])}/{len(texts)} in {time.perf_counter() - t0:.0f}s",
            file=sys.stderr,
            flush=True,
        )
    fresh = dict(zip(todo, np.concatenate(blocks) if blocks else [], strict=True))
    vectors = np.stack([known[t] if t in known else fresh[t] for t in texts]).astype(np.float32)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    (path.with_suffix(".json")).write_text(json.dumps({"texts": len(texts)}))
    return texts, langs, vectors


def extend(
    texts: list[str], langs: list[str], vectors: np.ndarray, n: int, seed: int = 3
) -> tuple[list[str], list[str], np.ndarray, list[tuple[int, int]]]:
    """``n`` chunks from fewer real texts: past the real ones, each chunk is two real
    texts of one language joined, its vector the normalised sum of theirs (the offline
    sources hold ~190,000 texts; embedding 10^6 would take hours on two cores). Lexical
    terms, topics and languages stay those of real text; the vectors are not the model's
    own for the joined text, which is what latency and memory need, not recall. Returns
    also the (a, b) sources of each made chunk, so their terms can be joined too."""
    if n <= len(texts):
        return texts[:n], langs[:n], vectors[:n], []
    rng = np.random.default_rng(seed)
    lang_arr = np.asarray(langs)
    names = lang_arr[rng.integers(0, len(texts), n - len(texts))]
    pairs = np.zeros((n - len(texts), 2), dtype=np.int64)
    for g in sorted(set(langs)):
        rows = np.flatnonzero(lang_arr == g)
        mine = np.flatnonzero(names == g)
        pairs[mine] = rows[rng.integers(0, len(rows), (len(mine), 2))]
    out = np.empty((n, vectors.shape[1]), dtype=np.float32)
    out[: len(texts)] = vectors
    for s in range(0, len(pairs), 100_000):
        part = pairs[s : s + 100_000]
        summed = vectors[part[:, 0]] + vectors[part[:, 1]]
        out[len(texts) + s : len(texts) + s + len(part)] = summed / np.linalg.norm(
            summed, axis=1, keepdims=True
        )
    sources = [(int(a), int(b)) for a, b in pairs.tolist()]
    new_texts = texts + [f"{texts[a]} {texts[b]}" for a, b in sources]
    new_langs = langs + [langs[a] for a, _ in sources]
    return new_texts, new_langs, out, sources


def _known_vectors(pairs: list[tuple[str, str]], cache: Path) -> dict[str, np.ndarray]:
    """Vectors already cached for smaller draws (the draws of one seed nest)."""
    perm = np.random.default_rng(0).permutation(len(pairs))
    known: dict[str, np.ndarray] = {}
    for path in sorted(cache.glob("realtext-*-*.npy")):
        m = int(path.name.split("-")[1])
        texts = [pairs[i][1] for i in sorted(perm[:m].tolist())]
        digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:12]
        if path.name == f"realtext-{m}-{digest}.npy":
            known.update(zip(texts, np.load(path), strict=True))
    return known


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60_000)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/polyqa-bench-cache"))
    parser.add_argument("--count", action="store_true", help="only count the texts per language")
    args = parser.parse_args()
    if args.count:
        pairs = gather()
        counts: dict[str, int] = {}
        for lang, _ in pairs:
            counts[lang] = counts.get(lang, 0) + 1
        print(json.dumps({"total": len(pairs), **counts}))
        return
    texts, _, vectors = load(args.n, args.cache)
    print(json.dumps({"texts": len(texts), "shape": list(vectors.shape)}))


if __name__ == "__main__":
    main()
