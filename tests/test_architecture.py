"""The package layout is the pipeline: imports point one way, with no loops, and modules stay small.

Every ``import`` of a ``sim`` module is read with :mod:`ast` (at the top of a module or inside a
function alike; only ``if TYPE_CHECKING:`` blocks, which never run, are left out). A module may import
from its own stage or from a stage below it in :data:`LAYERS`, never from a stage above.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sim"

#: The stages in pipeline order; a module may import only from its own stage or an earlier one.
LAYERS: list[tuple[str, ...]] = [
    ("sim", "sim.errors", "sim.seeding", "sim.tables"),  # foundations, no stage of their own
    ("sim.orbit",),
    ("sim.scenario",),
    ("sim.model",),
    ("sim.montecarlo",),
    ("sim.analysis",),
    ("sim.plots",),
    ("sim.report",),
    ("sim.calibration",),
    ("sim.api",),
    ("sim.commands", "sim.cli", "sim.readme", "sim.__main__"),
]

MAX_LINES = 420


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int:
    best, rank = -1, -1
    for i, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), i
    if rank < 0:
        raise AssertionError(f"{module} belongs to no stage of LAYERS")
    return rank


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path) -> set[str]:
    """The ``sim`` modules that ``path`` imports when it runs."""
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "sim")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base.split(".")[0] == "sim":
                for alias in node.names:  # `from sim import results` names a module
                    candidate = f"{base}.{alias.name}"
                    found.add(candidate if _exists(candidate) else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    found.discard(me)
    return found


def _exists(module: str) -> bool:
    rel = Path(*module.split("."))
    return (ROOT / rel.with_suffix(".py")).is_file() or (ROOT / rel / "__init__.py").is_file()


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def graph() -> dict[str, set[str]]:
    modules = all_modules()
    return {m: {i for i in imports_of(p) if i in modules} for m, p in modules.items()}


def test_every_module_belongs_to_a_stage() -> None:
    for module in all_modules():
        layer_of(module)


def test_imports_point_down_the_pipeline() -> None:
    wrong = [
        f"{m} (stage {LAYERS[layer_of(m)][0]}) imports {i} (stage {LAYERS[layer_of(i)][0]})"
        for m, targets in graph().items()
        for i in sorted(targets)
        if layer_of(i) > layer_of(m)
    ]
    assert not wrong, "imports against the pipeline:\n" + "\n".join(wrong)


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules, or None (iterative depth-first search)."""
    state: dict[str, int] = {}
    for start in sorted(edges):
        if state.get(start):
            continue
        stack: list[tuple[str, list[str]]] = [(start, sorted(edges[start]))]
        path = [start]
        state[start] = 1
        while stack:
            node, todo = stack[-1]
            if not todo:
                state[node] = 2
                stack.pop()
                path.pop()
                continue
            nxt = todo.pop()
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append((nxt, sorted(edges.get(nxt, ()))))
    return None


def test_no_import_cycles() -> None:
    edges = graph()
    # A package's __init__ re-exports its modules; a module importing its own package's __init__
    # is what makes a loop, so both directions are real edges here.
    cycle = find_cycle(edges)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_model_imports_nothing_above_it() -> None:
    for module, targets in graph().items():
        if module.startswith("sim.model"):
            above = [t for t in targets if layer_of(t) > layer_of("sim.model")]
            assert not above, f"{module} imports {above}"


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: module_name(p))
def test_modules_stay_small(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module_name(path)} has {lines} lines (split it by idea)"
