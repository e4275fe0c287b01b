"""Cut a document into chunks the embedding model reads whole.

A model silently drops what lies beyond its token limit, so every chunk is measured with
the model's own token count. Chunks are runs of whole sentences (citations read well),
taken only from content spans (navigation and footers never become a chunk).
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from corpus.cleaning import content_spans
from corpus.document import Chunk, Document
from corpus.langid import detect_language
from corpus.sentences import is_heading, split_sentences, trim_span

logger = logging.getLogger(__name__)

CountTokens = Callable[[str], int]
# Token counts of many texts in one call: a tokenizer's batch call costs far less per text.
CountMany = Callable[[Sequence[str]], list[int]]

# Below this many letters langdetect guesses; the document's language is a better bet.
MIN_LETTERS_FOR_LANG = 40
# Changes whenever the same text and settings would give other chunks: an index built
# by another version is rebuilt (index/store.py compares it like the model's name).
# 2: headings go with the text they name; 3: but more than a chunk's worth of label-like
# lines in a row (a list, a log) is cut by the budget, not into a chunk per line.
CHUNKER_VERSION = 3


@dataclass(frozen=True)
class _Unit:
    """A sentence, or a piece of one too long for a chunk; tokens exclude the overhead.
    ``heading``: a line of its own that names what follows (see ``is_heading``)."""

    start: int
    end: int
    tokens: int
    heading: bool = False


# Runs whose counts are remembered (a window's chunks at most; the texts are short).
_REMEMBERED = 4096


@dataclass(frozen=True)
class _Budget:
    counter: CountTokens
    max_tokens: int
    overhead: int  # what every text costs: prefix and special tokens
    count_many: CountMany | None = None
    # Counts of runs already measured: a text that repeats its lines (a list, a log, a
    # million one-letter lines) has the same runs again and again, each chunk probing
    # the same few lengths; a count costs a millisecond, a look-up nothing.
    seen: dict[str, int] = field(default_factory=dict, compare=False)
    check: Callable[[], None] | None = None  # raises when the document's time is up

    def count(self, text: str) -> int:
        known = self.seen.get(text)
        if known is None:
            if len(self.seen) >= _REMEMBERED:
                self.seen.clear()
            known = self.seen[text] = self.counter(text)
        return known

    def counts(self, texts: Sequence[str]) -> list[int]:
        return self.count_many(texts) if self.count_many else [self.counter(t) for t in texts]

    @property
    def content(self) -> int:
        return self.max_tokens - self.overhead

    @property
    def most_units(self) -> int:
        """The most units a run is ever taken to: each holds a token of its own, so a run
        of more units than the model reads tokens never fits. Estimates alone do not bound
        a run: a one-token line costs 0 beyond the overhead (count("") holds a "▁" that
        text absorbs), and a million such lines would be one run counted whole."""
        return self.max_tokens

    def fits(self, text: str) -> bool:
        return self.count(text) <= self.max_tokens


def chunk_document(
    doc: Document,
    count_tokens: CountTokens,
    max_tokens: int,
    overlap: int = 1,
    count_many: CountMany | None = None,
    check: Callable[[], None] | None = None,
) -> list[Chunk]:
    """Chunks of ``doc`` with ``count_tokens(chunk.text) <= max_tokens`` each.

    ``overlap`` trailing sentences of a chunk start the next one too, so an answer that
    straddles a chunk boundary is still found whole in one of them. ``count_many``, if
    given, counts the sentences of a span in one call (it must agree with count_tokens).
    ``check``, if given, is called after every chunk (a time budget raises from it).
    """
    budget = _Budget(count_tokens, max_tokens, count_tokens(""), count_many, check=check)
    if budget.content < 1:
        raise ValueError(f"max_tokens={max_tokens} leaves no room after {budget.overhead}")
    spans: list[tuple[int, int]] = []
    for start, end in content_spans(doc.text):
        units = _units(doc.text, start, end, budget)
        spans.extend(_pack(doc.text, units, budget, max(overlap, 0)))
    langs: dict[str, str] = {}  # per distinct text: a page repeated is detected once
    chunks = [_chunk(doc, i, start, end, langs) for i, (start, end) in enumerate(spans)]
    logger.debug("%s: %d chunks", doc.doc_id, len(chunks))
    return chunks


def _chunk(doc: Document, ordinal: int, start: int, end: int, langs: dict[str, str]) -> Chunk:
    text = doc.text[start:end]
    lang = langs.get(text)
    if lang is None:
        lang = detect_language(text, doc.lang) if _worded(text) else doc.lang
        langs[text] = lang
    return Chunk(
        chunk_id=f"{doc.doc_id}#{ordinal}",
        doc_id=doc.doc_id,
        path=doc.path,
        title=doc.title,
        lang=doc.lang if lang == "und" else lang,
        start=start,
        end=end,
        text=text,
    )


def _worded(text: str) -> bool:
    """Whether the text has letters enough, in words, for its language to be told. Latin
    letters standing alone (a list of one-letter lines) are no words of any language:
    langdetect never converges on them and spent a quarter of a second a chunk there. A
    Han character alone is a word (and told by its script, without langdetect)."""
    letters = 0
    for word in text.split():
        if len(word) > 1 or not word.isascii():
            letters += sum(map(str.isalpha, word))
            if letters >= MIN_LETTERS_FOR_LANG:
                return True
    return False


def _units(text: str, start: int, end: int, budget: _Budget) -> list[_Unit]:
    """Sentences with their token counts (one count per distinct sentence, in one call
    where the counter can: a line a page repeats is counted once); over-long ones cut in
    pieces."""
    units = []
    spans = split_sentences(text, start, end)
    distinct = {text[a:b]: 0 for a, b in spans}
    counted = dict(zip(distinct, budget.counts(list(distinct)), strict=True))
    for (s, e), tokens in zip(spans, (counted[text[a:b]] for a, b in spans), strict=True):
        if tokens <= budget.max_tokens:
            units.append(_Unit(s, e, tokens - budget.overhead, _is_heading_line(text, s, e)))
        else:
            units.extend(_split_long(text, s, e, budget))
    return units


def _split_long(text: str, start: int, end: int, budget: _Budget) -> list[_Unit]:
    """Pieces of one sentence, each fitting; nothing is dropped but whitespace."""
    pieces = []
    while start < end:
        piece = _fitting_piece(text, start, end, budget)
        pieces.append(piece)
        start, end = trim_span(text, piece.end, end)
    return pieces


def _fitting_piece(text: str, start: int, end: int, budget: _Budget) -> _Unit:
    """The longest prefix of text[start:end] that fits, cut at a space where one is near."""
    longest = _longest_fitting_end(text, start, end, budget)
    cuts = (longest,) if longest == end else (_nicer_cut(text, start, longest), longest)
    for cut in cuts:
        s, e = trim_span(text, start, cut)
        if s < e:
            tokens = budget.count(text[s:e])
            if tokens <= budget.max_tokens:
                return _Unit(s, e, tokens - budget.overhead)
    raise AssertionError("a prefix that fits was found but does not fit when trimmed")


def _longest_fitting_end(text: str, start: int, end: int, budget: _Budget) -> int:
    """Galloping, then binary search over character positions (counts grow with length).

    Galloping keeps each count near the piece's size: counting the whole rest of a
    megabyte-long line for every piece would be quadratic.
    """
    good, bad, size = start, end + 1, max(budget.content, 1)
    while bad == end + 1:
        probe = min(end, start + size)
        if not budget.fits(text[start:probe]):
            bad = probe
        elif probe == end:
            return end
        else:
            good, size = probe, size * 2
    while bad - good > 1:
        mid = (good + bad) // 2
        if budget.fits(text[start:mid]):
            good = mid
        else:
            bad = mid
    if good == start:
        raise ValueError(
            f"max_tokens={budget.max_tokens} is too small for one character "
            f"{text[start]!r} at offset {start}"
        )
    return good


def _nicer_cut(text: str, start: int, cut: int) -> int:
    """Back off to the last whitespace if it keeps at least half the piece; else stay
    at the character position (Chinese has no spaces), never before a combining mark."""
    space = next((i for i in range(cut, start, -1) if text[i - 1].isspace()), start)
    if space - start >= (cut - start) / 2:
        return space
    while cut - 1 > start and unicodedata.category(text[cut])[0] == "M":
        cut -= 1
    return cut


def _pack(text: str, units: list[_Unit], budget: _Budget, overlap: int) -> list[tuple[int, int]]:
    """Greedy runs of units; each chunk's estimate is confirmed with one real count."""
    spans: list[tuple[int, int]] = []
    first, done = 0, 0  # done: units already in a chunk
    while done < len(units):
        last = _fill(text, units, first, done + 1, budget)
        first, last = _confirm(text, units, first, last, done + 1, budget)
        spans.append((units[first].start, units[last - 1].end))
        if budget.check is not None:
            budget.check()
        first, done = _overlap_start(units, first, last, overlap, budget.content), last
    return spans


