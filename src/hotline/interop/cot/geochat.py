"""GeoChat (``b-t-f``) in and out: a TAK chat room that names a hotline channel is that channel.

In: a GeoChat whose room (``__chat@chatroom``, else ``@id``) is the id or a name (any language) of a
channel the connection's party belongs to becomes a ROUTINE hotline message in that channel, posted
through the message use case (``service.messages.post_message``) as the connection's user: the
acknowledgement rules of every message apply. The subject is the first line of the text, the body
the text, the language the party's. The message id derives from the party and the chat's own
``messageId``, so a client that resends the same chat posts it once. Anything else (another room,
"All Chat Rooms", a channel of other parties, an empty text) is refused by the gateway with a counter
and a log line; nothing is written.

Out: every hotline message of a channel goes to the TAK clients of the channel's parties as a
GeoChat in the room named by the channel id, the sender being the posting party, the text
``[PRECEDENCE] subject`` and the body.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET  # noqa: S405 - building only; parsing goes through defusedxml
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from hotline.domain.messages import MAX_SUBJECT, PostMessage
from hotline.domain.world import World

from .xml import CotEvent, _bytes, _event, cot_time

__all__ = ["CHAT_TYPE", "room_channel", "post_command", "chat_event", "sender_uid"]

CHAT_TYPE = "b-t-f"
_SUBJECT = min(MAX_SUBJECT, 80)


def room_channel(world: World, party: str, room: str | None) -> str | None:
    """The channel of ``party`` a chat room names (its id, or one of its names), else None."""
    if not room:
        return None
    wanted = room.strip().casefold()
    for cid in world.channels_of(party):
        ch = world.channels[cid]
        if wanted == cid.casefold() or any(wanted == n.strip().casefold() for n in ch.names.values()):
            return cid
    return None


def message_id(party: str, ev: CotEvent) -> str:
    key = f"{party}\n{ev.chat_id or ev.uid}".encode()
    return "msg-tak-" + hashlib.sha256(key).hexdigest()[:24]


def post_command(world: World, party: str, channel: str, ev: CotEvent) -> PostMessage:
    text = ev.remarks.strip()
    first = text.splitlines()[0] if text else ""
    subject = first if len(first) <= _SUBJECT else first[: _SUBJECT - 1] + "…"
    return PostMessage(message_id=message_id(party, ev), channel=channel, precedence="ROUTINE", subject=subject,
                       body=text, language=world.parties[party].language)


def sender_uid(party: str) -> str:
    return f"hotline-{party}"


def chat_event(payload: Mapping[str, Any], party: str, actor: str, channel: str, ts: datetime) -> bytes:
    """A ``message.posted`` payload as the GeoChat a TAK client shows in the room ``channel``."""
    sender = sender_uid(party)
    mid = str(payload["message_id"])
    ev, detail = _event(f"GeoChat.{sender}.{channel}.{mid}", CHAT_TYPE, cot_time(ts), cot_time(ts + timedelta(days=1)),
                        0.0, 0.0, how="h-g-i-g-o")
    callsign = f"{party.upper()} {actor}"
    chat = ET.SubElement(detail, "__chat", {"parent": "RootContactGroup", "groupOwner": "false", "messageId": mid,
                                            "chatroom": channel, "id": channel, "senderCallsign": callsign})
    ET.SubElement(chat, "chatgrp", {"uid0": sender, "uid1": channel, "id": channel})
    ET.SubElement(detail, "link", {"uid": sender, "type": "a-f-G-U-C", "relation": "p-p"})
    text = f"[{payload['precedence']}] {payload['subject']}"
    if payload.get("body") and payload["body"] != payload["subject"]:
        text += f"\n{payload['body']}"
    remarks = ET.SubElement(detail, "remarks", {"source": f"BAO.F.ATAK.{sender}", "to": channel, "time": cot_time(ts)})
    remarks.text = text
    ET.SubElement(detail, "_hotline", {"party": party, "channel": channel, "message": mid})
    return _bytes(ev)
