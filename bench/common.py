"""What every bench script shares: the stamp (date, commit, machine), the result file and
the row it appends to its table in bench/README.md.

Numbers from a 2-core machine shared with other work are only comparable with the
machine and its load written next to them, hence the stamp on every row.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
README = BENCH_DIR / "README.md"
XQUAD = REPO.parent / "shared" / "eval" / "xquad-dev"

if str(REPO) not in sys.path:  # run as `python bench/x.py` from anywhere
    sys.path.insert(0, str(REPO))


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def git_commit() -> str:
    """Short commit, with -dirty when the work tree has changes (numbers may not match)."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(REPO), *args], capture_output=True, text=True, check=False
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + ("-dirty" if git("status", "--porcelain", "--untracked-files=no") else "")


def stamp() -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "date": now.date().isoformat(),
        "time": now.isoformat(timespec="seconds"),
        "commit": git_commit(),
        "cores": os.cpu_count(),
        "cpu": cpu_model(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "python": sys.version.split()[0],
    }


def machine(st: dict[str, Any]) -> str:
    return f"{st['cores']} cores, {st['cpu']}, load {st['load_avg_1m']}"


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def current_rss_mb() -> float:
    """Resident memory now (peak RSS also counts temporaries already freed)."""
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


def rss_parts_mb() -> dict[str, float]:
    """Resident memory by kind: ``anon`` (the process's own: objects, arrays, FAISS) and
    ``file`` (pages of memory-mapped files, shared with the page cache, given back by
    the kernel under pressure; a mapped table's rows count once they are read)."""
    parts = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("RssAnon", "RssFile"):
                parts[key[3:].lower()] = round(int(value.split()[0]) / 1024, 1)
    return parts


def dir_size_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 3)


def percentiles_ms(seconds: Sequence[float]) -> dict[str, float]:
    ms = np.asarray(seconds, dtype=np.float64) * 1000
    return {
        "p50": round(float(np.percentile(ms, 50)), 3),
        "p95": round(float(np.percentile(ms, 95)), 3),
    }


def write_result(name: str, data: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}-{data['stamp']['date']}.json"
    n = 2
    while path.exists():  # a second run the same day keeps the first
        path = RESULTS_DIR / f"{name}-{data['stamp']['date']}-{n}.json"
        n += 1
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(REPO)}", file=sys.stderr)
    return path


def append_row(table: str, cells: Sequence[Any]) -> None:
    """Add a row at the end of the table that follows ``<!-- table:NAME -->``."""
    lines = README.read_text(encoding="utf-8").splitlines()
    marker = f"<!-- table:{table} -->"
    if marker not in lines:
        raise SystemExit(f"{README}: no {marker} line to append to")
    end = lines.index(marker) + 1
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    lines.insert(end, "| " + " | ".join(str(c) for c in cells) + " |")
    README.write_text("\n".join(lines) + "\n", encoding="utf-8")


def fmt(value: float, digits: int = 3) -> str:
    return f"{value:.{digits}f}"
