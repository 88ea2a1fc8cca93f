"""The arrows point one way: `screens/widgets/cli -> service -> store`.

Each check runs in a fresh interpreter (a subprocess), because this test process may already
have imported textual for other tests.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UI = ("textual", "rma_tui.app", "rma_tui.screens", "rma_tui.widgets")


def _loaded_after(imports: str) -> list[str]:
    code = (f"import json, sys\nimport {imports}\n"
            "print(json.dumps(sorted(sys.modules)))")
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=60, check=False)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.strip().splitlines()[-1])


def _ui_modules(mods: list[str]) -> list[str]:
    return [m for m in mods if any(m == u or m.startswith(u + ".") for u in UI)]


@pytest.mark.parametrize("module", ["rma_tui.service", "rma_tui.store.db",
                                    "rma_tui.store.models", "rma_tui.store.migrate",
                                    "rma_tui.policy", "rma_tui.errors"])
def test_service_layer_loads_no_textual(module):
    mods = _loaded_after(module)
    assert module in mods
    assert _ui_modules(mods) == []


def test_cli_imports_textual_only_lazily():
    mods = _loaded_after("rma_tui.service, rma_tui.cli")
    assert "rma_tui.cli" in mods and "rma_tui.service" in mods
    assert _ui_modules(mods) == []


def test_service_and_store_sources_never_import_the_ui():
    files = [*sorted((ROOT / "rma_tui" / "service").glob("*.py")),
             *sorted((ROOT / "rma_tui" / "store").glob("*.py"))]
    bad = []
    for f in files:
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            bad += [f"{f.name}: {n}" for n in names
                    if any(n == u or n.startswith(u + ".") for u in UI)]
    assert bad == []
