"""The ledger page the caller may see, and health."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from hotline.ledger.envelope import reader_form
from hotline.service.events import visible_events

from . import params
from .deps import Caller, Service
from .responses import JSON

router = APIRouter(tags=["ledger"])


@router.get("/api/v1/events", summary="Events of the caller's channels after a seq, in order", response_class=JSON,
            description="Every `seq` is the caller's party's own cursor: its events are numbered 1, 2, 3, ... "
                        "across all its channels, with no gap for events it may not read. `after` is such a "
                        "cursor; `last_seq` is the last one in the page (or `after`). An event sealed in "
                        "envelope version 2 (`v: 2`) carries nothing of the ledger's global order; one "
                        "sealed before it (no `v`) also carries `ledger_seq`, which its hash covers.")
async def events(who: Caller, hl: Service, after: params.After = 0,
                 limit: int = Query(100, ge=1, le=1000)) -> JSON:
    page = await visible_events(hl, who, after=after, limit=limit)
    return JSON({"events": [reader_form(e.to_dict(), cursor) for cursor, e in page],
                 "last_seq": page[-1][0] if page else after})


@router.get("/healthz", summary="Liveness and the writer's progress")
async def healthz(hl: Service) -> dict[str, Any]:
    return {"status": "ok", "committed_events": hl.writer.committed, "streams": hl.hub.subscriber_count}
