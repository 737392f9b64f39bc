"""``hotline simulate``: believable tracks driven through the CoT gateway, so the demo map moves.

Four actors, each a route of lon/lat waypoints flown or driven at a steady speed, back and forth:

- ``syr-uav-patrol``: a Syrian UAV patrolling 2 km east of Line B, outside the Area of Separation;
- ``isr-convoy``: an Israeli convoy on the road from Mas'ade down towards the Quneitra crossing, west
  of Line A;
- ``isr-heli``: an Israeli helicopter on the slopes of Mount Hermon;
- ``syr-stray``: a Syrian aircraft that strays west into the restricted airspace over the Area of
  Separation without a notice, which the server turns into a geofence finding.

``positions(t)`` is pure (the state of every actor ``t`` seconds into the run); ``run`` sends them once a
second to the gateway's plain TCP port of each actor's party.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hotline.interop.cot.xml import cot_time, track_event

__all__ = ["ACTORS", "Actor", "positions", "run"]

_M_PER_DEG_LAT = 111_320.0


@dataclass(frozen=True, slots=True)
class Actor:
    uid: str
    party: str
    type: str
    callsign: str
    route: tuple[tuple[float, float], ...]  # lon, lat
    speed_mps: float
    hae: float

    def _legs(self) -> list[float]:
        out = []
        for (x0, y0), (x1, y1) in zip(self.route, self.route[1:], strict=False):
            dx = (x1 - x0) * _M_PER_DEG_LAT * math.cos(math.radians((y0 + y1) / 2))
            dy = (y1 - y0) * _M_PER_DEG_LAT
            out.append(math.hypot(dx, dy))
        return out

    def at(self, t: float) -> tuple[float, float, float]:
        """(lon, lat, course) ``t`` seconds in, going to the end of the route and back."""
        legs = self._legs()
        total = sum(legs)
        d = (t * self.speed_mps) % (2 * total)
        back = d > total
        if back:
            d = 2 * total - d
        for i, ((x0, y0), (x1, y1), length) in enumerate(zip(self.route, self.route[1:], legs, strict=False)):
            if d <= length or i == len(legs) - 1:
                f = min(1.0, d / length) if length else 0.0
                course = math.degrees(math.atan2((x1 - x0) * math.cos(math.radians(y0)), y1 - y0)) % 360
                return x0 + f * (x1 - x0), y0 + f * (y1 - y0), (course + 180) % 360 if back else course
            d -= length
        x, y = self.route[-1]
        return x, y, 0.0


ACTORS: tuple[Actor, ...] = (
    Actor("syr-uav-patrol", "syr", "a-f-A-M-F-Q", "SAQR 1",
          ((35.948, 33.30), (35.905, 33.23), (35.882, 33.15), (35.885, 33.075), (35.905, 32.98)), 40.0, 1800.0),
    Actor("isr-convoy", "isr", "a-f-G-U-C", "CONVOY 3",
          ((35.7542, 33.2331), (35.770, 33.20), (35.785, 33.16), (35.795, 33.13)), 12.0, 0.0),
    Actor("isr-heli", "isr", "a-f-A-M-H", "EAGLE 5",
          ((35.755, 33.305), (35.775, 33.325), (35.78, 33.335), (35.765, 33.32)), 45.0, 2400.0),
    Actor("syr-stray", "syr", "a-f-A-M-F", "NASR 9",
          ((36.05, 33.05), (35.96, 33.05), (35.84, 33.06)), 120.0, 3000.0),
)


def positions(t: float, now: datetime, actors: Sequence[Actor] = ACTORS) -> list[dict[str, Any]]:
    """Each actor's position ``t`` seconds into the run, as the point dict ``track_event`` draws."""
    out = []
    for a in actors:
        lon, lat, course = a.at(t)
        out.append({"uid": a.uid, "party": a.party, "channel": "joint", "type": a.type, "callsign": a.callsign,
                    "lat": lat, "lon": lon, "hae": a.hae, "ce": 15.0, "le": 20.0, "course": round(course, 1),
                    "speed": a.speed_mps, "time": cot_time(now), "stale": cot_time(now + timedelta(seconds=30))})
    return out


async def run(ports: Mapping[str, int], *, host: str = "127.0.0.1", seconds: float | None = None,
              actors: Sequence[Actor] = ACTORS, say: Any = print) -> int:
    """Send every actor's position once a second to its party's TCP port; returns the events sent."""
    writers = {}
    for party in sorted({a.party for a in actors}):
        _, writers[party] = await asyncio.open_connection(host, ports[party])
    start = asyncio.get_running_loop().time()
    sent = 0
    try:
        while True:
            t = asyncio.get_running_loop().time() - start
            if seconds is not None and t > seconds:
                return sent
            for p in positions(t, datetime.now(UTC), actors):
                writers[p["party"]].write(track_event(p))
                sent += 1
            for w in writers.values():
                await w.drain()
            if int(t) % 10 == 0:
                say(f"{int(t):>5} s: {sent} positions sent")
            await asyncio.sleep(1.0 - (asyncio.get_running_loop().time() - start) % 1.0)
    finally:
        for w in writers.values():
            w.close()
