"""CAP 1.2 feed of findings: an Atom index and one CAP alert per finding, in the reader's language."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response

from hotline.domain import findings as fnd
from hotline.domain.timefmt import iso
from hotline.interop.cap import alert_xml, atom_feed
from hotline.service.deconfliction import get_one, list_of, model

from .deps import Caller, Service

router = APIRouter(prefix="/api/v1", tags=["cap"])
Lang = Literal["en", "he", "ar"]


def _lang(hl: Service, who: Caller, lang: str | None) -> str:
    if lang:
        return lang
    party = hl.world.parties.get(who.party or "")
    return party.language if party else "en"


@router.get("/cap/findings.atom", summary="Atom index of the findings visible to the caller, as CAP 1.2 alerts",
            response_class=Response, responses={200: {"content": {"application/atom+xml": {}}}})
async def cap_index(request: Request, who: Caller, hl: Service, lang: Lang | None = None) -> Response:
    states = sorted(await list_of(hl, who, fnd.KIND, 1000), key=lambda s: s["seq"], reverse=True)
    base = str(request.base_url).rstrip("/")
    body = atom_feed(states, sender=hl.settings.origin, lang=_lang(hl, who, lang), base=base, updated=iso(hl.clock()))
    return Response(body, media_type="application/atom+xml")


@router.get("/cap/findings/{finding_id}.xml", summary="One finding as a CAP 1.2 alert (Cancel once cleared)",
            response_class=Response, responses={200: {"content": {"application/cap+xml": {}}}})
async def cap_alert(finding_id: str, who: Caller, hl: Service, lang: Lang | None = None) -> Response:
    state = await get_one(hl, who, fnd.KIND, fnd.agg_id(finding_id), "finding")
    m = await model(hl)
    names = {zid: dict(z.names) for zid, z in m.zones.items()}
    return Response(alert_xml(state, sender=hl.settings.origin, lang=_lang(hl, who, lang), zone_names=names),
                    media_type="application/cap+xml")