def _fill(text: str, units: list[_Unit], first: int, min_end: int, budget: _Budget) -> int:
    """End index of the greedy run from ``first``: at least ``min_end``, as far as it fits,
    stopping early before a heading (a glossary entry or a section is a chunk of its own
    when it fits one) and at a paragraph break once the chunk is over half full."""
    room, end = budget.content, min(len(units), first + budget.most_units)
    total, j = 0, first
    body = False  # the run holds more than headings (kept as it grows: a page of short
    # label-like lines would make re-checking the run cubic in its length)
    while j < len(units) and (j < min_end or (j < end and total + units[j].tokens <= room)):
        if j >= min_end and units[j].heading and body:
            break  # a section starts
        if j >= min_end and total > room / 2 and _paragraph_break(text, units[j - 1], units[j]):
            break
        total += units[j].tokens
        body = body or not units[j].heading
        j += 1
    return j


def _confirm(
    text: str, units: list[_Unit], first: int, last: int, min_end: int, budget: _Budget
) -> tuple[int, int]:
    """Shrink the run until the real count fits: drop new units, then overlap units.
    A heading never ends a chunk when text follows it: it goes with what it names."""
    first, last = _fit(text, units, first, last, min_end, budget)
    return first, _before_headings(units, first, last, min_end, budget)


