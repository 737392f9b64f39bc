"""Shared fixtures: real SQLite files and a real PostgreSQL, the service in-process, a real server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from browser_support import chromium, sign_in
from hotline.api.app import create_app
from hotline.demo.setup import prepare_demo
from hotline.service.config import Settings
from hotline.service.hotline import Hotline
from hotline.testing import DEMO_PASSWORD, Api, FakeClock, ServerProcess, fresh_postgres


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty database: a SQLite file, or a PostgreSQL database made for this test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hotline.db'}"
    else:
        with fresh_postgres() as url:
            yield url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def demo_seed() -> dict[str, Any]:
    """What ``prepare_demo`` records besides the accounts; a suite overrides it (e.g. zones=True)."""
    return {}


@pytest.fixture
async def service(database_url: str, clock: FakeClock, demo_seed: dict[str, Any]) -> AsyncIterator[Hotline]:
    """The service in-process on a fake clock, with the demo accounts; timers are run by hand."""
    settings = Settings(database_url=database_url)
    await prepare_demo(settings, DEMO_PASSWORD, **demo_seed)
    hl = Hotline(settings, clock=clock)
    await hl.start(timers=False)
    try:
        yield hl
    finally:
        await hl.stop()


@pytest.fixture
async def api(service: Hotline) -> AsyncIterator[Api]:
    app = create_app(service, start=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hotline.test") as client:
        yield Api(client)


@pytest.fixture(scope="module")
def map_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A real server on the demo world with its agreed zones recorded, as `hotline demo` sets it up."""
    folder = tmp_path_factory.mktemp("map")
    srv = ServerProcess(f"sqlite:///{folder / 'hotline.db'}", log=folder / "server.log", seed={"zones": True})
    srv.prepare()
    with srv.start():
        yield srv


@pytest.fixture(scope="module")
def open_map(map_server: ServerProcess) -> Iterator[Callable[[str], Any]]:
    """Opens the console's map signed in as a user, in one headless Chromium for the module's tests."""
    # After the server: its preparation runs an event loop, which Playwright's sync API forbids.
    with chromium() as browser:
        def open_(username: str) -> Any:
            page = sign_in(browser, map_server.base_url, username)
            page.wait_for_selector("body[data-session=active]")
            page.goto(map_server.base_url + "/#map")
            page.wait_for_selector("#map-canvas .leaflet-interactive")
            return page

        yield open_
