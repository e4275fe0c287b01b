"""Translation links with the real model, on small documents made here: a text, its
translation, and a text in the translation's language on the same topic that is not one."""

from __future__ import annotations

import pytest

from bot.retrieval.retriever import Retriever
from bot.settings import Settings
from corpus.reader import read_documents
from index.builder import update_index

EN = (
    "The harbour master decides which ships may enter the port. "
    "She checks the weather reports every morning before the first ferry leaves. "
    "In winter storms she can close the harbour for several days. "
    "Fishermen must report their catch to her office each evening."
)
DE = (  # a translation of EN, sentence by sentence
    "Die Hafenmeisterin entscheidet, welche Schiffe in den Hafen einlaufen dürfen. "
    "Sie prüft jeden Morgen die Wetterberichte, bevor die erste Fähre abfährt. "
    "Bei Winterstürmen kann sie den Hafen für mehrere Tage schließen. "
    "Fischer müssen ihren Fang jeden Abend ihrem Büro melden."
)
DE_OTHER = (  # the same topic in German, not a translation of anything
    "Ein Hafen braucht gute Lotsen, die die Schiffe sicher an die Kaimauer bringen. "
    "Die Lotsen kennen jede Sandbank und jede Strömung der Einfahrt. "
    "Viele Häfen bilden ihre Lotsen selbst aus, oft über mehrere Jahre. "
    "Moderne Radargeräte helfen ihnen bei Nebel und in der Nacht."
)


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory, embedder) -> Retriever:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("parallel")
    for name, text in (("en/harbour.txt", EN), ("de/hafen.txt", DE), ("de/lotsen.txt", DE_OTHER)):
        (root / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "docs" / name).write_text(text + "\n", encoding="utf-8")
    docs, _ = read_documents([root / "docs"])
    stored, _ = update_index(docs, root / "index", embedder, 128, 1)
    settings = Settings(data_dir=root / "data", cache_dir=root / "cache")
    return Retriever.from_settings(stored, embedder, settings)


def test_only_the_translation_is_aligned(retriever: Retriever) -> None:
    links = retriever.links
    assert links.aligned("de/hafen.txt", "en/harbour.txt")
    assert not links.aligned("de/lotsen.txt", "en/harbour.txt")
    for row, chunk in enumerate(retriever.stored.chunks):
        if chunk.doc_id == "de/lotsen.txt":
            assert links.of(row) == ()  # shares the topic, translates nothing


def test_each_sentence_finds_its_own_translation(retriever: Retriever) -> None:
    starts = [EN.index(s) for s in ("The harbour", "She checks", "In winter", "Fishermen")]
    expected = ["Die Hafenmeisterin", "Sie prüft", "Bei Winterstürmen", "Fischer müssen"]
    for start, opening in zip(starts, expected, strict=True):
        found = retriever.links.translations("en/harbour.txt", start)
        assert [t.doc_id for t in found] == ["de/hafen.txt"]
        text = retriever.document_text("de/hafen.txt", found[0].start, found[0].end)
        assert text is not None and text.startswith(opening)
    other = retriever.links.translations("de/lotsen.txt", 0)
    assert other == ()


def test_a_passage_is_shown_once_with_its_translation(retriever: Retriever) -> None:
    hits = retriever.search("When can the harbour be closed?", 3)
    shown = [h.chunk.doc_id for h in hits]
    assert shown.count("en/harbour.txt") + shown.count("de/hafen.txt") == 1
    first = next(h for h in hits if h.chunk.doc_id in ("en/harbour.txt", "de/hafen.txt"))
    assert {t.doc_id for t in first.translation_chunks} <= {"en/harbour.txt", "de/hafen.txt"}
    assert first.translation_chunks  # folded in, not listed again
