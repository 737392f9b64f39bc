"""Structured logs: every line of a request carries its request id, user, party and command."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from hotline.service.hotline import Hotline
from hotline.service.logs import configure_logging
from hotline.testing import Api

pytestmark = pytest.mark.anyio


@pytest.fixture
def json_logs() -> Iterator[Any]:
    out = io.StringIO()
    configure_logging("json", stream=out)

    def lines() -> list[dict[str, Any]]:
        return [json.loads(line) for line in out.getvalue().splitlines()]

    yield lines
    hotline = logging.getLogger("hotline")
    hotline.handlers.clear()
    hotline.propagate = True
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()


async def test_a_request_line_names_its_request_id_user_party_and_command(api: Api, json_logs: Any) -> None:
    r = await api.post_message("isr-duty", precedence="FLASH", subject="Drone over sector 4", body="Ours.")
    assert r.status_code == 201, r.text
    request_id = r.headers["x-request-id"]
    line = next(x for x in json_logs() if x.get("event") == "request" and x.get("method") == "POST"
                and x["path"].endswith("/messages"))
    assert line["request_id"] == request_id and line["status"] == 201
    assert (line["user"], line["party"], line["level"]) == ("isr-duty", "isr", "info")
    assert line["command"] == "post_message"


async def test_a_well_formed_request_id_is_kept_and_a_bad_one_replaced(api: Api, json_logs: Any) -> None:
    kept = await api.as_("syr-duty", "GET", "/api/v1/channels", headers={"x-request-id": "trace-1234abcd"})
    assert kept.headers["x-request-id"] == "trace-1234abcd"
    replaced = await api.as_("syr-duty", "GET", "/api/v1/channels", headers={"x-request-id": "<script>"})
    assert replaced.headers["x-request-id"] != "<script>" and len(replaced.headers["x-request-id"]) == 32
    ids = [x["request_id"] for x in json_logs() if x.get("event") == "request"]
    assert "trace-1234abcd" in ids and "<script>" not in ids


async def test_a_command_failing_in_the_writer_is_logged_with_its_request(service: Hotline, json_logs: Any) -> None:
    async def broken(_uow: Any) -> list[Any]:
        raise RuntimeError("a bug in one command")

    structlog.contextvars.bind_contextvars(request_id="req-0042", user="isr-duty", party="isr", command="broken")
    with pytest.raises(RuntimeError):
        await service.writer.submit(broken)
    structlog.contextvars.clear_contextvars()
    line = next(x for x in json_logs() if x.get("event") == "command failed")
    assert (line["request_id"], line["command"], line["party"]) == ("req-0042", "broken", "isr")
    assert "a bug in one command" in line["exception"]


@pytest.mark.parametrize("fmt", ["console", "json"])
def test_the_request_line_is_written_as_the_standard_library_would_write_it(fmt: str) -> None:
    from hotline.api.request_log import log

    out = io.StringIO()
    configure_logging(fmt, stream=out)
    structlog.contextvars.bind_contextvars(request_id="req-0042", user="isr-duty", party="isr", command="x y")
    try:
        fields = {"method": "POST", "path": "/api/v1/channels/joint/messages", "status": 201, "ms": 1.4}
        log.info("request", **fields)  # the direct path
        log._structlog.info("request", **fields)  # structlog through the standard library
    finally:
        structlog.contextvars.clear_contextvars()
        hotline = logging.getLogger("hotline")
        hotline.handlers.clear()
        hotline.propagate = True
        structlog.reset_defaults()
    direct, standard = out.getvalue().splitlines()
    stamp = "2026-01-01T00:00:00.000000Z"
    if fmt == "json":
        a, b = json.loads(direct), json.loads(standard)
        a["timestamp"] = b["timestamp"] = stamp
        assert list(a.items()) == list(b.items())
    else:
        assert direct[len(stamp):] == standard[len(stamp):] and direct[:19] == standard[:19]
