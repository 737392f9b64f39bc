"""domain/, geo/ and ledger/ stay pure: they import nothing from the layers above them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parents[2] / "src/hotline"
OUTER = {"store", "service", "api", "realtime", "console", "cli", "interop", "demo"}


@pytest.mark.parametrize("layer", ["domain", "geo", "ledger"])
def test_pure_layer_imports_no_outer_layer(layer: str) -> None:
    offenders = []
    for path in (SRC / layer).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                parts = name.split(".")
                if parts[0] == "hotline" and len(parts) > 1 and parts[1] in OUTER:
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []
