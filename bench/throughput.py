"""Indexing throughput of the default model's engines (issue 14), on the texts `polyqa
index` embeds: the chunks of the default corpus and of xquad-dev's documents, as polyqa
chunks them, and every chunk's sentence units (index/sentences.py), deduplicated and
batched as the builder does (64 chunks, 256 sentences a call).

Each variant runs in a child process of its own (its threads and memory its own), the
variants one after another, ``--rounds`` times round-robin so a passing load hits all of
them alike; the best round of each is reported with the load of the whole run. Every
variant's vectors are compared with the torch ones (cosine, worst and mean).

    .venv/bin/python bench/throughput.py                       # every variant
    .venv/bin/python bench/throughput.py --variants torch,onnx-int8 --rounds 3
    .venv/bin/python bench/throughput.py --xquad-docs 100      # fewer texts, quicker
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from common import XQUAD, append_row, fmt, machine, stamp, write_result

CHUNK_BATCH = 64  # index/builder.py BATCH
SENTENCE_BATCH = 256  # index/sentences.py BATCH

# name -> (engine, options); the engines are index/embedder.py's.
VARIANTS: dict[str, dict[str, Any]] = {
    "torch": {"backend": "torch"},
    "torch-batch16": {"backend": "torch", "batch_size": 16},
    "torch-1thread": {"backend": "torch", "threads": 1},
    "onnx": {"backend": "onnx"},
    "onnx-int8": {"backend": "onnx-int8"},
    "openvino": {"backend": "openvino"},
    "numpy-fast": {"backend": "numpy"},
}


def texts() -> dict[str, list[str]]:
    """The chunks and sentence units `polyqa index` embeds for both corpora."""
    from bot.settings import load_settings
    from corpus.chunker import chunk_document
    from corpus.reader import default_corpus_dir, read_documents
    from index.fast_embedder import FastE5Embedder
    from index.sentences import sentence_units

    settings = load_settings()
    counter = FastE5Embedder(settings.cache_dir)  # the same counts as the tokenizer's
    out: dict[str, list[str]] = {}
    for name, folder in (("default", default_corpus_dir()), ("xquad-dev", XQUAD / "docs")):
        docs, _ = read_documents([folder])
        chunks = [
            c
            for d in docs
            for c in chunk_document(d, counter.count_tokens, settings.chunk_tokens, 1)
        ]
        out[f"{name}/chunks"] = list(dict.fromkeys(c.text for c in chunks))
        units = [t for c in chunks for _, _, t in sentence_units(c)]
        out[f"{name}/sentences"] = list(dict.fromkeys(units))
    return out


def measure(variant: str, corpora: dict[str, list[str]], out_dir: str) -> dict[str, Any]:
    """Runs in a child process: load the variant, warm it up, time every text set."""
    from bot.settings import load_settings
    from index.engines import make_index_embedder

    opts = dict(VARIANTS[variant])
    if "threads" in opts:
        import torch

        torch.set_num_threads(opts["threads"])
    settings = load_settings()
    started = time.perf_counter()
    embedder = make_index_embedder(
        settings.model, settings.cache_dir, opts["backend"], opts.get("batch_size", 32)
    )
    load_s = time.perf_counter() - started
    embedder.embed_passages(["warm-up passage, a few words long."] * 4)
    result: dict[str, Any] = {"variant": variant, "load_s": round(load_s, 2)}
    for key, items in corpora.items():
        batch = SENTENCE_BATCH if key.endswith("sentences") else CHUNK_BATCH
        t0 = time.perf_counter()
        vecs = [embedder.embed_passages(items[i : i + batch]) for i in range(0, len(items), batch)]
        seconds = time.perf_counter() - t0
        np.save(Path(out_dir) / f"{variant}-{key.replace('/', '-')}.npy", np.concatenate(vecs))
        result[key] = {
            "n": len(items),
            "s": round(seconds, 2),
            "per_s": round(len(items) / seconds, 2),
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--xquad-docs", type=int, default=0, help="chunks of the first N only")
    args = parser.parse_args()
    names = args.variants.split(",")
    unknown = set(names) - set(VARIANTS)
    if unknown:
        raise SystemExit(f"unknown variants {sorted(unknown)}; known: {', '.join(VARIANTS)}")
    if "torch" not in names:
        names.insert(0, "torch")  # the reference of the cosines and the speed-ups
    st = stamp()
    corpora = texts()
    if args.xquad_docs:
        share = args.xquad_docs / 300
        for key in ("xquad-dev/chunks", "xquad-dev/sentences"):
            corpora[key] = corpora[key][: int(len(corpora[key]) * share)]
    print({k: len(v) for k, v in corpora.items()}, file=sys.stderr)
    loads: list[float] = []
    runs: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
    ctx = mp.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="polyqa-throughput-") as tmp:
        for rnd in range(args.rounds):
            for name in names:
                loads.append(os.getloadavg()[0])
                with ctx.Pool(1) as pool:
                    r = pool.apply(measure, (name, corpora, tmp))
                r["load_1m"] = round(os.getloadavg()[0], 2)
                runs[name].append(r)
                print(f"round {rnd + 1} {json.dumps(r)}", file=sys.stderr, flush=True)
        cosines = {n: _cosines(Path(tmp), n, "torch", corpora) for n in names}
    best = {n: _best(rs, corpora) for n, rs in runs.items()}
    data = {"stamp": st, "texts": {k: len(v) for k, v in corpora.items()}, "runs": runs,
            "best": best, "cosine_to_torch": cosines, "load_1m_runs": loads}  # fmt: skip
    write_result("throughput", data)
    span = f"{min(loads):.1f}–{max(loads):.1f}"
    for n in names:
        b, c = best[n], cosines[n]
        append_row(
            "throughput",
            [
                st["date"],
                st["commit"],
                machine(st),
                f"{args.rounds} ({span})",
                n,
                fmt(b["passages_per_s"], 1),
                fmt(b["sentences_per_s"], 1),
                fmt(b["index_s"], 1),
                fmt(best["torch"]["index_s"] / b["index_s"], 2),
                f"{c['min']:.5f} / {c['mean']:.6f}",
                fmt(b["load_s"], 1),
            ],
        )


def _best(rs: list[dict[str, Any]], corpora: dict[str, list[str]]) -> dict[str, float]:
    """The fastest round: seconds to embed everything a fresh index of both corpora does."""

    def total(r: dict[str, Any]) -> float:
        return sum(r[k]["s"] for k in corpora)

    r = min(rs, key=total)
    chunks = [k for k in corpora if k.endswith("chunks")]
    sents = [k for k in corpora if k.endswith("sentences")]
    return {
        "passages_per_s": sum(r[k]["n"] for k in chunks) / sum(r[k]["s"] for k in chunks),
        "sentences_per_s": sum(r[k]["n"] for k in sents) / sum(r[k]["s"] for k in sents),
        "index_s": total(r),
        "load_s": r["load_s"],
    }


def _cosines(tmp: Path, name: str, ref: str, corpora: dict[str, list[str]]) -> dict[str, float]:
    cos = []
    for key in corpora:
        stem = key.replace("/", "-")
        a = np.load(tmp / f"{name}-{stem}.npy").astype(np.float64)
        b = np.load(tmp / f"{ref}-{stem}.npy").astype(np.float64)
        cos.append(np.sum(a * b, axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1))
    allc = np.concatenate(cos)
    return {"min": float(allc.min()), "mean": float(allc.mean())}


if __name__ == "__main__":
    main()
