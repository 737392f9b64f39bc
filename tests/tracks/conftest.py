"""The tracks suite runs on the demo world with its agreed zones recorded, as `hotline demo` sets it up."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def demo_seed() -> dict[str, Any]:
    return {"zones": True}
