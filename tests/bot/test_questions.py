"""Bad questions and bad upload names: each gets a clear one-line error or is made safe."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.chat.uploads import MAX_NAME_BYTES, safe_upload_path, store_upload
from bot.errors import QuestionError, UploadError
from bot.questions import MAX_QUESTION_CHARS, clean_question
from corpus.errors import DocumentError, PolyqaError


def _one_line(exc: PolyqaError) -> str:
    message = str(exc)
    assert message and "\n" not in message
    return message


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  Was macht ein CTO?  ", "Was macht ein CTO?"),
        ("Who\truns\r\nthe harbour\x00 here?\x07", "Who runs the harbour here?"),
        ("\ufeffCTO ve CIO\x1b[31m nedir?", "CTO ve CIO [31m nedir?"),
        ("Cafe\u0301?", "Café?"),  # NFC: the combining accent joins its letter
        ("क्\u200dष क्या है?", "क्\u200dष क्या है?"),  # ZWJ is spelling, kept
        ("lone \ud800 surrogate?", "lone surrogate?"),
        ("首席技術官需要熟悉哪些監管機構？", "首席技術官需要熟悉哪些監管機構？"),
    ],
)
def test_questions_are_normalised(raw: str, clean: str) -> None:
    assert clean_question(raw) == clean


@pytest.mark.parametrize("raw", ["", "   ", "\n\t\r", "\x00\x01\x02", "\ufeff"])
def test_empty_questions(raw: str) -> None:
    with pytest.raises(QuestionError) as info:
        clean_question(raw)
    assert "empty" in _one_line(info.value)


def test_question_without_words() -> None:
    with pytest.raises(QuestionError, match="no letters or digits"):
        clean_question("?!… ---")


def test_not_text() -> None:
    with pytest.raises(QuestionError, match="must be text, not NoneType"):
        clean_question(None)


def test_hundred_thousand_characters_are_refused_with_the_limit() -> None:
    with pytest.raises(QuestionError) as info:
        clean_question("Was macht ein CTO? " * 5_300)  # 100,700 characters
    message = _one_line(info.value)
    assert "100,700 characters" in message and f"{MAX_QUESTION_CHARS:,}" in message
    assert "index the text as a document" in message


def test_just_over_the_limit_after_cleaning() -> None:
    clean_question("a" * MAX_QUESTION_CHARS)
    with pytest.raises(QuestionError, match="2,001 characters"):
        clean_question("a" * (MAX_QUESTION_CHARS + 1))
    assert clean_question("a " + " " * 5_000 + "b") == "a b", "whitespace does not count"


def test_token_limit_of_the_model() -> None:
    def count(text: str) -> int:
        return len(text) + 2  # one token a character, as for Chinese

    assert clean_question("好" * 510, count_tokens=count, max_tokens=512)
    with pytest.raises(QuestionError, match="513 tokens long and the model reads 512"):
        clean_question("好" * 511, count_tokens=count, max_tokens=512)


# --- upload names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("/etc/cron.d/evil.txt", "evil.txt"),
        ("..\\..\\Windows\\win.ini.txt", "win.ini.txt"),
        ("C:report.md", "report.md"),
        (".bashrc.txt", "bashrc.txt"),
        ("...hidden.md", "hidden.md"),
        ("bad\x00name\n.txt", "bad_name_.txt"),
        ('what?<is>"this".txt', "what__is__this_.txt"),
        ("invoice\u202egpj.txt", "invoicegpj.txt"),
        ("Cafe\u0301 notes.md", "Café notes.md"),
        ("首席信息官.html", "首席信息官.html"),
    ],
)
def test_upload_names_stay_inside_the_folder(tmp_path: Path, sent: str, stored: str) -> None:
    path = safe_upload_path(tmp_path / "uploads", sent)
    assert path == (tmp_path / "uploads").resolve() / stored
    assert path.parent == (tmp_path / "uploads").resolve()


@pytest.mark.parametrize("sent", ["", "..", ".", "../", "/", "a/..", "  ", "...", "\x00"])
def test_upload_names_with_nothing_left(tmp_path: Path, sent: str) -> None:
    with pytest.raises(UploadError) as info:
        safe_upload_path(tmp_path, sent)
    assert "not a file name" in _one_line(info.value)


def test_long_upload_name_keeps_its_type(tmp_path: Path) -> None:
    path = safe_upload_path(tmp_path, "ü" * 300 + ".docx")
    assert len(path.name.encode("utf-8")) <= MAX_NAME_BYTES
    assert path.suffix == ".docx" and path.name.startswith("üü")


def test_symlink_in_the_folder_is_refused(tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_text("not yours")
    (uploads / "notes.txt").symlink_to(outside)
    with pytest.raises(UploadError):
        safe_upload_path(uploads, "notes.txt")


def test_store_upload_writes_only_inside(tmp_path: Path) -> None:
    source = tmp_path / "gradio-tmp" / "x"
    source.parent.mkdir()
    source.write_text("The CTO leads technology.")
    uploads = tmp_path / "data" / "uploads"
    stored = store_upload(uploads, "../../../escape.txt", source)
    assert stored == uploads.resolve() / "escape.txt"
    assert stored.read_text() == "The CTO leads technology."
    assert not (tmp_path / "escape.txt").exists()
    assert sorted(os.listdir(uploads)) == ["escape.txt"], "no temporary file left"


def test_store_upload_refuses_type_and_size_before_writing(tmp_path: Path) -> None:
    source = tmp_path / "x"
    source.write_bytes(b"x" * 2048)
    with pytest.raises(DocumentError, match=r"unsupported file type '\.exe'"):
        store_upload(tmp_path / "up", "setup.exe", source)
    with pytest.raises(UploadError, match="over the 0 MB limit"):
        store_upload(tmp_path / "up", "big.txt", source, max_bytes=1024)
    assert not (tmp_path / "up").exists() or not os.listdir(tmp_path / "up")
