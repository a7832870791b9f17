"""The import graph of the package: arrows run down only, and there is no cycle.

shared/DESIGN.md's architecture: shells (``cli``, ``web``) → ``workflows`` → ``ingest`` /
``store`` / ``methods`` → ``model`` / ``errors``; ``reports`` renders what workflows computed;
``demo`` builds on the workflows like a shell; ``ingest`` may check what it reads with the pure
``methods`` (an AHP matrix, a penalty clause), which import nothing but ``errors``.
Imports under ``if TYPE_CHECKING:`` are not arrows at run time (a report names the result type
it renders) and are left out.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import innoalliance

ROOT = Path(innoalliance.__file__).parent

#: what each layer may import at run time (besides itself)
MAY_IMPORT: dict[str, set[str]] = {
    "errors": set(),
    "model": {"errors"},
    "store": {"errors", "model"},
    "ingest": {"errors", "model", "store", "methods", "catalogues"},  # methods check what is read
    "methods": {"errors"},
    "reports": {"errors", "methods"},
    "workflows": {"errors", "model", "store", "ingest", "methods", "reports", "catalogues"},
    "demo": {"errors", "model", "store", "ingest", "methods", "reports", "workflows"},
    "web": {"errors", "model", "store", "ingest", "methods", "reports", "workflows"},
    "cli": {"errors", "model", "store", "ingest", "methods", "reports", "workflows", "demo",
            "web"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for child in node.body for n in ast.walk(child))
    return skipped


def _imports(path: Path) -> set[str]:
    """Modules of the package that ``path`` imports at run time (anywhere in the file)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_nodes(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("innoalliance"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.startswith("innoalliance"):
            for alias in node.names:  # ``from pkg import module`` imports the module
                sub = f"{node.module}.{alias.name}"
                found.add(sub if _exists(sub) else node.module)
    return found


def _exists(module: str) -> bool:
    base = ROOT.parent.joinpath(*module.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in sorted(ROOT.rglob("*.py"))
            if "migrations" not in p.parts}


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "innoalliance"


def test_arrows_run_down_only() -> None:
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in _graph().items() for target in targets
        if _layer(module) != _layer(target) and _layer(target) != "innoalliance"
        and _layer(target) not in MAY_IMPORT.get(_layer(module), set()))
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle() -> None:
    graphlib.TopologicalSorter(_graph()).prepare()  # raises CycleError naming the cycle


def test_graph_sees_the_known_arrows() -> None:
    """The parser finds imports at all (so that the two tests above can fail)."""
    graph = _graph()
    assert "innoalliance.workflows.common" in graph["innoalliance.workflows.plan.runs"]
    assert "innoalliance.errors" in graph["innoalliance.methods.mcda.ahp"]
