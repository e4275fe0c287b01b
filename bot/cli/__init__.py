"""The `polyqa` command line: one click group, `--json` wherever results are printed.

User errors (bad files, stale index, bad settings) become one-line ``ClickException``s
(exit 1); diagnostics and progress go to stderr so stdout stays clean for scripts.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from bot.settings import load_settings

if TYPE_CHECKING:
    from bot.service import PolyqaService
    from bot.settings import Settings
    from index.builder import IndexReport
from corpus.errors import PolyqaError, display_path

F = TypeVar("F", bound=Callable[..., Any])


def _common(func: F) -> F:
    """Options every command shares; each also reads a POLYQA_* variable."""
    func = click.option(
        "--index",
        "index_dir",
        type=click.Path(path_type=Path, file_okay=False),
        envvar="POLYQA_INDEX_DIR",
        help="Index directory (default: the default corpus's index).",
    )(func)
    func = click.option(
        "--model", envvar="POLYQA_MODEL", help="sentence-transformers model id or folder."
    )(func)
    return func


def _user_errors(func: F) -> F:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PolyqaError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


def _service(index_dir: Path | None, model: str | None, **extra: Any) -> PolyqaService:
    from bot.service import PolyqaService

    return PolyqaService(load_settings(index_dir=index_dir, model=model, **extra))


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group()
@click.version_option(package_name="polyqa")
@click.option("-v", "--verbose", count=True, help="More diagnostics on stderr (-vv: debug).")
def cli(verbose: int) -> None:
    """polyqa: ask questions of documents in any mix of languages, get cited answers."""
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(message)s")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--add", is_flag=True, help="Keep documents already indexed that are not in PATHS.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--quiet", is_flag=True, help="No progress on stderr (warnings still show).")
@click.option(
    "--ray",
    "ray_address",
    is_flag=False,
    flag_value="local",
    default=None,
    envvar="POLYQA_RAY_ADDRESS",
    metavar="[ADDRESS]",
    help="Embed on Ray (polyqa[ray]): alone, a local cluster; or a cluster's address "
    "(host:6379, ray://host:10001, auto). Put it after PATHS, or write --ray=ADDRESS.",
)
@_common
@_user_errors
def index(
    paths: tuple[Path, ...],
    add: bool,
    as_json: bool,
    quiet: bool,
    ray_address: str | None,
    index_dir: Path | None,
    model: str | None,
) -> None:
    """Index the documents in PATHS: only new or changed ones are embedded."""
    from corpus.progress import set_quiet
    from corpus.reader import discover

    set_quiet(quiet)
    discover(list(paths))  # a path that holds nothing is said before the model loads
    settings = load_settings(index_dir=index_dir, model=model, ray_address=ray_address)
    if not quiet:  # before the service's imports too: they take seconds on a busy machine
        where = f" and Ray ({settings.ray_address})" if settings.ray_address else ""
        click.echo(f"loading the model {settings.model}{where}", err=True)
    if settings.ray_address:
        report = _index_on_ray(settings, list(paths), add)
    else:
        service = _service(index_dir, model)
        service.embedder  # noqa: B018 (loaded here, so the wait is announced)
        report = service.index(list(paths), keep_missing=add)
    if as_json:
        _print_json(report.__dict__)
        return
    for label, items in (("added", report.added), ("changed", report.changed),
                         ("removed", report.removed)):  # fmt: skip
        for doc_id in items:
            click.echo(f"{label:9} {display_path(doc_id)}")
    for doc_id, encoding in report.encodings.items():
        click.echo(f"encoding  {display_path(doc_id)}: read as {encoding}")
    for path, reason in report.skipped:
        click.echo(f"skipped   {display_path(path)}: {reason}")
    click.echo(report.summary())


def _index_on_ray(settings: Settings, paths: list[Path], add: bool) -> IndexReport:
    """`polyqa index --ray`: the documents embedded by a Ray cluster's actors, then
    written as the in-process path writes them (index/ray_embed.py)."""
    from bot.service import PolyqaService
    from index.ray_embed import RayEmbedder

    with RayEmbedder(
        settings.model, settings.cache_dir, settings.ray_address or "local", settings.ray_actors
    ) as embedder:
        service = PolyqaService(settings, index_embedder=embedder)
        return service.index(paths, keep_missing=add)


def _after(argument: str) -> Callable[[F], F]:
    """The --after option of search and ask: earlier questions, oldest first."""
    return click.option(
        "--after",
        "after",
        multiple=True,
        metavar="TEXT",
        help="An earlier question of the conversation (repeat, oldest first): "
        f"{argument} is read as its follow-up.",
    )


@cli.command()
@click.argument("query")
@click.option("-k", "--k", "k", type=int, default=None, help="Number of hits (default 5).")
@click.option("--lang", "langs", multiple=True, help="Only documents in this language (repeat).")
@_after("QUERY")
@click.option("--json", "as_json", is_flag=True, help="Print hits as a JSON list.")
@_common
@_user_errors
def search(
    query: str,
    k: int | None,
    langs: tuple[str, ...],
    after: tuple[str, ...],
    as_json: bool,
    index_dir: Path | None,
    model: str | None,
) -> None:
    """Find the passages closest to QUERY, in any language (after the --after questions)."""
    hits = _service(index_dir, model).search(query, k, langs, history=list(after))
    if as_json:
        _print_json([h.to_dict() for h in hits])
        return
    for h in hits:
        c = h.chunk
        click.echo(f"{h.rank}. [{c.lang}] {c.doc_id} {c.start}-{c.end}  score {h.score:.3f}")
        click.echo(f"   {c.text[:300]}")


@cli.command()
@click.argument("question")
@click.option("--lang", "langs", multiple=True, help="Only documents in this language (repeat).")
@click.option("--answer-lang", default=None, help="Answer in this language (default: detect).")
@_after("QUESTION")
@click.option("--json", "as_json", is_flag=True, help="Print the answer and citations as JSON.")
@_common
@_user_errors
def ask(
    question: str,
    langs: tuple[str, ...],
    answer_lang: str | None,
    after: tuple[str, ...],
    as_json: bool,
    index_dir: Path | None,
    model: str | None,
) -> None:
    """Answer QUESTION from the documents, every sentence cited; with --after, as the
    follow-up of those questions (the answer says when it used them)."""
    answer = _service(index_dir, model).ask(question, langs, answer_lang, history=list(after))
    if as_json:
        _print_json(answer.to_dict())
        return
    click.echo(answer.answer)
    click.echo()
    for c in answer.citations:
        click.echo(f"[{c.n}] {c.title} ({c.lang}) {c.doc_id} {c.start}-{c.end}")


@cli.command()
@click.option("--host", default=None, envvar="POLYQA_HOST", help="Address to serve on.")
@click.option("--port", type=int, default=None, envvar="POLYQA_PORT", help="Port (7860).")
@_common
@_user_errors
def chat(host: str | None, port: int | None, index_dir: Path | None, model: str | None) -> None:
    """Serve the chat window (Gradio) in the browser."""
    from bot.chat.app import serve

    service = _service(index_dir, model, host=host, port=port)
    service.retriever()  # index (first start) or load before the server takes requests
    serve(service)


def main() -> None:
    # Idle OpenMP threads would otherwise spin and starve other processes on small
    # machines (a forward pass under load: ~1 s spinning, ~0.12 s passive).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    cli()


def _register_subcommands() -> None:
    """Commands that live in modules of their own (kept out of this file's imports)."""
    from bot.cli.eval import eval_command

    cli.add_command(eval_command, name="eval")


_register_subcommands()
