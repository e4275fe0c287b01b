from __future__ import annotations

import codecs
import hashlib
import logging
import os
from pathlib import Path

import pytest

from corpus.cleaning import is_boilerplate
from corpus.errors import DocumentError, NoDocumentsError, PolyqaError
from corpus.reader import default_corpus_dir, discover, read_document, read_documents


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def _one_line_naming(exc: PolyqaError, path: Path) -> str:
    message = str(exc)
    assert "\n" not in message
    assert str(path) in message
    return message


def test_reads_text_exactly(tmp_path: Path) -> None:
    raw = "Was macht ein CTO?\r\n\r\nEr leitet die Technologie eines Unternehmens.\r\n"
    path = _write(tmp_path / "sub" / "cto.txt", raw)
    doc = read_document(path, tmp_path)
    assert doc.text == raw, "no newline translation"
    assert doc.doc_id == "sub/cto.txt"
    assert doc.path == str(path)
    assert doc.title == "Was macht ein CTO?"
    assert doc.lang == "de"
    assert doc.sha256 == hashlib.sha256(raw.encode()).hexdigest()
    assert doc.encoding == "utf-8"


def test_doc_id_without_root_is_the_file_name(tmp_path: Path) -> None:
    path = _write(tmp_path / "a" / "notes.md", "# Notes\n\nSome text here.\n")
    assert read_document(path).doc_id == "notes.md"


def test_markdown_title_loses_hashes_and_is_cut(tmp_path: Path) -> None:
    heading = "Chief Technology Officer " * 10
    path = _write(tmp_path / "t.md", f"\n\n##  {heading}\n\nBody text.\n")
    title = read_document(path).title
    assert title == heading[:80].rstrip()
    assert not title.startswith("#")


def test_title_skips_navigation(tmp_path: Path) -> None:
    page = "当前位置：首页 > 职业 > 港务长\n\n港务长的职责\n\n港务长决定哪些船只可以进港。\n"
    zh = read_document(_write(tmp_path / "harbour.txt", page))
    assert zh.title == "港务长的职责"


def test_bom_is_recorded_and_offsets_follow_the_decoded_text(tmp_path: Path) -> None:
    raw = codecs.BOM_UTF8 + b"Hello world. This is text."
    path = _write(tmp_path / "bom.txt", raw)
    doc = read_document(path)
    assert doc.encoding == "utf-8-sig"
    assert doc.text == "Hello world. This is text."
    assert doc.sha256 == hashlib.sha256(raw).hexdigest()


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\t\r\n\xe3\x80\x80", "only whitespace"),
        ("binary.txt", b"GIF89a\x00\x01\x02", "binary content (NUL byte at offset 6)"),
        ("broken.txt", "Grüße ".encode() + b"\xff", "not valid UTF-8 (byte 0xff at offset 8)"),
        ("utf16.txt", "text".encode("utf-16")[:-1], "not valid utf-16"),
        ("footer.md", "© 2024 Example\n---\n", "no text besides navigation"),
        (
            "sheet.xlsx",
            b"PK\x03\x04",
            "unsupported file type '.xlsx'; supported: .docx, .htm, .html, .md, .pdf, .txt",
        ),
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, data: bytes, problem: str) -> None:
    path = _write(tmp_path / name, data)
    with pytest.raises(DocumentError) as info:
        read_document(path)
    assert problem in _one_line_naming(info.value, path)
    assert info.value.path == str(path)


def test_invalid_utf8_offset_counts_the_bom(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.txt", codecs.BOM_UTF8 + b"ab\xffcd")
    with pytest.raises(DocumentError, match="offset 5"):
        read_document(path)


def test_discover_expands_folders_in_order_and_skips_hidden(tmp_path: Path) -> None:
    _write(tmp_path / "b.txt", "b")
    _write(tmp_path / "A" / "z.md", "z")
    _write(tmp_path / "A" / "a.TXT", "a")
    _write(tmp_path / ".git" / "c.txt", "hidden dir")
    _write(tmp_path / ".hidden.txt", "hidden file")
    _write(tmp_path / "image.png", b"\x89PNG")
    single = _write(tmp_path / "elsewhere" / "one.xlsx", "named explicitly")
    pairs = discover([tmp_path, single, tmp_path / "b.txt"])
    assert [(p.relative_to(tmp_path).as_posix(), r) for p, r in pairs] == [
        ("A/a.TXT", tmp_path),
        ("A/z.md", tmp_path),
        ("b.txt", tmp_path),
        ("elsewhere/one.xlsx", single.parent),
    ]


def test_discover_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(NoDocumentsError) as info:
        discover([missing])
    assert "no such file or folder" in _one_line_naming(info.value, missing)


def test_discover_refuses_special_files(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(NoDocumentsError, match="not a regular file or folder"):
        discover([fifo])
    _write(tmp_path / "real.txt", "text")
    assert [p.name for p, _ in discover([tmp_path])] == ["real.txt"]


def test_folder_without_documents(tmp_path: Path) -> None:
    _write(tmp_path / "pics" / "a.png", b"\x89PNG")
    _write(tmp_path / "pics" / ".notes.txt", "hidden")
    with pytest.raises(NoDocumentsError) as info:
        read_documents([tmp_path / "pics"])
    assert "no .docx, .htm, .html, .md, .pdf, .txt document" in _one_line_naming(
        info.value, tmp_path / "pics"
    )


def test_read_documents_skips_bad_files(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _write(tmp_path / "good.txt", "The CTO leads engineering.")
    _write(tmp_path / "also_good.md", "# CIO\n\nThe CIO runs IT.")
    bad = _write(tmp_path / "bad.txt", "Grüße ".encode() + b"\xff")
    empty = _write(tmp_path / "empty.md", b"")
    with caplog.at_level(logging.WARNING, logger="corpus.reader"):
        docs, skipped = read_documents([tmp_path])
    assert [d.doc_id for d in docs] == ["also_good.md", "good.txt"]
    assert [(p, r.split(" (")[0]) for p, r in skipped] == [
        (str(bad), "not valid UTF-8"),
        (str(empty), "empty file"),
    ]
    assert str(bad) in caplog.text and str(empty) in caplog.text


def test_read_documents_when_nothing_is_readable(tmp_path: Path) -> None:
    _write(tmp_path / "a.txt", b"")
    _write(tmp_path / "b.txt", b"\x00\x00")
    with pytest.raises(NoDocumentsError) as info:
        read_documents([tmp_path])
    message = _one_line_naming(info.value, tmp_path / "a.txt")
    assert "empty file" in message and "binary content" in message


def test_read_documents_needs_a_path() -> None:
    with pytest.raises(NoDocumentsError):
        read_documents([])


def test_default_corpus() -> None:
    """Every shipped document is read, in the language its file name's prefix says
    (``en_...``): the language is detected from the text, the prefix is only the check."""
    shipped = sorted(default_corpus_dir().iterdir())
    assert shipped, "the default corpus ships documents"
    docs, skipped = read_documents([default_corpus_dir()])
    assert skipped == []
    assert {d.doc_id: d.lang for d in docs} == {p.name: p.name.split("_")[0] for p in shipped}
    assert all(d.title and len(d.title) <= 80 for d in docs)
    assert not [d.title for d in docs if is_boilerplate(d.title)], "titles skip navigation"