def _before_headings(
    units: list[_Unit], first: int, last: int, min_end: int, budget: _Budget
) -> int:
    """Where the chunk ends so the headings at its end start the next one, with the text
    they name: back before them as far as they fit there with that text's first unit.

    Label-like lines that are more than a chunk's worth in a row (a list of short lines,
    a log) are a list, not headings: they stay where the budget cut them, else every
    line of it would be a chunk of its own.
    """
    room, most = budget.content, budget.most_units
    text_at = _text_after(units, last, room, most)
    if text_at is None:
        return last  # nothing follows, or only more headings
    after = sum(u.tokens for u in units[last:text_at])  # headings the budget already moved
    run, k = after, last
    while k > 0 and units[k - 1].heading and run <= room and text_at - k < most:
        run, k = run + units[k - 1].tokens, k - 1
    if run > room or text_at - k >= most:
        return last
    moving, end = after + units[text_at].tokens, last
    while end - 1 > first and end > min_end and units[end - 1].heading:
        if moving + units[end - 1].tokens > room:
            break
        moving, end = moving + units[end - 1].tokens, end - 1
    return end


def _text_after(units: list[_Unit], last: int, room: int, most: int) -> int | None:
    """The first unit that is not a heading from ``last`` on, if within a chunk's reach."""
    reach, j = 0, last
    while j < len(units) and units[j].heading:
        reach, j = reach + units[j].tokens, j + 1
        if reach > room or j - last >= most:
            return None
    return j if j < len(units) else None


