"""Translation links with the real model, on small documents made here: a text, its
translation, and a text in the translation's language on the same topic that is not one."""

from __future__ import annotations

from pathlib import Path

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


FR = (  # EN once more, in French
    "La capitaine du port décide quels navires peuvent entrer dans le port. "
    "Elle consulte les bulletins météo chaque matin avant le départ du premier ferry. "
    "Lors des tempêtes d'hiver, elle peut fermer le port pendant plusieurs jours. "
    "Les pêcheurs doivent déclarer leur prise à son bureau chaque soir."
)
# One short text per language, none a translation of another: every language holds too
# few sentences for a neighbourhood, so each sentence's best match in it is a few percent
# above the rest whatever it says.
UNRELATED = {
    "en/glacier.txt": "The glacier has lost forty metres of ice since 1990. Hikers now "
    "need ladders to reach its edge. Scientists measure its melt every summer.",
    "de/orgel.txt": "Die Orgel der Stadtkirche hat dreitausend Pfeifen. Sie wurde 1742 "
    "gebaut und 1990 restauriert. Jeden Sonntag spielt die Kantorin ein Konzert.",
    "tr/pazar.txt": "Salı pazarında sebze ve meyve satılır. Pazarcılar sabah beşte "
    "tezgâhlarını kurar. Öğleden sonra fiyatlar düşer.",
    "hi/rail.txt": "यह रेलगाड़ी दिल्ली से मुंबई तक चलती है। यात्रा में सोलह घंटे लगते हैं। "
    "रास्ते में गाड़ी बारह स्टेशनों पर रुकती है।",
    "zh/silk.txt": "苏州的丝绸已有两千多年的历史。蚕农每年春天养蚕。丝绸工厂把蚕丝织成绸缎。",
}


def _retriever(root: Path, texts: dict[str, str], embedder) -> Retriever:  # type: ignore[no-untyped-def]
    for name, text in texts.items():
        (root / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "docs" / name).write_text(text + "\n", encoding="utf-8")
    docs, _ = read_documents([root / "docs"])
    stored, _ = update_index(docs, root / "index", embedder, 128, 1)
    settings = Settings(data_dir=root / "data", cache_dir=root / "cache")
    return Retriever.from_settings(stored, embedder, settings)


def test_short_unrelated_texts_in_many_languages_are_not_translations(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    links = _retriever(tmp_path, UNRELATED, embedder).links
    assert links.documents == frozenset()
    assert links.pairs == 0


def test_three_short_translations_are_all_aligned(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    texts = {"en/harbour.txt": EN, "de/hafen.txt": DE, "fr/port.txt": FR}
    links = _retriever(tmp_path, texts, embedder).links
    assert links.aligned("de/hafen.txt", "en/harbour.txt")
    assert links.aligned("en/harbour.txt", "fr/port.txt")
    assert links.aligned("de/hafen.txt", "fr/port.txt")


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory, embedder) -> Retriever:  # type: ignore[no-untyped-def]
    texts = {"en/harbour.txt": EN, "de/hafen.txt": DE, "de/lotsen.txt": DE_OTHER}
    return _retriever(tmp_path_factory.mktemp("parallel"), texts, embedder)


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
