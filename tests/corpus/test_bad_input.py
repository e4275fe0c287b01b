"""Files that are empty, binary, broken or huge: each is refused with a one-line reason
naming it, or read; the other files are still indexed, and memory stays bounded."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from corpus import formats
from corpus.document import Document
from corpus.errors import DocumentError
from corpus.reader import read_document, read_documents
from index import builder
from index.builder import update_index

REPO = Path(__file__).resolve().parents[2]

BAD_FILES = {
    "empty.txt": (b"", "empty file"),
    "blank.md": (b" \n\t\r\n", "only whitespace"),
    "image.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary content (NUL byte at offset 8)"),
    "program.txt": (bytes(range(1, 9)) * 64, "binary content (control character 0x01"),
    "broken.txt": ("Grüße aus Köln ".encode() + b"\xc3\x28", "not valid UTF-8 (byte 0xc3"),
    "cut.txt": ("Grüße".encode("utf-16")[:-1], "not valid utf-16"),
    "footer.md": ("© 2024 Example\n---\n".encode(), "no text besides navigation"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_is_refused_in_one_line(tmp_path: Path, name: str) -> None:
    data, problem = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(DocumentError) as info:
        read_document(path)
    message = str(info.value)
    assert problem in message and str(path) in message and "\n" not in message


def test_bad_files_are_skipped_and_the_rest_indexed(tmp_path: Path, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    docs_dir = tmp_path / "docs"
    docs_dir.mkdir()
    for name, (data, _) in BAD_FILES.items():
        (docs_dir / name).write_bytes(data)
    (docs_dir / "good.txt").write_text("The CTO leads technology. The CIO runs IT.")
    docs, skipped = read_documents([docs_dir])
    assert [d.doc_id for d in docs] == ["good.txt"]
    assert sorted(Path(p).name for p, _ in skipped) == sorted(BAD_FILES)
    _, report = update_index(docs, tmp_path / "idx", fake_embedder, 64, 1, skipped=skipped)
    assert report.added == ["good.txt"] and len(report.skipped) == len(BAD_FILES)


def test_damage_deep_in_a_large_utf8_file_is_found(tmp_path: Path) -> None:
    path = tmp_path / "log.txt"
    path.write_bytes(b"plain ascii line\n" * 200_000 + "Grüße aus Köln ".encode() + b"\xff")
    with pytest.raises(DocumentError, match=r"not valid UTF-8 \(byte 0xff at offset 3400018\)"):
        read_document(path)


def test_too_large_file_is_refused_before_reading(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    fmt = formats.FORMATS[".txt"]
    monkeypatch.setitem(formats.FORMATS, ".txt", formats.Format(fmt.name, fmt.extract, 1 << 20))
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * (3 << 20))
    with pytest.raises(DocumentError, match=r"too large \(3 MB; the limit is 1 MB\)"):
        read_document(path)


def test_a_folder_named_like_a_file_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "docs" / "folder.txt").mkdir(parents=True)
    (tmp_path / "docs" / "real.txt").write_text("The CIO runs IT.")
    docs, skipped = read_documents([tmp_path / "docs"])
    assert [d.doc_id for d in docs] == ["real.txt"] and skipped == []


def _covered(text: str, spans: list[tuple[int, int]]) -> set[int]:
    return {i for s, e in spans for i in range(s, e) if not text[i].isspace()}


def test_long_documents_are_chunked_in_windows_like_short_ones(monkeypatch, fake_embedder) -> None:  # type: ignore[no-untyped-def]
    paragraph = "The CTO of firm {i} leads {i} engineers. She reports to the CEO.\n"
    text = "".join(paragraph.format(i=i) + ("\n" if i % 7 == 0 else "") for i in range(400))
    text += "x" * 3000 + " one line without any break. " * 50  # cut at a space
    doc = Document("long.txt", "/d/long.txt", "t", "en", text, "0" * 64)
    whole = builder._chunks_of(doc, fake_embedder, 48, 1)
    monkeypatch.setattr(builder, "WINDOW_CHARS", 1000)
    windowed = builder._chunks_of(doc, fake_embedder, 48, 1)
    assert len(windowed) > len(text) // 1000
    assert [c.chunk_id for c in windowed] == [f"long.txt#{i}" for i in range(len(windowed))]
    for chunk in windowed:
        assert text[chunk.start : chunk.end] == chunk.text
        assert fake_embedder.count_tokens(chunk.text) <= 48
    assert _covered(text, [(c.start, c.end) for c in windowed]) == _covered(
        text, [(c.start, c.end) for c in whole]
    )


HUGE_RUN = r"""
import json, sys, time
from pathlib import Path
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/tests"]
from conftest import FakeEmbedder
from corpus.reader import read_documents
from index.builder import update_index

def peak_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024

folder, size = Path(sys.argv[2]), int(sys.argv[3])
# Chinese, as the default corpus's web page: one token a character for the fake counter,
# and language by script (langdetect per chunk would dominate the time, not the memory).
para = ("首席技術官{i}負責企業的技術戰略，直接向首席執行官匯報，管理{n}名工程師。"
        "首席信息官負責企業的信息化建設，進入公司最高決策層。"
        "數據挖掘在第{i}個項目中發現了{n}種模式。\n\n")
with (folder / "huge.txt").open("w", encoding="utf-8") as fh:
    i = 0
    while fh.tell() < size:
        fh.write(para.format(i=i, n=i % 97))
        i += 1
base = peak_mb()
started = time.perf_counter()
docs, skipped = read_documents([folder])
stored, report = update_index(docs, folder.parent / "idx", FakeEmbedder(record=False), 128, 1)
seconds = time.perf_counter() - started
peak = peak_mb()
text = docs[0].text
assert all(text[c.start:c.end] == c.text for c in stored.chunks[::997])
print(json.dumps({"file_mb": (folder / "huge.txt").stat().st_size / 2**20, "base_mb": base,
                  "peak_mb": peak, "seconds": seconds, "chunks": report.chunks,
                  "added": report.added}))
"""


def test_fifty_megabyte_text_file_is_indexed_with_bounded_memory(tmp_path: Path) -> None:
    """Peak memory of a fresh process indexing a 50 MB file (fake embedder: the model
    would take hours on this machine; memory, not the model, is under test)."""
    folder = tmp_path / "docs"
    folder.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", HUGE_RUN, str(REPO), str(folder), str(50 << 20)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print("50 MB file:", result)
    assert result["file_mb"] >= 50 and result["added"] == ["huge.txt"]
    # The text (35 MB as a str), 200,000+ chunks and their vectors must stay in memory;
    # what must not is a per-token or per-line working set of the whole file.
    assert result["peak_mb"] - result["base_mb"] < 8 * result["file_mb"]
