"""Which engine embeds the questions: numpy below the approximate-search size (the
vectors small corpora have always been searched with), the documents' own engine above
it (bot/service.py, ``uses_index_engine``). Real model, real FAISS index."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.service import PolyqaService, uses_index_engine
from bot.settings import Settings
from index.ann.ivf import LanguageIVFIndex
from index.fast_embedder import FastE5Embedder
from index.onnx_embedder import OnnxE5Embedder

# Eight short German notes about tides and lighthouses, one chunk each.
NOTES = [
    "Die Flut kommt an der Nordsee zweimal am Tag und steigt um drei Meter.",
    "Der Leuchtturm auf der Insel wurde im Jahr 1890 aus rotem Backstein gebaut.",
    "Bei Springflut steht das Wasser im Hafen einen halben Meter höher als sonst.",
    "Das Leuchtfeuer blinkt alle zwölf Sekunden und ist dreißig Kilometer weit zu sehen.",
    "Im Watt darf man nur bei Ebbe und mit einem kundigen Führer wandern.",
    "Die Wärter des Leuchtturms lebten bis 1980 mit ihren Familien auf der Insel.",
    "Sturmfluten treten meist im Herbst und im Winter bei starkem Westwind auf.",
    "Die Fähre zur Insel fährt nur, wenn das Wasser tief genug im Fahrwasser steht.",
]


def _service(tmp_path: Path, cache: Path, **settings: object) -> PolyqaService:
    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    for i, note in enumerate(NOTES):
        (docs / f"note{i}.txt").write_text(note + "\n", encoding="utf-8")
    s = Settings(
        data_dir=tmp_path / "data", cache_dir=cache, index_dir=tmp_path / "idx", **settings
    )
    service = PolyqaService(s)
    service.index([docs])
    return service


def test_an_approximate_index_is_searched_with_the_documents_engine(
    tmp_path: Path, model_cache_dir: Path
) -> None:
    service = _service(tmp_path, model_cache_dir, ann_min_chunks=4)
    retriever = service.retriever()
    assert isinstance(retriever.stored.index, LanguageIVFIndex)
    assert uses_index_engine(retriever.stored, service.settings)
    assert isinstance(retriever.embedder, OnnxE5Embedder)
    assert retriever.embedder.runtime == "openvino"
    hits = service.search("Wann wurde der Leuchtturm gebaut?", 3)
    assert "1890" in hits[0].chunk.text


@pytest.mark.parametrize("settings", [{}, {"ann_min_chunks": 4, "engine": "sentence-transformers"}])
def test_an_exact_index_or_another_engine_setting_keeps_its_embedder(
    tmp_path: Path, model_cache_dir: Path, settings: dict[str, object]
) -> None:
    service = _service(tmp_path, model_cache_dir, **settings)
    retriever = service.retriever()
    assert not uses_index_engine(retriever.stored, service.settings)
    assert retriever.embedder is service.embedder
    if not settings:
        assert isinstance(retriever.embedder, FastE5Embedder)
    hits = service.search("Wann wurde der Leuchtturm gebaut?", 3)
    assert "1890" in hits[0].chunk.text
