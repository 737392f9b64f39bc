"""The layers point one way: pure code imports no outer layer, the store knows no domain, nothing
below the API imports it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parents[2] / "src/hotline"
OUTER = {"store", "service", "api", "realtime", "console", "cli", "interop", "demo"}

# layer -> the hotline layers it must never import
FORBIDDEN = {
    "domain": OUTER,
    "geo": OUTER,
    "ledger": OUTER,
    "store": {"domain", "service", "api", "realtime", "console", "cli", "interop", "demo"},
    "service": {"api", "console", "cli", "demo"},
    "realtime": {"api", "console", "cli", "demo"},
}


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_no_layer_above_it(layer: str) -> None:
    offenders = []
    for path in (SRC / layer).rglob("*.py"):
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] == "hotline" and len(parts) > 1 and parts[1] in FORBIDDEN[layer]:
                offenders.append(f"{path.relative_to(SRC)}: {name}")
    assert offenders == []

