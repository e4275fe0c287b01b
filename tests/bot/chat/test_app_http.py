"""The chat app over HTTP, as scripts use it (gradio_client), plus its pure helpers.

The app is the real one (tests/bot/conftest.py): default corpus, real model, a free
loopback port. Uploads here use names no other test uses, because the app is shared.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from bot.answers import phrases
from bot.answers.composer import Answer, Citation, Support
from bot.chat.app import save_uploads
from bot.chat.render import (
    UI_LANGS,
    answer_markdown,
    citation_html,
    panel_html,
    stream_prefixes,
    ui_lang_from_header,
)

gradio_client = pytest.importorskip("gradio_client")

# Answered from the Chinese glossary (a vaguer Hindi question about one of its entries
# now falls below the not-found bar, bot/answers/confidence.py).
HINDI_Q = "ई-पार्टनर क्या है?"
# A fact no default document holds, so only the upload can answer it.
UPLOAD_TEXT = (
    "Die Bergbahn von Kleinhausen\n\n"
    "Die Bergbahn von Kleinhausen wurde im Jahr 1911 von dem Ingenieur Anton Wiesler gebaut. "
    "Sie überwindet auf einer Strecke von 2,4 Kilometern einen Höhenunterschied von 610 Metern. "
    "Jeden Sommer fahren mehr als 80.000 Gäste mit der Bahn zum Gipfel des Hochgrats.\n"
)


@pytest.fixture(scope="module")
def client(ui_app: Any) -> Any:
    return gradio_client.Client(ui_app.url, verbose=False)


# --- over HTTP ---------------------------------------------------------------------


def test_ask_endpoint_answers_with_citations(client: Any) -> None:
    result = client.predict("Was macht ein CTO?", api_name="/ask")
    assert result["found"] is True
    assert result["citations"], result
    for c in result["citations"]:
        assert f"[{c['n']}]" in result["answer"]
        assert c["start"] <= c["sentence_start"] < c["sentence_end"] <= c["end"]
        sentence = c["text"][c["sentence_start"] - c["start"] : c["sentence_end"] - c["start"]]
        assert sentence.strip()
    assert set(result["source_langs"]) <= set(result["coverage"])


def test_ask_endpoint_filters_languages_and_answer_language(client: Any) -> None:
    result = client.predict(
        "Who does the CTO report to?", ["de"], "en", None, api_name="/ask"
    )  # fmt: skip
    assert result["question_lang"] == "en"
    assert {c["lang"] for c in result["citations"]} == {"de"}
    assert set(result["coverage"]) == {"de"}


def test_ask_endpoint_says_when_nothing_is_found(client: Any) -> None:
    result = client.predict("What is the capital of Peru?", api_name="/ask")
    assert result["found"] is False
    assert result["answer"].startswith(phrases.t("not_found", "en"))


def test_chat_endpoint_streams_the_answer_with_its_sources(client: Any) -> None:
    job = client.submit(HINDI_Q, api_name="/chat")
    job.result(timeout=120)
    updates = job.outputs()
    texts = [_last_text(history) for _, history, _ in updates]
    answer_texts = [t for t in texts if t and t != "…"]
    assert len(set(answer_texts)) > 3, "the answer should arrive in several pieces"
    _, history, sources = updates[-1]
    assert [m["role"] for m in history] == ["user", "assistant"]
    final = _last_text(history)
    assert "(#pq-src-0-1)" in final  # [1] links to its source in the panel
    assert 'id="pq-src-0-1"' in sources and "<mark>" in sources
    assert 'lang="hi"' in sources


def _last_text(history: list[dict[str, Any]]) -> str:
    content = history[-1]["content"] if history else ""
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


def test_upload_endpoint_indexes_a_document_that_is_then_cited(client: Any, tmp_path: Path) -> None:
    doc = tmp_path / "bergbahn_http.txt"
    doc.write_text(UPLOAD_TEXT, encoding="utf-8")
    status, table, _, _ = client.predict(
        [gradio_client.handle_file(str(doc))], "en", api_name="/upload"
    )
    assert "Indexed 1 new" in status, status
    assert "bergbahn_http.txt" in [row[0] for row in table["data"]]
    docs = client.predict(api_name="/documents")
    record = next(d for d in docs if d["doc_id"] == "bergbahn_http.txt")
    assert record["lang"] == "de" and record["chunks"] >= 1
    result = client.predict("Wer hat die Bergbahn von Kleinhausen gebaut?", api_name="/ask")
    assert result["found"] is True
    assert "bergbahn_http.txt" in [c["doc_id"] for c in result["citations"]]
    assert "Wiesler" in result["answer"]


def test_unreadable_uploads_get_one_line_each_and_the_server_keeps_serving(
    client: Any, tmp_path: Path
) -> None:
    binary = tmp_path / "broken_http.txt"
    binary.write_bytes(b"\x00\x01\x02 not text")
    other = tmp_path / "notes_http.exe"
    other.write_bytes(b"MZ")
    status, _, _, _ = client.predict(
        [gradio_client.handle_file(str(binary)), gradio_client.handle_file(str(other))],
        "en",
        api_name="/upload",
    )
    lines = status.split("\n")
    assert any(line.startswith("Not indexed: broken") and "binary" in line for line in lines)
    assert any(line.startswith("Refused: notes") for line in lines), status
    assert "/" not in status.replace("\\/", ""), "no server path is shown"
    assert client.predict("Was macht ein CTO?", api_name="/ask")["found"] is True


# --- helpers, no server ------------------------------------------------------------


def test_save_uploads_stores_readable_types_and_names_the_rest(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    good = src / "notiz.md"
    good.write_text("# Titel\n\nText.", encoding="utf-8")
    zipped = src / "a.zip"
    zipped.write_bytes(b"PK")
    uploads = tmp_path / "uploads"
    saved, refused = save_uploads([str(good), str(zipped)], uploads)
    assert saved == [uploads.resolve() / "notiz.md"]
    assert [(key, name) for key, name, _ in refused] == [("upload_refused", "a.zip")]
    assert "unsupported" in refused[0][2]
    assert sorted(p.name for p in uploads.iterdir()) == ["notiz.md"]


def _answer() -> Answer:
    text = "Der CTO <b>leitet</b> die Technik. Er berichtet an den CEO."
    s = text.index("Er")
    cite = Citation(
        1, "de.txt", "/x/de.txt", "Rolle *CTO*", "de", 100, 100 + len(text), text,
        100 + s, 100 + len(text), (Support(100 + s, 100 + len(text), text[s:], 0.9),),
    )  # fmt: skip
    return Answer("Wem berichtet der CTO?", "de", "Er berichtet an den CEO. [1]", True, 3.0, [cite])


def test_answer_markdown_links_citations_and_escapes_text() -> None:
    md = answer_markdown("a *b* <i>x</i> [1] and [12]", turn=3)
    assert "[\\[1\\]](#pq-src-3-1)" in md and "[\\[12\\]](#pq-src-3-12)" in md
    assert "\\*b\\*" in md and "&lt;i&gt;" in md and "<i>" not in md


def test_stream_prefixes_grow_to_the_whole_text_without_cutting_markers() -> None:
    for text in ["首席技術官需要熟悉監管機構。[1]我們的答案[2]", "One two [3] three.", ""]:
        prefixes = stream_prefixes(text, steps=5)
        assert prefixes[-1] == text and len(prefixes) <= 5
        assert all(b.startswith(a) for a, b in itertools.pairwise(prefixes))
        assert not any(p.endswith(("[", "[1", "[2")) for p in prefixes)


def test_sources_panel_highlights_the_supporting_sentence_and_escapes() -> None:
    a = _answer()
    html = citation_html(a.citations[0], 0, "de", ())
    assert "<mark>Er berichtet an den CEO.</mark>" in html
    assert "&lt;b&gt;leitet&lt;/b&gt;" in html and "<b>leitet" not in html
    assert "Zeichen 100–" in html and 'id="pq-src-0-1"' in html
    assert "Quellen" in panel_html([], "de")


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("hi-IN,hi;q=0.9,en;q=0.8", "hi"),
        ("ja-JP,zh-TW;q=0.8", "ja"),
        ("sw-KE,zh-TW;q=0.8", "zh"),  # no Swahili table: the next language asked for
        ("pt-BR,pt;q=0.9,en-US;q=0.8", "pt"),
        ("fa-IR", "fa"),
        ("ar-EG,ar;q=0.9", "ar"),
        ("ko-KR,ko;q=0.9,en-US;q=0.8", "ko"),
        ("uk-UA,uk;q=0.9,ru;q=0.8", "uk"),
        ("en;q=0.5,vi;q=0.9", "vi"),  # by weight, not by position
        ("id;q=0,sv-SE", "sv"),  # q=0: not this one
        ("nl-BE", "nl"),
        ("pl", "pl"),
        ("it-CH", "it"),
        ("ru_RU", "ru"),
        ("sw", "en"),
        ("*", "en"),
        (None, "en"),
    ],
)
def test_ui_language_follows_the_browser(header: str | None, lang: str) -> None:
    assert ui_lang_from_header(header) == lang


def test_interface_offers_every_language_with_phrases() -> None:
    assert set(UI_LANGS) == set(phrases.LANGUAGES)
    assert {"ru", "ar", "ja", "ko", "pt", "it", "nl", "pl", "uk", "vi", "id", "fa", "sv"} <= set(
        UI_LANGS
    )


def test_ask_endpoint_takes_the_earlier_questions(client: Any) -> None:
    follow_up = "Hangi satıcılarla çalışır?"
    result = client.predict(follow_up, None, None, None, ["CTO nedir?"], api_name="/ask")
    assert result["found"] is True and result["question"] == follow_up
    assert result["notice"] and "CTO" in result["notice"]
    assert result["answer"].startswith(result["notice"])
    alone = client.predict(follow_up, api_name="/ask")
    assert alone["notice"] is None
