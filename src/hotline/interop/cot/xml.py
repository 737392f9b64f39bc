"""Cursor on Target XML in and out: parse one ``<event>`` safely, build the events we send.

Parsing uses defusedxml, which refuses entity declarations, external entities and DTDs (the XML bomb
and XXE attacks) before any expansion happens. The parsed event becomes the plain dict the track
service validates (``domain.tracks.position_from_dict``), so a CoT position and an API position are
checked by the same rules. Everything we send is built with ElementTree, which escapes user text: a
callsign or remark never becomes markup.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - building only; parsing goes through defusedxml
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

__all__ = ["CotError", "CotEvent", "parse_event", "track_event", "marker_event", "shape_event", "cot_time",
           "MAX_EVENT_BYTES"]

MAX_EVENT_BYTES = 64 * 1024
_UNKNOWN = "9999999.0"
_ERR_MAX = 9_999_999.0


class CotError(ValueError):
    """A CoT event we refuse; ``reason`` is a short stable code for counters."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class CotEvent:
    uid: str
    type: str
    time: str
    stale: str
    how: str
    point: dict[str, float]
    callsign: str | None
    course: float | None
    speed: float | None
    party: str | None  # a party the event claims to be of (``detail/_hotline@party`` or ``__group@name``)
    channel: str | None
    remarks: str
    chat: bool

    @property
    def position(self) -> bool:
        return self.type.startswith("a-")

    def as_position(self) -> dict[str, Any]:
        body: dict[str, Any] = {"uid": self.uid, "type": self.type, "time": self.time, "stale": self.stale,
                                **self.point}
        if self.callsign:
            body["callsign"] = self.callsign
        if self.course is not None:
            body["course"] = self.course
        if self.speed is not None:
            body["speed"] = self.speed
        if self.channel:
            body["channel"] = self.channel
        if self.party:
            body["party"] = self.party
        return body


def _float(el: Any, key: str, default: str | None = None) -> float:
    raw = el.get(key, default)
    try:
        v = float(raw)
    except (TypeError, ValueError):
        raise CotError("bad_point", f"point@{key} is not a number ({raw!r})") from None
    if v != v or v in (float("inf"), float("-inf")):
        raise CotError("bad_point", f"point@{key} is not a finite number")
    return v


def parse_event(data: bytes) -> CotEvent:
    """One CoT ``<event>``; ``CotError`` for malformed XML, entities, or a missing part."""
    if len(data) > MAX_EVENT_BYTES:
        raise CotError("too_large", f"event of {len(data)} bytes exceeds {MAX_EVENT_BYTES}")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as e:
        raise CotError("xml_attack", f"refused XML construct: {type(e).__name__}") from None
    except ET.ParseError as e:
        raise CotError("malformed", f"malformed XML: {e}") from None
    if root.tag != "event":
        raise CotError("malformed", f"expected <event>, got <{root.tag[:40]}>")
    point = root.find("point")
    if point is None:
        raise CotError("malformed", "an event needs a <point>")
    for key in ("uid", "type", "time", "stale"):
        if not root.get(key):
            raise CotError("malformed", f"an event needs the attribute {key}")
    detail = root.find("detail")
    callsign = course = speed = party = channel = None
    remarks = ""
    chat = False
    if detail is not None:
        contact = detail.find("contact")
        if contact is not None:
            callsign = contact.get("callsign")
        track = detail.find("track")
        if track is not None:
            course = _float(track, "course") if track.get("course") else None
            speed = _float(track, "speed") if track.get("speed") else None
        ours = detail.find("_hotline")
        if ours is not None:
            party, channel = ours.get("party"), ours.get("channel")
        group = detail.find("__group")
        if party is None and group is not None and group.get("name", "").islower():
            party = group.get("name")
        rem = detail.find("remarks")
        if rem is not None and rem.text:
            remarks = rem.text[:2000]
        chat = detail.find("__chat") is not None
    return CotEvent(
        uid=str(root.get("uid")), type=str(root.get("type")), time=str(root.get("time")),
        stale=str(root.get("stale")), how=root.get("how", "m-g"),
        point={"lat": _float(point, "lat"), "lon": _float(point, "lon"), "hae": _float(point, "hae", "0"),
               "ce": min(_float(point, "ce", _UNKNOWN), _ERR_MAX), "le": min(_float(point, "le", _UNKNOWN), _ERR_MAX)},
        callsign=callsign, course=course, speed=speed, party=party, channel=channel, remarks=remarks, chat=chat)


def cot_time(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def _event(uid: str, typ: str, time: str, stale: str, lat: float, lon: float, hae: float = 0.0,
           how: str = "m-g", ce: float = 9_999_999.0, le: float = 9_999_999.0) -> tuple[ET.Element, ET.Element]:
    ev = ET.Element("event", {"version": "2.0", "uid": uid, "type": typ, "time": time, "start": time,
                              "stale": stale, "how": how})
    ET.SubElement(ev, "point", {"lat": f"{lat:.7f}", "lon": f"{lon:.7f}", "hae": f"{hae:.1f}",
                                "ce": f"{ce:.1f}", "le": f"{le:.1f}"})
    return ev, ET.SubElement(ev, "detail")


def _bytes(ev: ET.Element) -> bytes:
    return bytes(ET.tostring(ev, encoding="utf-8", xml_declaration=False))


def track_event(p: Mapping[str, Any]) -> bytes:
    """A track point (``domain.tracks.Position.to_dict()``) as the CoT event other clients draw."""
    ev, detail = _event(p["uid"], p["type"], p["time"], p["stale"], p["lat"], p["lon"], p["hae"],
                        ce=p["ce"], le=p["le"])
    ET.SubElement(detail, "contact", {"callsign": p["callsign"]})
    if p.get("course") is not None or p.get("speed") is not None:
        ET.SubElement(detail, "track", {"course": str(p.get("course") or 0.0), "speed": str(p.get("speed") or 0.0)})
    ET.SubElement(detail, "_hotline", {"party": p["party"], "channel": p["channel"]})
    return _bytes(ev)


def marker_event(uid: str, typ: str, now: datetime, stale: timedelta, lat: float, lon: float, callsign: str,
                 remarks: str, extra: Mapping[str, str] | None = None) -> bytes:
    """A marker (a finding, a sighting): a point with a callsign and remarks, stale after ``stale``."""
    ev, detail = _event(uid, typ, cot_time(now), cot_time(now + stale), lat, lon, how="h-g-i-g-o")
    ET.SubElement(detail, "contact", {"callsign": callsign})
    ET.SubElement(detail, "remarks").text = remarks
    if extra:
        ET.SubElement(detail, "_hotline", dict(extra))
    return _bytes(ev)


def shape_event(uid: str, name: str, now: datetime, stale: timedelta, ring: Sequence[tuple[float, float]],
                colour_argb: int = -65536) -> bytes:
    """A zone as a CoT drawing shape (``u-d-f``: a closed polyline of ``link`` points, lon/lat pairs in)."""
    lon0, lat0 = ring[0]
    ev, detail = _event(uid, "u-d-f", cot_time(now), cot_time(now + stale), lat0, lon0, how="h-e")
    for lon, lat in ring:
        ET.SubElement(detail, "link", {"point": f"{lat:.6f},{lon:.6f}"})
    ET.SubElement(detail, "contact", {"callsign": name})
    ET.SubElement(detail, "strokeColor", {"value": str(colour_argb)})
    ET.SubElement(detail, "labels_on", {"value": "true"})
    return _bytes(ev)