def _fit(
    text: str, units: list[_Unit], first: int, last: int, min_end: int, budget: _Budget
) -> tuple[int, int]:
    """The longest run that fits, as dropping one unit at a time would find it (a run's
    count grows with every unit it holds), in a few counts: how far the count overshoots
    says how many units to drop, and the runs between the longest known to fit and the
    shortest known not to are searched by galloping, then halving. Where the estimates
    say nothing (units of 0 tokens) the drop doubles at each miss, so a run of n units
    costs O(log n) counts, never one per unit (that made a text of one-letter lines
    quadratic)."""

    def count(a: int, b: int) -> int:
        return budget.count(text[units[a].start : units[b - 1].end])

    real = count(first, last)
    if real <= budget.max_tokens:
        return first, last
    drop = 1
    while last > min_end:  # the run up to ``last`` is known not to fit
        guess = min(_shorter_end(units, first, last, min_end, real, budget), last - drop)
        guess = max(guess, min_end)
        fitted = count(first, guess)
        if fitted <= budget.max_tokens:
            return first, _longest_fit(lambda e: count(first, e) <= budget.max_tokens, guess, last)
        last, real, drop = guess, fitted, drop * 2
    while real > budget.max_tokens and first < last - 1:
        first += 1
        real = count(first, last)
    if real > budget.max_tokens:
        raise AssertionError("a single unit was measured to fit")
    return first, last


def _longest_fit(fits: Callable[[int], bool], good: int, bad: int) -> int:
    """The largest end in [good, bad) that fits, given that ``good`` fits and ``bad`` does
    not: galloping up from ``good`` (the estimate is usually a unit or two short), then
    halving."""
    step = 1
    while good + step < bad:
        if not fits(good + step):
            bad = good + step
            break
        good, step = good + step, step * 2
    while bad - good > 1:
        mid = (good + bad) // 2
        if fits(mid):
            good = mid
        else:
            bad = mid
    return good


def _shorter_end(
    units: list[_Unit], first: int, last: int, min_end: int, real: int, budget: _Budget
) -> int:
    """Where the run should end to lose the tokens it is over by, scaling the units'
    estimates by how far off they were for this run; at least one unit shorter. A unit
    weighs at least one token: one estimated at 0 (a one-letter line) still costs one
    in a run, and weighing nothing it would never count towards the excess."""
    estimate = sum(max(u.tokens, 1) for u in units[first:last])
    scale = max(real - budget.overhead, 1) / estimate
    excess, end = float(real - budget.max_tokens), last
    while end > min_end and (end == last or excess > 0):
        end -= 1
        excess -= max(units[end].tokens, 1) * scale
    return end


def _overlap_start(units: list[_Unit], first: int, last: int, overlap: int, room: int) -> int:
    """Where the next chunk starts: up to ``overlap`` units back, if they leave room for
    the next new unit, and never back at this chunk's own start."""
    if last >= len(units) or units[last].heading:
        return last  # a new section starts clean: the last one's tail is not its context
    k = min(overlap, last - first - 1)
    while k > 0 and sum(u.tokens for u in units[last - k : last + 1]) > room:
        k -= 1
    return last - k


def _is_heading_line(text: str, start: int, end: int) -> bool:
    """A sentence that is a whole line and names what follows: a title, a section heading
    or a glossary term ("光合作用:", "Lieferkette (Supply Chain):", "## Setup")."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    if text[line_start:start].strip() or text[end:line_end].strip():
        return False  # other text on the same line: a sentence among others
    return is_heading(text[start:end])


def _paragraph_break(text: str, before: _Unit, after: _Unit) -> bool:
    return len(text[before.end : after.start].splitlines()) >= 2
