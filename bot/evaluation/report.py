"""`polyqa eval`'s readable report: tables per language, the language matrix, a heatmap."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bot.evaluation.metrics import K

if TYPE_CHECKING:
    pass


# --------------------------------------------------------------------------- output

_COLUMNS = ("hit@1", "hit@5", "hit@10", "mrr@10", "xhit@1", "xhit@10", "xmrr@10")


def format_report(report: Mapping[str, Any]) -> str:
    """The readable table: overall and per language, then the matrix, then timings."""
    head = f"{'':8}{'n':>6}" + "".join(f"{c:>9}" for c in _COLUMNS)
    rows = [head, _row("all", report)]
    rows += [_row(lang, m) for lang, m in report["by_lang"].items()]
    out = ["\n".join(rows), "", _format_matrix(report["matrix"])]
    idx, lat = report["index"], report["latency_ms"]
    cached = "cached" if idx["cached"] else f"{idx['embedded_chunks']} chunks embedded"
    out.append(
        f"index: {idx['documents']} documents, {idx['chunks']} chunks, "
        f"{idx['seconds']:.1f}s ({cached})\n"
        f"query latency: p50 {lat['p50']:.1f} ms, p95 {lat['p95']:.1f} ms"
    )
    if "answers" in report:
        out.append(_format_answers(report["answers"]))
    if "dialogs" in report:
        out.append(_format_dialogs(report["dialogs"]))
    if report.get("lang_mismatches"):
        out.append(
            f"warning: {len(report['lang_mismatches'])} documents detected in another "
            "language than their folder (xhit is unreliable for them)"
        )
    return "\n".join(out)


def _format_answers(a: Mapping[str, Any]) -> str:
    lines = [
        f"answers of {a['n']} answerable and {a['unanswerable']} unanswerable questions:",
        f"{'':8}{'n':>6}{'answer@1':>11}{'answer@any':>11}{'misanswered':>12}"
        f"{'unans.':>8}{'refused':>9}",
    ]
    for label, m in [("all", a), *a["by_lang"].items()]:
        lines.append(
            f"{label:8}{int(m['n']):>6}{m['answer@1']:>11.3f}{m['answer@any']:>11.3f}"
            f"{m['misanswered']:>12.3f}{int(m['unanswerable']):>8}{m['refused']:>9.3f}"
        )
    if a.get("thresholds"):
        lines += ["", "confidence bar -> share of questions answered, share of those right:"]
        lines += [
            f"  >= {t['threshold']:6.2f}  answered {t['answered']:.3f}  right {t['right']:.3f}"
            for t in a["thresholds"]
        ]
    return "\n".join(lines)


def _format_dialogs(d: Mapping[str, Any]) -> str:
    """The last turns of the dialogs: follow-ups, and subject switches apart."""
    lines = [
        "dialogs (the last turn, after the earlier ones):",
        f"{'':10}{'n':>6}{'hit@1':>9}{'hit@5':>9}{'answer@1':>10}{'as alone':>10}",
    ]
    for label, m in (("follow-up", d), ("switch", d["switch"])):
        alone = f"{m['same_as_alone']:>10.3f}" if "same_as_alone" in m else ""
        lines.append(
            f"{label:10}{int(m['n']):>6}{m['hit@1']:>9.3f}{m['hit@5']:>9.3f}"
            f"{m['answer@1']:>10.3f}{alone}"
        )
    return "\n".join(lines)


def _row(label: str, m: Mapping[str, Any]) -> str:
    return f"{label:8}{int(m['n']):>6}" + "".join(f"{m[c]:>9.3f}" for c in _COLUMNS)


def _format_matrix(matrix: Mapping[str, Mapping[str, float]]) -> str:
    if not matrix:
        return "(no questions with gold documents: no language matrix)"
    cols = sorted({d for row in matrix.values() for d in row})
    lines = [
        f"gold document in top {K}: question language (rows) x document language",
        "        " + "".join(f"{c:>7}" for c in cols),
    ]
    for q, row in matrix.items():
        cells = "".join(f"{row[c]:>7.2f}" if c in row else f"{'-':>7}" for c in cols)
        lines.append(f"{q:8}{cells}")
    return "\n".join(lines)


def plot_matrix(matrix: Mapping[str, Mapping[str, float]], path: Path, title: str = "") -> None:
    """The language matrix as a heatmap PNG (matplotlib is imported only here)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = list(matrix)
    cols = sorted({d for row in matrix.values() for d in row})
    data = np.array([[matrix[q].get(d, np.nan) for d in cols] for q in rows], dtype=float)
    fig, ax = plt.subplots(figsize=(1.2 + 0.9 * len(cols), 1.0 + 0.7 * len(rows)))
    image = ax.imshow(data, vmin=0.0, vmax=1.0, cmap="viridis")
    ax.set_xticks(range(len(cols)), cols)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel("document language")
    ax.set_ylabel("question language")
    ax.set_title(title or f"gold document in top {K}")
    for i in range(len(rows)):
        for j in range(len(cols)):
            if not np.isnan(data[i, j]):
                color = "black" if data[i, j] > 0.6 else "white"
                ax.text(j, i, f"{data[i, j]:.2f}", ha="center", va="center", color=color)
    fig.colorbar(image, ax=ax)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
