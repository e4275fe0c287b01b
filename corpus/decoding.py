"""Turn the bytes of a text file into text, and say which encoding that took.

UTF-8 is tried first and strictly: most files are UTF-8, and a strict decode is the only
test that cannot be fooled. A file with a byte order mark is decoded as the mark says. A
file in a legacy encoding (Windows code pages, GB18030, Big5, Shift-JIS...) is detected
with charset-normalizer among the encodings people actually use, because on short texts
it otherwise picks exotic ones (a French "café" came back as Urdu cp1006). A UTF-8 file
with a few broken bytes is refused with the offset: guessing would turn it into mojibake.
"""

from __future__ import annotations

import codecs
import logging
import unicodedata

from charset_normalizer import from_bytes

from corpus.errors import DocumentError

logger = logging.getLogger(__name__)

# Candidates for detection, most likely first: ties (the same text under two code
# pages, e.g. German in cp1250 and cp1252) go to the earlier one.
COMMON_ENCODINGS = (
    "cp1252", "cp1254", "cp1250", "cp1251", "cp1253", "cp1257", "cp1256", "cp1255",
    "koi8_r", "gb18030", "big5", "cp932", "euc_jp", "cp949",
)  # fmt: skip

_BOMS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Letters and signs that show up when text is decoded with the wrong code page (þ, ý, ð
# for Turkish ş, ı, ğ read as cp1252; ¹, ³, ¿ for Polish ą, ł, ż).
_ODD = set("ðþýÐÞÝÿ¹³²¼½¾¤¦¨´¸¯¬µ¶ªº±¡")
# Scripts whose letters never mix inside a word; CJK scripts do (kanji and kana).
_ALPHABETS = frozenset(("LATIN", "CYRILLIC", "GREEK", "ARABIC", "HEBREW"))
_SAMPLE_BYTES = 1 << 20
_SAMPLE_CHARS = 1 << 16
# More control characters than this share of the text means it is not text.
_MAX_CONTROL_SHARE = 0.01
_TEXT_CONTROLS = set("\t\n\r\x0b\x0c\x1a\x1b")
# UTF-16 without a mark is text with a space or line break at least this many
# characters, and no more than this share of unassigned or private-use characters.
_CHARS_PER_BREAK = 1000
_MAX_ODD_SHARE = 0.01


def decode_text(path: str, raw: bytes, declared: str | None = None) -> tuple[str, str]:
    """(text, encoding) of ``raw``; DocumentError(path, why) when it is not text.

    ``declared`` is an encoding the file names itself (an HTML meta charset): used when it
    decodes cleanly, detection otherwise. Offsets count from after a byte order mark.
    """
    if not raw:
        raise DocumentError(path, "empty file")
    text, encoding = _decode(path, raw, declared)
    _refuse_binary(path, text)
    if not text.strip():
        raise DocumentError(path, "only whitespace, no text")
    return text, encoding


def _decode(path: str, raw: bytes, declared: str | None) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return _strict(path, raw, encoding, f"although it starts with a {encoding} mark")
    if b"\x00" in raw:
        return _utf16_without_bom(path, raw)
    named = _codec(declared) if declared else None
    if named:
        try:
            return raw.decode(named), named
        except UnicodeDecodeError:
            logger.info("%s: not %s as it declares; detecting", path, named)
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        where = f"byte 0x{raw[exc.start]:02x} at offset {exc.start}"
        if _damaged_utf8(raw, exc.start):
            raise DocumentError(
                path, f"not valid UTF-8 ({where}) though the rest is UTF-8; re-save it as UTF-8"
            ) from exc
        detected = _detect(raw)
        if detected is None:
            raise DocumentError(
                path, f"not valid UTF-8 ({where}) and not in a common encoding"
            ) from exc
        logger.info("%s: not UTF-8, read as %s", path, detected[1])
        return detected


def _strict(path: str, raw: bytes, encoding: str, why: str) -> tuple[str, str]:
    try:
        return raw.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        offset = exc.start + (len(codecs.BOM_UTF8) if encoding == "utf-8-sig" else 0)
        raise DocumentError(
            path, f"not valid {encoding} ({exc.reason} at offset {offset}) {why}"
        ) from exc


def _utf16_without_bom(path: str, raw: bytes) -> tuple[str, str]:
    """UTF-16 saved without a mark, in any script; else the NUL bytes make it binary.

    NUL bytes in UTF-16 text are mostly the high bytes of spaces, line breaks, digits and
    Latin letters, so the byte order with more NULs in the high byte's place is tried
    first; requiring a NUL in every other byte refused Hindi and Chinese, whose own
    letters have none. A decoding is text when it has the spaces or line breaks text has
    and hardly any unassigned or private-use characters, which the wrong byte order and
    binary data are full of.
    """
    if len(raw) % 2 == 0:
        head = raw[:_SAMPLE_BYTES]
        odd, even = head[1::2].count(0), head[0::2].count(0)
        orders = ("utf-16-le", "utf-16-be") if odd >= even else ("utf-16-be", "utf-16-le")
        for encoding in orders:
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError:
                continue
            if _looks_like_text(text[:_SAMPLE_CHARS]):
                return text, encoding
    nul = raw.find(b"\x00")
    raise DocumentError(path, f"binary content (NUL byte at offset {nul}), not text")


def _looks_like_text(sample: str) -> bool:
    """Spaces or line breaks now and then, and (almost) no unassigned or private-use
    characters."""
    breaks = sum(sample.count(ch) for ch in " \n\t\u3000")
    odd = sum(1 for ch in sample if unicodedata.category(ch) in ("Cn", "Co", "Cs"))
    return breaks >= 1 + len(sample) // _CHARS_PER_BREAK and odd <= _MAX_ODD_SHARE * len(sample)


def _codec(label: str) -> str | None:
    """Python's name for an encoding label; latin-1 means cp1252 on the web (WHATWG)."""
    try:
        name = codecs.lookup(label.strip()).name
    except LookupError:
        return None
    return "cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name


def _damaged_utf8(raw: bytes, first_error: int) -> bool:
    """More valid multi-byte UTF-8 characters than broken bytes around the first broken
    one: UTF-8 with damage.

    Text in a legacy encoding forms a valid UTF-8 sequence only by chance (a few in a
    hundred pairs for GB18030), never more often than it breaks one.
    """
    lo = max(0, first_error - _SAMPLE_BYTES // 2)
    text = raw[lo : lo + _SAMPLE_BYTES].decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    valid = sum(1 for ch in text if ord(ch) > 0x7F) - broken
    return valid > broken


def _detect(raw: bytes) -> tuple[str, str] | None:
    """The most plausible common encoding that decodes all of ``raw``."""
    results = from_bytes(raw[:_SAMPLE_BYTES], cp_isolation=list(COMMON_ENCODINGS))
    if not results:
        return None
    least_chaos = min(r.chaos for r in results)
    candidates = [_codec(r.encoding) for r in results if r.chaos <= least_chaos + 0.05]
    ranked = sorted(
        {c for c in candidates if c},
        key=lambda enc: (_oddity(raw[:_SAMPLE_BYTES], enc), _preference(enc)),
    )
    for encoding in ranked:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text, _usual_name(raw[:_SAMPLE_BYTES], encoding)
    return None


def _usual_name(sample: bytes, encoding: str) -> str:
    """The most common encoding that reads ``sample`` exactly as ``encoding`` does: a
    German text is the same in cp1250 and cp1252, and cp1252 is what it was saved in."""
    text = sample.decode(encoding, errors="replace")  # the sample may end mid-character
    for other in COMMON_ENCODINGS[: _preference(encoding)]:
        try:
            if sample.decode(other) == text:
                return other
        except UnicodeDecodeError:
            continue
    return encoding


def _preference(encoding: str) -> int:
    names = [_codec(e) for e in COMMON_ENCODINGS]
    return names.index(encoding) if encoding in names else len(names)


def _oddity(sample: bytes, encoding: str) -> int:
    """How wrong a decoding looks: odd signs, and letters of two alphabets in one word."""
    text = sample.decode(encoding, errors="replace")[:_SAMPLE_CHARS]
    odd = sum(1 for ch in text if ch in _ODD or ch == "\ufffd")
    previous = ""
    for ch in text:
        script = _script(ch)
        if script in _ALPHABETS and previous in _ALPHABETS and script != previous:
            odd += 1
        previous = script if ch.isalpha() else ""
    return odd


def _script(ch: str) -> str:
    """First word of the character's Unicode name for letters beyond ASCII ('LATIN',
    'CYRILLIC', 'CJK'), '' otherwise; ASCII letters count as Latin."""
    if not ch.isalpha():
        return ""
    if ch.isascii():
        return "LATIN"
    return unicodedata.name(ch, "?").split(" ")[0]


def _refuse_binary(path: str, text: str) -> None:
    sample = text[:_SAMPLE_CHARS]
    controls = [
        i
        for i, ch in enumerate(sample)
        if unicodedata.category(ch) == "Cc" and ch not in _TEXT_CONTROLS and ord(ch) < 0x80
    ]
    if len(controls) > _MAX_CONTROL_SHARE * len(sample):
        raise DocumentError(
            path,
            f"binary content (control character 0x{ord(sample[controls[0]]):02x} "
            f"at offset {controls[0]}), not text",
        )
