"""`polyqa eval DATASET`: retrieval quality per language and across languages.

Progress goes to stderr; with ``--json`` stdout holds one JSON object and nothing else.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from bot.settings import load_settings
from corpus.errors import PolyqaError


@click.command()
@click.argument("dataset", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help="Evaluate a seeded sample of N questions (quick runs).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the --limit sample.")
@click.option(
    "--plot",
    "plot",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Draw the question x document language table as a heatmap PNG.",
)
@click.option(
    "--answers",
    is_flag=True,
    help='Also ask each question that has a gold "answer" and check the answer holds it.',
)
@click.option(
    "--dialogs",
    is_flag=True,
    help="Also ask the conversations of DATASET/dialogs.jsonl and score their last turn.",
)
@click.option("--quiet", is_flag=True, help="No progress on stderr.")
@click.option("--model", envvar="POLYQA_MODEL", help="sentence-transformers model id or folder.")
def eval_command(
    dataset: Path,
    as_json: bool,
    limit: int | None,
    seed: int,
    plot: Path | None,
    answers: bool,
    dialogs: bool,
    quiet: bool,
    model: str | None,
) -> None:
    """Measure retrieval on DATASET (docs/ + questions.jsonl): hit@k, mrr@10, and xhit@k
    with the question's own language taken out of the pool.

    DATASET/docs is indexed with the current settings into a cached index under the
    data folder; a second run re-embeds only documents that changed.
    """
    # Before torch loads (it loads lazily, with the model): torch's OpenMP threads spin
    # while waiting, and on a small machine shared with other work that makes each
    # one-question forward pass several times slower. An explicit setting wins.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from bot.evaluation.report import format_report, plot_matrix
    from bot.evaluation.run import run_eval
    from corpus.progress import set_quiet

    set_quiet(quiet)  # the indexing bars too, drawn in corpus/ and index/
    try:
        report = run_eval(
            load_settings(model=model), dataset, limit, not quiet, seed, answers, dialogs
        )
    except PolyqaError as exc:
        raise click.ClickException(str(exc)) from exc
    if plot is not None:
        plot_matrix(report["matrix"], plot, title=f"{dataset.name}: gold document in top 10")
        click.echo(f"wrote {plot}", err=True)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(format_report(report))
