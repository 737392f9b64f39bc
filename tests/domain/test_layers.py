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



def test_no_product_layer_imports_the_demo() -> None:
    offenders = [f"{path.relative_to(SRC)}: {name}"
                 for path in SRC.rglob("*.py") if path.relative_to(SRC).parts[0] not in ("demo", "cli.py", "testing.py")
                 for name in _imports(path) if name == "hotline.demo" or name.startswith("hotline.demo.")]
    assert offenders == []


def test_a_world_brings_its_own_geography_relative_to_its_file(tmp_path: Path) -> None:
    from hotline.domain.errors import Invalid
    from hotline.service.config import load_world

    (tmp_path / "data").mkdir()
    (tmp_path / "data/places.json").write_text(
        '{"places": [{"id": "x", "kind": "town", "names": {"en": "Ex"}, "lat": 1.5, "lon": 2}]}', "utf-8")
    (tmp_path / "data/zones.geojson").write_text('{"type": "FeatureCollection", "features": []}', "utf-8")
    text = ('[world]\nname = "elsewhere"\n[geography]\ngazetteer = "data/places.json"\nzones = "data/zones.geojson"\n'
            '[[parties]]\nid = "a"\n[[parties]]\nid = "b"\n[[channels]]\nid = "ab"\nmembers = ["a", "b"]\n')
    (tmp_path / "world.toml").write_text(text, "utf-8")
    world = load_world(str(tmp_path / "world.toml"))
    assert [(p.id, p.names["en"], p.lat, p.lon) for p in world.geography.places] == [("x", "Ex", 1.5, 2.0)]
    assert world.geography.zone_features == ()
    assert "geography" not in world.settings
    demo = load_world()
    assert {p.id for p in demo.geography.places} and demo.geography.zone_features
    (tmp_path / "world.toml").write_text(text.replace("data/places.json", "missing.json"), "utf-8")
    with pytest.raises(Invalid, match="missing.json") as e:
        load_world(str(tmp_path / "world.toml"))
    assert e.value.field == "geography.gazetteer"
