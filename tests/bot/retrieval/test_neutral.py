"""Language directions: removed, a passage that answers in another language beats one in
the question's language that only shares the topic; translations come closer."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.retrieval.neutral import LanguageDirections
from bot.retrieval.retriever import RetrievalConfig, Retriever
from index.embedder import Embedder
from tests.bot.retrieval.test_retriever import embedded_store

# Made for this test: two German passages on the topic that do not say who lights the
# lamp, the Chinese one that does, and an English one on something else.
TEXTS = [
    "Der Leuchtturm an der Nordküste wurde aus rotem Sandstein gebaut und ist vierzig Meter hoch.",
    "Der Leuchtturm wird jedes Jahr von vielen Touristen besucht, die die Aussicht genießen.",
    "灯塔的灯光由一位名叫汉斯的看守人每晚点亮，他在那里住了三十年。",
    "The lighthouse museum sells postcards and small models of ships.",
]
LANGS = ["de", "de", "zh", "en"]
QUESTION = "Kim her gece deniz fenerinin ışığını yakar?"  # Turkish: no passage is Turkish


def _top_lang(embedder: Embedder, tmp_path: Path, neutral: bool) -> str:
    store = embedded_store(embedder, TEXTS, LANGS)
    config = RetrievalConfig(neutral=neutral, debias=0.0)
    retriever = Retriever(store, embedder, config, tmp_path)
    return retriever.search(QUESTION, 3, lang="tr")[0].chunk.lang


def test_the_answer_in_another_language_beats_the_topic_in_a_third(
    embedder: Embedder, tmp_path: Path
) -> None:
    assert _top_lang(embedder, tmp_path, neutral=False) == "de"  # the model's own ranking
    assert _top_lang(embedder, tmp_path, neutral=True) == "zh"


def test_the_setting_turns_directions_on_and_the_background_debias_off() -> None:
    from bot.settings import Settings

    assert RetrievalConfig.from_settings(Settings()).neutral is False
    on = RetrievalConfig.from_settings(Settings(language_directions=True))
    assert on.neutral and on.debias == 0.0
    assert RetrievalConfig.from_settings(Settings()).debias > 0.0


def test_translations_come_closer_than_same_language_strangers(
    embedder: Embedder, tmp_path: Path
) -> None:
    directions = LanguageDirections.from_bank(embedder, tmp_path)
    en = ["The bridge was closed for repairs in May.", "She plays the violin every evening."]
    de = ["Die Brücke war im Mai wegen Reparaturen gesperrt.", "Sie spielt jeden Abend Geige."]
    raw = np.asarray(embedder.embed_passages(en + de), dtype=np.float32)
    flat = directions.passages(raw, ["en", "en", "de", "de"])
    assert np.allclose(np.linalg.norm(flat, axis=1), 1.0, atol=1e-5)

    def margin(v: np.ndarray) -> float:  # translation minus same-language stranger
        return float(v[0] @ v[2] + v[1] @ v[3] - v[0] @ v[1] - v[2] @ v[3]) / 2

    assert margin(flat) > margin(raw)


def test_a_language_the_bank_lacks_is_left_as_it_is(fake_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    directions = LanguageDirections.from_bank(fake_embedder, tmp_path)
    vec = np.asarray(fake_embedder.embed_queries(["kwa nini?"])[0], dtype=np.float32)
    assert np.array_equal(directions.query(vec, "sw"), vec)
    assert not np.allclose(directions.query(vec, "de"), vec)
    total = sum(directions.shifts([lang])[0] for lang in directions.languages)
    assert np.allclose(total, 0.0, atol=1e-5)  # directions are relative to the mean
    assert len(list((tmp_path / "offtopic-vectors").glob("*.npz"))) == 2  # query, passage
