"""Translations of cited sentences, with the real model, on a small text and two
translations of it written here (no text of the default corpus is named in the tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answers.translations import _comparable
from bot.service import PolyqaService
from index.embedder import SentenceTransformerEmbedder
from tests.bot.answers.conftest import service_over

# One text and its translations, sentence by sentence; the question asks for the third.
HARBOUR = {
    "en_harbour.txt": (
        "The harbour master decides which ships may enter the port. "
        "She checks the weather reports every morning before the first ferry leaves. "
        "In winter storms she can close the harbour for several days. "
        "Fishermen must report their catch to her office each evening."
    ),
    "de_hafen.txt": (
        "Die Hafenmeisterin entscheidet, welche Schiffe in den Hafen einlaufen dürfen. "
        "Sie prüft jeden Morgen die Wetterberichte, bevor die erste Fähre abfährt. "
        "Bei Winterstürmen kann sie den Hafen für mehrere Tage schließen. "
        "Fischer müssen ihren Fang jeden Abend ihrem Büro melden."
    ),
    "hi_bandargah.txt": (
        "हार्बर मास्टर तय करती है कि कौन से जहाज़ बंदरगाह में प्रवेश कर सकते हैं। "
        "वह हर सुबह पहली फ़ेरी निकलने से पहले मौसम की रिपोर्ट देखती है। "
        "सर्दियों के तूफ़ानों में वह बंदरगाह को कई दिनों के लिए बंद कर सकती है। "
        "मछुआरों को हर शाम अपनी पकड़ की जानकारी उसके दफ़्तर को देनी होती है।"
    ),
}


@pytest.fixture(scope="module")
def harbour_service(
    tmp_path_factory: pytest.TempPathFactory,
    embedder: SentenceTransformerEmbedder,
    model_cache_dir: Path,
) -> PolyqaService:
    return service_over(tmp_path_factory.mktemp("translations"), HARBOUR, embedder, model_cache_dir)


def test_cited_sentence_is_shown_in_the_other_translations(
    harbour_service: PolyqaService,
) -> None:
    answer = harbour_service.ask("When can the harbour be closed?")
    assert answer.found and answer.citations[0].doc_id == "en_harbour.txt"
    found = harbour_service.translations(answer)[1]
    by_lang = {p.lang: p for p in found}
    assert sorted(by_lang) == ["de", "hi"]
    assert "Bei Winterstürmen kann sie" in by_lang["de"].text
    assert "सर्दियों के तूफ़ानों में" in by_lang["hi"].text
    assert "Fischer" not in by_lang["de"].text, "the cited sentence, not the whole text"
    docs = {d.doc_id: d for d in harbour_service.documents()}
    for p in found:  # every shown translation is an exact span of its document
        assert Path(docs[p.doc_id].path).read_text(encoding="utf-8")[p.start : p.end] == p.text


def test_translation_lengths() -> None:
    # A stray "-3 ->" line a web page left in a document is near everything in the model's
    # eyes; it was once shown as the translation of a Chinese definition.
    en = "In winter storms the harbour master can close the port for several days."
    zh = "冬季风暴期间，港务长可以关闭港口好几天。"
    hi = "सर्दियों के तूफ़ानों में हार्बर मास्टर बंदरगाह को कई दिनों के लिए बंद कर सकती है।"
    assert _comparable(en, zh) and _comparable(zh, hi) and _comparable(hi, en)
    assert not _comparable(zh, "-3 ->")
    assert not _comparable(en, "Sea.")
    assert not _comparable("Sea.", en + " " + en + " " + en + " " + en)
