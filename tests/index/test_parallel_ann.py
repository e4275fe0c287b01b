"""Translation links by nearest neighbours (index/parallel.py, ``ann_min``) against the
all-pairs comparison, with the real model on documents made here: with the threshold
lowered so every pair of languages large enough takes the neighbour path, the links are
the same as the exact ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.retrieval.retriever import RetrievalConfig, Retriever
from corpus.reader import read_documents
from index.builder import update_index
from index.parallel import MIN_NEIGHBOURHOOD, _sentence_candidates, link_parallel

EN = [
    "The village bakery opens at five in the morning.",
    "Its owner learnt the trade from his grandmother.",
    "Every day he bakes rye bread, white rolls and a dark fruit loaf.",
    "The oven is heated with beech wood from the nearby forest.",
    "On Saturdays a queue forms in front of the shop before sunrise.",
    "Children from the school come by at noon for a pretzel.",
    "In summer the bakery also sells ice cream made from local milk.",
    "The flour comes from a mill on the river, two kilometres away.",
    "The miller delivers twenty sacks of flour every Monday.",
    "Last year the roof of the bakery was repaired after a storm.",
    "During the repairs the bread was baked in the neighbour's kitchen.",
    "The owner wants to hand the shop to his daughter next spring.",
    "She has already trained as a pastry cook in the city.",
    "Her cakes with plums and cinnamon are popular at weddings.",
    "The village council gave the bakery a prize for its tradition.",
    "Tourists often photograph the old wooden sign above the door.",
    "The sign shows a pretzel painted in gold.",
    "On Sundays the bakery stays closed.",
]
DE = [
    "Die Dorfbäckerei öffnet um fünf Uhr morgens.",
    "Ihr Besitzer hat das Handwerk von seiner Großmutter gelernt.",
    "Jeden Tag backt er Roggenbrot, weiße Brötchen und ein dunkles Früchtebrot.",
    "Der Ofen wird mit Buchenholz aus dem nahen Wald beheizt.",
    "Samstags bildet sich schon vor Sonnenaufgang eine Schlange vor dem Laden.",
    "Die Kinder der Schule kommen mittags für eine Brezel vorbei.",
    "Im Sommer verkauft die Bäckerei auch Eis aus Milch der Gegend.",
    "Das Mehl kommt aus einer Mühle am Fluss, zwei Kilometer entfernt.",
    "Der Müller liefert jeden Montag zwanzig Säcke Mehl.",
    "Letztes Jahr wurde das Dach der Bäckerei nach einem Sturm repariert.",
    "Während der Reparatur wurde das Brot in der Küche des Nachbarn gebacken.",
    "Der Besitzer möchte den Laden im nächsten Frühling seiner Tochter übergeben.",
    "Sie hat bereits in der Stadt eine Ausbildung als Konditorin gemacht.",
    "Ihre Kuchen mit Pflaumen und Zimt sind bei Hochzeiten beliebt.",
    "Der Gemeinderat hat der Bäckerei einen Preis für ihre Tradition verliehen.",
    "Touristen fotografieren oft das alte Holzschild über der Tür.",
    "Das Schild zeigt eine in Gold gemalte Brezel.",
    "Sonntags bleibt die Bäckerei geschlossen.",
]
DE_OTHER = [  # the same topic in German, not a translation of anything
    "Sauerteig braucht Zeit, oft mehr als einen Tag.",
    "Viele Bäcker halten ihren Sauerteig seit Jahrzehnten am Leben.",
    "Ein Steinofen speichert die Hitze über viele Stunden.",
    "Dinkel ist ein altes Getreide, das wieder beliebter wird.",
]
FR = [  # the first four sentences of EN: a language too small for a neighbourhood
    "La boulangerie du village ouvre à cinq heures du matin.",
    "Son propriétaire a appris le métier auprès de sa grand-mère.",
    "Chaque jour, il cuit du pain de seigle, des petits pains blancs et un pain aux fruits.",
    "Le four est chauffé au bois de hêtre de la forêt voisine.",
]


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory, embedder) -> Retriever:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("links")
    texts = {
        # Each sentence a paragraph, chunks of a few sentences.
        "en/bakery.txt": "\n\n".join(EN),
        "de/baeckerei.txt": "\n\n".join(DE),
        "de/sauerteig.txt": "\n\n".join(DE_OTHER),
        "fr/boulangerie.txt": "\n\n".join(FR),
    }
    for name, text in texts.items():
        (root / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "docs" / name).write_text(text + "\n", encoding="utf-8")
    docs, _ = read_documents([root / "docs"])
    stored, _ = update_index(docs, root / "index", embedder, 48, 1)
    return Retriever(stored, embedder, RetrievalConfig(), root / "cache")


def test_neighbour_links_equal_all_pair_links(retriever: Retriever) -> None:
    units = retriever._link_units()
    langs = np.asarray(units.langs)
    assert (langs == "en").sum() >= MIN_NEIGHBOURHOOD  # en-de takes the neighbour path
    assert (langs == "de").sum() >= MIN_NEIGHBOURHOOD
    n = len(retriever.stored.chunks)
    exact = link_parallel(units, n)
    near = link_parallel(units, n, ann_min=1)
    assert exact.aligned("de/baeckerei.txt", "en/bakery.txt")
    assert not exact.aligned("de/sauerteig.txt", "en/bakery.txt")
    assert near.links == exact.links
    assert near.documents == exact.documents
    assert set(near.sentences) == set(exact.sentences)
    for key, found in exact.sentences.items():
        assert [(t.doc_id, t.start) for t in near.sentences[key]] == [
            (t.doc_id, t.start) for t in found
        ]
        assert [t.margin for t in near.sentences[key]] == pytest.approx(
            [t.margin for t in found], abs=1e-5
        )


def test_neighbour_candidates_equal_all_pair_candidates(retriever: Retriever) -> None:
    """The step that changes, compared below the document alignment that could hide a
    difference: every mutual best match, with its margin."""
    units = retriever._link_units()
    exact = _sentence_candidates(units, 1.0, 4)
    near = _sentence_candidates(units, 1.0, 4, ann_min=1)
    assert len(exact) > len(EN) // 2
    assert [(a, b) for a, b, _ in near] == [(a, b) for a, b, _ in exact]
    assert [m for _, _, m in near] == pytest.approx([m for _, _, m in exact], abs=1e-5)


def test_the_setting_reaches_the_links(retriever: Retriever, tmp_path: Path) -> None:
    """RetrievalConfig.from_settings takes the threshold from ``ann_min_chunks``."""
    from bot.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", ann_min_chunks=7)
    assert RetrievalConfig.from_settings(settings).link_ann_min == 7
