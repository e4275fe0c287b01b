"""The chat app against users who upload too much or type markup: a long upload does not
keep a short one (or a question) waiting, uploads leave nothing in Gradio's temporary
folder, the user's own question is shown as text, and a refused question is one log
line, not a traceback.

The app is the real one over HTTP, on its own data dir and the fake embedder (these
tests are about the server's handling of uploads and questions, not the model's answers,
and they must not add documents to the session's shared app).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.service import PolyqaService
from bot.settings import load_settings

gradio_client = pytest.importorskip("gradio_client")

HOST = "127.0.0.1"


@pytest.fixture(scope="module")
def fake_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, PolyqaService]]:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from bot.chat import app as ui
    from tests.bot.conftest import free_port
    from tests.conftest import FakeEmbedder

    data_dir = tmp_path_factory.mktemp("polyqa-fake-ui")
    settings = load_settings(data_dir=data_dir, cache_dir=data_dir / "cache")
    service = PolyqaService(settings, embedder=FakeEmbedder())
    service.retriever()
    app = ui.build_app(service)
    port = free_port()
    ui.launch(app, HOST, port, prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://{HOST}:{port}/", service
    finally:
        app.close()


@pytest.fixture(scope="module")
def client(fake_app: tuple[str, PolyqaService]) -> Any:
    return gradio_client.Client(fake_app[0], verbose=False)


def _in_gradio_temp(name: str) -> list[Path]:
    from gradio.utils import get_upload_folder

    return list(Path(get_upload_folder()).rglob(name))


def _upload(client: Any, *paths: Path) -> str:
    status, _, _, _ = client.predict(
        [gradio_client.handle_file(str(p)) for p in paths], "en", api_name="/upload"
    )
    return str(status)


def test_uploads_leave_nothing_in_gradios_temporary_folder(client: Any, tmp_path: Path) -> None:
    refused = []
    for i in range(3):
        exe = tmp_path / f"setup_hostile_{i}.exe"
        exe.write_bytes(os.urandom(1 << 20))
        refused.append(exe)
    good = tmp_path / "kept_hostile.txt"
    good.write_text("The harbour master of Vardø keeps the tide tables.\n")
    status = _upload(client, *refused, good)
    assert status.count("Refused:") == 3 and "Indexed 1 new" in status, status
    for path in (*refused, good):
        assert _in_gradio_temp(path.name) == [], f"{path.name} left in Gradio's folder"


def test_a_long_upload_does_not_keep_a_short_one_or_a_question_waiting(
    client: Any, fake_app: tuple[str, PolyqaService], tmp_path: Path
) -> None:
    long_doc = tmp_path / "long_hostile.txt"
    para = "Harbour {i} of the northern coast keeps {i} boats and a tide table. It is old.\n"
    with long_doc.open("w") as fh:
        for i in range(40_000):  # ~3 MB: tens of seconds of chunking and embedding
            fh.write(para.format(i=i))
    short_doc = tmp_path / "short_hostile.txt"
    short_doc.write_text("The lighthouse of Skarv was built in 1907.\n")
    long_job = client.submit(
        [gradio_client.handle_file(str(long_doc))], "en", api_name="/upload"
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while long_job.status().code.name not in ("PROCESSING", "FINISHED"):
        assert time.monotonic() < deadline, "the long upload never started"
        time.sleep(0.1)
    started = time.monotonic()
    status = _upload(client, short_doc)
    short_seconds = time.monotonic() - started
    answer = client.predict("When was the lighthouse of Skarv built?", api_name="/ask")
    assert "Indexed 1 new" in status, status
    assert not long_job.done(), f"the short upload waited for the long one ({short_seconds:.1f}s)"
    assert answer["found"] is not None
    long_status = long_job.result(timeout=600)[0]
    assert "Indexed 1 new" in long_status, long_status
    documents = {d.doc_id for d in fake_app[1].documents()}
    assert {"long_hostile.txt", "short_hostile.txt"} <= documents, "neither upload was lost"


def test_the_users_own_question_is_shown_as_text(client: Any) -> None:
    job = client.submit("<img src=x onerror=alert(1)> Was macht ein CTO?", api_name="/chat")
    job.result(timeout=120)
    _, history, _ = job.outputs()[-1]
    shown = history[0]["content"]
    shown = shown if isinstance(shown, str) else "".join(p.get("text", "") for p in shown)
    assert "<img" not in shown and "&lt;img src=x onerror=alert\\(1\\)&gt;" in shown


def test_a_refused_question_is_one_log_line(
    client: Any, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="bot.chat.app"):
        with pytest.raises(Exception, match="empty"):
            client.predict("   ", api_name="/ask")
        with pytest.raises(Exception, match="2,000"):
            client.predict("x" * 2500, api_name="/ask")
    err = capfd.readouterr().err
    assert "Traceback" not in err, err[-3000:]
    refusals = [r.getMessage() for r in caplog.records if "question refused" in r.getMessage()]
    assert len(refusals) == 2 and all("\n" not in r for r in refusals)


# --- names, without a server ---------------------------------------------------------


def test_an_upload_named_only_by_its_type_keeps_it(tmp_path: Path) -> None:
    from bot.chat.uploads import store_upload

    source = tmp_path / "src"
    source.write_text("The CTO leads technology.")
    stored = store_upload(tmp_path / "uploads", "...txt", source)
    assert stored.name == "upload.txt" and stored.read_text() == "The CTO leads technology."


def test_the_upload_summary_keeps_a_name_on_its_line() -> None:
    from bot.chat.render import upload_summary

    summary = upload_summary({}, [("upload_refused", "a\nb.exe", "unsupported")], "en")
    assert summary.count("\n") == 0 and "a\\\\nb.exe" in summary
