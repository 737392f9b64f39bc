from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .deployment import Deployment


@pytest.fixture
def dep(tmp_path: Path) -> Iterator[Deployment]:
    """A deployment of three witnessed parties on a real server, stopped after the test."""
    d = Deployment(tmp_path)
    try:
        yield d
    finally:
        d.stop()
