"""What the index tests share: documents made in memory, the same way for every test."""

from __future__ import annotations

import hashlib

from corpus.document import Document


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
