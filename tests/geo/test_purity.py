"""geo/ is pure: it imports no other layer of hotline and nothing beyond its declared libraries."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import hotline.geo

GEO = Path(hotline.geo.__file__).parent
ALLOWED = {"shapely", "pyproj", "numpy"} | set(sys.stdlib_module_names)
FORBIDDEN = ("store", "api", "service", "realtime", "ledger", "domain", "console", "cli", "demo", "interop")


def test_geo_source_imports_only_the_standard_library_shapely_pyproj_numpy_and_itself() -> None:
    for path in GEO.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                roots = [(node.module or "").split(".")[0]]
            else:
                continue
            assert set(roots) <= ALLOWED, f"{path.name} imports {roots}"


def test_importing_geo_loads_no_other_hotline_layer() -> None:
    code = "import sys, hotline.geo; print('\\n'.join(m for m in sys.modules if m.startswith('hotline.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    layers = {m.split(".")[1] for m in out}
    assert layers == {"geo"}, f"hotline.geo pulled in {sorted(layers - {'geo'})}"
    assert not any(m.split(".")[1] in FORBIDDEN for m in out)
