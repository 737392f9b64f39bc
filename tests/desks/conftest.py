"""Real-server fixtures for the desks: a world with short timeouts, and the console suite's cuttable
TCP proxy and browser helpers (loaded from its conftest, so there is one proxy in the tests)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from hotline.testing import world_file


def _console_helpers() -> ModuleType:
    path = Path(__file__).parent.parent / "console" / "conftest.py"
    spec = importlib.util.spec_from_file_location("hotline_console_helpers", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


console = _console_helpers()
CuttableProxy = console.CuttableProxy
TRIPWIRE = console.TRIPWIRE
VIEWPORT = console.VIEWPORT


def quick_world(folder: Path, **duty: int) -> str:
    """The demo world with seconds-long presence timeout and link tests (override any duty setting)."""
    settings = {"presence_timeout_s": 2, "linktest_interval_s": 3600, "linktest_jitter_s": 0,
                "linktest_answer_s": 300, "unmanned_alert_s": 600, **duty}
    return world_file(folder, **settings)


@pytest.fixture
def quick_world_path(tmp_path: Path) -> Iterator[str]:
    yield quick_world(tmp_path)
