"""The real chat app, started once per test session on a free loopback port.

It serves a fresh index of the default corpus in a temporary data dir, built with the
session's real model, so HTTP and browser tests exercise exactly what `polyqa chat` runs.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.service import PolyqaService
from bot.settings import load_settings
from index.embedder import SentenceTransformerEmbedder

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"


@dataclass
class RunningApp:
    url: str
    service: PolyqaService
    data_dir: Path
    app: Any


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def ui_app(
    tmp_path_factory: pytest.TempPathFactory,
    embedder: SentenceTransformerEmbedder,
    model_cache_dir: Path,
) -> Iterator[RunningApp]:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from bot.chat import app as ui

    data_dir = tmp_path_factory.mktemp("polyqa-ui-data")
    settings = load_settings(data_dir=data_dir, cache_dir=model_cache_dir)
    service = PolyqaService(settings, embedder=embedder)
    service.retriever()  # index the default corpus before the first request
    app = ui.build_app(service)
    port = free_port()
    ui.launch(app, HOST, port, prevent_thread_lock=True, quiet=True)
    logger.info("test app on http://%s:%d", HOST, port)
    try:
        yield RunningApp(f"http://{HOST}:{port}/", service, data_dir, app)
    finally:
        app.close()
