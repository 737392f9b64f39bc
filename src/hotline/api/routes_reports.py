"""The summary report for a period, as JSON and as CSV."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Query, Response

from hotline.domain.errors import Invalid
from hotline.domain.timefmt import parse_iso
from hotline.service import reports
from hotline.service.hotline import Hotline

from . import params
from .cursor_route import InCursors
from .deps import Caller, Service

router = APIRouter(prefix="/api/v1", tags=["reports"], route_class=InCursors)


def _period(hl: Hotline, start: str | None, end: str | None) -> tuple[datetime, datetime]:
    def read(text: str, name: str) -> datetime:
        try:
            return params.bounded_datetime(parse_iso(text if "T" in text else text + "T00:00:00Z"), name)
        except (ValueError, OverflowError):
            raise Invalid(f"{text!r} is not a date or a time with a zone.", field=name) from None

    hi = read(end, "to") if end else hl.clock()
    lo = read(start, "from") if start else hi - timedelta(days=30)
    if lo >= hi:
        raise Invalid("The period ends before it starts.", field="to")
    return lo, hi


@router.get("/reports/summary", summary="Incidents, response times, open disputes and commitments for a period")
async def summary(who: Caller, hl: Service, start: str | None = Query(None, alias="from"),
                  end: str | None = Query(None, alias="to")) -> dict[str, Any]:
    lo, hi = _period(hl, start, end)
    return await reports.summary(hl, who, lo, hi)


@router.get("/reports/summary.csv", response_class=Response, summary="The summary report as CSV",
            responses={200: {"content": {"text/csv": {}}}})
async def summary_csv(who: Caller, hl: Service, start: str | None = Query(None, alias="from"),
                      end: str | None = Query(None, alias="to")) -> Response:
    lo, hi = _period(hl, start, end)
    body = reports.to_csv(await reports.summary(hl, who, lo, hi))
    name = f"hotline-summary-{lo:%Y%m%d}-{hi:%Y%m%d}.csv"
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
