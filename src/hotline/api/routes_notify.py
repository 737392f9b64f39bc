"""The delivery log: every attempt to reach someone about an escalation, visible to the party concerned."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from hotline.service import escalation as use

from .deps import Caller, Service

router = APIRouter(prefix="/api/v1", tags=["escalation"])


@router.get("/deliveries", summary="Who was told of an escalation, how, when, and whether it arrived")
async def deliveries(who: Caller, hl: Service, item_id: str | None = Query(None, max_length=128),
                     limit: int = Query(200, ge=1, le=1000)) -> dict[str, Any]:
    return {"deliveries": await use.deliveries_for(hl, who, item_id=item_id, limit=limit)}
