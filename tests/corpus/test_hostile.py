"""Documents made to hurt: more text than any reader needs, data posing as text, zips
that lie, encodings without a mark, pages nested beyond a parser's depth. Each is read,
or refused with one line naming the file and what to change, without unbounded work."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import ClassVar

import pytest
from tqdm import tqdm

from corpus.budget import DocumentBudget
from corpus.document import Document
from corpus.errors import BudgetError, DocumentError, NoDocumentsError
from corpus.reader import read_document, read_documents
from index import builder, store
from index.builder import update_index
from tests.conftest import FakeEmbedder

REPO = Path(__file__).resolve().parents[2]
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxml'
    'formats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)


def _one_line(exc: BaseException, path: Path) -> str:
    message = str(exc)
    assert str(path) in message and "\n" not in message, message
    return message


def write_docx(path: Path, text_mb: int) -> Path:
    """A Word file whose one paragraph holds ``text_mb`` MB of text, written a block at a
    time (it compresses to a few hundred kB: a bomb that declares its size)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", RELS)
        with zf.open("word/document.xml", "w") as fh:
            fh.write(f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>'.encode())
            for _ in range(text_mb):
                fh.write(b"All work and no play. " * ((1 << 20) // 22))
            fh.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return path


def lie_about_sizes(path: Path) -> Path:
    """Rewrite the docx's zip headers to declare document.xml 1,000 bytes long."""
    with zipfile.ZipFile(path) as zf:
        real = zf.getinfo("word/document.xml").file_size
    raw = path.read_bytes()
    declared = real.to_bytes(4, "little")
    assert raw.count(declared) == 2, "the local header and the central directory"
    path.write_bytes(raw.replace(declared, (1000).to_bytes(4, "little")))
    return path


# --- budgets -----------------------------------------------------------------------------


def test_text_over_the_character_budget_is_refused_and_the_rest_read(tmp_path: Path) -> None:
    (tmp_path / "line.txt").write_text("word " * 60_000)  # 300,000 characters, one line
    (tmp_path / "ok.txt").write_text("The CTO leads technology.")
    docs, skipped = read_documents([tmp_path], DocumentBudget(chars=100_000))
    assert [d.doc_id for d in docs] == ["ok.txt"]
    [(path, reason)] = skipped
    assert path == str(tmp_path / "line.txt")
    assert "too long: 300,000 characters, over the 100,000" in reason
    assert "setting max_document_chars" in reason


@pytest.mark.parametrize("line", ["a", "x y", "Short one. Another."], ids=["same", "words", "two"])
def test_text_over_the_sentence_budget_is_refused_and_the_rest_read(
    tmp_path: Path, line: str
) -> None:
    """Issue 17: 2,000,000 one-letter lines are 4 MB and 16,140 chunks, inside the other
    budgets, and 2,000,000 sentences to embed and link."""
    (tmp_path / "lines.txt").write_text(f"{line}\n" * 3000)
    (tmp_path / "ok.txt").write_text("The CTO leads technology.\n" * 900)
    docs, skipped = read_documents([tmp_path], DocumentBudget(sentences=1000))
    assert [d.doc_id for d in docs] == ["ok.txt"]
    [(path, reason)] = skipped
    assert path == str(tmp_path / "lines.txt") and "\n" not in reason
    assert "too many sentences: over 1,000" in reason
    assert "setting max_document_sentences" in reason


def test_word_file_unpacking_beyond_the_budget_is_refused_before_parsing(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "bomb.docx", text_mb=40)
    assert path.stat().st_size < 2 << 20
    with pytest.raises(BudgetError) as info:
        read_document(path, budget=DocumentBudget(chars=100_000))
    message = _one_line(info.value, path)
    assert "unpacks to over 16 MB, more than a document of 100,000 characters needs" in message


LYING_RUN = r"""
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from corpus.errors import DocumentError
from corpus.reader import read_document

def peak_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024

base = peak_mb()
try:
    read_document(Path(sys.argv[2]))
    message = ""
except DocumentError as exc:
    message = str(exc)
print(json.dumps({"base_mb": base, "peak_mb": peak_mb(), "message": message}))
"""


def test_a_zip_that_lies_about_its_sizes_is_refused_without_inflating_it(tmp_path: Path) -> None:
    """300 MB of XML declared as 1,000 bytes: read whole, the member was inflated whole
    (2.1 GB for a larger one) before its size was checked; now a block at a time."""
    path = lie_about_sizes(write_docx(tmp_path / "liar.docx", text_mb=300))
    done = subprocess.run(
        [sys.executable, "-c", LYING_RUN, str(REPO), str(path)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert "does not match the size or checksum its zip declares" in result["message"]
    assert str(path) in result["message"] and "\n" not in result["message"]
    assert result["peak_mb"] - result["base_mb"] < 64, result


def _doc(doc_id: str, text: str) -> Document:
    return Document(
        doc_id, f"/d/{doc_id}", doc_id, "en", text, hashlib.sha256(text.encode()).hexdigest()
    )


LONG = "".join(
    f"The CTO of firm {i} leads {i} engineers and reports to the CEO. " for i in range(9000)
)


def test_document_over_the_chunk_budget_stops_chunking_early(
    tmp_path: Path, fake_embedder, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    windows = []
    chunk = builder.chunk_document
    monkeypatch.setattr(builder, "WINDOW_CHARS", 20_000)
    monkeypatch.setattr(builder, "chunk_document", lambda d, *a: windows.append(1) or chunk(d, *a))
    docs = [_doc("long.txt", LONG), _doc("short.txt", "The CIO runs IT.")]
    _, report = update_index(
        docs, tmp_path / "idx", fake_embedder, 64, 0, budget=DocumentBudget(chunks=100)
    )
    assert report.added == ["short.txt"]
    [(path, reason)] = report.skipped
    assert path == "/d/long.txt" and "over 100 chunks" in reason
    assert "setting max_document_chunks" in reason
    assert len(windows) < len(LONG) // 20_000 / 2, "refused as soon as it was over"
    assert not any("firm" in t for t in fake_embedder.embedded), "nothing of it embedded"


def test_document_over_the_sentence_budget_is_refused_before_chunking(
    tmp_path: Path, fake_embedder, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """A document made without the reader (which checks it too) is refused by the
    builder before any of it is chunked."""
    chunked = []
    chunk = builder.chunk_document
    monkeypatch.setattr(builder, "chunk_document", lambda d, *a: chunked.append(d) or chunk(d, *a))
    docs = [_doc("lines.txt", "a\n" * 5000), _doc("short.txt", "The CIO runs IT.")]
    _, report = update_index(
        docs, tmp_path / "idx", fake_embedder, 64, 0, budget=DocumentBudget(sentences=4999)
    )
    assert report.added == ["short.txt"]
    assert report.skipped == [
        (
            "/d/lines.txt",
            "too many sentences: over 4,999, the most a document may have "
            "(every line is one at least; setting max_document_sentences)",
        )
    ]
    assert [d.doc_id for d in chunked] == ["short.txt"]


@pytest.mark.parametrize("add", [False, True], ids=["replace", "add"])
def test_a_batch_refused_whole_leaves_the_index_as_it_was(
    tmp_path: Path, fake_embedder, add: bool
) -> None:  # type: ignore[no-untyped-def]
    """`polyqa index big.txt` over the chunk budget replaced the index by an empty one
    (every other document "removed"); now it is refused like a batch nothing of which
    can be read, and the index is left as it was."""
    index_dir = tmp_path / "idx"
    old, _ = update_index([_doc("a.txt", "The CTO leads."), _doc("b.txt", "The CIO runs IT.")],
                          index_dir, fake_embedder, 64, 0)  # fmt: skip
    generation = (index_dir / "CURRENT").read_text()
    with pytest.raises(NoDocumentsError, match=r"no document could be indexed: /d/long\.txt: too"):
        update_index([_doc("long.txt", LONG)], index_dir, fake_embedder, 64, 0,
                     keep_missing=add, budget=DocumentBudget(chunks=10))  # fmt: skip
    assert (index_dir / "CURRENT").read_text() == generation
    now = store.load(index_dir)
    assert sorted(now.documents) == ["a.txt", "b.txt"]
    assert [c.text for c in now.chunks] == [c.text for c in old.chunks]


def test_nothing_within_budget_writes_no_index(tmp_path: Path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NoDocumentsError, match=r"no document could be indexed: /d/long\.txt: too"):
        update_index([_doc("long.txt", LONG)], tmp_path / "idx", fake_embedder, 64, 0,
                     budget=DocumentBudget(chunks=10))  # fmt: skip
    assert not (tmp_path / "idx" / "CURRENT").exists()


class SlowCounting(FakeEmbedder):
    """The fake model with a tokenizer that takes 2 ms a count: a long document's chunking
    takes seconds, a one-line one's milliseconds, on any machine."""

    def count_tokens(self, text: str) -> int:
        time.sleep(0.002)
        return super().count_tokens(text)


@pytest.mark.parametrize("chars", [len(LONG) * 2, 150_000], ids=["windows", "one-window"])
def test_document_over_the_time_budget_is_refused(tmp_path: Path, chars: int) -> None:
    """Issue 17: the clock was read between windows only (and never for a document of
    one window), so a window that took minutes to chunk was not stopped."""
    docs = [_doc("long.txt", (LONG * 2)[:chars]), _doc("short.txt", "The CIO runs IT.")]
    _, report = update_index(
        docs, tmp_path / "idx", SlowCounting(), 64, 0, budget=DocumentBudget(seconds=1.0)
    )
    assert report.added == ["short.txt"]
    assert "chunking it took over 1 s (setting max_document_seconds)" in report.skipped[0][1]


def test_a_chunk_text_repeated_is_embedded_once(tmp_path: Path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    """2,000,000 one-letter lines are thousands of identical chunks: one to embed."""
    stored, report = update_index(
        [_doc("lines.txt", "a\n" * 50_000)], tmp_path / "idx", fake_embedder, 64, 0
    )
    passages = [t for t in fake_embedder.embedded if t.startswith("a\na")]
    assert report.chunks > 500 and len(passages) == len(set(passages)) < 5
    vectors = stored.index.vectors()
    same = [i for i, c in enumerate(stored.chunks) if c.text == stored.chunks[0].text]
    assert len(same) > 100 and (vectors[same] == vectors[same[0]]).all()


def test_a_pdf_over_the_time_budget_is_refused_while_reading(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    for i in range(3):
        pdf.add_page()
        pdf.set_font("Helvetica", size=12)
        pdf.multi_cell(0, 8, f"Page {i}: the chief data officer owns the data strategy.")
    pdf.output(str(tmp_path / "slow.pdf"))
    with pytest.raises(BudgetError, match=r"reading it took over 1e-06 s") as info:
        read_document(tmp_path / "slow.pdf", budget=DocumentBudget(seconds=1e-6))
    _one_line(info.value, tmp_path / "slow.pdf")


class Recorded(tqdm):  # type: ignore[type-arg]
    """tqdm as the builder uses it, keeping each update it is given."""

    updates: ClassVar[list[tuple[str, float]]] = []

    def update(self, n: float | None = 1) -> bool | None:
        Recorded.updates.append((str(self.desc), self.n + (n or 0)))
        return super().update(n)


def test_chunking_shows_progress_window_by_window(
    tmp_path: Path, fake_embedder, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """A long document is seen to advance while it is chunked, not only once embedded."""
    monkeypatch.setattr(builder, "WINDOW_CHARS", 20_000)
    monkeypatch.setattr(builder, "QUIET_CHARS", 0)
    monkeypatch.setattr(builder, "tqdm", Recorded)
    Recorded.updates = []
    update_index([_doc("long.txt", LONG[:200_000])], tmp_path / "idx", fake_embedder, 64, 0)
    chunking = [n for desc, n in Recorded.updates if desc == "chunking"]
    assert len(chunking) >= 10 and chunking == sorted(chunking) and chunking[-1] == 200_000
    first_embedding = next(i for i, (d, _) in enumerate(Recorded.updates) if d == "embedding")
    assert first_embedding > len(chunking) - 1, "chunking progress comes before embedding"


# --- data posing as text -----------------------------------------------------------------


def test_an_inline_base64_image_does_not_become_chunks(tmp_path: Path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    image = base64.b64encode(bytes(range(256)) * 3000).decode()  # ~1 MB of base64
    text = (
        "# Site report\n\nThe data center in Halden was opened in 2019.\n\n"
        f"![floor plan](data:image/png;base64,{image})\n\n"
        "Its cooling uses water from the fjord.\n"
    )
    (tmp_path / "report.md").write_text(text)
    docs, _ = read_documents([tmp_path])
    stored, _ = update_index(docs, tmp_path / "idx", fake_embedder, 64, 0)
    texts = [c.text for c in stored.chunks]
    assert len(texts) <= 3, texts
    assert any("Halden" in t for t in texts) and any("fjord" in t for t in texts)
    assert not any(re.search(r"[A-Za-z0-9+/]{200}", t) for t in texts)


# --- encodings, markup, names ------------------------------------------------------------

UTF16_TEXTS = {
    "hi": "हार्बर मास्टर तय करती है कि कौन से जहाज़ बंदरगाह में आ सकते हैं।\n"
    "मछुआरे हर शाम अपनी पकड़ की जानकारी देते हैं।\n",
    "zh": "港務長負責港口的安全，直接向港口管理局報告。\n漁民每天晚上申報漁獲。\n",
}


@pytest.mark.parametrize("lang", sorted(UTF16_TEXTS))
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark(tmp_path: Path, lang: str, codec: str) -> None:
    path = tmp_path / f"{lang}.txt"
    path.write_bytes(UTF16_TEXTS[lang].encode(codec))
    doc = read_document(path)
    assert (doc.text, doc.encoding, doc.lang) == (UTF16_TEXTS[lang], codec, lang)


def test_binary_with_nul_bytes_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    path.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(DocumentError, match=r"binary content \(NUL byte at offset 0\)"):
        read_document(path)


def test_a_page_nested_deeper_than_the_parser_goes(tmp_path: Path) -> None:
    depth = 100_000
    page = (
        "<html><head><title>Deep page</title><style>p{}</style></head><body><nav>Home</nav>"
        + "<div>" * depth
        + "<p>The chief data officer owns the data strategy of the company.</p>"
        + "</div>" * depth
        + "<p>After the divs: the CIO runs the infrastructure.</p></body></html>"
    )
    (tmp_path / "deep.html").write_text(page)
    doc = read_document(tmp_path / "deep.html")
    assert doc.text == (
        "The chief data officer owns the data strategy of the company.\n\n"
        "After the divs: the CIO runs the infrastructure."
    )
    assert doc.title == "Deep page"


def test_a_file_name_with_a_line_break_stays_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "evil\nskipped   fake.txt: all good"
    path.write_bytes(b"\x00\x01binary")
    with pytest.raises(DocumentError) as info:
        read_document(path)
    message = str(info.value)
    assert "\n" not in message and "evil\\nskipped" in message
    assert info.value.path == str(path), "the real path stays for whoever removes the file"
