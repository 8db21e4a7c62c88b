"""The package's layering rules, read from the source (ast), so a broken rule fails at once.

- no import cycles between modules (imports inside functions count too: a lazy
  import that closes a cycle is still a cycle a reader has to untangle);
- only ``pipeline/cli/`` imports click;
- only ``pipeline/translate/`` imports the MT stack or HTTP clients;
- ``documents/``, ``catalogs/``, ``review/`` and ``text/`` never import
  ``translate/``, the runner or the CLI; the core modules import no stage.

Each rule is also tried on a copy of the package with a violation planted, so
the checker itself is known to catch it.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pipeline"

MT_STACK = ("ctranslate2", "sentencepiece", "argostranslate", "torch", "stanza", "spacy",
            "http.client", "urllib.request", "requests", "httpx", "urllib3")
CORE = ("pipeline.config", "pipeline.errors", "pipeline.fsutil", "pipeline.lock")
STAGES_WITHOUT_MT = ("pipeline.documents", "pipeline.catalogs", "pipeline.review", "pipeline.text")
UPPER = ("pipeline.translate", "pipeline.runner", "pipeline.cli")


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(root: Path) -> dict[str, set[str]]:
    """``module -> every module it imports`` (absolute names; ``from pkg import mod`` resolved)."""
    modules = {module_name(root, p): p for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        is_package = path.name == "__init__.py"
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    package = name if is_package else name.rsplit(".", 1)[0]
                    for _ in range(node.level - 1):
                        package = package.rsplit(".", 1)[0]
                    base = f"{package}.{base}" if base else package
                found.add(base)
                # `from pipeline.catalogs import pofile` imports the module pipeline.catalogs.pofile
                found.update(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in modules)
        graph[name] = found
    return graph


def _runtime_nodes(tree: ast.AST):
    """Every node except those under ``if TYPE_CHECKING:`` (imports for annotations only never run)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle among the package's own modules (one representative path each)."""
    own = {m: {d for d in deps if d in graph and d != m} for m, deps in graph.items()}
    # A package's __init__ runs before any of its submodules: importing pipeline.a.b imports pipeline.a.
    for m in list(own):
        for d in list(own[m]):
            parent = d.rsplit(".", 1)[0]
            while parent in own and parent != m and not _within(m, parent):
                own[m].add(parent)
                parent = parent.rsplit(".", 1)[0]
    found, state = [], {}

    def visit(m: str, stack: list[str]) -> None:
        state[m] = "open"
        stack.append(m)
        for d in sorted(own[m]):
            if state.get(d) == "open":
                found.append(stack[stack.index(d):] + [d])
            elif d not in state:
                visit(d, stack)
        stack.pop()
        state[m] = "done"

    for m in sorted(own):
        if m not in state:
            visit(m, [])
    return found


def violations(root: Path) -> list[str]:
    graph = imports(root)
    problems = [f"import cycle: {' -> '.join(c)}" for c in cycles(graph)]
    for module, deps in sorted(graph.items()):
        for dep in sorted(deps):
            if _within(dep, "click") and not _within(module, "pipeline.cli"):
                problems.append(f"{module} imports click (only pipeline.cli may)")
            if any(_within(dep, mt) for mt in MT_STACK) and not _within(module, "pipeline.translate"):
                problems.append(f"{module} imports {dep} (only pipeline.translate may)")
            if any(_within(module, s) for s in STAGES_WITHOUT_MT) and any(_within(dep, u) for u in UPPER):
                problems.append(f"{module} imports {dep} (a lower stage must not import translate/runner/cli)")
            if module in CORE and _within(dep, "pipeline") and dep not in CORE and dep != "pipeline":
                problems.append(f"{module} imports {dep} (core modules import no stage)")
    return problems


def test_the_package_keeps_its_layers() -> None:
    assert violations(PACKAGE) == []


def test_the_sub_packages_exist_and_are_installed() -> None:
    for name in ("documents", "catalogs", "text", "translate", "review", "cli"):
        assert (PACKAGE / name / "__init__.py").is_file(), name
    pyproject = (PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert '"pipeline.*"' in pyproject  # packages = ["pipeline"] would leave the sub-packages out


@pytest.mark.parametrize("module, planted, expected", [
    ("documents/sources.py", "import click\n", "pipeline.documents.sources imports click"),
    ("review/qa.py", "import ctranslate2\n", "pipeline.review.qa imports ctranslate2"),
    ("catalogs/memory.py", "import urllib.request\n", "pipeline.catalogs.memory imports urllib.request"),
    ("review/status.py", "def f():\n    from pipeline.translate import engines\n",
     "pipeline.review.status imports pipeline.translate.engines"),
    ("catalogs/catalog.py", "from pipeline import runner\n", "pipeline.catalogs.catalog imports pipeline.runner"),
    ("errors.py", "from pipeline.catalogs import catalog\n", "pipeline.errors imports pipeline.catalogs.catalog"),
    ("text/protect.py", "def f():\n    from pipeline.catalogs import glossary\n", "import cycle"),
    ("translate/engines.py", "from pipeline.translate import argos\n", "import cycle"),
])
def test_a_planted_violation_is_caught(tmp_path: Path, module: str, planted: str, expected: str) -> None:
    copy = tmp_path / "pipeline"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / module
    target.write_text(target.read_text(encoding="utf-8") + "\n" + planted, encoding="utf-8")
    found = violations(copy)
    assert any(expected in problem for problem in found), found
