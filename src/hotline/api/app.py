"""The FastAPI application factory."""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path
from typing import Any

import fastapi_offline
import xstatic.pkg.leaflet  # type: ignore[import-untyped]
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

from hotline import __version__
from hotline.service.hotline import Hotline
from hotline.service.incidents import MAX_EVIDENCE_BYTES

from . import (
    metrics,
    openapi_doc,
    params,
    plain,
    problems,
    routes_auth,
    routes_cap,
    routes_deconfliction,
    routes_desks,
    routes_disputes,
    routes_events,
    routes_incidents,
    routes_messages,
    routes_notify,
    routes_reports,
    routes_sightings,
    routes_talks,
    routes_tracks,
    routes_translations,
    routes_witness,
    stream,
)
from .deps import COOKIE
from .edge import EdgeMiddleware

__all__ = ["create_app"]

# FastAPI's built-in OpenTelemetry hooks look up the global providers on every request (a noticeable
# share of posting a message); the hotline runs on closed networks with nothing to export to.
_NO_TELEMETRY: dict[str, Any] = (
    {"telemetry": {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}}
    if "telemetry" in inspect.signature(FastAPI.__init__).parameters else {})

# Every feature's router, in the order the OpenAPI document lists them.
ROUTERS = (routes_auth, routes_messages, routes_events, stream, routes_incidents, routes_disputes, routes_talks,
           routes_reports, routes_witness, routes_deconfliction, routes_desks, routes_notify,
           routes_translations, routes_tracks, routes_sightings, routes_cap)
CONSOLE = Path(str(resources.files("hotline.console").joinpath("static")))
DOCS_STATIC = Path(fastapi_offline.__file__).parent / "static"


def create_app(hl: Hotline, *, start: bool = True) -> FastAPI:
    """An app serving ``hl``. With ``start`` the app's lifespan starts and stops the service."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if start:
            await hl.start()
        try:
            yield
        finally:
            if start:
                await hl.stop()

    app = FastAPI(title="hotline", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  **_NO_TELEMETRY,
                  description="A real-time deconfliction hotline between parties. Errors are "
                              "application/problem+json (RFC 9457). Authenticate with a bearer token "
                              "from /api/v1/auth/login or the browser's session cookie.")
    app.state.hotline = hl
    problems.install(app)
    openapi_doc.install(app)  # every status and media type each operation can answer
    params.install(app)
    for module in ROUTERS:
        app.include_router(module.router)
    plain.install(app, routes_messages.PLAIN)  # posting and acknowledging without dependency solving

    app.mount("/docs-static", StaticFiles(directory=DOCS_STATIC), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="hotline API",
                                   swagger_js_url="/docs-static/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-static/swagger-ui.css",
                                   swagger_favicon_url="/docs-static/favicon.png")

    if CONSOLE.is_dir():
        app.mount("/static", StaticFiles(directory=CONSOLE), name="console")
        app.mount("/vendor/leaflet", StaticFiles(directory=xstatic.pkg.leaflet.BASE_DIR), name="leaflet")

        @app.get("/", include_in_schema=False)
        async def console() -> FileResponse:
            return FileResponse(CONSOLE / "index.html", headers={"cache-control": "no-cache"})

    latency = metrics.install(app, hl)  # GET /metrics
    # One layer: request log, request timer, security headers and cross-site refusal, body limit.
    app.add_middleware(EdgeMiddleware, cookie_name=COOKIE, histogram=latency,
                       max_bytes=hl.settings.max_request_bytes,
                       upload_bytes=MAX_EVIDENCE_BYTES + 1024 * 1024)  # evidence uploads: the file and its form
    return app
