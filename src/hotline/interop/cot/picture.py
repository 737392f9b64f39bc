"""What each party's TAK clients are shown besides tracks: zones, proposals, notices, findings, sightings.

The rule is the API's: a party sees what is in a channel it belongs to, nothing else. Zones and
their proposals live in the common channel (every party sees the map); notices are filed there too
(a party sees its own and those filed to it); findings and sightings go to the channel they were
raised or reported in, which is their releasability.

``snapshot`` is what a client receives on connect (read from the projections); ``for_event`` is
what one committed event changes for one party. Both are built per party because names are in the
party's language. ``Picture`` remembers how many parts each shape had, so that a zone redrawn with
fewer parts, or a proposal closed, is deleted part by part.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from hotline.domain import findings as fnd
from hotline.domain import notices as ntc
from hotline.domain import sightings as sgt
from hotline.domain import zones_agreed as zag
from hotline.domain.timefmt import parse_iso
from hotline.geo.errors import GeoError
from hotline.geo.zones import zone_from_feature
from hotline.ledger.envelope import Event
from hotline.store.ledger import list_aggregates

from .shapes import delete_event, finding_marker, notice_marker, sighting_marker, zone_shapes

if TYPE_CHECKING:
    from hotline.service.hotline import Hotline

__all__ = ["Picture", "SIGHTING_FRESH"]

SIGHTING_FRESH = timedelta(hours=1)  # a sighting older than this is stale on a handset: not re-sent
_LIMIT = 10_000


def zone_uid(zone_id: str) -> str:
    return f"hotline-zone-{zone_id}"


def proposal_uid(zone_id: str) -> str:
    return f"hotline-proposal-{zone_id}"


class Picture:
    def __init__(self, hl: Hotline) -> None:
        self.hl = hl
        self._parts: dict[str, int] = {}  # shape uid -> parts last drawn under it

    def _lang(self, party: str) -> str:
        return self.hl.world.parties[party].language

    def _zone(self, base_uid: str, feature: dict[str, Any], lang: str, now: datetime, *, proposed: bool,
              before: int | None = None) -> list[bytes]:
        """The shape's parts, and deletes for parts it had before (``before``, else as last drawn)."""
        try:
            zone = zone_from_feature(feature)
        except GeoError:
            return []  # the record holds it validated; a zone this version cannot read is not drawn
        items = zone_shapes(zone, base_uid, lang, now, proposed=proposed)
        had = self._parts.get(base_uid, 0) if before is None else before
        self._parts[base_uid] = len(items)
        return [data for _, data in items] + [delete_event(f"{base_uid}.{i}", now) for i in range(len(items), had)]

    def _gone(self, base_uid: str, now: datetime, parts: int) -> list[bytes]:
        return [delete_event(base_uid if i == 0 else f"{base_uid}.{i}", now) for i in range(max(parts, 1))]

    async def snapshot(self, party: str) -> list[bytes]:
        """Everything a client of ``party`` is shown on connect, oldest kind of fact first."""
        now = self.hl.clock()
        lang = self._lang(party)
        chans = self.hl.world.channels_of(party)
        async with self.hl.db.read() as conn:
            zones = await list_aggregates(conn, zag.KIND, chans, limit=_LIMIT)
            notices = await list_aggregates(conn, ntc.KIND, chans, limit=_LIMIT)
            found = await list_aggregates(conn, fnd.KIND, chans, limit=_LIMIT)
            seen = await list_aggregates(conn, sgt.KIND, chans, limit=_LIMIT)
        out: list[bytes] = []
        for z in zones:
            if z["active"] is not None:
                out += self._zone(zone_uid(z["zone_id"]), z["active"], lang, now, proposed=False)
            if z["proposal"] is not None:
                out += self._zone(proposal_uid(z["zone_id"]), z["proposal"]["feature"], lang, now, proposed=True)
        for n in notices:
            if n["status"] == "active" and (m := notice_marker(n["notice_id"], n["party"], n["channel"],
                                                               n["notice"], now)) is not None:
                out.append(m)
        for f in found:
            if f["status"] == "open" and (m := finding_marker(f["finding_id"], f["finding"], f["raised_at"],
                                                              f["channel"])) is not None:
                out.append(m)
        for s in seen:
            if parse_iso(s["seen_at"]) > now - SIGHTING_FRESH:
                out.append(sighting_marker(s, s["channel"]))
        return out

    def for_event(self, ev: Event, parties: list[str]) -> dict[str, list[bytes]]:
        """What ``ev`` changes on the map of each of ``parties`` (members of ``ev.channel``; the caller checks)."""
        p = ev.payload
        t = ev.type
        now = self.hl.clock()
        if t in ("zone.activated", "zone.proposed", "zone.rejected"):
            base = zone_uid(p["zone_id"]) if t == "zone.activated" else proposal_uid(p["zone_id"])
            had = self._parts.get(base, 0)
            had_proposal = self._parts.pop(proposal_uid(p["zone_id"]), 1) if t != "zone.proposed" else 0
            out: dict[str, list[bytes]] = {}
            for party in parties:
                items: list[bytes] = []
                if t in ("zone.activated", "zone.proposed"):
                    items = self._zone(base, p["feature"], self._lang(party), now, proposed=t == "zone.proposed",
                                       before=had)
                if t in ("zone.activated", "zone.rejected"):
                    items += self._gone(proposal_uid(p["zone_id"]), now, had_proposal)
                out[party] = items
            return out
        same = self._same_for_all(ev, now)
        return {party: same for party in parties}

    def _same_for_all(self, ev: Event, now: datetime) -> list[bytes]:
        p = ev.payload
        t = ev.type
        if t == "notice.filed" and ev.party is not None:
            m = notice_marker(p["notice_id"], ev.party, ev.channel, p["notice"], now)
            return [] if m is None else [m]
        if t in ("notice.withdrawn", "notice.expired"):
            return [delete_event(f"hotline-notice-{p['notice_id']}", now)]
        if t == "finding.raised":
            m = finding_marker(p["finding_id"], p["finding"], ev.ts, ev.channel)
            return [] if m is None else [m]
        if t == "finding.cleared":
            return [delete_event(f"hotline-finding-{p['finding_id']}", now)]
        if t == "sighting.reported":
            return [sighting_marker(p, ev.channel)]
        return []
