"""TAK protocol version 1 (protobuf, ``takproto``) for streaming clients that negotiate it.

The negotiation is TAK Server's, in XML:

1. on connect the gateway offers it: ``t-x-takp-v`` with ``<TakControl><TakProtocolSupport version="1"/>``;
2. a client that wants it asks: ``t-x-takp-q`` with ``<TakControl><TakRequest version="1"/>``;
3. the gateway answers ``t-x-takp-r`` with ``<TakResponse status="true"/>`` (``false`` for a version it
   does not speak) and, after that answer, both sides speak protobuf on the connection.

A client that never asks stays on XML. Streaming framing: ``0xbf``, the message length as a protobuf
varint, a ``TakMessage``. The gateway encodes what it sends with ``takproto.xml2proto`` (on its own
XML) and decodes what it receives with ``takproto.parse_proto``; a received message is turned back
into a CoT ``<event>`` and goes through ``xml.parse_event`` (defusedxml, the same checks and
counters as XML), so the opaque ``xmlDetail`` of a protobuf event is no way around them.
"""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET  # noqa: S405 - building only; parsing goes through defusedxml
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import defusedxml.ElementTree as SafeET
import takproto
from defusedxml import DefusedXmlException
from takproto.constants import TAKProtoVer

from .xml import MAX_EVENT_BYTES, CotError, _bytes, _event, cot_time

__all__ = ["VERSION", "offer", "response", "requested_version", "read_frame", "to_proto", "from_proto",
           "OFFER", "REQUEST", "RESPONSE"]

VERSION = 1
OFFER, REQUEST, RESPONSE = "t-x-takp-v", "t-x-takp-q", "t-x-takp-r"
_MAGIC = 0xBF
_UID = "protouid"  # the uid TAK Server uses for its negotiation events


def _control(typ: str, now: datetime) -> tuple[ET.Element, ET.Element]:
    ev, detail = _event(_UID, typ, cot_time(now), cot_time(now + timedelta(minutes=1)), 0.0, 0.0,
                        ce=999999.0, le=999999.0)
    return ev, ET.SubElement(detail, "TakControl")


def offer(now: datetime) -> bytes:
    ev, control = _control(OFFER, now)
    ET.SubElement(control, "TakProtocolSupport", {"version": str(VERSION)})
    return _bytes(ev)


def response(now: datetime, ok: bool) -> bytes:
    ev, control = _control(RESPONSE, now)
    ET.SubElement(control, "TakResponse", {"status": "true" if ok else "false"})
    return _bytes(ev)


def requested_version(data: bytes) -> int | None:
    """The version a ``t-x-takp-q`` asks for (the event was already accepted by ``parse_event``)."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except (DefusedXmlException, ET.ParseError):
        return None
    req = root.find("detail/TakControl/TakRequest")
    try:
        return None if req is None else int(req.get("version", ""))
    except ValueError:
        return None


async def read_frame(reader: asyncio.StreamReader) -> bytes:
    """One streaming frame (header, varint, message); ``CotError`` when the framing is broken."""
    head = await reader.readexactly(1)
    if head[0] != _MAGIC:
        raise CotError("bad_frame", f"a TAK protocol frame starts with 0xbf, not {head[0]:#04x}")
    length, shift, raw = 0, 0, bytearray()
    while True:
        b = (await reader.readexactly(1))[0]
        raw.append(b)
        length |= (b & 0x7F) << shift
        if not b & 0x80:
            break
        shift += 7
        if shift > 28:
            raise CotError("bad_frame", "the frame length is not a varint of at most 5 bytes")
    if length > MAX_EVENT_BYTES:
        raise CotError("too_large", f"a frame of {length} bytes exceeds {MAX_EVENT_BYTES}")
    return bytes(head) + bytes(raw) + await reader.readexactly(length)


@lru_cache(maxsize=512)
def to_proto(xml: bytes) -> bytes:
    """Our own CoT XML as a streaming frame (cached: one track point goes to many clients)."""
    return bytes(takproto.xml2proto(xml, TAKProtoVer.STREAM))


def _ms(ms: int) -> str:
    return cot_time(datetime.fromtimestamp(ms / 1000, UTC))


def from_proto(frame: bytes) -> bytes:
    """A received frame as the CoT ``<event>`` XML it stands for; ``CotError`` if it does not parse."""
    try:
        msg = takproto.parse_proto(bytearray(frame))
    except Exception as e:  # protobuf raises its own DecodeError and others on garbage
        raise CotError("malformed", f"not a TAK protocol message: {type(e).__name__}") from None
    if msg is None or not msg.HasField("cotEvent"):
        raise CotError("malformed", "a TAK protocol message without a cotEvent")
    c = msg.cotEvent
    try:
        times = _ms(c.sendTime), _ms(c.staleTime)
    except (OverflowError, OSError, ValueError):
        raise CotError("malformed", "a time out of range") from None
    ev, detail = _event(c.uid, c.type, times[0], times[1], c.lat, c.lon, c.hae, how=c.how or "m-g", ce=c.ce, le=c.le)
    d = c.detail
    if d.HasField("contact"):
        ET.SubElement(detail, "contact", {"callsign": d.contact.callsign})
    if d.HasField("group"):
        ET.SubElement(detail, "__group", {"name": d.group.name, "role": d.group.role})
    if d.HasField("track"):
        ET.SubElement(detail, "track", {"course": repr(d.track.course), "speed": repr(d.track.speed)})
    xml = _bytes(ev)
    if d.xmlDetail:
        # The opaque part goes back where it came from; parse_event (defusedxml) then judges the whole.
        xml = xml.replace(b"<detail>", b"<detail>" + d.xmlDetail.encode("utf-8"), 1) if b"<detail>" in xml else \
            xml.replace(b"<detail />", b"<detail>" + d.xmlDetail.encode("utf-8") + b"</detail>", 1)
    return xml
