"""Each supported format, from a small real file made here with the format's own library
(fpdf2 writes the PDFs, python-docx the Word files), read into a Document whose chunks
and citations point into the extracted text."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest
from docx import Document as WordDocument
from fpdf import FPDF

from corpus.cleaning import is_boilerplate, iter_lines
from corpus.document import Document
from corpus.errors import DocumentError
from corpus.reader import default_corpus_dir, read_document, read_documents
from corpus.sentences import line_spans
from index import store
from index.builder import update_index

NAV_MARKERS = ("當前位置", "上一篇", "下一篇", "copyright")

PDF_PAGES = [
    "The harbour master leads the port.\nShe reports to the port director.",
    "Der CIO verantwortet die Informationstechnik. Er berichtet an den Vorstand.",
    "Data mining finds patterns in large data sets.\nIt is part of knowledge discovery.",
]


def make_pdf(path: Path, pages: list[str], title: str = "") -> Path:
    """A PDF with a running header and a "Page N of M" footer on every page."""
    pdf = FPDF()
    pdf.set_auto_page_break(False)
    for i, body in enumerate(pages, 1):
        pdf.add_page()
        pdf.set_font("Helvetica", size=9)
        pdf.text(10, 10, "ACME Quarterly Report")
        pdf.set_font("Helvetica", size=12)
        pdf.set_xy(10, 30)
        pdf.multi_cell(0, 8, body)
        pdf.set_font("Helvetica", size=9)
        pdf.text(10, 285, f"Page {i} of {len(pages)}")
    if title:
        pdf.set_title(title)
    pdf.output(str(path))
    return path


def test_pdf_text_pages_and_title(tmp_path: Path) -> None:
    doc = read_document(make_pdf(tmp_path / "roles.pdf", PDF_PAGES, "Roles of the CTO and CIO"))
    assert (doc.format, doc.encoding, doc.title) == ("pdf", "pypdf", "Roles of the CTO and CIO")
    assert len(doc.pages) == 3 and doc.pages[0] == 0
    for number, body in enumerate(PDF_PAGES, 1):
        first_line = body.splitlines()[0]
        offset = doc.text.index(first_line)
        assert doc.page_at(offset) == number
    assert "ACME Quarterly Report" not in doc.text, "running header dropped"
    assert "Page 2 of 3" not in doc.text, "running footer dropped"


def test_pdf_citation_names_its_page(tmp_path: Path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "docs").mkdir()
    make_pdf(tmp_path / "docs" / "roles.pdf", PDF_PAGES)
    docs, _ = read_documents([tmp_path / "docs"])
    stored, _ = update_index(docs, tmp_path / "idx", fake_embedder, 32, 0)
    record = store.load(tmp_path / "idx").documents["roles.pdf"]
    assert record.format == "pdf" and record.pages == docs[0].pages
    vorstand = next(c for c in stored.chunks if "Vorstand" in c.text)
    assert docs[0].text[vorstand.start : vorstand.end] == vorstand.text
    assert record.page_at(vorstand.start + vorstand.text.index("Vorstand")) == 2


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 50, 50)  # a drawing, as a scan is an image: no text to extract
    pdf.output(str(tmp_path / "scan.pdf"))
    with pytest.raises(DocumentError, match=r"without a text layer.*OCR"):
        read_document(tmp_path / "scan.pdf")


def test_encrypted_pdf(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.text(10, 20, "secret text")
    pdf.set_encryption(owner_password="owner", user_password="user")
    pdf.output(str(tmp_path / "locked.pdf"))
    with pytest.raises(DocumentError, match="encrypted PDF"):
        read_document(tmp_path / "locked.pdf")


@pytest.mark.parametrize("data", [b"%PDF-1.4\n garbage", b"not a pdf at all", b"%PDF-1.7\n" * 3])
def test_damaged_pdf(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(data)
    with pytest.raises(DocumentError) as info:
        read_document(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def make_docx(path: Path) -> Path:
    word = WordDocument()
    word.core_properties.title = "CTO und CIO"
    word.add_heading("Die Rollen von CTO und CIO", level=1)
    word.add_paragraph("Der CTO leitet die Technik. Er berichtet an den CEO.")
    table = word.add_table(rows=2, cols=2)
    for r, (role, boss) in enumerate([("Rolle", "Berichtet an"), ("CIO", "Vorstand")]):
        table.cell(r, 0).text, table.cell(r, 1).text = role, boss
    word.add_paragraph("Der CIO betreibt die Infrastruktur.")
    word.sections[0].footer.paragraphs[0].text = "Vertraulich – Seite 1"
    word.save(str(path))
    return path


def test_docx_paragraphs_and_tables_in_order(tmp_path: Path) -> None:
    doc = read_document(make_docx(tmp_path / "rollen.docx"))
    assert (doc.format, doc.title, doc.lang) == ("docx", "CTO und CIO", "de")
    assert doc.text == (
        "Die Rollen von CTO und CIO\n\n"
        "Der CTO leitet die Technik. Er berichtet an den CEO.\n\n"
        "Rolle | Berichtet an\nCIO | Vorstand\n\n"
        "Der CIO betreibt die Infrastruktur."
    )
    assert "Vertraulich" not in doc.text, "page footers are not body text"


def test_docx_title_falls_back_to_first_line(tmp_path: Path) -> None:
    word = WordDocument()
    word.add_paragraph("Notes on the CIO role")
    word.add_paragraph("The CIO runs the infrastructure.")
    word.save(str(tmp_path / "notes.docx"))
    assert read_document(tmp_path / "notes.docx").title == "Notes on the CIO role"


def test_damaged_docx(tmp_path: Path) -> None:
    (tmp_path / "a.docx").write_bytes(b"plain text, not a zip")
    with pytest.raises(DocumentError, match=r"not a readable Word \.docx file \(not a zip"):
        read_document(tmp_path / "a.docx")
    with zipfile.ZipFile(tmp_path / "b.docx", "w") as zf:
        zf.writestr("hello.txt", "a zip, but not a Word document")
    with pytest.raises(DocumentError, match=r"b\.docx: not a readable Word \.docx file"):
        read_document(tmp_path / "b.docx")


def test_old_word_format_gets_a_hint(tmp_path: Path) -> None:
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(DocumentError, match=r"unsupported file type '\.doc'.*save it as \.docx"):
        read_document(tmp_path / "old.doc")


SAVED_PAGE = """<!DOCTYPE html>
<html lang="zh-Hant"><head><meta charset="{charset}">
<title>港務長的職責 - 港口資訊網</title></head><body>
<header><nav><a href="/">首頁</a> &gt; <a href="/news">航運資訊</a></nav>
<div class="crumbs">當前位置:港口資訊網 - 航運資訊 - 港務長的職責</div></header>
<main><article><h1>港務長的職責</h1>
<p>在許多港口,港務長是港口管理的負責人。她決定哪些船隻可以進港,相當於港口的最高指揮。</p>
<p>冬季風暴來臨時,港務長可以關閉港口好幾天。所謂港務長,當然要負責港口的安全。</p>
</article></main>
<aside><ul><li><a href="/a">上一篇:漁船如何申報漁獲?</a></li>
<li><a href="/b">下一篇:燈塔的歷史(12條)</a></li></ul></aside>
<div class="menu"><a href="/x">熱門文章</a> | <a href="/y">聯繫我們</a></div>
<div class="page-footer nav">copyright 2024港口資訊網</div>
<footer>版權所有 港口資訊網<script>var tracking = 1;</script></footer>
</body></html>
"""


@pytest.mark.parametrize(("charset", "codec"), [("utf-8", "utf-8"), ("gb18030", "gb18030")])
def test_html_main_text_without_navigation(tmp_path: Path, charset: str, codec: str) -> None:
    path = tmp_path / "harbour.html"
    path.write_bytes(SAVED_PAGE.format(charset=charset).encode(codec))
    doc = read_document(path)
    assert (doc.format, doc.encoding, doc.lang) == ("html", codec, "zh")
    assert doc.title == "港務長的職責"
    assert "相當於港口的最高指揮" in doc.text and "負責港口的安全" in doc.text
    for marker in (*NAV_MARKERS, "首頁", "tracking", "版權所有", "聯繫我們"):
        assert marker not in doc.text


def test_html_without_main_text(tmp_path: Path) -> None:
    path = tmp_path / "empty.htm"
    path.write_text(
        "<html><body><nav><a href='/'>Home</a></nav><script>x = 1</script></body></html>"
    )
    with pytest.raises(DocumentError, match="no main text"):
        read_document(path)


@pytest.mark.parametrize(
    ("text", "codec", "reported"),
    [
        ("Größere Firmen haben einen CTO. Er ist für die Technik zuständig.", "cp1252", "cp1252"),
        ("Bilgi işlem müdürü şirketin teknoloji stratejisinden sorumludur.", "cp1254", "cp1254"),
        ("Dyrektor ds. technologii odpowiada za strategię techniczną firmy.", "cp1250", "cp1250"),
        ("Директор по информационным технологиям отвечает за стратегию.", "cp1251", "cp1251"),
        ("港務長負責港口的安全，直接向港口管理局報告。", "gb18030", "gb18030"),
        ("港務長負責港口的安全，直接向港口管理局報告。", "big5", "big5"),
        ("最高技術責任者は会社の技術戦略に責任を持ちます。", "shift_jis", "cp932"),
        ("Der CTO leitet die Technik.", "utf-16", "utf-16"),
        ("Der CTO leitet die Technik.", "utf-8-sig", "utf-8-sig"),
        ("Der CTO leitet die Technik.", "utf-16-le", "utf-16-le"),
    ],
)
def test_text_encodings_are_detected_and_reported(
    tmp_path: Path, text: str, codec: str, reported: str
) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(text.encode(codec))
    doc = read_document(path)
    assert (doc.text, doc.encoding, doc.format) == (text, reported, "text")


def test_markdown_in_a_legacy_encoding(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_bytes(
        "# Über den CTO\n\nDer CTO berichtet an die Geschäftsführung.\n".encode("cp1252")
    )
    doc = read_document(path)
    assert (doc.title, doc.encoding, doc.format) == ("Über den CTO", "cp1252", "markdown")


def test_folder_of_every_format_and_a_report(tmp_path: Path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    make_pdf(tmp_path / "a.pdf", PDF_PAGES)
    make_docx(tmp_path / "b.docx")
    (tmp_path / "c.html").write_bytes(SAVED_PAGE.format(charset="utf-8").encode())
    (tmp_path / "d.md").write_text("# CTO\n\nThe CTO leads technology.\n")
    (tmp_path / "e.txt").write_bytes("Bilgi işlem müdürü sorumludur.".encode("cp1254"))
    (tmp_path / "f.pdf").write_bytes(b"%PDF-1.4 truncated")
    (tmp_path / "g.xlsx").write_bytes(b"PK")  # not a supported type: not even considered
    docs, skipped = read_documents([tmp_path])
    assert [d.format for d in docs] == ["pdf", "docx", "html", "markdown", "text"]
    assert [(Path(p).name, why.split(" (")[0]) for p, why in skipped] == [
        ("f.pdf", "not a readable PDF")
    ]
    _, report = update_index(docs, tmp_path / "idx", fake_embedder, 64, 1, skipped=skipped)
    assert report.added == ["a.pdf", "b.docx", "c.html", "d.md", "e.txt"]
    assert report.encodings == {"e.txt": "cp1254"}
    assert "1 skipped, 1 not in UTF-8" in report.summary()


def test_zh_default_page_gives_no_navigation_chunk(
    default_docs: dict[str, Document], tmp_path: Path, fake_embedder
) -> None:  # type: ignore[no-untyped-def]
    """The saved web page in the default corpus: navigation and footer lines never
    become chunks (so never answers), with the real chunk size."""
    zh = default_docs["zh"]
    assert zh.path.startswith(str(default_corpus_dir()))
    stored, _ = update_index([zh], tmp_path / "idx", fake_embedder, 128, 1)
    assert stored.chunks
    for chunk in stored.chunks:
        assert not any(marker in chunk.text for marker in NAV_MARKERS), chunk.text


@pytest.mark.parametrize(
    ("line", "furniture"),
    [
        ("12", True),
        ("- 12 -", True),
        ("Page 3 of 9", True),
        ("Seite 3 von 9", True),
        ("3 / 9", True),
        ("第 3 頁", True),
        ("1.", False),
        ("2024 was the year the CIO left.", False),
        ("Page 3 explains the CTO's role in detail.", False),
    ],
)
def test_page_number_lines_are_not_content(line: str, furniture: bool) -> None:
    assert is_boilerplate(line) is furniture


def test_lines_are_found_one_at_a_time_as_splitlines_finds_them() -> None:
    rng = random.Random(7)
    pieces = ["a", "b c", " ", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x85", "\u2028"]
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 25)))
        start = rng.randint(0, len(text))
        end = rng.randint(start, len(text))
        assert list(iter_lines(text, start, end)) == line_spans(text, start, end)
