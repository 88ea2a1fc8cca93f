"""The import rules of the house (ARCHITECTURE.md), read from the sources' own imports.

    screens, widgets, app, cli  ->  service (its public face)  ->  store
                                     reads (the analysis)  ->  service, store

* the UI and the CLI never import the store, not even for a type hint: what they need of
  it the service's face names (`service.Database`, `service.upgrade`, ...);
* the service and the store never import the UI or the CLI; the store never imports the
  service or the reads;
* widgets never import screens or the app (screens are made of widgets, not the other way);
* outside `rma_tui/service/` the service is reached through `rma_tui.service` only, never a
  module behind it;
* nobody imports a `_private` name from a module of another package (inside a package its
  modules may share them); the tests neither;
* no import circle among the modules (imports at module level, `if TYPE_CHECKING:` blocks
  included: the app's type is `widgets.desk_app.DeskApp` for the screens, so that they
  need not import the app that imports them).

Every import counts wherever it stands (inside a function too), except where a rule says.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "rma_tui"


@dataclass(frozen=True)
class Imported:
    """One name an import statement brings in: `module` (absolute) and, for `from m import
    n`, the `name`; `top` when it stands at module level (not in a function), `typing` when
    it is only for type checkers (in an `if TYPE_CHECKING:` block)."""

    source: Path
    line: int
    module: str
    name: str | None
    top: bool
    typing: bool = False


def shown(path: Path) -> str:
    """The path as a message shows it: from the project's root when inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def module_name(path: Path) -> str:
    """`rma_tui/cli/app.py` -> `rma_tui.cli.app`; a package's `__init__.py` -> the package."""
    parts = list(Path(shown(path)).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(path: Path) -> list[Imported]:
    """Every import in the file at `path`, relative ones made absolute."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: list[Imported] = []

    def visit(node: ast.AST, top: bool, typing: bool) -> None:
        for child in ast.iter_child_nodes(node):
            visit_stmt(child, top, typing)

    def visit_stmt(node: ast.AST, top: bool, typing: bool) -> None:
        if isinstance(node, ast.Import):
            found.extend(Imported(path, node.lineno, a.name, None, top, typing)
                         for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.extend(Imported(path, node.lineno, base, a.name, top, typing)
                         for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            visit(node, False, typing)
        elif isinstance(node, ast.If) and _is_type_checking(node):
            for sub in node.body:
                visit_stmt(sub, top, True)
            for sub in node.orelse:
                visit_stmt(sub, top, typing)
        else:
            visit(node, top, typing)

    visit(tree, True, False)
    return found


def sources(*parts: str) -> list[Path]:
    """The Python files under `rma_tui/<parts>` (a folder or a single file)."""
    target = PKG.joinpath(*parts)
    return [target] if target.suffix == ".py" else sorted(target.rglob("*.py"))


def within(module: str, *prefixes: str) -> bool:
    """Is `module` one of `prefixes` or inside one of them?"""
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def targets(imp: Imported) -> list[str]:
    """The modules an import names: for `from m import n` also `m.n` (n may be a module)."""
    return [imp.module] if imp.name is None else [imp.module, f"{imp.module}.{imp.name}"]


def offences(files: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    """`file:line module` for each import in `files` of anything in `forbidden`."""
    return [f"{shown(imp.source)}:{imp.line} imports {imp.module}"
            + (f".{imp.name}" if imp.name else "")
            for f in files for imp in imports_of(f)
            if any(within(t, *forbidden) for t in targets(imp))]


UI_AND_CLI = [*sources("screens"), *sources("widgets"), *sources("app.py"), *sources("cli")]
UI = ("textual", "rma_tui.app", "rma_tui.screens", "rma_tui.widgets")
CLI = ("typer", "rma_tui.cli")


def test_the_ui_and_the_cli_never_import_the_store():
    assert offences(UI_AND_CLI, ("rma_tui.store",)) == []


def test_the_service_and_the_store_never_import_the_ui_or_the_cli():
    assert offences([*sources("service"), *sources("store")], UI + CLI) == []


def test_the_store_never_imports_the_service_or_the_reads():
    assert offences(sources("store"), ("rma_tui.service", "rma_tui.reads")) == []


def test_widgets_never_import_screens_or_the_app():
    assert offences(sources("widgets"), ("rma_tui.screens", "rma_tui.app")) == []


def test_screens_never_import_the_app():
    assert offences(sources("screens"), ("rma_tui.app",)) == []


def test_the_service_is_reached_through_its_face_only():
    inside = set(sources("service"))
    files = [f for f in PKG.rglob("*.py") if f not in inside]
    bad = [f"{shown(imp.source)}:{imp.line} imports {imp.module}"
           for f in files for imp in imports_of(f)
           if within(imp.module, "rma_tui.service") and imp.module != "rma_tui.service"]
    assert bad == []


def package_of(module: str) -> str:
    """The package a module of ours belongs to: itself for a package, else its parent."""
    path = ROOT.joinpath(*module.split("."))
    return module if path.is_dir() else module.rpartition(".")[0]


# The tests' own modules, imported by name from one another (conftest, cli_helpers, ...).
TEST_MODULES = {f.stem for f in (ROOT / "tests").glob("*.py")}


def test_no_private_name_is_imported_across_packages():
    files = [*PKG.rglob("*.py"), *(ROOT / "tests").glob("*.py"), *(ROOT / "bench").glob("*.py")]
    bad = []
    for f in files:
        for imp in imports_of(f):
            ours = imp.module.startswith("rma_tui") or imp.module in TEST_MODULES
            if not ours or imp.name is None:
                continue
            private = imp.name.startswith("_") and not imp.name.startswith("__")
            same_package = (f.is_relative_to(PKG)
                            and within(module_name(f), package_of(imp.module)))
            if private and not same_package:
                bad.append(f"{shown(f)}:{imp.line} imports {imp.name} "
                           f"from {imp.module}")
    assert bad == []


def import_graph() -> dict[str, set[str]]:
    """module -> the modules of ours it imports at module level (for type checkers too: a
    circle of type hints is still two modules that cannot be understood apart)."""
    files = {module_name(f): f for f in PKG.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in files}
    for m, f in files.items():
        for imp in imports_of(f):
            if not imp.top:
                continue
            for t in reversed(targets(imp)):  # the submodule when `from pkg import module`
                if t in files and t != m:
                    graph[m].add(t)
                    break
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return groups


def test_no_import_circle():
    assert circles(import_graph()) == []


def test_the_circle_finder_finds_a_circle():
    # The check above is only worth something if it can fail.
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_the_rules_see_imports_inside_functions_and_type_checking(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("from typing import TYPE_CHECKING\n"
                     "if TYPE_CHECKING:\n    from rma_tui.screens import base\n"
                     "def f():\n    from rma_tui.store.db import Database\n", encoding="utf-8")
    found = imports_of(probe)
    assert [(i.module, i.name, i.top, i.typing) for i in found] == [
        ("typing", "TYPE_CHECKING", True, False), ("rma_tui.screens", "base", True, True),
        ("rma_tui.store.db", "Database", False, False)]
    assert offences([probe], ("rma_tui.store",)) != []
    assert offences([probe], ("rma_tui.screens",)) != []
