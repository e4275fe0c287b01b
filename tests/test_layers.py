"""The packages import one way: corpus -> index -> bot, and inside bot, the flow of the
README (settings, retrieval, answers, service, evaluation, chat, command line).

Every import counts, at module level or inside a function, under TYPE_CHECKING or not:
a lazy import still makes the two modules depend on each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("corpus", "index", "bot")
# Each package may import itself and the ones before it. Modules directly in bot/ other
# than service.py (settings, errors, questions) are the bottom of bot.
FLOW = (
    "corpus",
    "index",
    "bot",
    "bot.retrieval",
    "bot.answers",
    "bot.service",
    "bot.evaluation",
    "bot.chat",
    "bot.cli",
)


def _modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The polyqa modules ``name`` imports (``from bot import x`` resolves to bot.x)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def _stage(module: str) -> int:
    """Index in FLOW of the most specific stage the module belongs to."""
    best = -1
    for i, stage in enumerate(FLOW):
        inside = module == stage or module.startswith(stage + ".")
        if inside and (best < 0 or len(stage) > len(FLOW[best])):
            best = i
    assert best >= 0, module
    return best


def test_the_graph_sees_the_imports() -> None:
    """The checker itself: it finds the imports a module is known to have."""
    graph = _graph()
    assert "bot.retrieval.retriever" in graph["bot.service"]
    assert "index.store" in graph["bot.service"]
    # `from bot.answers import phrases` names the module bot.answers.phrases
    assert "bot.answers.phrases" in graph["bot.answers.composer"]
    assert "bot.evaluation.run" in graph["bot.cli.eval"]  # imported inside a function


def test_no_module_imports_one_that_imports_it() -> None:
    graph = _graph()
    cycles = []
    for start in sorted(graph):
        stack = [(start, (start,))]
        seen = set()
        while stack:
            node, path = stack.pop()
            for nxt in sorted(graph[node]):
                if nxt == start:
                    cycles.append(" -> ".join((*path, start)))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, (*path, nxt)))
    assert not cycles, "import cycles:\n" + "\n".join(sorted(set(cycles))[:10])


@pytest.mark.parametrize("module", sorted(_modules()))
def test_imports_follow_the_flow(module: str) -> None:
    later = sorted(t for t in _graph()[module] if _stage(t) > _stage(module))
    assert not later, f"{module} imports {later}, which come after it in {FLOW}"
