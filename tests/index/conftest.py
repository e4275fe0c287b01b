"""What the index tests share: documents made in memory, the same way for every test."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from corpus.document import Document
from corpus.reader import read_documents
from index import store
from index.builder import params_for, update_index
from index.embedder import Embedder


def doc(doc_id: str, text: str, lang: str = "en") -> Document:
    """A document as the reader would give it for ``/docs/<doc_id>`` holding ``text``."""
    sha = hashlib.sha256(text.encode()).hexdigest()
    return Document(doc_id, f"/docs/{doc_id}", doc_id, lang, text, sha)


# Three short documents in three languages and two scripts.
DOCS = [
    doc("a.txt", "The CTO leads technology. The CIO runs the infrastructure."),
    doc("b.txt", "Der CTO leitet die Technik. Er berichtet an den CEO.", "de"),
    doc("c.txt", "港務長負責港口的安全。她每天早上查看天氣預報。", "zh"),
]


def write_harbour_index(root: Path, embedder: Embedder) -> Path:
    """The harbour documents of test_parallel (en, two de, fr) written under ``root`` and
    indexed as `polyqa index` does: the generation the stored-data tests open."""
    from tests.index.test_parallel import DE, DE_OTHER, EN, FR

    texts = {"en/harbour.txt": EN, "de/hafen.txt": DE, "de/lotsen.txt": DE_OTHER, "fr/port.txt": FR}
    for name, text in texts.items():
        (root / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "docs" / name).write_text(text + "\n", encoding="utf-8")
    docs, _ = read_documents([root / "docs"])
    update_index(docs, root / "index", embedder, 48, 1)
    return root / "index"


def load_harbour_index(index_dir: Path, embedder: Embedder) -> store.StoredIndex:
    """That generation, loaded with the parameters it was built with."""
    return store.load(index_dir, params_for(embedder, 48, 1))


def copy_index(index_dir: Path, dest: Path) -> tuple[Path, Path]:
    """A copy of an index directory to break, and the generation CURRENT names in it."""
    shutil.copytree(index_dir, dest)
    return dest, dest / (dest / "CURRENT").read_text().strip()


def flip_last_byte(path: Path) -> None:
    """Damage a file the way a bad disk would: same size, one byte changed."""
    raw = bytearray(path.read_bytes())
    raw[-1] ^= 0xFF
    path.write_bytes(bytes(raw))
