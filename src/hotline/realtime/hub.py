"""Ordered fan-out of committed events to subscribers, with back-pressure.

Each event is encoded once per reading party: every subscriber of a party gets the same frame, which
carries that party's cursor of the event as its ``seq`` (``hotline.ledger.envelope.reader_form``;
visibility is decided per channel, not per event and subscriber). Each subscriber has a bounded queue:
one that cannot keep up is cut off (``overflowed``) instead of slowing the others, and resumes from the
last cursor it holds.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

import orjson

from hotline.ledger.envelope import Event, reader_form

__all__ = ["Hub", "Subscriber", "encode_event", "event_frame", "events_frame", "CLOSE_RESUME", "CLOSE_UNAUTHORIZED"]

CLOSE_UNAUTHORIZED = 4001
CLOSE_RESUME = 4008


def encode_event(ev: Event, cursor: int) -> str:
    """The event's JSON as a reader whose cursor of it is ``cursor`` sees it, encoded once for every
    subscriber of that reader (frames wrap it without re-encoding)."""
    return orjson.dumps(reader_form(ev.to_dict(), cursor)).decode()


def event_frame(event_json: str) -> str:
    return '{"type":"event","event":' + event_json + "}"


def events_frame(event_jsons: list[str]) -> str:
    """Several events in one frame: under load a stream sends what has queued up in one message."""
    return '{"type":"events","events":[' + ",".join(event_jsons) + "]}"


class Subscriber:
    def __init__(self, hub: Hub, identity: str, channels: frozenset[str], maxsize: int, session: str = "",
                 party: str = "") -> None:
        self.hub = hub
        self.identity = identity
        self.party = party
        self.session = session
        self.channels = channels
        self.queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue(maxsize)
        # Why the server ends this subscription (close code, reason), once it has decided to.
        self.kicked: tuple[int, str] | None = None
        self.on_kick: Callable[[], None] | None = None

    def kick(self, code: int, reason: str) -> None:
        if self.kicked is None:
            self.kicked = (code, reason)
            if self.on_kick is not None:
                self.on_kick()

    def offer(self, cursor: int, frame: str) -> None:
        if self.kicked is not None:
            return
        try:
            self.queue.put_nowait((cursor, frame))
        except asyncio.QueueFull:
            self.kick(CLOSE_RESUME, "too slow; resume after the last seq you hold")

    def close(self) -> None:
        self.hub.unsubscribe(self)


class Hub:
    def __init__(self, *, queue_size: int = 2000, per_identity: int = 8) -> None:
        self.queue_size = queue_size
        self.per_identity = per_identity
        self._by_channel: dict[str, set[Subscriber]] = defaultdict(set)
        self._by_identity: dict[str, int] = defaultdict(int)
        self.published_seq = 0

    def subscribe(self, identity: str, channels: Iterable[str], session: str = "",
                  party: str = "") -> Subscriber | None:
        """A new subscriber of ``party``, or None when this identity already holds its limit of streams."""
        if self._by_identity[identity] >= self.per_identity:
            return None
        sub = Subscriber(self, identity, frozenset(channels), self.queue_size, session, party)
        self._by_identity[identity] += 1
        for channel in sub.channels:
            self._by_channel[channel].add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        removed = False
        for channel in sub.channels:
            subs = self._by_channel.get(channel)
            if subs and sub in subs:
                subs.discard(sub)
                removed = True
        if removed:
            self._by_identity[sub.identity] -= 1

    def end_sessions(self, *, session: str | None = None, identity: str | None = None) -> None:
        """Close the streams of a revoked session, or of every session of a user."""
        for subs in tuple(self._by_channel.values()):
            for sub in tuple(subs):
                if (session and sub.session == session) or (identity and sub.identity == identity):
                    sub.kick(CLOSE_UNAUTHORIZED, "your session has ended; log in again")

    def publish(self, events: Iterable[Event], cursors: Mapping[int, Mapping[str, int]]) -> None:
        """Offer each event to the subscribers of its channel whose party has a cursor for it."""
        for ev in events:
            if ev.seq <= self.published_seq:
                continue  # already delivered (a local commit and a cross-process notice may overlap)
            self.published_seq = ev.seq
            subs = self._by_channel.get(ev.channel)
            if not subs:
                continue
            readers = cursors.get(ev.seq, {})
            frames: dict[str, tuple[int, str]] = {}
            for sub in tuple(subs):
                cursor = readers.get(sub.party)
                if cursor is None:
                    continue  # not a reader of this event when it was written
                if sub.party not in frames:
                    frames[sub.party] = (cursor, encode_event(ev, cursor))
                sub.offer(*frames[sub.party])

    def queue_depths(self) -> list[int]:
        """How many frames wait in each open subscriber's queue (for the operator's metrics)."""
        subs = {sub for subs in self._by_channel.values() for sub in subs}
        return [sub.queue.qsize() for sub in subs]

    @property
    def subscriber_count(self) -> int:
        return sum(self._by_identity.values())
