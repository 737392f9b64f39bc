"""Ordered fan-out of committed events to subscribers, with back-pressure.

Each event is encoded once; the same frame goes to every subscriber of its channel (visibility is
decided per channel, not per event and subscriber). Each subscriber has a bounded queue: one that
cannot keep up is cut off (``overflowed``) instead of slowing the others, and resumes from the last
seq it holds.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Iterable

import orjson

from hotline.ledger.envelope import Event

__all__ = ["Hub", "Subscriber", "encode_event", "event_frame", "events_frame", "CLOSE_RESUME", "CLOSE_UNAUTHORIZED"]

CLOSE_UNAUTHORIZED = 4001
CLOSE_RESUME = 4008


def encode_event(ev: Event) -> str:
    """The event's JSON, encoded once for every subscriber (frames wrap it without re-encoding)."""
    return orjson.dumps(ev.to_dict()).decode()


def event_frame(event_json: str) -> str:
    return '{"type":"event","event":' + event_json + "}"


def events_frame(event_jsons: list[str]) -> str:
    """Several events in one frame: under load a stream sends what has queued up in one message."""
    return '{"type":"events","events":[' + ",".join(event_jsons) + "]}"


class Subscriber:
    def __init__(self, hub: Hub, identity: str, channels: frozenset[str], maxsize: int, session: str = "") -> None:
        self.hub = hub
        self.identity = identity
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

    def offer(self, seq: int, frame: str) -> None:
        if self.kicked is not None:
            return
        try:
            self.queue.put_nowait((seq, frame))
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

    def subscribe(self, identity: str, channels: Iterable[str], session: str = "") -> Subscriber | None:
        """A new subscriber, or None when this identity already holds its limit of streams."""
        if self._by_identity[identity] >= self.per_identity:
            return None
        sub = Subscriber(self, identity, frozenset(channels), self.queue_size, session)
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

    def publish(self, events: Iterable[Event]) -> None:
        for ev in events:
            if ev.seq <= self.published_seq:
                continue  # already delivered (a local commit and a cross-process notice may overlap)
            self.published_seq = ev.seq
            subs = self._by_channel.get(ev.channel)
            if not subs:
                continue
            frame = encode_event(ev)
            for sub in tuple(subs):
                sub.offer(ev.seq, frame)

    def queue_depths(self) -> list[int]:
        """How many frames wait in each open subscriber's queue (for the operator's metrics)."""
        subs = {sub for subs in self._by_channel.values() for sub in subs}
        return [sub.queue.qsize() for sub in subs]

    @property
    def subscriber_count(self) -> int:
        return sum(self._by_identity.values())
